"""The simulator connector on a real aiohttp server: room fan-out, history, bad frames, bot replies."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.base import ChatEvent, OutboundMessage
from connectors.simulator.connector import SimulatorConnector
from connectors.simulator.payloads import MAX_TEXT_CHARS, BadFrame, parse_client_frame
from connectors.simulator.replay import replay_headers, replay_url


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
    welcomes = [await ws.receive_json() for ws in (ann, bo, other_room)]
    assert {w["type"] for w in welcomes} == {"welcome"}
    ann_id = welcomes[0]["viewer_id"]  # the server names each viewer socket

    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "hello room"}))
    for ws in (ann, bo):
        msg = await ws.receive_json(timeout=2)
        assert (msg["viewer"], msg["text"], msg["bot"]) == ("ann", "hello room", False)
    assert len(received) == 1
    event = received[0]
    assert (event.platform, event.room, event.viewer_id, event.display_name) == (
        "simulator",
        "r1",
        ann_id,
        "ann",
    )
    assert event.text == "hello room"
    assert event.conversation_id == f"simulator:r1:{ann_id}"

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
        ('{"type": "dance"}', "unknown type"),
        ('{"type": "gift", "viewer": "a"}', "'gift'"),
        ('{"type": "gift", "viewer": "a", "gift": "Rocket", "count": 0}', "'count'"),
        ('{"type": "super_chat", "viewer": "a", "text": "hi"}', "'amount'"),
        ('{"type": "chat", "viewer": "a", "text": "x", "roles": ["king"]}', "'roles'"),
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


async def test_gifts_and_super_chats_from_many_viewers_on_one_replay_socket(sim) -> None:
    connector, client, received = sim
    ws = await client.ws_connect(replay_url("/ws/rooms/g"), headers=replay_headers())
    await ws.receive_json()
    frames = [
        {"type": "gift", "viewer": "ann", "gift": "Rocket", "count": 2, "value": 100.0},
        {"type": "super_chat", "viewer": "bo", "text": "love it", "amount": 30, "roles": ["subscriber"]},
        {"type": "chat", "viewer": "cy", "text": "hi", "message_id": "fixed-1"},
    ]
    for frame in frames:
        await ws.send_str(json.dumps(frame))
        await ws.receive_json(timeout=2)
    gift, sc, chat = received
    assert (gift.kind.value, gift.item, gift.count, gift.money.amount) == ("gift", "Rocket", 2, 100.0)
    assert (sc.kind.value, sc.text, sc.money.amount, sc.display_name) == ("super_chat", "love it", 30.0, "bo")
    assert chat.message_id == "fixed-1"
    assert connector.stats.snapshot().outcome("delivered") == 3


async def test_a_feeder_socket_is_not_sent_its_own_frames_but_the_room_sees_them(sim) -> None:
    _, client, received = sim
    feeder = await client.ws_connect(replay_url("/ws/rooms/f") + "&echo=0", headers=replay_headers())
    watcher = await client.ws_connect("/ws/rooms/f")
    await feeder.receive_json()
    await watcher.receive_json()
    for i in range(3):
        await feeder.send_str(json.dumps({"type": "chat", "viewer": f"v{i}", "text": f"line {i}"}))
    seen = [(await watcher.receive_json(timeout=2))["text"] for _ in range(3)]
    assert seen == ["line 0", "line 1", "line 2"]
    assert [e.text for e in received] == seen
    with pytest.raises(TimeoutError):  # nothing of its own comes back to the feeder
        await feeder.receive_json(timeout=0.3)
    # a replay socket that keeps the default still gets its echoes
    echoing = await client.ws_connect(replay_url("/ws/rooms/f"), headers=replay_headers())
    await echoing.receive_json()
    await echoing.send_str(json.dumps({"type": "chat", "viewer": "w", "text": "echo me"}))
    assert (await echoing.receive_json(timeout=2))["text"] == "echo me"


async def test_replay_over_the_websocket_delivers_the_whole_log(sim, tmp_path) -> None:
    from connectors.simulator.chatlog import generate, read_log, write_log
    from connectors.simulator.replay import replay_over_websocket

    _, client, received = sim
    path = tmp_path / "chat.jsonl"
    write_log(path, generate(300, seed=3))
    events = list(read_log(path))
    url = str(client.make_url("/ws/rooms/replay")).replace("http", "ws", 1)
    result = await replay_over_websocket(events, url, rate=0)
    await _until(lambda: len(received) == result["events"])
    assert [e.message_id for e in received] == [e.message_id for e in events]
    assert {e.kind.value for e in received} >= {"chat", "gift"}


async def test_in_process_replayer_keeps_its_schedule() -> None:
    from connectors.simulator.chatlog import generate
    from connectors.simulator.replay import Replayer

    got: list[ChatEvent] = []

    async def sink(event: ChatEvent) -> None:
        got.append(event)

    elapsed = await Replayer(generate(50), rate=500).run(sink)
    assert len(got) == 50 and elapsed >= 49 / 500


def test_generated_logs_look_like_a_live_room() -> None:
    from connectors.simulator.chatlog import event_from_json, event_to_json, generate

    events = generate(5000, seed=1)
    questions = sum("?" in e.text or "吗" in e.text or "多少" in e.text for e in events) / len(events)
    zh = sum(any("\u4e00" <= ch <= "\u9fff" for ch in e.text) for e in events) / len(events)
    assert 0.04 < questions < 0.15 and 0.3 < zh < 0.7
    assert len({e.viewer_id for e in events}) > 50
    assert all(event_from_json(event_to_json(e)) == e for e in events[:200])


async def _until(predicate) -> None:
    import asyncio

    for _ in range(500):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_moderation_delete_hides_the_message_everywhere(sim) -> None:
    connector, client, received = sim
    ann = await client.ws_connect(replay_url("/ws/rooms/mod"), headers=replay_headers())  # own message id
    bo = await client.ws_connect("/ws/rooms/mod")
    for ws in (ann, bo):
        await ws.receive_json()
    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "keep"}))
    await ann.send_str(
        json.dumps({"type": "chat", "viewer": "ann", "text": "you idiot", "message_id": "bad-1"})
    )
    for ws in (ann, bo):
        assert [(await ws.receive_json(timeout=2))["text"] for _ in range(2)] == ["keep", "you idiot"]
    assert await connector.moderate(received[1], "delete", 60) is True
    for ws in (ann, bo):
        assert await ws.receive_json(timeout=2) == {"type": "deleted", "message_id": "bad-1"}
    late = await client.ws_connect("/ws/rooms/mod")
    assert [m["text"] for m in (await late.receive_json())["history"]] == ["keep"]
    assert "message removed by moderation" in await (await client.get("/")).text()


async def test_moderation_timeout_mutes_the_viewer_until_it_expires(sim) -> None:
    connector, client, received = sim
    ann = await client.ws_connect(replay_url("/ws/rooms/mute"), headers=replay_headers())  # ann and cy
    bo = await client.ws_connect("/ws/rooms/mute")
    for ws in (ann, bo):
        await ws.receive_json()
    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "spam"}))
    for ws in (ann, bo):
        await ws.receive_json(timeout=2)
    assert await connector.moderate(received[0], "timeout", 30) is True
    for ws in (ann, bo):
        notice = await ws.receive_json(timeout=2)
        assert (notice["type"], notice["viewer_id"], notice["seconds"]) == ("timed_out", "ann", 30)
    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "spam again"}))
    assert await ann.receive_json(timeout=2) == {"type": "error", "reason": "you are timed out for 30 s"}
    await ann.send_str(json.dumps({"type": "chat", "viewer": "cy", "text": "others may talk"}))
    assert (await bo.receive_json(timeout=2))["text"] == "others may talk"  # not "spam again"
    assert [e.text for e in received] == ["spam", "others may talk"]
    assert connector.stats.frames[("dropped", "timed_out")] == 1
    connector._rooms["mute"].muted["ann"] = 0.0  # the timeout has run out
    await ann.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "sorry"}))
    assert (await bo.receive_json(timeout=2))["text"] == "sorry"


async def test_moderation_in_an_unknown_room_or_with_an_unknown_action_is_declined(sim) -> None:
    connector, client, received = sim
    ws = await client.ws_connect("/ws/rooms/known")
    await ws.receive_json()
    await ws.send_str(json.dumps({"type": "chat", "viewer": "ann", "text": "hi"}))
    await ws.receive_json(timeout=2)
    assert await connector.moderate(received[0], "ban", 60) is False
    other = ChatEvent(platform="simulator", room="nowhere", message_id="x", viewer_id="a", display_name="a")
    assert await connector.moderate(other, "delete", 60) is False


async def test_a_human_moderators_action_comes_from_a_replay_socket_only(sim) -> None:
    _connector, client, received = sim
    replay = await client.ws_connect(replay_url("/ws/rooms/hm"), headers=replay_headers())
    await replay.receive_json()
    ban = {"type": "moderation", "viewer": "modname", "action": "ban", "target": "troll", "reason": "spam"}
    await replay.send_str(json.dumps(ban))
    await replay.send_str(json.dumps({**ban, "action": "explode"}))
    error = await replay.receive_json(timeout=2)
    assert error["type"] == "error" and "action" in error["reason"]
    (event,) = received
    assert event.kind.value == "moderation" and event.display_name == "troll"
    assert (event.notice.action, event.notice.moderator, event.notice.target_id, event.notice.reason) == (
        "ban",
        "modname",
        "troll",
        "spam",
    )
    viewer = await client.ws_connect("/ws/rooms/hm")
    await viewer.receive_json()
    await viewer.send_str(json.dumps(ban))
    refused = await viewer.receive_json(timeout=2)
    assert refused["type"] == "error" and "replay" in refused["reason"]
    assert len(received) == 1
