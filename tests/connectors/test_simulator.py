"""The simulator connector on a real aiohttp server: room fan-out, history, bad frames, bot replies."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.base import ChatEvent, OutboundMessage
from connectors.simulator.connector import SimulatorConnector
from connectors.simulator.payloads import MAX_TEXT_CHARS, BadFrame, parse_client_frame


@pytest.fixture
async def sim():
    connector = SimulatorConnector(bot_name="liveroom")
    received: list[ChatEvent] = []

    async def sink(event: ChatEvent) -> None:
        received.append(event)

    await connector.start(sink)
    app = web.Application()
    app.router.add_routes(connector.web_routes())
    async with TestClient(TestServer(app)) as client:
        yield connector, client, received
    await connector.stop()


async def test_chat_reaches_everyone_in_the_room_and_the_gateway(sim) -> None:
    connector, client, received = sim
    ann = await client.ws_connect("/ws/rooms/r1")
    bo = await client.ws_connect("/ws/rooms/r1")
    other_room = await client.ws_connect("/ws/rooms/r2")
    for ws in (ann, bo, other_room):
        assert (await ws.receive_json())["type"] == "welcome"

    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "hello room"}))
    for ws in (ann, bo):
        msg = await ws.receive_json(timeout=2)
        assert (msg["viewer"], msg["text"], msg["bot"]) == ("ann", "hello room", False)
    assert len(received) == 1
    event = received[0]
    assert (event.platform, event.room, event.viewer_id) == ("simulator", "r1", "ann")
    assert event.text == "hello room"
    assert event.conversation_id == "simulator:r1:ann"

    await connector.send(
        OutboundMessage("simulator", "r1", "hi ann!", reply_to=event.message_id, mention="ann")
    )
    for ws in (ann, bo):
        reply = await ws.receive_json(timeout=2)
        assert (reply["bot"], reply["text"]) == (True, "@ann hi ann!")
        assert reply["reply_to"] == event.message_id
    with pytest.raises(TimeoutError):
        await other_room.receive_json(timeout=0.3)


async def test_late_joiners_get_the_history(sim) -> None:
    _, client, _ = sim
    ann = await client.ws_connect("/ws/rooms/h")
    await ann.receive_json()
    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "first"}))
    await ann.receive_json()
    late = await client.ws_connect("/ws/rooms/h")
    welcome = await late.receive_json()
    assert [m["text"] for m in welcome["history"]] == ["first"]


async def test_bad_frames_get_an_error_and_the_socket_stays_usable(sim) -> None:
    _, client, received = sim
    ws = await client.ws_connect("/ws/rooms/bad")
    await ws.receive_json()
    for raw in ("not json", "[]", json.dumps({"type": "chat", "viewer": "", "text": "x"})):
        await ws.send_str(raw)
        assert (await ws.receive_json(timeout=2))["type"] == "error"
    await ws.send_bytes(b"\x00\x01")
    assert (await ws.receive_json(timeout=2))["type"] == "error"
    await ws.send_str(json.dumps({"type": "chat", "viewer": "ok", "text": "still here"}))
    assert (await ws.receive_json(timeout=2))["text"] == "still here"
    assert [e.text for e in received] == ["still here"]


async def test_invalid_room_names_are_refused(sim) -> None:
    _, client, _ = sim
    resp = await client.get("/ws/rooms/" + "x" * 41)
    assert resp.status == 400


async def test_the_page_is_served(sim) -> None:
    _, client, _ = sim
    resp = await client.get("/")
    assert resp.status == 200
    assert "/ws/rooms/" in await resp.text()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{", "invalid JSON"),
        ('{"type": "gift"}', "unknown type"),
        ('{"type": "chat", "viewer": "a"}', "'text'"),
        (json.dumps({"type": "chat", "viewer": "a", "text": "x" * (MAX_TEXT_CHARS + 1)}), "longer than"),
        (json.dumps({"type": "chat", "viewer": "a" * 41, "text": "x"}), "'viewer'"),
        (json.dumps({"type": "chat", "viewer": "a", "text": "x", "viewer_id": 5}), "'viewer_id'"),
    ],
)
def test_frame_validation_names_the_problem(raw: str, reason: str) -> None:
    with pytest.raises(BadFrame, match=reason):
        parse_client_frame(raw)


def test_a_good_frame_is_trimmed() -> None:
    frame = parse_client_frame(json.dumps({"type": "chat", "viewer": " ann ", "text": " hi  "}))
    assert (frame.viewer, frame.viewer_id, frame.text) == ("ann", "ann", "hi")
