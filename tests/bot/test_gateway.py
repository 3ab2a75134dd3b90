"""Gateway accounting without Rasa: every event is answered or counted as dropped with a reason."""

from __future__ import annotations

import asyncio

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.config import GatewayConfig
from bot.gateway import Gateway
from bot.metrics import GatewayMetrics
from bot.rasa_client import RasaClient
from connectors.base import ChatEvent, EventKind, Role
from connectors.simulator.connector import SimulatorConnector
from tests.conftest import free_port


def dropped(metrics: GatewayMetrics) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        if family.name == "liveroom_events_dropped":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[sample.labels["reason"]] = sample.value
    return out


def event(message_id: str, **kw: object) -> ChatEvent:
    base = dict(
        platform="simulator",
        room="r",
        message_id=message_id,
        viewer_id="v",
        display_name="v",
        text="how much is the serum?",
    )
    base.update(kw)
    return ChatEvent(**base)  # type: ignore[arg-type]


async def test_rasa_down_duplicates_bots_and_non_chat_are_counted_not_lost() -> None:
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", queue_size=10, workers_per_room=1)
    metrics = GatewayMetrics()
    async with aiohttp.ClientSession() as session:
        gateway = Gateway(
            config,
            RasaClient(session, config.rasa_url, timeout_s=2),
            {"simulator": SimulatorConnector()},
            metrics,
        )
        await gateway.ingest(event("1"))
        await gateway.ingest(event("1"))  # same id again
        await gateway.ingest(event("2", roles=frozenset({Role.BOT})))
        await gateway.ingest(event("3", display_name="liveroom"))
        await gateway.ingest(event("4", kind=EventKind.GIFT, text=""))
        for _ in range(100):
            if dropped(metrics).get("rasa_unavailable"):
                break
            await asyncio.sleep(0.05)
        await gateway.stop()
    assert dropped(metrics) == {
        "rasa_unavailable": 1.0,
        "duplicate": 1.0,
        "own_or_bot_message": 2.0,
        "not_chat": 1.0,
    }


async def test_a_full_room_queue_counts_the_overflow() -> None:
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", queue_size=2, workers_per_room=1)
    metrics = GatewayMetrics()
    async with aiohttp.ClientSession() as session:
        gateway = Gateway(
            config, RasaClient(session, config.rasa_url), {"simulator": SimulatorConnector()}, metrics
        )
        for i in range(10):  # no await in between: the worker cannot drain the queue
            await gateway.ingest(event(str(i)))
        counts = dropped(metrics)
        await gateway.stop()
    assert counts.get("ingress_full", 0) >= 7
