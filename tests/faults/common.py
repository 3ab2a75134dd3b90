"""What every fault test needs: chat flowing through the simulator while a process dies, the gateway's
own accounting from /metrics, the supervisor's pid files, and the new lines of the stack's logs."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import signal
import time
from collections import defaultdict
from pathlib import Path
from types import TracebackType

import aiohttp

from connectors.simulator.chatlog import CHATTER
from connectors.simulator.replay import replay_headers, replay_url
from ops.metrics_text import Samples, parse_samples, total

QUESTIONS = [
    "how much is the matte lipstick?",  # fast lane (graph)
    "精华多少钱",  # fast lane (graph)
    "when is the next stream?",  # Rasa + actions
    "@liveroom any discount on the lipstick?",  # Rasa + actions
    "下次直播什么时候",  # Rasa + actions
    "do you ship to shanghai?",  # Rasa (FAQ)
    "@liveroom qwzx plorbia?",  # Rasa; no FAQ answers it, so it waits (deferred) while Rasa is down
]
MENTION = re.compile(r"@(ask\d+)\b")


async def scrape(gateway_url: str) -> Samples:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{gateway_url}/metrics") as resp:
            return parse_samples(await resp.text())


def delta(after: Samples, before: Samples, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


async def wait_settled(gateway_url: str, before: Samples, sent: int, timeout_s: float = 180) -> Samples:
    """Until the gateway received all ``sent`` events, each has an outcome or waits deferred, and no
    queue or pacer holds anything. The invariant: outcomes + deferred == events_in (bot/metrics.py)."""
    deadline = time.monotonic() + timeout_s
    while True:
        values = await scrape(gateway_url)
        received = delta(values, before, "liveroom_events_in_total")
        accounted = delta(values, before, "liveroom_event_outcomes_total") + total(
            values, "liveroom_deferred_questions"
        )
        if (
            received >= sent
            and accounted == received
            and total(values, "liveroom_replies_pending") == 0
            and total(values, "liveroom_ingress_queue_depth") == 0
        ):
            return values
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled after {timeout_s:.0f}s: sent={sent} in={received} "
                                 f"accounted={accounted}")  # fmt: skip
        await asyncio.sleep(0.5)


def kill_group(pid_file: Path) -> int:
    """SIGKILL the process group the supervisor started (the child and anything it spawned)."""
    pid = int(pid_file.read_text())
    os.killpg(pid, signal.SIGKILL)
    return pid


async def wait_for(predicate, timeout_s: float, what: str, interval_s: float = 0.5) -> float:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` (sync or async) until true; returns the seconds it took."""
    started = time.monotonic()
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not within {timeout_s:.0f}s")
        await asyncio.sleep(interval_s)


class LogCursor:
    """The lines written to ``var/log/*.log`` since the cursor was made (logs outlive one test)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.offsets = {p.name: p.stat().st_size for p in log_dir.glob("*.log")}

    def new_text(self, name: str) -> str:
        path = self.log_dir / name
        if not path.exists():
            return ""
        with path.open("rb") as fh:
            fh.seek(self.offsets.get(name, 0))
            return fh.read().decode("utf-8", errors="replace")


class ChatFlow:
    """Live chat through the simulator WebSocket at a steady ``rate``: chatter from a few hundred fans
    and, every ``question_every``-th message, a question from a fresh viewer ``askN``. Keeps every bot
    message (time, text) so a test can check who got an answer and that nobody got two."""

    def __init__(self, ws_url: str, room: str, *, rate: float = 10.0, question_every: int = 8) -> None:
        self.url = f"{ws_url}/ws/rooms/{room}"
        self.rate = rate
        self.question_every = question_every
        self.rng = random.Random(room)
        self.sent = 0
        self.questions: dict[str, tuple[float, str]] = {}  # asker -> (sent at, text)
        self.bot_messages: list[tuple[float, str]] = []
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._sending = asyncio.Event()

    async def __aenter__(self) -> ChatFlow:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(
            replay_url(self.url), headers=replay_headers(), max_msg_size=0
        )
        await self._ws.receive_json(timeout=10)  # welcome
        self._sending.set()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    async def _write(self) -> None:
        assert self._ws is not None
        start = time.monotonic()
        for i in itertools.count():
            await asyncio.sleep(max(0.0, start + i / self.rate - time.monotonic()))
            if not self._sending.is_set():
                return
            if i % self.question_every == 0:
                viewer = f"ask{i}"
                text = QUESTIONS[(i // self.question_every) % len(QUESTIONS)]
                self.questions[viewer] = (time.monotonic(), text)
            else:
                viewer = f"fan{self.rng.randrange(300)}"
                text = f"{self.rng.choice(CHATTER)} {i}"
            await self._ws.send_str(json.dumps({"type": "chat", "viewer": viewer, "text": text}))
            self.sent += 1

    async def _read(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            if payload.get("bot") and payload.get("type", "chat") == "chat":
                self.bot_messages.append((time.monotonic(), payload["text"]))

    def stop_sending(self) -> None:
        self._sending.clear()

    def answers(self) -> dict[str, list[tuple[float, str]]]:
        """Bot messages by the asker they mention."""
        found: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for at, text in self.bot_messages:
            for viewer in set(MENTION.findall(text)):
                found[viewer].append((at, text))
        return found

    def answered_twice(self, turn_s: float = 5.0) -> dict[str, list[str]]:
        """Askers answered more than once: bot messages to one asker that are not one Rasa turn (a turn
        may post several messages, all within a moment; an answer repeated after a restart is later)."""
        return {
            viewer: [t for _, t in replies]
            for viewer, replies in self.answers().items()
            if replies[-1][0] - replies[0][0] > turn_s
        }

    def asked_after(self, moment: float) -> list[str]:
        return [v for v, (at, _) in self.questions.items() if at >= moment]
