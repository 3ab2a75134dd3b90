"""Gateway accounting and degradation with Rasa down (a closed port: the real failure, no fake Rasa).

Every event must end in exactly one outcome; bot-directed questions are answered from the FAQ
fallback or deferred, never shed; chatter is shed; moderation stops answers.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapters.health import Upstream, UpstreamMonitor
from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.core.jobs import audience_metadata
from bot.core.moderation import Action
from bot.core.triage import Triage
from bot.metrics import GatewayMetrics
from connectors.base import ChatEvent, EventKind, OutboundMessage, Role
from connectors.simulator.connector import SimulatorConnector
from knowledge_graph.errors import GraphUnavailable
from tests.conftest import free_port


def samples(metrics: GatewayMetrics, name: str, label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            if sample.name == name:
                out[sample.labels[label]] = out.get(sample.labels[label], 0) + sample.value
    return out


def event(
    message_id: str, text: str = "how much is the serum?", viewer: str = "v", **kw: object
) -> ChatEvent:
    base = dict(
        platform="simulator",
        room="r",
        message_id=message_id,
        viewer_id=viewer,
        display_name=viewer,
        text=text,
    )
    base.update(kw)
    return ChatEvent(**base)  # type: ignore[arg-type]


class RecordingSimulator(SimulatorConnector):
    """The real simulator connector, also remembering what the bot posted."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> None:
        self.sent.append(message)
        await super().send(message)


@pytest.fixture
async def gateway_parts():
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", queue_size=50, workers_per_room=2)
    metrics = GatewayMetrics()
    connector = RecordingSimulator()
    async with aiohttp.ClientSession() as session:
        yield config, metrics, connector, RasaClient(session, config.rasa_url, timeout_s=2), session


async def test_every_event_has_one_outcome_and_questions_are_deferred_not_lost(gateway_parts) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"])
    )
    await gateway.ingest(event("1"))
    await gateway.ingest(event("1"))  # same id again
    await gateway.ingest(event("2", roles=frozenset({Role.BOT})))
    await gateway.ingest(event("3", viewer="liveroom"))
    await gateway.ingest(event("4", kind=EventKind.GIFT, text=""))
    await gateway.ingest(event("5", viewer="nightbot"))
    await gateway.ingest(event("6", text="you idiot", viewer="troll"))
    await gateway.ingest(event("7", text="lol 666"))
    await gateway.idle(10)
    await gateway.stop()
    outcomes = samples(metrics, "liveroom_event_outcomes_total", "outcome")
    deferred = samples(metrics, "liveroom_deferred_questions", "platform")["simulator"]
    assert sum(outcomes.values()) + deferred == 8  # each event: one final outcome, or still deferred
    assert outcomes["moderated"] == 1
    dropped = samples(metrics, "liveroom_events_dropped_total", "reason")
    assert dropped == {
        "duplicate": 1,
        "other_bot": 2,
        "own_message": 1,
        "not_chat": 1,
        "upstream_down_chatter": 1,
    }
    # The question and the chatter were offered to Rasa (room idle); Rasa is down, so the question
    # waits in the deferred queue and the chatter is gone with a reason.
    room = gateway.rooms[("simulator", "r")]
    assert [job.event.message_id for job in room.deferred] == ["1"]
    assert deferred == 1
    assert outcomes["dropped"] == 6  # the five above and the chatter


async def test_overflowing_questions_are_deferred_and_chatter_is_shed(gateway_parts) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"])
    )
    for i in range(200):  # no await point inside ingest: the workers cannot drain meanwhile
        await gateway.ingest(event(f"q{i}", viewer=f"v{i}"))
        await gateway.ingest(event(f"c{i}", text="hahaha so fun", viewer=f"c{i}"))
    room = gateway.rooms[("simulator", "r")]
    queued, deferred = room.queue.qsize(), len(room.deferred)
    await gateway.stop()
    dropped = samples(metrics, "liveroom_events_dropped_total", "reason")
    chatter_queued = 200 - dropped["chatter_shed"]
    assert chatter_queued <= config.workers_per_room  # chatter only while there is no backlog
    assert queued == config.queue_size
    assert deferred == 200 - (queued - chatter_queued)  # every question is queued or deferred


async def test_rasa_down_answers_from_the_faq_and_drains_after_recovery(gateway_parts) -> None:
    config, metrics, connector, rasa, session = gateway_parts
    asked: list[tuple[str, str]] = []

    async def faq(text: str, lang: str) -> str | None:
        asked.append((text, lang))
        return "We ship in 48 hours." if "ship" in text else None

    monitor = UpstreamMonitor(
        session, [Upstream("rasa", f"{config.rasa_url}/")], lambda n, up: asyncio.sleep(0)
    )
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics, faq_answer=faq, monitor=monitor)
    monitor._on_change = gateway.on_upstream_change  # the app wires it the same way
    await monitor.check_once()  # Rasa's port is closed: down
    assert not monitor.all_up
    gateway.start()
    await gateway.ingest(event("s1", text="when do you ship my order?", viewer="ann"))
    await gateway.ingest(event("p1", text="@bot price of the serum?", viewer="bo"))
    await gateway.idle(10)
    await asyncio.sleep(0.2)
    assert [m.text for m in connector.sent] == ["@ann We ship in 48 hours."]
    room = gateway.rooms[("simulator", "r")]
    assert [j.event.message_id for j in room.deferred] == ["p1"]
    assert samples(metrics, "liveroom_answers_total", "path") == {"faq_fallback": 1}

    # Recovery: the deferred question goes back to the queue (Rasa is still really down here, so it
    # comes back to the deferred queue again: nothing is lost in either direction).
    monitor.upstreams["rasa"].up = True
    await gateway.on_upstream_change("rasa", True)
    await gateway.idle(10)
    assert [j.event.message_id for j in room.deferred] == ["p1"]
    await gateway.stop()


async def test_graph_down_gives_a_polite_canned_answer(gateway_parts) -> None:
    config, metrics, connector, rasa, session = gateway_parts

    async def faq(text: str, lang: str) -> str | None:
        raise GraphUnavailable("FalkorDB at 127.0.0.1:1 is not reachable")

    monitor = UpstreamMonitor(
        session, [Upstream("rasa", f"{config.rasa_url}/")], lambda n, up: asyncio.sleep(0)
    )
    await monitor.check_once()
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics, faq_answer=faq, monitor=monitor)
    gateway.start()
    await gateway.ingest(event("z1", text="这个精华多少钱？", viewer="小明"))
    await gateway.idle(10)
    await asyncio.sleep(0.2)
    await gateway.stop()
    assert len(connector.sent) == 1 and connector.sent[0].text.startswith("@小明 抱歉")


async def test_commands_polls_and_warnings_go_through_the_pacer(gateway_parts) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics)
    gateway.start()
    mod = frozenset({Role.MODERATOR})
    await gateway.ingest(event("c1", text="!poll colour? | red | nude", viewer="mod", roles=mod))
    await gateway.idle(5)
    await gateway.ingest(event("v1", text="2", viewer="a"))
    await gateway.ingest(event("v2", text="2", viewer="b"))
    await gateway.ingest(event("w1", text="WHY IS THIS SO EXPENSIVE I HATE IT", viewer="shouty"))
    await gateway.ingest(event("c2", text="!endpoll", viewer="mod", roles=mod))
    await gateway.idle(5)
    await asyncio.sleep(0.2)
    await gateway.stop()
    texts = [m.text for m in connector.sent]
    assert texts[0].startswith("@mod Poll: colour?")
    assert not any("@shouty" in t for t in texts)  # capitals alone are hype, never a public warning
    assert texts[-1] == "@mod Poll closed (2 votes): nude 2, red 0"
    assert samples(metrics, "liveroom_moderation_actions_total", "rule") == {}


async def test_dry_run_moderation_carries_nothing_out_and_says_would(gateway_parts, caplog) -> None:
    """In dry-run nothing reaches the room: no warning is posted, nothing deleted; the log and the
    moderation record say what would have happened."""
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics)
    gateway.start()
    caplog.set_level(logging.INFO, logger="bot.core.gateway")
    for i in range(4):
        await gateway.ingest(event(f"r{i}", text="buy my mixtape now", viewer="repeater"))
    await gateway.idle(5)
    await gateway.stop()
    assert connector.sent == []
    record = gateway.moderation_log[-1]
    assert (record.decision.rule, record.decision.action, record.dry_run) == ("repeat", Action.DELETE, True)
    assert "would delete repeater (repeat)" in caplog.text
    assert samples(metrics, "liveroom_moderation_actions_total", "mode") == {"dry_run": 1}


async def test_room_state_reaches_metrics_and_rasa_metadata(gateway_parts) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"])
    )
    for i in range(6):
        await gateway.ingest(event(f"h{i}", text="the serum is amazing, love it", viewer=f"fan{i}"))
    gateway.tick()
    room = gateway.rooms[("simulator", "r")]
    snapshot = room.audience.snapshot()
    await gateway.stop()
    assert snapshot.hot_products == [("serum", 6)]
    assert samples(metrics, "liveroom_hot_product_mentions", "product") == {"serum": 6}
    assert samples(metrics, "liveroom_active_viewers", "room") == {"r": 6}
    moods = samples(metrics, "liveroom_room_mood", "mood")
    assert moods[snapshot.mood] == 1 and sum(moods.values()) == 1
    assert snapshot.sentiment > 0
    assert audience_metadata(snapshot)["hot_products"] == ["serum"]


def test_only_impersonal_answers_are_shared_between_askers() -> None:
    """A complaint's turn records it for the moderators and says so: a copy to a second viewer would
    claim a record that was never made. Greetings and hand-offs are per viewer too."""
    from bot.adapters.rasa import BotReply, Parse, RasaResult
    from bot.core.jobs import shareable

    def result(intent: str, silenced: str | None = None) -> RasaResult:
        return RasaResult([BotReply("x")], Parse(intent=intent, confidence=0.9, silenced=silenced))

    assert shareable(result("ask_schedule"))
    assert shareable(RasaResult([BotReply("x")]))  # the REST channel says no intent
    for intent in ("complain", "nlu_fallback", "ask_store_policy", "greet", "thanks"):
        assert not shareable(result(intent)), intent
    assert not shareable(result("ask_price", silenced="not_addressed"))


async def test_event_handlers_see_every_non_chat_event_once_and_paid_text_still_gets_read(
    gateway_parts,
) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"])
    )
    seen: list[tuple[str, str]] = []
    gateway.event_handlers.append(lambda e: seen.append((e.message_id, e.kind.value)))
    await gateway.ingest(event("1"))  # plain chat: not for the handlers
    await gateway.ingest(event("2", kind=EventKind.GIFT, text=""))
    await gateway.ingest(event("2", kind=EventKind.GIFT, text=""))  # redelivered
    await gateway.ingest(event("3", kind=EventKind.SUPER_CHAT, text="how much is the serum?"))
    await gateway.ingest(event("3", kind=EventKind.SUPER_CHAT, text="how much is the serum?"))
    await gateway.ingest(event("4", kind=EventKind.MODERATION, text=""))
    await gateway.idle(10)
    await gateway.stop()
    assert seen == [("2", "gift"), ("3", "super_chat"), ("4", "moderation")]
    dropped = samples(metrics, "liveroom_events_dropped_total", "reason")
    assert dropped["duplicate"] == 2 and dropped["not_chat"] == 2
    room = gateway.rooms[("simulator", "r")]
    assert sorted(job.event.message_id for job in room.deferred) == ["1", "3"]  # both questions wait for Rasa


async def test_a_viewer_is_addressed_in_the_language_of_their_latest_line(gateway_parts) -> None:
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"])
    )
    assert gateway.language_of("simulator", "r", "mei") == "en"  # a room the gateway does not know
    await gateway.ingest(event("1", text="hello everyone", viewer="sam"))
    await gateway.ingest(event("2", text="主播晚上好呀", viewer="mei"))
    await gateway.ingest(event("3", text="今天的精华有优惠吗", viewer="mei"))
    await gateway.idle(10)
    await gateway.stop()
    room = gateway.rooms[("simulator", "r")]
    assert gateway.language_of("simulator", "r", "mei") == "zh"
    assert gateway.language_of("simulator", "r", "sam") == "en"
    # a viewer who never wrote: the room's most used language lately (two lines of three are Chinese)
    assert room.audience.snapshot().lang == "zh"
    assert gateway.language_of("simulator", "r", "nobody") == "zh"


async def test_the_read_model_shows_rooms_sends_and_moderation(gateway_parts) -> None:
    """What the dashboard and the mood loop read: the Gateway's snapshot and accessors, not its parts."""
    config, metrics, connector, rasa, _ = gateway_parts
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics)
    gateway.start()
    mod = frozenset({Role.MODERATOR})
    await gateway.ingest(event("s1", text="!poll colour? | red | nude", viewer="mod", roles=mod))
    await gateway.ingest(event("s2", text="kill yourself", viewer="troll"))
    await gateway.idle(5)
    snap = gateway.snapshot()
    await gateway.stop()
    assert [(r.platform, r.name, r.queue, r.deferred) for r in snap.rooms] == [("simulator", "r", 0, 0)]
    assert [(s.platform, s.pending) for s in snap.sends] == [("simulator", 0)]
    assert snap.upstreams == {} and snap.moderation_timeout_s == gateway.moderator.policy.timeout_s
    assert [record.viewer for record in snap.moderation] == ["troll"]
    assert set(gateway.audiences()) == {("simulator", "r")}
    assert gateway.platforms()["simulator"] is connector and gateway.connector("nowhere") is None
