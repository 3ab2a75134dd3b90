"""Live moderation end to end: a real Gateway with a real SimulatorConnector on a real WebSocket.

With ``dry_run=False`` a toxic message is deleted in the room (or its viewer timed out) and the outcome
is recorded; with the default dry run the decision is only logged and nothing happens in the room.
"""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.moderation import Action, ModerationPolicy, Moderator
from bot.metrics import GatewayMetrics
from connectors.base import ChatEvent, Connector, EventSink, OutboundMessage
from connectors.simulator.connector import SimulatorConnector
from connectors.simulator.replay import replay_headers, replay_url
from tests.bot.core.test_gateway import samples
from tests.conftest import free_port


@pytest.fixture
async def live():
    """live(policy, connector=None) -> (gateway, metrics, connector, client): a gateway fed by the
    connector, whose web routes are served on a test server; Rasa is a closed port (not needed)."""
    built: list[tuple[Gateway, Connector, TestClient, aiohttp.ClientSession]] = []

    async def make(policy: ModerationPolicy, connector: Connector | None = None):
        config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", workers_per_room=1)
        connector = connector or SimulatorConnector()
        metrics = GatewayMetrics()
        session = aiohttp.ClientSession()
        gateway = build_gateway(
            config,
            RasaClient(session, config.rasa_url, timeout_s=1),
            {connector.platform: connector},
            metrics,
            moderator=Moderator(policy),
        )
        await connector.start(gateway.ingest)
        app = web.Application()
        app.router.add_routes(connector.web_routes())
        client = TestClient(TestServer(app))
        await client.start_server()
        built.append((gateway, connector, client, session))
        return gateway, metrics, connector, client

    yield make
    for gateway, connector, client, session in built:
        await gateway.stop()
        await connector.stop()
        await client.close()
        await session.close()


async def say(ws: aiohttp.ClientWebSocketResponse, text: str, message_id: str, viewer: str = "troll") -> None:
    await ws.send_str(json.dumps({"type": "chat", "viewer": viewer, "text": text, "message_id": message_id}))


async def test_live_moderation_deletes_the_toxic_message_in_the_room(live) -> None:
    gateway, metrics, _connector, client = await live(ModerationPolicy(dry_run=False))
    viewer = await client.ws_connect(replay_url("/ws/rooms/live"), headers=replay_headers())
    assert (await viewer.receive_json())["type"] == "welcome"
    await say(viewer, "you idiot", "tox-1")
    assert (await viewer.receive_json(timeout=2))["message_id"] == "tox-1"
    assert await viewer.receive_json(timeout=2) == {"type": "deleted", "message_id": "tox-1"}
    await gateway.idle(5)
    record = gateway.moderation_log[-1]
    assert (record.decision.action, record.executed) == (Action.DELETE, True)
    assert samples(metrics, "liveroom_moderation_calls_total", "outcome") == {"executed": 1}
    assert samples(metrics, "liveroom_moderation_actions_total", "mode") == {"live": 1}
    late = await client.ws_connect("/ws/rooms/live")
    assert (await late.receive_json())["history"] == []


async def test_live_moderation_times_a_viewer_out(live) -> None:
    gateway, _metrics, connector, client = await live(ModerationPolicy(dry_run=False, timeout_s=45))
    viewer = await client.ws_connect(replay_url("/ws/rooms/live"), headers=replay_headers())
    await viewer.receive_json()
    await say(viewer, "kill yourself", "tox-2")
    await viewer.receive_json(timeout=2)
    notice = await viewer.receive_json(timeout=2)
    assert (notice["type"], notice["viewer_id"], notice["seconds"]) == ("timed_out", "troll", 45)
    await gateway.idle(5)
    await say(viewer, "hello again", "tox-3")
    assert await viewer.receive_json(timeout=2) == {"type": "error", "reason": "you are timed out for 45 s"}
    assert gateway.moderation_log[-1].decision.action is Action.TIMEOUT
    assert gateway.moderation_log[-1].executed is True
    assert connector.stats.frames[("dropped", "timed_out")] == 1


async def test_dry_run_logs_the_decision_and_deletes_nothing(live, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.gateway")
    gateway, metrics, _connector, client = await live(ModerationPolicy(dry_run=True))
    viewer = await client.ws_connect(replay_url("/ws/rooms/dry"), headers=replay_headers())
    await viewer.receive_json()
    await say(viewer, "you idiot", "tox-4")
    assert (await viewer.receive_json(timeout=2))["message_id"] == "tox-4"
    await gateway.idle(5)
    with pytest.raises(TimeoutError):
        await viewer.receive_json(timeout=0.3)  # no "deleted" frame
    late = await client.ws_connect("/ws/rooms/dry")
    assert [m["message_id"] for m in (await late.receive_json())["history"]] == ["tox-4"]
    record = gateway.moderation_log[-1]
    assert (record.decision.action, record.executed) == (Action.DELETE, False)
    assert samples(metrics, "liveroom_moderation_actions_total", "mode") == {"dry_run": 1}
    assert samples(metrics, "liveroom_moderation_calls_total", "outcome") == {}
    assert any("moderation: would delete" in r.getMessage() for r in caplog.records)


class NoModeration(Connector):
    """A connector that keeps :meth:`Connector.moderate`'s default (or raises, to test errors)."""

    platform = "simulator"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def start(self, sink: EventSink) -> None:
        self.sink = sink

    async def send(self, message: OutboundMessage) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        if self.fail:
            raise RuntimeError("platform exploded")
        return await super().moderate(event, action, timeout_s)


@pytest.mark.parametrize(("fail", "outcome"), [(False, "declined"), (True, "error")])
async def test_unsupported_or_failing_moderation_is_logged_and_counted(live, caplog, fail, outcome) -> None:
    caplog.set_level(logging.INFO, logger="bot.core.gateway")
    gateway, metrics, _connector, _ = await live(ModerationPolicy(dry_run=False), NoModeration(fail))
    event = ChatEvent(
        platform="simulator", room="r", message_id="m", viewer_id="t", display_name="t", text="you idiot"
    )
    await gateway.ingest(event)
    await gateway.idle(5)
    assert gateway.moderation_log[-1].executed is False
    assert samples(metrics, "liveroom_moderation_calls_total", "outcome") == {outcome: 1}
    expected = "failed" if fail else "not carried out"
    assert any(expected in r.getMessage() for r in caplog.records if r.name == "bot.core.gateway")
