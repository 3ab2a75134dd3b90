"""The dashboard's data plumbing without Rasa or a graph: the fan-out drops the oldest frame for a slow
browser (counted) without touching fast ones; the tap counts questions, first answers and recommended
products; the recorder resumes a session after a restart and the report computes its answer rate; and a
live timeout is lifted from the dashboard through the simulator (the gateway app runs in-process)."""

from __future__ import annotations

import asyncio
import json
import re
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.core.triage import Priority, Triage, TriageResult
from bot.web.dashboard_hub import FrameHub
from bot.web.dashboard_sampler import Tick
from bot.web.dashboard_tap import ChatTap, TapDrain
from bot.web.recorder import RecorderConfig, SessionRecorder
from bot.web.report_data import list_sessions, session_report
from connectors.base import ChatEvent
from connectors.simulator.replay import replay_headers, replay_url
from tests.conftest import WEB_USERS


def event(message_id: str, text: str, viewer: str = "ann") -> ChatEvent:
    return ChatEvent("simulator", "r1", message_id, viewer, viewer, text)


def test_slow_browser_loses_its_oldest_frames_and_the_drops_are_counted() -> None:
    drops: list[int] = []
    hub = FrameHub(client_queue=2, on_drop=drops.append)
    slow, fast = hub.subscribe(), hub.subscribe()
    for i in range(5):
        hub.publish(f"frame{i}", {"t": i})
        fast.queue.get_nowait()  # the fast browser keeps up
    assert [slow.queue.get_nowait() for _ in range(2)] == ["frame3", "frame4"]
    assert slow.dropped == 3 and fast.dropped == 0
    assert hub.dropped == 3 and sum(drops) == 3
    slow.close()
    assert hub.clients == 1 and len(hub.history) == 5


def test_tap_counts_questions_first_answers_and_recommended_products() -> None:
    triage = Triage("liveroom", ["mascara", "blush", "lipstick"])
    tap = ChatTap(product_of=lambda text: triage.classify(text).product)
    directed = TriageResult(Priority.DIRECTED, "question about a product", "mascara")
    chatter = TriageResult(Priority.CHATTER, "chatter")
    tap.on_message(event("1", "Price of the mascara?"), directed, "en", 0.0)
    tap.on_message(event("2", "price of the MASCARA"), directed, "en", 0.0)
    tap.on_message(event("3", "lol"), chatter, "en", 0.5)
    tap.on_reply(event("1", ""), "it is ¥99", "qa", None, 0.004)
    tap.on_reply(event("1", ""), "again", "rasa", None, 0.010)  # a second reply is not a second answer
    tap.on_reply(event("9", ""), "Try these: blush, lipstick!", "rasa", "ask_recommendation", 0.2)
    drained = tap.drain()
    assert (drained.messages, drained.questions, drained.answered_questions, drained.replies) == (3, 2, 1, 3)
    assert [r.message_id for r in drained.answer_records] == ["1"]
    assert [p for _, p in drained.recommended] == ["blush", "lipstick"] and drained.recommendations == 1
    assert tap.top_questions() == [("Price of the mascara?", 2)]
    assert tap.drain().messages == 0


def _tick(t: float, messages: int, questions: int, answered: int) -> Tick:
    from bot.web.dashboard_tap import AnswerRecord, QuestionRecord

    drain = TapDrain(messages=messages, questions=questions, answered_questions=answered, replies=answered)
    drain.question_records = [
        QuestionRecord(
            t, f"{t}-{i}", "price of the mascara?", "price of the mascara", "mascara", "en", "s", "r"
        )
        for i in range(questions)
    ]
    drain.answer_records = [AnswerRecord(t, f"{t}-{i}", "qa", None) for i in range(answered)]
    return Tick(t, drain, 5.0, 9.0, 0.4, "happy", {"happy": 0.7}, 3)


async def test_recorder_resumes_the_session_after_a_restart_and_reports_the_answer_rate(tmp_path) -> None:
    config = RecorderConfig(path=tmp_path / "sessions.sqlite", session_gap_s=60)
    now = time.time()
    first = SessionRecorder(config)
    await first.start()
    first.record(_tick(now - 3, messages=10, questions=4, answered=3))
    first.record(_tick(now - 2, messages=6, questions=2, answered=1))
    await first.stop()
    second = SessionRecorder(config)  # the gateway restarted within the gap
    await second.start()
    assert second.session == first.session
    second.record(_tick(now - 1, messages=4, questions=2, answered=2))
    second.record(_tick(now + 120, messages=1, questions=0, answered=0))  # after the gap: a new session
    await second.stop()
    sessions = await asyncio.to_thread(list_sessions, config.path)
    assert len(sessions) == 2 and sessions[1]["id"] == first.session
    report = await asyncio.to_thread(session_report, config.path, first.session)
    assert report is not None
    totals = report["totals"]
    assert (totals["messages"], totals["questions"], totals["answered"]) == (20, 8, 6)
    assert totals["answer_rate"] == 0.75
    assert report["top_products"] == [("mascara", 8)]
    assert sum(report["series"]["messages_per_min"]) > 0 and report["moods"] == {"happy": 1.0}
    assert await asyncio.to_thread(session_report, config.path, "../../etc") is None


async def test_a_live_timeout_is_lifted_from_the_dashboard(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_MOD_DRY_RUN", "0")
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        login = await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        assert login.status == 200
        page = await (await client.get("/dashboard")).text()
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match is not None
        csrf = match.group(1)
        room = await client.ws_connect(replay_url("/ws/rooms/modroom"), headers=replay_headers())
        await room.receive_json()  # welcome
        for i in range(18):  # a flood: more than 15 messages in 10 s earn a timeout
            await room.send_json(
                {"type": "chat", "viewer": "spammer", "viewer_id": "sp1", "text": f"buy {i}"}
            )
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:  # review L1: another port, same site
            await client.ws_connect("/dashboard/stream", headers={"Origin": "http://127.0.0.1:3000"})
        assert refused.value.status == 403
        own = f"http://{client.host}:{client.port}"
        stream = await client.ws_connect("/dashboard/stream", headers={"Origin": own})
        entry = None
        for _ in range(10):
            frame = json.loads((await stream.receive()).data)
            rows = [m for m in frame.get("moderation", []) if m["action"] == "timeout"]
            if rows and rows[0]["why_not_undo"] is None:
                entry = rows[0]
                break
        assert entry is not None, "the executed timeout is offered for undo"
        refused = await client.post(f"/dashboard/api/moderation/{entry['id']}/undo")
        assert refused.status == 403  # no CSRF token
        undone = await client.post(
            f"/dashboard/api/moderation/{entry['id']}/undo", headers={"X-CSRF-Token": csrf}
        )
        assert undone.status == 200, await undone.text()
        seen = []
        while not any(m.get("type") == "timeout_lifted" for m in seen):
            seen.append(await asyncio.wait_for(room.receive_json(), 5))
        again = await client.post(
            f"/dashboard/api/moderation/{entry['id']}/undo", headers={"X-CSRF-Token": csrf}
        )
        assert again.status == 409 and (await again.json())["reason"] == "undone"
        await room.send_json({"type": "chat", "viewer": "spammer", "viewer_id": "sp1", "text": "sorry"})
        reply = await asyncio.wait_for(room.receive_json(), 5)
        assert reply.get("type") == "chat" and reply["text"] == "sorry"  # may chat again


@pytest.fixture(autouse=True)
def _no_graph_noise(caplog) -> None:
    caplog.set_level("ERROR")
