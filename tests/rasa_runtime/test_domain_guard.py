"""nlu.rasa.domain_guard (issue 14) inside the Rasa runtime: trained on data/ with the shipped config.yml
settings, it must keep off-topic questions (banking, travel, weather, health; en + zh, written for
this test) out of the shop and let real shop questions, short chat ones included, in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bench.nlu_common import catalog_server
from nlu.rasa.channel import summarize_parse
from nlu.rasa.chat_intent_classifier import ChatIntentClassifier
from nlu.rasa.domain_guard import DomainGuard, GuardModel, combine, shop_words
from nlu.rasa.product_extractor import CatalogEntityExtractor
from nlu.rasa.use_featurizer import UseSentenceFeaturizer

REPO = Path(__file__).resolve().parents[2]

OFF_TOPIC = [
    # banking
    "how much money is left in my savings account",
    "can you send 300 dollars to my landlord",
    "my credit card got declined at the supermarket",
    "我的信用卡账单什么时候到期",
    "怎么开通网上银行",
    # travel
    "find me a cheap flight to barcelona in june",
    "do i need a visa for canada",
    "is it safe to travel to mexico city right now",
    "帮我查一下去成都的航班",
    "去欧洲旅游要准备什么",
    # weather
    "is it going to snow in boston tomorrow",
    "what's the temperature outside right now",
    "后天北京会不会下雨",
    "这周末天气好吗",
    # health
    "what should i take for a cold",
    "how do i get rid of a migraine",
    "is it normal for my knee to hurt when i run",
    "发烧三十九度要去医院吗",
    "胃疼吃什么药好",
]

SHOP = [
    "price?",
    "link pls",
    "多少钱",
    "有货吗",
    "how do I pay?",
    "can I return something?",
    "how much is the velvet lipstick",
    "is the serum ok for oily skin",
    "what shades does the cushion come in",
    "do you ship to canada",
    "any discount code tonight?",
    "when is the next stream",
    "what would you recommend for dry skin",
    "这个口红有几个色号",
    "什么时候发货",
    "能退货吗",
    "怎么付款",
    "有优惠券吗",
    "敏感肌能用吗",
    "主播明天几点开播",
]


def shipped_config() -> dict:
    """DomainGuard's and the intent classifier's parameters as config.yml ships them."""
    pipeline = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    by_name = {step["name"].rsplit(".", 1)[-1]: step for step in pipeline}
    return {
        name: {k: v for k, v in by_name[name].items() if k != "name"}
        for name in ("DomainGuard", "ChatIntentClassifier")
    }


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """featurizer -> intent classifier -> catalog extractor -> domain guard, trained on data/."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("guard"))
    context = ExecutionContext(None)
    config = shipped_config()
    examples = []
    for lang in ("en", "zh"):
        examples += load_data(str(REPO / "data" / f"nlu_{lang}.yml")).intent_examples
    featurizer = UseSentenceFeaturizer({**UseSentenceFeaturizer.get_default_config()})
    data = featurizer.process_training_data(TrainingData(training_examples=examples))
    intents_config = {**ChatIntentClassifier.get_default_config(), **config["ChatIntentClassifier"]}
    classifier = ChatIntentClassifier.create(intents_config, storage, Resource("intents"), context)
    classifier.train(data)
    guard_config = {**DomainGuard.get_default_config(), **config["DomainGuard"]}
    DomainGuard.create(guard_config, storage, Resource("guard"), context).train(data)
    guard = DomainGuard.load(guard_config, storage, Resource("guard"), context)
    with catalog_server() as url:
        extractor = CatalogEntityExtractor(
            {**CatalogEntityExtractor.get_default_config(), "catalog_url": url}, storage, Resource("x")
        )
        extractor.catalog.matcher  # noqa: B018 - first poll

        def run(texts: list[str]) -> list[Message]:
            messages = featurizer.process([Message(data={"text": t}) for t in texts])
            for component in (classifier, extractor, guard):
                messages = component.process(messages)
            return messages

        yield run


def test_off_topic_questions_are_not_in_domain(pipeline) -> None:
    verdicts = {m.get("text"): m.get("domain") for m in pipeline(OFF_TOPIC)}
    leaked = {t: d for t, d in verdicts.items() if d["in_domain"]}
    assert not leaked, leaked


def test_shop_questions_are_in_domain_short_chat_included(pipeline) -> None:
    verdicts = {m.get("text"): m.get("domain") for m in pipeline(SHOP)}
    missed = {t: d for t, d in verdicts.items() if not d["in_domain"]}
    assert not missed, missed


def test_domain_key_is_the_interface_and_reaches_the_gateway_summary(pipeline) -> None:
    (message,) = pipeline(["how much is the velvet lipstick"])
    domain = message.get("domain")
    assert set(domain) == {"score", "in_domain"}
    assert isinstance(domain["in_domain"], bool) and 0.0 <= domain["score"] <= 1.0
    parse = message.as_dict(only_output_properties=True)
    assert parse["domain"] is domain
    assert summarize_parse(parse, message.get("text"))["domain"] == domain


def test_an_untrained_guard_does_not_block_the_shop(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    config = DomainGuard.get_default_config()
    guard = DomainGuard.load(config, storage, Resource("never_trained"), ExecutionContext(None))
    (message,) = guard.process([Message(data={"text": "how much?"})])
    assert message.get("domain") == {"score": 1.0, "in_domain": True}
    with pytest.raises(ValueError):
        DomainGuard({**config, "threshold": 1.5}, storage, Resource("bad"))


def test_evidence_moves_the_score_the_right_way() -> None:
    config = DomainGuard.get_default_config()
    base = combine(0.5, 0.0, 0.5, False, False, config)
    assert base == pytest.approx(0.5)
    assert combine(0.5, 0.0, 0.5, True, False, config) > base  # a shop word
    assert combine(0.5, 0.0, 0.5, False, True, config) > base  # a catalog product
    assert combine(0.5, -0.2, 0.5, False, False, config) < base  # closer to off-topic examples
    assert combine(0.5, 0.0, 0.05, False, False, config) < base  # the intent model is not shopping
    assert shop_words("how do I PAY??") and shop_words("ｌｉｎｋ？") and shop_words("可以退货吗")
    assert not shop_words("book me a flight to tokyo")
    assert not shop_words("what's the price of a flight to rome")  # generic words are left to the model


def test_model_round_trips_through_its_arrays() -> None:
    rng = np.random.default_rng(0)
    inside, outside = rng.normal(1.0, 1.0, (20, 8)), rng.normal(-1.0, 1.0, (20, 8))
    model = GuardModel.fit(inside, outside, 1.0)
    again = GuardModel.from_arrays(model.to_arrays())
    probe = rng.normal(0.0, 1.0, (5, 8))
    p1, m1 = model.evidence(probe, 3)
    p2, m2 = again.evidence(probe, 3)
    assert np.allclose(p1, p2, atol=1e-5) and np.allclose(m1, m2, atol=2e-3)
    assert model.evidence(np.ones((1, 8)), 3)[0][0] > 0.5 > model.evidence(-np.ones((1, 8)), 3)[0][0]
