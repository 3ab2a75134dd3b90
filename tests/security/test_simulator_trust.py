"""Security review M3/M7: the simulator decides who a socket speaks for, checks Origin, bounds frames and
never lets a slow reader stall the room (real aiohttp servers and clients)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import connectors.simulator.connector as sim_module
from bot.app import _session_role
from bot.web import setup_web
from connectors.base import ChatEvent, OutboundMessage, Role
from connectors.simulator.connector import REPLAY_TOKEN_ENV, SimulatorConnector

TOKEN = "replay-token-for-tests-0123456789"
USERS = {"sam": ("streamer", "sam-streams-1234"), "mo": ("moderator", "mo-moderates-1234")}


@pytest.fixture
async def sim(tmp_path) -> AsyncIterator[tuple[SimulatorConnector, TestClient, list[ChatEvent]]]:
    env = {
        REPLAY_TOKEN_ENV: TOKEN,
        "LIVEROOM_SIMULATOR_ORIGINS": "https://shop.example",
        "LIVEROOM_WEB_USERS": ",".join(f"{n}:{r}:{pw}" for n, (r, pw) in USERS.items()),
        "LIVEROOM_VAR": str(tmp_path),
    }
    connector = SimulatorConnector(bot_name="liveroom", env=env)
    connector.session_role = _session_role
    received: list[ChatEvent] = []

    async def sink(event: ChatEvent) -> None:
        received.append(event)

    await connector.start(sink)
    app = web.Application()
    app.router.add_routes(connector.web_routes())
    setup_web(app, env)
    async with TestClient(TestServer(app)) as client:
        yield connector, client, received
    await connector.stop()


async def _login(client: TestClient, name: str) -> None:
    resp = await client.post("/login", data={"user": name, "password": USERS[name][1]}, allow_redirects=False)
    assert resp.status in (302, 303), await resp.text()


async def _viewer(
    client: TestClient, room: str = "r", **kw: object
) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    ws = await client.ws_connect(f"/ws/rooms/{room}", **kw)
    welcome = await ws.receive_json(timeout=2)
    assert welcome["type"] == "welcome"
    return ws, welcome.get("viewer_id", "")


async def _until(condition, timeout_s: float = 3.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_anonymous_roles_are_refused_and_counted(sim) -> None:
    connector, client, received = sim
    ws, _ = await _viewer(client)
    poll = "!poll Free gifts at free-gifts.shop | ok | no"
    await ws.send_json({"type": "chat", "viewer": "mallory", "roles": ["broadcaster"], "text": poll})
    reply = await ws.receive_json(timeout=2)
    assert reply["type"] == "error" and "broadcaster" in reply["reason"]
    await ws.send_json({"type": "chat", "viewer": "mallory", "roles": ["moderator"], "text": "x"})
    assert (await ws.receive_json(timeout=2))["type"] == "error"
    await ws.send_json({"type": "chat", "viewer": "mallory", "roles": ["subscriber"], "text": "hi"})
    assert (await ws.receive_json(timeout=2))["text"] == "hi"
    assert [e.roles for e in received] == [frozenset({Role.SUBSCRIBER})]
    assert connector.stats.frames[("dropped", "role_refused")] == 2


async def test_a_viewer_socket_is_one_server_named_viewer(sim) -> None:
    connector, client, received = sim
    ws, my_id = await _viewer(client)
    assert my_id.startswith("sim-")
    await ws.send_json({"type": "chat", "viewer": "ann", "text": "hi", "message_id": "stolen-id"})
    echo = await ws.receive_json(timeout=2)
    assert (echo["viewer"], echo["viewer_id"]) == ("ann", my_id)
    assert echo["message_id"] != "stolen-id"  # message ids come from the server
    for frame in (
        {"type": "chat", "viewer": "alice", "text": "now I am alice"},
        {"type": "chat", "viewer": "ann", "viewer_id": "alice", "text": "or alice's id"},
    ):
        await ws.send_json(frame)
        reply = await ws.receive_json(timeout=2)
        assert reply["type"] == "error" and "one connection per viewer" in reply["reason"]
    assert [(e.display_name, e.viewer_id) for e in received] == [("ann", my_id)]
    assert connector.stats.frames[("dropped", "other_viewer")] == 2
    _other, other_id = await _viewer(client)
    assert other_id != my_id  # a second socket that says "ann" is another viewer


async def test_names_cannot_ping_others_or_carry_control_characters(sim) -> None:
    _, client, received = sim
    ws, _ = await _viewer(client)
    await ws.send_json({"type": "chat", "viewer": "x @alice ＠bob\n\u202e\u200bevil\x07", "text": "hey"})
    echo = await ws.receive_json(timeout=2)
    assert echo["viewer"] == "x alice bob evil"
    assert received[0].display_name == "x alice bob evil"
    await ws.send_json({"type": "chat", "viewer": "@@\u202e", "text": "hey"})
    assert (await ws.receive_json(timeout=2))["type"] == "error"


async def test_replay_mode_needs_the_token_or_a_moderator_session(sim) -> None:
    _connector, client, received = sim
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/rooms/r?replay=1")
    assert refused.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await client.ws_connect("/ws/rooms/r?replay=1", headers={"Authorization": "Bearer wrong"})
    ws = await client.ws_connect("/ws/rooms/r?replay=1", headers={"Authorization": f"Bearer {TOKEN}"})
    assert "viewer_id" not in await ws.receive_json(timeout=2)
    for viewer in ("ann", "bo"):
        await ws.send_json({"type": "chat", "viewer": viewer, "text": "hi", "message_id": f"log-{viewer}"})
        assert (await ws.receive_json(timeout=2))["message_id"] == f"log-{viewer}"
    assert [(e.viewer_id, e.message_id) for e in received] == [("ann", "log-ann"), ("bo", "log-bo")]
    await _login(client, "mo")
    moderated = await client.ws_connect("/ws/rooms/r?replay=1")
    assert (await moderated.receive_json(timeout=2))["type"] == "welcome"


async def test_session_roles_bound_what_a_socket_may_claim(sim) -> None:
    _connector, client, received = sim
    await _login(client, "mo")
    ws, _ = await _viewer(client)
    await ws.send_json({"type": "chat", "viewer": "mo", "roles": ["moderator"], "text": "ok"})
    assert (await ws.receive_json(timeout=2))["text"] == "ok"
    await ws.send_json({"type": "chat", "viewer": "mo", "roles": ["broadcaster"], "text": "no"})
    assert (await ws.receive_json(timeout=2))["type"] == "error"
    await _login(client, "sam")
    streamer, _ = await _viewer(client)
    await streamer.send_json({"type": "chat", "viewer": "sam", "roles": ["broadcaster"], "text": "!draw"})
    assert (await streamer.receive_json(timeout=2))["text"] == "!draw"
    assert [e.roles for e in received] == [frozenset({Role.MODERATOR}), frozenset({Role.BROADCASTER})]


async def test_a_foreign_origin_is_refused_before_the_upgrade(sim) -> None:
    _, client, _ = sim
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/rooms/r", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    own = f"http://{client.host}:{client.port}"
    for origin in (own, "https://shop.example"):
        ws, _ = await _viewer(client, headers={"Origin": origin})
        await ws.close()


async def test_an_oversized_frame_is_refused_while_reading(sim) -> None:
    connector, client, received = sim
    ws, _ = await _viewer(client)
    big = json.dumps({"type": "chat", "viewer": "v", "text": "a" * (4 * 1024 * 1024)})
    with contextlib.suppress(ConnectionError):  # the server may hang up before the last byte is sent
        await ws.send_str(big)
    msg = await ws.receive(timeout=5)  # not an "error" text frame after a full 4 MiB read: a close
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert ws.closed
    assert received == []
    await _until(lambda: connector.stats.frames[("dropped", "too_big")] == 1)


async def test_a_reader_that_stops_reading_cannot_stall_the_room(sim, monkeypatch) -> None:
    monkeypatch.setattr(sim_module, "SEND_QUEUE", 16)
    connector, client, _ = sim
    # a raw client that completes the handshake and then never reads a byte
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"GET /ws/rooms/slow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    good, _ = await _viewer(client, room="slow")
    got = 0

    async def read_all() -> None:
        nonlocal got
        async for msg in good:
            if msg.type is aiohttp.WSMsgType.TEXT and json.loads(msg.data).get("bot"):
                got += 1
                if got == 300:
                    return

    drain = asyncio.create_task(read_all())
    started = time.perf_counter()
    for i in range(300):  # ~18 MB: far more than the kernel buffers of the silent socket hold
        await asyncio.wait_for(
            connector.send(OutboundMessage("simulator", "slow", f"{i} " + "x" * 60_000)), 1
        )
    assert time.perf_counter() - started < 5
    await asyncio.wait_for(drain, 20)
    assert got == 300
    assert connector.stats.sends[("failed", "slow_reader")] == 1
    assert len(connector._rooms["slow"].sockets) == 1
    writer.close()


async def test_deeply_nested_json_is_a_bad_frame_not_a_crash(sim) -> None:
    connector, client, received = sim
    ws, _ = await _viewer(client)
    await ws.send_str("[" * 5000)
    reply = await ws.receive_json(timeout=2)
    assert reply == {"type": "error", "reason": "invalid JSON: nested too deeply"}
    await ws.send_json({"type": "chat", "viewer": "ann", "text": "still here"})
    assert (await ws.receive_json(timeout=2))["text"] == "still here"
    assert connector.stats.frames[("dropped", "bad_frame")] == 1
    assert len(received) == 1


async def test_a_fast_sender_that_reads_is_paced_not_dropped(sim, monkeypatch) -> None:
    """The per-socket queue must not turn a legitimate burst (bench/loadgen, the 2,000-line e2e burst) into
    a 'slow reader': the connector stops reading a sender whose own echoes pile up until they drain."""
    monkeypatch.setattr(sim_module, "SEND_QUEUE", 32)
    connector, client, received = sim
    ws = await client.ws_connect("/ws/rooms/burst?replay=1", headers={"Authorization": f"Bearer {TOKEN}"})
    await ws.receive_json(timeout=2)
    echoes = 0

    async def read() -> None:
        nonlocal echoes
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                echoes += 1
                if echoes == 2000:
                    return

    reader = asyncio.create_task(read())
    for i in range(2000):
        await ws.send_str(json.dumps({"type": "chat", "viewer": f"v{i % 50}", "text": f"line {i}"}))
    await asyncio.wait_for(reader, 30)
    assert len(received) == 2000
    assert connector.stats.sends[("failed", "slow_reader")] == 0
