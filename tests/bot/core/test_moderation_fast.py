"""The fast moderation path agrees with the old one (tests/bot/core/moderation_reference.py): the same
``Moderator.check`` decisions on real and generated chat, the link pre-check never skips a link, the
batched model scores like the scalar one, and the gateway enforces what the deferred model finds."""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import unicodedata
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_gateway import chat_log
from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.model_checks import ModelChecks
from bot.core.moderation import (
    URL,
    Action,
    Decision,
    ModelCheck,
    Moderator,
    link_text,
    may_hold_link,
    offending_domains,
)
from bot.core.toxicity import (
    _collapse,
    assess,
    features,
    fold_text,
    language,
    load_model,
    model_text_of,
    nfkc_casefold,
    text_forms,
    toxicity,
)
from bot.core.toxicity_batch import CRC_TABLE, BatchScorer, batch_features
from bot.metrics import GatewayMetrics
from connectors.base import ChatEvent, Role
from connectors.simulator.chatlog import CHATTER
from connectors.simulator.connector import SimulatorConnector
from tests.bot.core import moderation_reference as reference
from tests.bot.core.test_gateway import event, samples
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[3]
COLD = REPO / ".." / "shared" / "data" / "eval" / "cold_test.csv"

#: written for these tests: the lexicon names nothing here, the shipped model deletes it
MODEL_ONLY = "我就歧视黑人怎么了"


def cold_texts() -> list[str]:
    if not COLD.is_file():
        pytest.skip(f"{COLD} not on this machine")
    with COLD.open(encoding="utf-8-sig", newline="") as f:
        return [row["TEXT"] for row in csv.DictReader(f)]


def room_texts() -> list[str]:
    texts = []
    for path in sorted((REPO / "bench" / "rooms").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(texts) > 1000
    return texts


CORPORA = {"rooms": room_texts, "chatter": lambda: list(CHATTER), "cold": cold_texts}


def chat_events(texts: list[str]) -> Iterator[tuple[ChatEvent, float]]:
    """Each text as a message from one of a few viewers, fast enough to trip the flood and repeat
    rules now and then, with VIPs (links allowed), moderators (exempt) and emote spans mixed in."""
    for i, text in enumerate(texts):
        roles = frozenset({Role.VIP}) if i % 11 == 0 else frozenset()
        if i % 53 == 0:
            roles = frozenset({Role.MODERATOR})
        extra: dict[str, object] = {"emotes": [[0, 1]] * 30} if i % 97 == 0 else {}
        viewer = f"v{i % 23}"
        yield (
            ChatEvent("simulator", f"r{i % 3}", f"m{i}", viewer, viewer, text, roles=roles, extra=extra),
            1000.0 + i * 0.2,
        )


def assert_same_decisions(pairs: Iterator[tuple[ChatEvent, float]]) -> int:
    new, old = Moderator(), reference.ReferenceModerator()
    checked = 0
    for ev, now in pairs:
        assert new.check(ev, now) == old.check(ev, now), ev.text
        checked += 1
    return checked


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_check_decides_as_before(corpus: str) -> None:
    texts = CORPORA[corpus]()
    # each text twice in a row from other viewers, then again: chants, copy-pastas and repeats
    assert assert_same_decisions(chat_events(texts + texts[::-1] + texts)) == 3 * len(texts)


def test_check_decides_as_before_on_the_benchmark_log() -> None:
    events = chat_log(6000)
    assert assert_same_decisions((ev, 1000.0 + i * 0.004) for i, ev in enumerate(events)) == 6000


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_toxicity_and_features_as_before(corpus: str) -> None:
    model = load_model()
    assert model is not None
    for text in CORPORA[corpus]():
        assert toxicity(text) == reference.toxicity(text)
        assert features(text) == reference.features(text)
        assert model.probability(text) == reference.probability(text)


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_batched_model_scores_as_the_scalar_one(corpus: str) -> None:
    model = load_model()
    assert model is not None
    scorer = BatchScorer(model)
    texts = CORPORA[corpus]()
    forms = [text_forms(t) for t in texts]
    langs = [language(t) for t in texts]
    scalar = [model.severity_of(f, lang) for f, lang in zip(forms, langs, strict=True)]
    for start in range(0, len(texts), 256):  # the gateway's batches
        batch = slice(start, start + 256)
        assert scorer.severities(forms[batch], langs[batch]) == [s for s, _ in scalar[batch]]
        p = scorer.probabilities(forms[batch], langs[batch])
        assert np.allclose(p, [q for _, q in scalar[batch]], rtol=0, atol=1e-12)
    framed = [model_text_of(f, lang) for f, lang in zip(forms[:500], langs[:500], strict=True)]
    msg, ids = batch_features(framed, model.n_bits)
    for i, text in enumerate(texts[:500]):
        assert ids[msg == i].tolist() == sorted(set(reference.features(model_text_input(text))))


def model_text_input(text: str) -> str:
    return reference.model_input(text, reference.language(text))


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=st.sampled_from("aab\n \u00df\u0130ｅＥ哈6!$"), max_size=30) | st.text(max_size=30))
def test_folding_and_collapsing_as_before(text: str) -> None:
    assert fold_text(text) == reference.fold_text(text)
    assert _collapse(text) == reference._REPEAT_ANY.sub(r"\1", text)
    assert nfkc_casefold(text) == unicodedata.normalize("NFKC", text).casefold()


def test_the_crc_table_is_zlibs() -> None:
    for data in (b"\x00", b"a", bytes(range(256)), "歧视".encode("utf-32-le")):
        crc = 0xFFFFFFFF
        for byte in data:
            crc = int(CRC_TABLE[(crc ^ byte) & 0xFF]) ^ (crc >> 8)
        assert crc ^ 0xFFFFFFFF == zlib.crc32(data)


# --- links ------------------------------------------------------------------------------------------
LINK_PIECES = [
    "evil", "com", "tv", "twitch", "b23", "x", "1", "192", "0", "dot", "DoT", "d0t", "点", "點", "。",
    "｡", ".", "．", " . ", " ", "  ", "(", ")", "[", "]", "{", "}", "<", ">", "://", "：／／", "http",
    "HTTPS", "www", "@", "/", "-", "_", "ｅｖｉｌ", "ｃｏｍ", "xn--p1ai", "shop", "e.g", "1.5x", "\u3000",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=14).map("".join))
def test_the_link_filter_finds_what_it_found(text: str) -> None:
    nfkc = nfkc_casefold(text)
    assert link_text(text) == reference.link_text(text)
    if any(URL.finditer(reference.link_text(text))):
        assert may_hold_link(nfkc), text  # the pre-check never skips a text the URL pattern matches
    allowed = ("twitch.tv", "bilibili.com", "b23.tv")
    assert offending_domains(text, allowed) == reference.offending_domains(text, allowed)
    ev = ChatEvent("simulator", "r", "1", "v", "v", text)
    assert Moderator()._links(ev) == reference.ReferenceModerator()._links(ev)


@pytest.mark.parametrize("text", ["hello there", "666", "哈哈哈哈", "no links here :)", "gg wp"])
def test_text_without_a_dot_spelling_skips_the_link_filter(text: str) -> None:
    assert not may_hold_link(nfkc_casefold(text))


@pytest.mark.parametrize("text", ["evil.com", "evil dot com", "evil点com", "http://localhost", "a。b"])
def test_dot_spellings_reach_the_link_filter(text: str) -> None:
    assert may_hold_link(nfkc_casefold(text))


# --- the model left open ------------------------------------------------------------------------------
def test_the_model_is_left_open_only_where_it_can_decide() -> None:
    moderator = Moderator()
    decision, pending = moderator.screen(event("1", MODEL_ONLY), now=1.0)
    assert decision == Decision(Action.NONE) and pending is not None and pending.lang == "zh"
    assert moderator.conclude(pending, moderator.model_severity(pending)) == Decision(
        Action.DELETE, "toxic", "model"
    )
    assert moderator.screen(event("2", "you idiot"), now=1.0).pending is None  # the lexicon spoke
    assert moderator.screen(event("3", "killing it"), now=1.0).pending is None  # praise slang
    exempt = event("4", MODEL_ONLY, roles=frozenset({Role.BROADCASTER}))
    assert moderator.screen(exempt, now=1.0) == (Decision(Action.NONE), None)
    # an English message a rule deletes: the model (it can only warn in English) is not consulted
    link = moderator.screen(event("5", "you should see evil.com", viewer="w"), now=1.0)
    assert (link.decision.rule, link.pending) == ("link", None)
    # a Chinese one: the model could still delete it, and on a tie its verdict came first
    zh = moderator.screen(event("6", MODEL_ONLY + " evil.com", viewer="z"), now=1.0)
    assert zh.decision.rule == "link" and zh.pending is not None
    assert moderator.conclude(zh.pending, 2).rule == "toxic"


# --- the gateway ----------------------------------------------------------------------------------------
@pytest.fixture
async def make_gateway() -> AsyncIterator[object]:
    """make_gateway(**config) -> a real gateway (Rasa a closed port) whose chatter gets no Rasa turn
    (``chatter_per_second=0``, as in bench/bench_gateway.py), so its model checks wait for the tick."""
    made: list[Gateway] = []
    async with aiohttp.ClientSession() as session:

        def make(model_batch_cap: int = 256, **config: object) -> tuple[Gateway, GatewayMetrics]:
            gateway_config = GatewayConfig(
                rasa_url=f"http://127.0.0.1:{free_port()}", **{"chatter_per_second": 0, **config}
            )  # type: ignore[arg-type]
            metrics = GatewayMetrics()
            gateway = build_gateway(
                gateway_config,
                RasaClient(session, gateway_config.rasa_url, timeout_s=1),
                {"simulator": SimulatorConnector()},
                metrics,
                model_batch_cap=model_batch_cap,
            )
            made.append(gateway)
            return gateway, metrics

        yield make
        for gateway in made:
            await gateway.stop()


def outcomes(metrics: GatewayMetrics) -> dict[str, float]:
    return samples(metrics, "liveroom_event_outcomes_total", "outcome")


async def test_chatter_only_the_model_flags_is_moderated_after_the_tick(make_gateway) -> None:
    gateway, metrics = make_gateway()
    await gateway.ingest(event("1", MODEL_ONLY, viewer="troll"))
    assert gateway.moderation_log == [] and gateway.model_checks.pending == 1
    assert outcomes(metrics) == {}  # its outcome waits for the verdict
    await asyncio.sleep(0)
    [record] = gateway.moderation_log
    assert record.decision == Decision(Action.DELETE, "toxic", "model")
    assert (record.viewer_id, record.text) == ("troll", MODEL_ONLY)
    assert outcomes(metrics) == {"moderated": 1}
    assert samples(metrics, "liveroom_moderation_actions_total", "rule") == {"toxic": 1}


async def test_clean_chatter_gets_its_outcome_after_the_tick(make_gateway) -> None:
    gateway, metrics = make_gateway()
    await gateway.ingest(event("1", "哈哈哈笑死我了", viewer="fan"))
    await asyncio.sleep(0)
    assert gateway.moderation_log == []
    assert samples(metrics, "liveroom_events_dropped_total", "reason") == {"chatter_shed": 1}


async def test_a_directed_question_the_model_flags_is_not_answered(make_gateway) -> None:
    gateway, metrics = make_gateway()
    await gateway.ingest(event("1", f"@liveroom {MODEL_ONLY}?", viewer="troll"))
    # decided before ingest returned: never queued for an answer
    assert gateway.model_checks.pending == 0
    decision = gateway.moderation_log[-1].decision
    assert (decision.action, decision.rule, decision.detail) == (Action.WARN, "toxic", "model")
    assert outcomes(metrics) == {"moderated": 1}
    assert gateway.rooms[("simulator", "r")].queue.qsize() == 0


async def test_a_message_a_rule_blocks_waits_for_the_model_that_may_name_the_rule(make_gateway) -> None:
    """A link in a Chinese question: deleted by the link rule whatever the model says, so nothing is
    answered and the model's verdict (which decides whether "toxic" or "link" is recorded, as in
    ``Moderator.check``) waits for the batch."""
    gateway, metrics = make_gateway()
    text = f"@liveroom {MODEL_ONLY} evil.com?"
    await gateway.ingest(event("1", text, viewer="troll"))
    assert gateway.model_checks.pending == 1 and gateway.moderation_log == []
    await asyncio.sleep(0)
    expected = Moderator().check(event("1", text, viewer="troll"), now=1.0)
    assert expected.action is Action.DELETE
    assert gateway.moderation_log[-1].decision == expected
    assert outcomes(metrics) == {"moderated": 1}
    assert gateway.rooms[("simulator", "r")].queue.qsize() == 0


async def test_chatter_that_may_reach_rasa_is_scored_at_once(make_gateway) -> None:
    gateway, metrics = make_gateway(chatter_per_second=10)
    await gateway.ingest(event("1", MODEL_ONLY, viewer="troll"))
    assert gateway.model_checks.pending == 0
    assert outcomes(metrics) == {"moderated": 1}


async def test_a_full_batch_is_scored_inline(make_gateway) -> None:
    gateway, metrics = make_gateway(model_batch_cap=4)
    for i in range(3):
        await gateway.ingest(event(f"m{i}", MODEL_ONLY, viewer=f"t{i}"))
    assert gateway.model_checks.pending == 3 and gateway.model_checks.batches == 0
    await gateway.ingest(event("m3", "主播今天好漂亮", viewer="fan"))
    assert gateway.model_checks.pending == 0 and gateway.model_checks.batches == 1
    assert [r.viewer_id for r in gateway.moderation_log] == ["t0", "t1", "t2"]
    assert outcomes(metrics) == {"moderated": 3, "dropped": 1}
    await asyncio.sleep(0)  # the tick's own flush finds nothing left
    assert gateway.model_checks.batches == 1


async def test_checks_pending_at_stop_are_settled(make_gateway) -> None:
    gateway, metrics = make_gateway()
    for i in range(10):
        await gateway.ingest(event(f"m{i}", "hahaha so fun" if i % 2 else MODEL_ONLY, viewer=f"v{i}"))
    assert gateway.model_checks.pending == 10
    await gateway.stop()
    assert gateway.model_checks.pending == 0
    assert outcomes(metrics) == {"moderated": 5, "dropped": 5}


async def test_checks_pending_at_room_close_are_settled(make_gateway) -> None:
    gateway, metrics = make_gateway()
    await gateway.ingest(event("1", MODEL_ONLY, viewer="troll"))
    gateway.close_idle_rooms()
    assert gateway.model_checks.pending == 0
    assert outcomes(metrics) == {"moderated": 1}


async def test_a_failing_batch_is_scored_one_by_one(make_gateway, monkeypatch, caplog) -> None:
    gateway, metrics = make_gateway()

    def broken(checks: object) -> list[int]:
        raise RuntimeError("numpy exploded")

    monkeypatch.setattr(gateway.model_checks, "_score", broken)
    await gateway.ingest(event("1", MODEL_ONLY, viewer="troll"))
    await gateway.ingest(event("2", "hahaha so fun", viewer="fan"))
    await asyncio.sleep(0)
    assert outcomes(metrics) == {"moderated": 1, "dropped": 1}
    assert any("scoring a batch of 2 model checks failed" in r.getMessage() for r in caplog.records)


async def test_a_check_that_cannot_be_scored_is_counted(make_gateway, monkeypatch, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="bot.core.gateway")
    gateway, metrics = make_gateway()

    def broken(checks: object) -> int:
        raise RuntimeError("model file gone")

    monkeypatch.setattr(gateway.model_checks, "_score_one", broken)
    await gateway.ingest(event("1", MODEL_ONLY, viewer="troll"))
    await asyncio.sleep(0)  # nothing raised into the loop
    assert samples(metrics, "liveroom_events_dropped_total", "reason") == {"moderation_error": 1}
    assert gateway.model_checks.failures == 1
    assert any("a model check failed" in r.getMessage() for r in caplog.records)


async def test_a_blocked_message_whose_check_fails_keeps_the_rules_decision(
    make_gateway, monkeypatch
) -> None:
    gateway, metrics = make_gateway()

    def broken(checks: object) -> int:
        raise RuntimeError("model file gone")

    monkeypatch.setattr(gateway.model_checks, "_score_one", broken)
    await gateway.ingest(event("1", f"{MODEL_ONLY} evil.com", viewer="troll"))
    await asyncio.sleep(0)
    assert gateway.moderation_log[-1].decision.rule == "link"
    assert outcomes(metrics) == {"moderated": 1}


async def test_a_failing_settle_does_not_stop_the_batch() -> None:
    settled: list[int | None] = []

    class Item:
        def __init__(self, check: ModelCheck) -> None:
            self.check = check

    def settle(item: Item, severity: int | None) -> None:
        settled.append(severity)
        if len(settled) == 1:
            raise RuntimeError("first one breaks")

    check = ModelCheck(text_forms("x"), "en", Decision(Action.NONE))
    checks: ModelChecks[Item] = ModelChecks(lambda cs: [1] * len(cs), lambda c: 1, settle, cap=3)
    for _ in range(3):
        checks.add(Item(check))
    assert settled == [1, 1, 1] and checks.pending == 0


def test_assess_still_reports_the_model() -> None:
    verdict = assess(MODEL_ONLY)
    assert (verdict.severity, verdict.source) == (2, "model")
