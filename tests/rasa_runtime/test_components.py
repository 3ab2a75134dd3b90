"""The nlu/ components inside the Rasa runtime: chat tokenizer on mixed text, catalog entity
extractor (including a catalog edit without retraining), sentiment, the channel's parse summary."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bench.nlu_common import catalog_server, demo_catalog_names
from nlu.rasa.channel import summarize_parse
from nlu.rasa.chat_intent_classifier import ChatIntentClassifier
from nlu.rasa.chat_signals import ChatSignals
from nlu.rasa.chat_tokenizer import ChatJiebaTokenizer, chat_tokens
from nlu.rasa.product_extractor import CatalogEntityExtractor
from nlu.rasa.use_featurizer import UseSentenceFeaturizer
from nlu.text.sentiment import sentiment

HERE = Path(__file__).parent


def spans(text: str) -> list[tuple[str, str]]:
    return [(t.text, text[t.start : t.end]) for t in chat_tokens(text)]


def test_tokenizer_segments_chinese_and_keeps_english_words_in_one_line() -> None:
    assert spans("这个lipstick多少钱啊主播") == [
        ("这个", "这个"),
        ("lipstick", "lipstick"),
        ("多少", "多少"),
        ("钱", "钱"),
        ("啊", "啊"),
        ("主播", "主播"),
    ]


def test_tokenizer_normalizes_but_offsets_point_at_what_the_viewer_typed() -> None:
    text = "@bot is the RED one in ＸＬ?? KEKW priceeee"
    tokens = spans(text)
    assert ("red", "RED") in tokens
    assert ("xl", "ＸＬ") in tokens
    assert ("emotelaugh", "KEKW") in tokens
    assert ("pricee", "priceeee") in tokens
    assert all(not raw.startswith("@") for _, raw in tokens)


def test_tokenizer_component_tokenizes_messages(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    tokenizer = ChatJiebaTokenizer.create(
        {**ChatJiebaTokenizer.get_default_config()}, storage, Resource("tok"), ExecutionContext(None)
    )
    message = Message(data={"text": "主播这个有M码吗"})
    tokenizer.process([message])
    assert [t.text for t in message.get("text_tokens")] == ["主播", "这个", "有", "m", "码", "吗"]


def make_extractor(tmp_path: Path, url: str, names: dict[str, str] | None = None) -> CatalogEntityExtractor:
    config = {**CatalogEntityExtractor.get_default_config(), "catalog_url": url, "ttl_s": 0.0}
    return CatalogEntityExtractor(config, LocalModelStorage(tmp_path), Resource("x"), names)


def products(extractor: CatalogEntityExtractor, text: str) -> list[tuple[str, str]]:
    return [
        (e["value"], text[e["start"] : e["end"]]) for e in extractor.extract(text) if e["entity"] == "product"
    ]


def test_extractor_finds_names_and_aliases_in_both_languages_fuzzy_and_longest(tmp_path: Path) -> None:
    with catalog_server() as url:
        extractor = make_extractor(tmp_path, url)
        assert extractor.catalog.refresh()
    assert products(extractor, "how much is the matte lipstick?") == [("LR-LIP-001", "matte lipstick")]
    assert products(extractor, "这个口红多少钱") == [("LR-LIP-001", "口红")]
    assert products(extractor, "这个lipstick多少钱") == [("LR-LIP-001", "lipstick")]
    assert products(extractor, "hw much is the MASCARRA lol") == [("LR-MKP-004", "MASCARRA")]
    assert products(extractor, "is the ＳＥＲＵＭ in stock") == [("LR-SKN-001", "ＳＥＲＵＭ")]
    # word boundaries for Latin names: "balm" is an alias, "balmy" is not a mention
    assert products(extractor, "balmy evening chat") == []
    # longest match: 哑光口红 (name) rather than 口红 (alias) inside it
    assert products(extractor, "哑光口红还有吗") == [("LR-LIP-001", "哑光口红")]


def test_extractor_sizes_and_colours_and_not_inside_product_names(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, "http://127.0.0.1:9/none")
    found = {(e["entity"], e["value"]) for e in extractor.extract("@bot is the red one in M")}
    assert found == {("colour", "red"), ("size", "M")}
    found = {(e["entity"], e["value"]) for e in extractor.extract("主播这个有XL码吗 黑色的")}
    assert found == {("size", "XL"), ("colour", "black")}


def test_catalog_edit_reaches_the_extractor_without_retraining(tmp_path: Path) -> None:
    catalog = demo_catalog_names()
    with catalog_server(catalog) as url:
        extractor = make_extractor(tmp_path, url)
        assert extractor.catalog.refresh()
        assert products(extractor, "how much is the glitter bomb") == []
    edited = json.loads(json.dumps(catalog))
    edited["version"] = "edited"
    edited["products"].append(
        {
            "sku": "LR-NEW-001",
            "names": {"en": "Glitter Bomb", "zh": "闪粉炸弹"},
            "aliases": {"en": [], "zh": ["闪粉"]},
        }
    )
    with catalog_server(edited) as url:
        extractor.catalog.url = url
        # a parse never waits: it starts a background poll and uses the snapshot it has
        extractor.extract("warm up")
        deadline = time.monotonic() + 5
        while extractor.catalog.version != "edited" and time.monotonic() < deadline:
            time.sleep(0.05)
            extractor.extract("poll")
    assert products(extractor, "how much is the glitter bomb") == [("LR-NEW-001", "glitter bomb")]
    assert products(extractor, "闪粉炸弹多少钱") == [("LR-NEW-001", "闪粉炸弹")]


def test_extractor_keeps_the_last_snapshot_and_starts_from_training_names(tmp_path: Path) -> None:
    extractor = make_extractor(tmp_path, "http://127.0.0.1:9/nothing-listens-here", {"serum": "serum"})
    assert products(extractor, "how much is the serum") == [("serum", "serum")]
    assert not extractor.catalog.refresh()
    assert products(extractor, "how much is the serum") == [("serum", "serum")]


def test_chat_signals_sets_sentiment_and_mood_from_metadata(tmp_path: Path) -> None:
    component = ChatSignals.create(
        ChatSignals.get_default_config(), LocalModelStorage(tmp_path), Resource("s"), None
    )
    happy = Message(data={"text": "主播太强了 666", "metadata": {"audience_mood": "happy"}})
    plain = Message(data={"text": "this is a scam", "metadata": {"mood": "ecstatic"}})
    component.process([happy, plain])
    assert happy.get("sentiment") > 0.5
    assert plain.get("sentiment") < -0.5
    assert [e["value"] for e in happy.get("entities") if e["entity"] == "audience_mood"] == ["happy"]
    assert not [e for e in plain.get("entities") or [] if e["entity"] == "audience_mood"]


def label(score: float) -> int:
    return 0 if abs(score) < 0.2 else (1 if score > 0 else -1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sentiment_accuracy_on_the_labelled_chat_set(lang: str) -> None:
    data = json.loads((HERE / "sentiment_labelled.json").read_text(encoding="utf-8"))[lang]
    hits = sum(label(sentiment(text, lang)) == gold for text, gold in data)
    accuracy = hits / len(data)
    print(f"sentiment accuracy {lang}: {accuracy:.3f} ({hits}/{len(data)})")
    assert accuracy >= 0.85


def test_summarize_parse_is_what_the_gateway_reads() -> None:
    parse = {
        "intent": {"name": "ask_price", "confidence": 0.93},
        "entities": [
            {"entity": "lang", "value": "zh", "start": 0, "end": 6},
            {
                "entity": "product",
                "value": "LR-LIP-001",
                "start": 2,
                "end": 4,
                "extractor": "CatalogEntityExtractor",
            },
        ],
        "sentiment": 0.1,
    }
    assert summarize_parse(parse, "这个口红多少钱") == {
        "intent": "ask_price",
        "confidence": 0.93,
        "entities": [{"entity": "product", "value": "LR-LIP-001", "start": 2, "end": 4}],
        "lang": "zh",
        "sentiment": 0.1,
        "domain": None,
    }
    assert summarize_parse(None, "x") is None


def _intent_training_data() -> TrainingData:
    """Five intents of data/ in both languages: enough to check the classifier end to end quickly."""
    from rasa.shared.nlu.training_data.loading import load_data

    keep = {"greet", "goodbye", "ask_price", "ask_stock", "complain"}
    examples = []
    for lang in ("en", "zh"):
        data = load_data(str(HERE.parents[1] / "data" / f"nlu_{lang}.yml"))
        examples += [m for m in data.intent_examples if m.get("intent") in keep]
    return TrainingData(training_examples=examples)


def test_chat_intent_classifier_trains_persists_and_classifies_unseen_chat(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("chat_intents")
    featurizer = UseSentenceFeaturizer({**UseSentenceFeaturizer.get_default_config()})
    config = {**ChatIntentClassifier.get_default_config()}
    classifier = ChatIntentClassifier.create(config, storage, resource, ExecutionContext(None))
    classifier.train(featurizer.process_training_data(_intent_training_data()))

    loaded = ChatIntentClassifier.load(config, storage, resource, ExecutionContext(None))
    lines = {
        "yo lulu wassup": "greet",
        "ok gotta head out, cya": "goodbye",
        "how much for the serum??": "ask_price",
        "口红还有没有货": "ask_stock",
        "声音一卡一卡的": "complain",
    }
    messages = featurizer.process([Message(data={"text": text}) for text in lines])
    loaded.process(messages)
    predicted = {m.get("text"): m.get("intent")["name"] for m in messages}
    assert sum(predicted[t] == intent for t, intent in lines.items()) >= 4, predicted
    for message in messages:
        ranking = message.get("intent_ranking")
        assert ranking[0]["name"] == message.get("intent")["name"]
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
        assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_chat_intent_classifier_blends_an_earlier_ranking(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    featurizer = UseSentenceFeaturizer({**UseSentenceFeaturizer.get_default_config()})
    data = featurizer.process_training_data(_intent_training_data())
    config = {**ChatIntentClassifier.get_default_config(), "previous_weight": 0.9}
    classifier = ChatIntentClassifier.create(config, storage, Resource("blend"), ExecutionContext(None))
    classifier.train(data)
    message = featurizer.process([Message(data={"text": "how much for the serum??"})])[0]
    # an earlier classifier (DIET) was sure of `complain`: with weight 0.9 its vote decides
    message.set("intent_ranking", [{"name": "complain", "confidence": 1.0}])
    classifier.process([message])
    assert message.get("intent")["name"] == "complain"
    with pytest.raises(ValueError):
        ChatIntentClassifier({**config, "previous_weight": 1.5}, storage, Resource("bad"))


def test_chat_intent_classifier_without_a_trained_model_leaves_messages_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    config = {**ChatIntentClassifier.get_default_config()}
    classifier = ChatIntentClassifier.load(config, storage, Resource("never_trained"), ExecutionContext(None))
    message = Message(data={"text": "hi"})
    classifier.process([message])
    assert message.get("intent") is None
