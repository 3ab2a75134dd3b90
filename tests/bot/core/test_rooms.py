"""Per-room state is bounded (security review H2, M6): room names, the number of rooms, idle rooms closed
with their workers and metric series, the deferred queue and the QA lane.

Real gateway objects throughout (Gateway, GatewayMetrics, the simulator connector, a RasaClient on a
closed port); only the clock that decides when a room is idle is injected, so nothing sleeps.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.qa_lane import QALane
from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.rooms import RoomLimits, room_name_ok
from bot.core.triage import Triage
from bot.metrics import GatewayMetrics
from connectors.base import ChatEvent, Role
from connectors.simulator.connector import SimulatorConnector
from tests.bot.core.test_gateway import event, samples
from tests.conftest import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def parts():
    # the plain REST channel: chatter ends "silent" at once, nothing waits on Rasa (closed port anyway)
    config = GatewayConfig(
        rasa_url=f"http://127.0.0.1:{free_port()}", rasa_channel="rest", queue_size=50, workers_per_room=2
    )
    async with aiohttp.ClientSession() as session:
        rasa = RasaClient(session, config.rasa_url, timeout_s=2)
        yield config, GatewayMetrics(), SimulatorConnector(), rasa


def serum_gateway(parts, **kw: object) -> Gateway:
    """A gateway on the simulator whose triage knows one product name ("serum")."""
    config, metrics, connector, rasa = parts
    return build_gateway(
        config, rasa, {"simulator": connector}, metrics, triage=Triage("liveroom", ["serum"]), **kw
    )


def room_series(metrics: GatewayMetrics, prefix: str) -> int:
    """Lines of /metrics that name a room starting with ``prefix``."""
    return sum(f'room="{prefix}' in line for line in metrics.render().decode().splitlines())


async def test_300_rooms_are_bounded_and_idle_rooms_leave_nothing_behind(parts) -> None:
    config, metrics, connector, rasa = parts
    clock = Clock()
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics, clock=clock)
    for i in range(300):
        # a command: queued and answered without Rasa (silent: unknown), so the queue-depth gauge exists
        await gateway.ingest(event(f"m{i}", text="!nosuchcommand", viewer=f"v{i}", room=f"flood{i}"))
    await gateway.idle(5)
    assert len(gateway.rooms) == 64  # RoomLimits.max_rooms
    assert samples(metrics, "liveroom_events_dropped_total", "reason")["room_limit"] == 236
    workers = [task for room in gateway.rooms.values() for task in room.workers]
    assert len(workers) == 64 * config.workers_per_room
    gateway.tick()  # the per-room gauges: queue depth, 4 moods, sentiment, active viewers
    before = room_series(metrics, "flood")
    assert before == 64 * 7

    clock.now += 599  # not idle yet
    gateway.tick()
    assert len(gateway.rooms) == 64
    clock.now += 1
    gateway.tick()
    await asyncio.sleep(0)  # let the cancellations land
    assert gateway.rooms == {}
    assert all(task.cancelled() for task in workers)
    assert room_series(metrics, "flood") == 0
    assert gateway.moderator._rooms == {}

    # room for new rooms again; every event still has exactly one outcome
    await gateway.ingest(event("again", text="hello everyone", room="flood999"))
    assert list(gateway.rooms) == [("simulator", "flood999")]
    await asyncio.sleep(0)  # chatter's toxicity-model check, and so its outcome, ends the loop tick
    outcomes = samples(metrics, "liveroom_event_outcomes_total", "outcome")
    assert sum(outcomes.values()) == 301
    await gateway.stop()


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "../etc", "room\n", "房间", "r;DROP"])
async def test_room_names_outside_the_pattern_are_dropped(parts, name: str) -> None:
    config, metrics, connector, rasa = parts
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics)
    await gateway.ingest(event("1", text="hello", room=name))
    assert gateway.rooms == {}
    assert samples(metrics, "liveroom_events_dropped_total", "reason") == {"room_name": 1}
    assert not room_name_ok(name)


def test_connector_room_names_pass() -> None:
    for name in ("demo", "flood-1_a", "123456789", "x" * 64):  # simulator, Twitch/Bilibili ids
        assert room_name_ok(name)


async def test_a_room_with_a_poll_running_is_not_closed(parts) -> None:
    config, metrics, connector, rasa = parts
    clock = Clock()
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics, clock=clock)
    mod = frozenset({Role.MODERATOR})
    await gateway.ingest(event("p", text="!poll best colour? | red | blue", viewer="mod", roles=mod))
    await gateway.ingest(event("q", text="hello", room="quiet"))
    await gateway.idle(5)
    assert gateway.rooms[("simulator", "r")].features.poll is not None
    clock.now += 10_000
    assert gateway.close_idle_rooms() == [("simulator", "quiet")]
    assert list(gateway.rooms) == [("simulator", "r")]
    await gateway.stop()


def test_room_limits_from_env() -> None:
    env = {"LIVEROOM_MAX_ROOMS": "8", "LIVEROOM_ROOM_IDLE_S": "30", "LIVEROOM_MAX_DEFERRED": "9"}
    assert RoomLimits.from_env(env) == RoomLimits(max_rooms=8, idle_s=30, max_deferred=9)
    with pytest.raises(ValueError, match="LIVEROOM_MAX_ROOMS"):
        RoomLimits.from_env({"LIVEROOM_MAX_ROOMS": "0"})


# --- M6: the deferred queue and the QA lane ------------------------------------------------------------


async def test_deferred_questions_are_capped_and_the_oldest_dropped_with_a_reason(parts) -> None:
    gateway = serum_gateway(parts, room_limits=RoomLimits(max_deferred=20))
    for i in range(200):  # no await point inside ingest: the workers cannot drain meanwhile
        await gateway.ingest(event(f"q{i}", viewer=f"v{i}"))
    room = gateway.rooms[("simulator", "r")]
    assert room.queue.qsize() == gateway.config.queue_size
    assert len(room.deferred) == 20
    assert room.deferred[0].event.message_id == "q180"  # the newest kept, the oldest dropped
    assert samples(gateway.metrics, "liveroom_events_dropped_total", "reason") == {"deferred_full": 130}
    assert samples(gateway.metrics, "liveroom_deferred_questions", "platform")["simulator"] == 20
    await gateway.stop()


class StalledQALane(QALane):
    """The real QA lane whose graph never answers: every QA-lane task waits."""

    def __init__(self) -> None:
        super().__init__(lambda: None)  # type: ignore[arg-type,return-value]
        self.gate = asyncio.Event()

    async def answer(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        await self.gate.wait()
        return None


async def test_qa_lane_tasks_are_capped_and_the_rest_queue_for_rasa(parts) -> None:
    lane = StalledQALane()
    gateway = serum_gateway(parts, qa_lane=lane, room_limits=RoomLimits(max_qa_lane=10))
    for i in range(40):
        await gateway.ingest(event(f"q{i}", text="@liveroom how much is the serum?", viewer=f"v{i}"))
    room = gateway.rooms[("simulator", "r")]
    assert len(gateway._side_tasks) == 10  # not 40 waiting tasks
    assert gateway._qa_lane_running == 10
    assert room.queue.qsize() == 30  # the rest wait in the (bounded) answer queue
    assert room.in_flight == 10  # a room with QA-lane answers running is not idle
    assert not room.quiet()
    await asyncio.sleep(0)  # the QA-lane tasks start (and wait for the graph)
    await gateway.stop()


async def test_with_rasa_up_but_busy_deferred_questions_take_freed_queue_places(parts) -> None:
    """``drain_deferred`` runs only when an upstream comes back: with the upstreams up all along, the
    questions deferred past the queue bound used to wait forever. Now a worker that finishes a job
    moves the oldest deferred one into the freed place. (Commands: answered without Rasa.)"""
    config, metrics, connector, rasa = parts
    gateway = build_gateway(config, rasa, {"simulator": connector}, metrics)

    class AlwaysUp:  # the monitor's view: Rasa and the actions answer their health checks
        all_up = True

    gateway.monitor = AlwaysUp()  # type: ignore[assignment]
    total = config.queue_size + 5
    for i in range(total):  # no await point inside ingest: the workers cannot drain meanwhile
        await gateway.ingest(event(f"c{i}", text="!nosuchcommand", viewer=f"v{i}"))
    room = gateway.rooms[("simulator", "r")]
    assert (room.queue.qsize(), len(room.deferred)) == (config.queue_size, 5)
    await gateway.idle(5)
    assert len(room.deferred) == 0
    assert samples(metrics, "liveroom_events_silent_total", "reason") == {"command_quiet": total}
    assert samples(metrics, "liveroom_deferred_questions", "platform")["simulator"] == 0
    await gateway.stop()


# --- the simulator forgets a room when its last socket closes --------------------------------------------


async def test_simulator_room_state_goes_when_the_last_socket_closes() -> None:
    connector = SimulatorConnector()
    received: list[ChatEvent] = []

    async def sink(ev: ChatEvent) -> None:
        received.append(ev)

    await connector.start(sink)
    app = web.Application()
    app.router.add_routes(connector.web_routes())
    async with TestClient(TestServer(app)) as client:
        for i in range(50):
            ws = await client.ws_connect(f"/ws/rooms/flood{i}")
            await ws.receive_json()
            await ws.send_str(json.dumps({"type": "chat", "viewer": "v", "text": "hello"}))
            await ws.receive_json()
            await ws.close()
        stay = await client.ws_connect("/ws/rooms/stay")
        await stay.receive_json()
        for _ in range(100):  # the server side notices the closes
            if len(connector._rooms) == 1:
                break
            await asyncio.sleep(0.02)
        assert list(connector._rooms) == ["stay"]
        assert list(connector.stats.snapshot().states) == ["stay"]
        assert len(received) == 50
    await connector.stop()


async def test_a_remark_on_a_product_is_not_answered_but_becomes_the_viewers_product(
    parts, seeded_store
) -> None:
    """The QA lane reads "the silk hair ties r so cute" as a remark (nothing to say) on the scrunchie
    set, which triage's names miss: the room remembers it, so "how many come in one" is about it."""
    gateway = serum_gateway(parts, qa_lane=QALane(lambda: seeded_store))
    await gateway.ingest(event("m1", text="@liveroom ok the silk hair ties r so cute", viewer="fan"))
    room = gateway.rooms[("simulator", "r")]
    for _ in range(200):
        if room.viewer_products.get("fan"):
            break
        await asyncio.sleep(0.01)
    assert room.viewer_products.get("fan") == "LR-LIF-003"
    assert gateway.metrics.qa_answers.labels("simulator", "remark")._value.get() == 0  # nothing was said
    await gateway.stop()
