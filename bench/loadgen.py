"""Load generation for the full-stack benchmarks: generated chat logs replayed through the simulator
connector (or POSTed to plain Rasa REST), reply latency, the gateway's own accounting, and CPU/memory
of every stack process.

The chat log comes from :func:`connectors.simulator.chatlog.generate` (English and Chinese, mostly
chatter, ~7 % questions to the bot, gifts and super chats, calm stretches and 10x bursts). Replays keep
the log's burst shape and scale its clock to the offered mean rate. Each question is posted under a
unique display name (``qN``) so its reply can be matched by the ``@qN`` mention.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp
import psutil

from bench.common import summary_ms
from connectors.base import ChatEvent, EventKind
from connectors.simulator.chatlog import CHATTER, generate
from connectors.simulator.replay import replay_headers, replay_url, to_frame
from connectors.tasks import cancel_and_wait
from ops.metrics_text import Samples, by_label, parse_samples, total

MENTION = re.compile(r"@(q\d+)\b")
TEXT_KINDS = (EventKind.CHAT, EventKind.SUPER_CHAT)


def is_question(event: ChatEvent) -> bool:
    """The generator writes chatter from a fixed list; every other text (and every super chat) asks."""
    return event.kind in TEXT_KINDS and (event.kind is EventKind.SUPER_CHAT or event.text not in CHATTER)


def chat_log(n: int, seed: int, room: str, rate: float) -> list[ChatEvent]:
    """``n`` generated events; questions get unique viewers ``q<seed><i>`` so replies can be matched.

    The generator's viewers follow a Pareto law sized for a small room (one viewer writes about half
    of everything), which at hundreds of messages/s is one viewer flooding and gets moderated. So the
    chatter is re-assigned to a room of ``20 x rate`` viewers (a busy room has that many chatters),
    a tenth of them regulars who write 30 % of the chat: ~0.15 messages/s for a regular, well under the
    flood limit (6 / 10 s)."""
    events = generate(n, seed=seed, room=room, viewers=2000)
    rng = random.Random(seed)
    population = max(200, int(20 * rate))
    regulars = population // 10
    out = []
    for i, e in enumerate(events):
        if is_question(e):
            name = f"q{seed}{i:06d}"
        else:
            name = f"v{rng.randrange(regulars) if rng.random() < 0.3 else rng.randrange(population)}"
        out.append(replace(e, viewer_id=name, display_name=name))
    return out


def schedule(events: list[ChatEvent], rate: float) -> list[float]:
    """Send offsets (s) that keep the log's bursts and average ``rate`` events/s."""
    t0, t1 = events[0].timestamp, events[-1].timestamp
    scale = (len(events) / rate) / (t1 - t0) if t1 > t0 else 0.0
    return [(e.timestamp - t0) * scale for e in events]


def latency_stats(latencies_s: list[float]) -> dict[str, float]:
    return summary_ms(latencies_s, ("p50", "p95", "p99"), digits=1)


@dataclass
class StepResult:
    """One replay at one offered rate."""

    system: str
    offered_rate: float
    sent: int
    questions: int
    send_s: float
    latencies_s: list[float] = field(default_factory=list, repr=False)
    unanswered: int = 0
    lost: int = 0  # events not accounted for by the gateway (or REST requests that failed)
    extra: dict[str, object] = field(default_factory=dict)
    processes: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "system": self.system,
            "offered_msgs_per_s": self.offered_rate,
            "achieved_msgs_per_s": round(self.sent / self.send_s, 1) if self.send_s else 0.0,
            "messages": self.sent,
            "questions": self.questions,
            "questions_per_s": round(self.questions / self.send_s, 1) if self.send_s else 0.0,
            "answered": len(self.latencies_s),
            "unanswered": self.unanswered,
            "lost": self.lost,
            "reply_latency": latency_stats(self.latencies_s),
            "processes": self.processes,
            **self.extra,
        }


# --- the gateway's accounting ------------------------------------------------------------------------
async def scrape(session: aiohttp.ClientSession, gateway_url: str) -> Samples:
    async with session.get(f"{gateway_url}/metrics") as resp:
        return parse_samples(await resp.text())


def mean_by_path(after: Samples, before: Samples) -> dict[str, float]:
    """The gateway's own receive -> reply-handed-to-pacer time, mean per answer path (ms)."""
    sums = by_label(after, before, "liveroom_reply_latency_seconds_sum", "path")
    counts = by_label(after, before, "liveroom_reply_latency_seconds_count", "path")
    return {path: round(1000 * sums[path] / counts[path], 1) for path in sums if counts.get(path)}


async def settle(
    session: aiohttp.ClientSession, gateway_url: str, before: Samples, sent: int, timeout_s: float = 180
) -> tuple[Samples, float]:
    """Wait until every sent event is received and accounted for (``outcomes + deferred == events_in``)
    and no queue or pacer holds anything; returns the metrics and how many events are unaccounted
    (still being worked on after ``timeout_s``, i.e. lost for a live room)."""
    deadline = time.monotonic() + timeout_s
    while True:
        values = await scrape(session, gateway_url)
        received = total(values, "liveroom_events_in_total") - total(before, "liveroom_events_in_total")
        finished = total(values, "liveroom_event_outcomes_total") - total(
            before, "liveroom_event_outcomes_total"
        )
        accounted = finished + total(values, "liveroom_deferred_questions")
        idle = (
            total(values, "liveroom_replies_pending") == 0
            and total(values, "liveroom_ingress_queue_depth") == 0
        )
        if (received >= sent and accounted == received and idle) or time.monotonic() > deadline:
            return values, max(0.0, sent - accounted)
        await asyncio.sleep(0.5)


# --- CPU and memory per process ----------------------------------------------------------------------
class ProcessSampler:
    """CPU seconds and RSS of each stack process (pids from the supervisor's ``var/run/*.pid``, re-read
    each sample so a restarted process is followed), children included, plus the load generator."""

    def __init__(self, run_dir: Path | None, interval_s: float = 0.5) -> None:
        self.run_dir = run_dir
        self.interval_s = interval_s
        self.peak_rss: dict[str, float] = {}
        self.rss_series: dict[str, list[tuple[float, float]]] = {}
        self._cpu_start: dict[str, float] = {}
        self._cpu_last: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._started = 0.0
        self.wall_s = 0.0

    def pids(self) -> dict[str, int]:
        found = {"loadgen": os.getpid()}
        if self.run_dir is not None:
            for path in self.run_dir.glob("*.pid"):
                with contextlib.suppress(ValueError, OSError):
                    found[path.stem] = int(path.read_text())
        return found

    @staticmethod
    def measure(pid: int) -> tuple[float, float]:
        """(CPU seconds, RSS bytes) of ``pid`` and its children."""
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)] if pid != os.getpid() else [proc]
        cpu = rss = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                with p.oneshot():
                    times = p.cpu_times()
                    cpu += times.user + times.system
                    rss += p.memory_info().rss
        return cpu, rss

    def sample(self) -> None:
        now = time.monotonic() - self._started
        for name, pid in self.pids().items():
            try:
                cpu, rss = self.measure(pid)
            except psutil.Error:
                continue
            self._cpu_start.setdefault(name, cpu)
            self._cpu_last[name] = cpu
            self.peak_rss[name] = max(self.peak_rss.get(name, 0.0), rss)
            self.rss_series.setdefault(name, []).append((now, rss))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            self.sample()

    async def __aenter__(self) -> ProcessSampler:
        self._started = time.monotonic()
        self.sample()
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        await cancel_and_wait(self._task)
        self.sample()
        self.wall_s = time.monotonic() - self._started

    def report(self) -> dict[str, dict[str, float]]:
        out = {}
        for name in sorted(self.peak_rss):
            cpu_s = self._cpu_last[name] - self._cpu_start[name]
            out[name] = {
                "cpu_s": round(cpu_s, 2),
                "cpu_cores": round(cpu_s / self.wall_s, 2) if self.wall_s else 0.0,
                "peak_rss_mb": round(self.peak_rss[name] / 2**20, 1),
            }
        return out


# --- replays ---------------------------------------------------------------------------------------
async def replay_liveroom(
    session: aiohttp.ClientSession, gateway_url: str, events: list[ChatEvent], rate: float, run_dir: Path
) -> StepResult:
    """Send the log over one simulator WebSocket at ``rate`` and time each question to its reply."""
    room = events[0].room
    offsets = schedule(events, rate)
    pending: dict[str, float] = {}
    asked: dict[str, str] = {}
    latencies: list[float] = []
    questions = 0
    behind_s = 0.0  # how far the load generator fell behind its schedule (it shares the CPUs)
    sending = True
    all_answered = asyncio.Event()
    before = await scrape(session, gateway_url)
    ws_url = gateway_url.replace("http://", "ws://") + f"/ws/rooms/{room}"
    async with (
        ProcessSampler(run_dir) as sampler,
        session.ws_connect(replay_url(ws_url), headers=replay_headers(), max_msg_size=0) as ws,
    ):
        await ws.receive_json(timeout=10)

        async def read() -> None:
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT or '"bot": true' not in msg.data:
                    continue
                now = time.perf_counter()
                for name in MENTION.findall(json.loads(msg.data).get("text", "")):
                    sent_at = pending.pop(name, None)
                    if sent_at is not None:
                        latencies.append(now - sent_at)
                if not sending and not pending:
                    all_answered.set()

        backlog = {"replies_pending": 0.0, "ingress_queue_depth": 0.0}

        async def watch_backlog() -> None:
            """Where answers wait when the stack falls behind: the rooms' queues or the pacer."""
            while True:
                values = await scrape(session, gateway_url)
                for name in backlog:
                    backlog[name] = max(backlog[name], total(values, f"liveroom_{name}"))
                await asyncio.sleep(1.0)

        reader = asyncio.create_task(read())
        watcher = asyncio.create_task(watch_backlog())
        start = time.perf_counter()
        for event, offset in zip(events, offsets, strict=True):
            delay = start + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -behind_s:
                behind_s = -delay
            if is_question(event):
                pending[event.display_name] = time.perf_counter()
                asked[event.display_name] = event.text
                questions += 1
            await ws.send_str(json.dumps(to_frame(event), ensure_ascii=False))
            await asyncio.sleep(0)  # when behind schedule, let the reader take replies as they come
        send_s = time.perf_counter() - start
        sending = False
        after, lost = await settle(session, gateway_url, before, len(events))
        if not pending:
            all_answered.set()
        with contextlib.suppress(TimeoutError):  # the last replies are on their way
            async with asyncio.timeout(10):
                await all_answered.wait()
        await cancel_and_wait(reader, watcher)
    received = total(after, "liveroom_events_in_total") - total(before, "liveroom_events_in_total")
    gateway_cpu = sampler.report().get("gateway", {}).get("cpu_s", 0.0)
    return StepResult(
        "liveroom",
        rate,
        len(events),
        questions,
        send_s,
        latencies,
        unanswered=len(pending),
        lost=int(lost),
        processes=sampler.report(),
        extra={
            "received": received,
            "gateway_msgs_per_cpu_s": round(received / gateway_cpu, 1) if gateway_cpu else None,
            "outcomes": by_label(after, before, "liveroom_event_outcomes_total", "outcome"),
            "dropped": by_label(after, before, "liveroom_events_dropped_total", "reason"),
            "answer_paths": by_label(after, before, "liveroom_answers_total", "path"),
            "deferred": total(after, "liveroom_deferred_total") - total(before, "liveroom_deferred_total"),
            "moderation": by_label(after, before, "liveroom_moderation_actions_total", "rule"),
            "max_backlog": backlog,
            "loadgen_behind_s": round(behind_s, 2),
            "unanswered_by_text": dict(Counter(asked[name] for name in pending).most_common()),
            "gateway_mean_reply_ms_by_path": mean_by_path(after, before),
        },
    )


async def replay_rest(
    session: aiohttp.ClientSession, rasa_url: str, events: list[ChatEvent], rate: float, run_dir: Path
) -> StepResult:
    """Plain Rasa: every chat message POSTed to the REST channel at ``rate`` (open loop)."""
    texts = [e for e in events if e.kind in TEXT_KINDS and e.text.strip()]
    offsets = schedule(texts, rate)
    url = f"{rasa_url}/webhooks/rest/webhook"
    question_latencies: list[float] = []
    all_latencies: list[float] = []
    failed = 0

    async def one(event: ChatEvent) -> None:
        nonlocal failed
        sent = time.perf_counter()
        try:
            async with session.post(url, json={"sender": event.viewer_id, "message": event.text}) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if not ok:
            failed += 1
            return
        elapsed = time.perf_counter() - sent
        all_latencies.append(elapsed)
        if is_question(event):
            question_latencies.append(elapsed)

    async with ProcessSampler(run_dir) as sampler:
        tasks = []
        start = time.perf_counter()
        for event, offset in zip(texts, offsets, strict=True):
            delay = start + offset - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(event)))
            await asyncio.sleep(0)  # start the request now, even when behind schedule
        send_s = time.perf_counter() - start
        await asyncio.gather(*tasks)
    questions = sum(1 for e in texts if is_question(e))
    return StepResult(
        "plain_rasa_rest",
        rate,
        len(texts),
        questions,
        send_s,
        question_latencies,
        unanswered=questions - len(question_latencies),
        lost=failed,
        processes=sampler.report(),
        extra={"all_messages_latency": latency_stats(all_latencies)},
    )
