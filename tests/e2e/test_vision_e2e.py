"""The camera sidecar through the real running stack (FalkorDB, actions, Rasa, gateway): upset faces make
the bot post a calm check-in (an external intent in Rasa) and answer the next message with the calm
variation; happy faces do not; bad reports and bad sources never hurt the gateway.

The stack fixture sets LIVEROOM_VISION_TOKEN and LIVEROOM_MOOD_SUSTAIN_S=3 (a change acts after 3 s).
A viewer who chatted before the change and stays silent gets the new audience_mood slot in their Rasa
tracker, read through Rasa's HTTP API with the API token the stack's processes use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import yaml
from yarl import URL

from connectors.simulator.replay import replay_headers, replay_url
from ops.metrics_text import parse_samples, total
from tests.conftest import REPO, VISION_TOKEN, Stack, free_port
from tests.vision.media import write_video

pytestmark = pytest.mark.e2e


def variations(response: str, lang: str, mood: str | None) -> set[str]:
    """The texts of ``response`` for a language and audience mood, read from domain.yml."""
    domain = yaml.safe_load((REPO / "domain.yml").read_text())
    out = set()
    for variation in domain["responses"][response]:
        cond = {c["name"]: c["value"] for c in variation.get("condition", [])}
        if cond.get("lang") == lang and cond.get("audience_mood") == mood:
            out.add(variation["text"])
    assert out, (response, lang, mood)
    return out


class Room:
    """One WebSocket client in a simulator room that records every message."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.messages: list[dict[str, object]] = []
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(msg.data))

    def bot_posts(self) -> list[str]:
        """Bot messages to the whole room (no reply to anybody)."""
        return [str(m["text"]) for m in self.messages if m.get("bot") and not m.get("reply_to")]

    async def say(self, viewer: str, text: str, timeout_s: float = 30) -> str:
        """Send a line; return the bot's reply to it."""
        frame = {"type": "chat", "viewer": viewer, "viewer_id": viewer, "text": text}
        await self.ws.send_str(json.dumps(frame))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            mine = [m for m in self.messages if not m.get("bot") and m.get("text") == text]
            if mine:
                replies = [
                    m for m in self.messages if m.get("bot") and m.get("reply_to") == mine[-1]["message_id"]
                ]
                if replies:
                    return str(replies[0]["text"])
            await asyncio.sleep(0.1)
        raise AssertionError(f"no reply to {text!r}; room: {self.messages}")

    async def wait_for_post(self, texts: set[str], timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for post in self.bot_posts():
                if post in texts:
                    return post
            await asyncio.sleep(0.2)
        return None


@contextlib.asynccontextmanager
async def room(stack: Stack, name: str) -> AsyncIterator[Room]:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            replay_url(f"{stack.ws_url}/ws/rooms/{name}"), headers=replay_headers()
        ) as ws:
            yield Room(ws)


@contextlib.contextmanager
def sidecar(stack: Stack, source: str, room_name: str, log: Path):
    env = dict(os.environ, LIVEROOM_VISION_TOKEN=VISION_TOKEN, LIVEROOM_VISION_BACKOFF_MAX_S="1")
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "vision", "--source", source, "--gateway", stack.gateway_url),
                *("--interval", "1", "--room", f"simulator:{room_name}", "--max-fps", "10"),
            ],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=20)


async def metric(stack: Stack, name: str, **labels: str) -> float:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.gateway_url}/metrics") as resp:
            return total(parse_samples(await resp.text()), name, **labels)


def rasa_token(stack: Stack) -> str:
    """The Rasa API token of this stack: the supervisor generates one per run and hands it to its children
    in their environment only (never argv), so it is read from the running gateway's environment."""
    pid = int((stack.var_dir / "run" / "gateway.pid").read_text())
    for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
        name, _, value = entry.partition(b"=")
        if name == b"LIVEROOM_RASA_TOKEN":
            return value.decode()
    raise AssertionError("the gateway has no LIVEROOM_RASA_TOKEN")


async def tracker_slot(stack: Stack, conversation_id: str, slot: str) -> object:
    """A slot of a conversation, from Rasa's tracker API (the id is not percent-encoded: Rasa 3.6 does
    not decode the path; ':' is allowed there as it is)."""
    url = URL(f"{stack.rasa_url}/conversations/{conversation_id}/tracker", encoded=True)
    async with aiohttp.ClientSession() as session:
        params = {"token": rasa_token(stack), "include_events": "NONE"}
        async with session.get(url.with_query(params)) as resp:
            assert resp.status == 200, (resp.status, await resp.text())
            return (await resp.json())["slots"].get(slot)


async def test_upset_faces_bring_a_calm_check_in_and_calm_answers(stack: Stack, tmp_path: Path) -> None:
    video = write_video(tmp_path / "anger.avi", [("anger", 50)])
    check_ins = variations("utter_room_upset", "en", "upset")
    async with room(stack, "e2e-vision-upset") as chat:
        first = await chat.say("uma", "@liveroom hi")
        greeted = time.monotonic()
        assert not any(text in first for text in variations("utter_greet", "en", "upset")), first
        # vic talks to the bot once before the change, then stays silent
        await chat.say("vic", "@liveroom which shades does the matte lipstick come in?")
        quiet_viewer = "simulator:e2e-vision-upset:vic"
        assert await tracker_slot(stack, quiet_viewer, "audience_mood") != "upset"
        with sidecar(stack, str(video), "e2e-vision-upset", tmp_path / "sidecar.log"):
            post = await chat.wait_for_post(check_ins, timeout_s=45)
            assert post is not None, (
                f"no check-in; room: {chat.messages}; sidecar: {(tmp_path / 'sidecar.log').read_text()}"
            )
            # the room's new mood reached vic's tracker without vic saying anything (pushed in the
            # background right after the change: allow a few seconds)
            deadline, mood = time.monotonic() + 15, None
            while time.monotonic() < deadline:
                mood = await tracker_slot(stack, quiet_viewer, "audience_mood")
                if mood == "upset":
                    break
                await asyncio.sleep(0.5)
            assert mood == "upset", mood
            # the room gets one social reply per LIVEROOM_REPLY_SOCIAL_INTERVAL_S (5 s in the test stack);
            # the QA lane answers vic at once, so this greeting can come sooner than that after uma's first
            await asyncio.sleep(max(0.0, 5.5 - (time.monotonic() - greeted)))
            reply = await chat.say("uma", "@liveroom hello again")
        assert any(text in reply for text in variations("utter_greet", "en", "upset")), reply
    assert await metric(stack, "liveroom_mood_slot_updates_total", outcome="set") >= 2  # uma and vic
    assert (
        await metric(stack, "liveroom_external_intents_total", intent="EXTERNAL_room_upset", outcome="posted")
        >= 1
    )
    assert await metric(stack, "liveroom_room_mood_changes_total", mood="upset") >= 1
    assert await metric(stack, "liveroom_vision_reports_total", outcome="accepted") >= 3


async def test_happy_faces_bring_no_check_in(stack: Stack, tmp_path: Path) -> None:
    video = write_video(tmp_path / "happy.avi", [("happy", 50)])
    calm = variations("utter_room_upset", "en", "upset") | variations("utter_greet", "en", "upset")
    async with room(stack, "e2e-vision-happy") as chat:
        await chat.say("hal", "@liveroom hi")
        with sidecar(stack, str(video), "e2e-vision-happy", tmp_path / "sidecar.log"):
            await asyncio.sleep(12)  # >= 3 s sustain + several 1 s reports + a mood tick
            reply = await chat.say("hal", "@liveroom hello again")
        assert not chat.bot_posts(), chat.bot_posts()
        assert not any(text in reply for text in calm), reply
        assert any(text in reply for text in variations("utter_greet", "en", "happy")), reply


async def test_bad_reports_are_refused_with_a_reason_and_counted(stack: Stack) -> None:
    url = f"{stack.gateway_url}/api/vision/audience"
    good = {
        "schema": "liveroom.vision.v1",
        "platform": "simulator",
        "room": "x",
        "faces": 0,
        "distribution": {},
    }
    before = await metric(stack, "liveroom_vision_reports_total", outcome="invalid")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=good, headers={"Authorization": "Bearer wrong"}) as resp:
            assert resp.status == 401
        auth = {"Authorization": f"Bearer {VISION_TOKEN}"}
        async with session.post(url, json={**good, "frame": "AAAA"}, headers=auth) as resp:
            assert resp.status == 400
            assert "unknown fields" in (await resp.json())["error"]
        async with session.post(url, data=b"not json", headers=auth) as resp:
            assert resp.status == 400 and "not JSON" in (await resp.json())["error"]
        async with session.post(url, json=good, headers=auth) as resp:
            assert resp.status == 200
        async with session.get(f"{stack.gateway_url}/healthz") as resp:
            assert resp.status == 200
    assert await metric(stack, "liveroom_vision_reports_total", outcome="invalid") == before + 2


async def test_bad_sources_are_retried_and_the_gateway_keeps_running(stack: Stack, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.avi"
    corrupt.write_bytes(os.urandom(20_000))
    sources = [str(tmp_path / "missing.avi"), f"http://127.0.0.1:{free_port()}/cam.mjpg", str(corrupt)]
    logs = [tmp_path / f"sidecar-{i}.log" for i in range(len(sources))]
    with contextlib.ExitStack() as stack_of:
        procs = [
            stack_of.enter_context(sidecar(stack, s, "e2e-vision-bad", log))
            for s, log in zip(sources, logs, strict=True)
        ]
        await asyncio.sleep(8)
        assert all(proc.poll() is None for proc in procs), "a sidecar exited on a bad source"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{stack.gateway_url}/healthz") as resp:
                assert resp.status == 200
    for source, log in zip(sources, logs, strict=True):
        text = log.read_text()
        assert text.count("cannot open") >= 3 and "retrying in" in text, (source, text)
