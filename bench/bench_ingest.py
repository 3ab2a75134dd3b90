"""Ingest throughput per gateway core, from the physical limit down to the whole stack, in one run.

The issue: "ingest at 10,000 messages per second per gateway core". Every figure below is measured in
the same run, so the ratios hold even when the machine is shared (its load is recorded with them):

a. In process, one core: ``Gateway.ingest`` with triage, moderation, language and sentiment on
   (bench/chat_ingest.py, the same gateway and log as bench_gateway.py), over the generated log and over
   a log of real-style text (bench/rooms/*_dev.jsonl cycled to the same length, 2,000 viewers; the
   held-out logs stay unread).
b. Stage by stage: each stage of ``Gateway.ingest`` run alone over the same log, µs/message; the rest
   (ingress, rooms, observers, the job and its routing) is the total minus the stages.
c. Two shards on two cores: the log over 128 rooms, split by ``shard_of(platform, room, 2)`` in advance;
   two spawned workers (each pinned to its own core, each an unsharded in-process gateway with only its
   shard's rooms) start together at a barrier. Throughput = all events / the slowest worker's wall time,
   against one worker ingesting the whole log. Target speed-up >= 1.8x.
d. The physical limit: an aiohttp WebSocket server that only ``json.loads`` each text frame, fed the
   simulator's JSON frames by a loader process; messages per server CPU-second.
e. The full stack (``python -m ops up``: graph DB, Rasa, action server, gateway): the log blasted into
   simulator rooms over replay WebSockets by a loader process; what the gateway ingested (its /metrics),
   per gateway CPU-second over the blast. Target >= 8,000, 0 lost (events in == frames sent). The
   loader's sockets are feeders (``echo=0``): the simulator also plays the platform, and echoing every
   message back to the socket that sent it is platform work a real connector never does; the same blast
   with echoes is measured too.
f. Plain Rasa REST handling messages (closed loop, 8 in flight) in the same stack; the ratios.
g. A flame graph of the in-process ingest loop (py-spy): bench/results/ingest_flame.svg and a PNG
   icicle chart of the same profile, bench/results/ingest_flame.png.

Results: bench/results/ingest.json (figures, ratios, machine and its load) and bench/results/ingest.png.

Run: .venv/bin/python bench/bench_ingest.py                 (~3-4 min: starts the whole stack)
     .venv/bin/python bench/bench_ingest.py --quick         (~1 min, smaller logs, shorter profile)
     .venv/bin/python bench/bench_ingest.py --profile-only  (the flame graph only)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from prometheus_client import generate_latest

from bench.chat_ingest import (
    OTHER,
    PRICE_EN,
    PRICE_ZH,
    PRODUCT_NAMES,
    IngestTimes,
    chat_log,
    ingest_times,
    rasa_rest_rate,
)
from bench.common import REPO, RESULTS, write_result
from bench.loadgen import ProcessSampler, scrape
from bench.plots import icicle, ingest_chart
from bench.stack import RunningStack, machine, machine_load, running_stack
from bot.core.audience import AudienceState
from bot.core.model_checks import DEFAULT_CAP
from bot.core.moderation import ModelCheck, Moderator
from bot.core.triage import Triage
from bot.metrics import GatewayMetrics
from bot.outbound.shards import shard_of
from connectors.base import ChatEvent
from connectors.simulator.replay import replay_headers, replay_url, to_frame
from knowledge_graph.store.server import free_port
from nlu.text.language import detect_language
from nlu.text.sentiment import sentiment
from ops.metrics_text import Samples, by_label, parse_samples, total

ROOM_LOGS = REPO / "bench" / "rooms"
QUESTIONS = frozenset(PRICE_EN + PRICE_ZH + OTHER)
TARGET_PER_CORE = 10_000.0
TARGET_FULL_STACK = 8_000.0
TARGET_SPEEDUP = 1.8
# the platform's send budget and the room reply quota lifted, as in bench_gateway.py: the bot's own cost
STACK_ENV = {
    "LIVEROOM_SEND_LIMIT_SIMULATOR": "1000000/1",
    "LIVEROOM_WORKERS_PER_ROOM": "16",
    "LIVEROOM_REPLY_ROOM_REPLIES": "1000000",
    "LIVEROOM_RASA_REST": "1",  # the plain-Rasa baseline speaks to the REST channel
}


@dataclass(frozen=True)
class Plan:
    """How much of everything one run does (``--quick`` shrinks it for development)."""

    messages: int
    shard_messages: int
    blast_messages: int
    rooms: int
    blast_rooms: int
    rest_seconds: float
    profile_seconds: float
    physical_repeat: int
    stage_repeats: int


FULL = Plan(20_000, 40_000, 40_000, 128, 8, 10.0, 10.0, 10, 2)
QUICK = Plan(3_000, 6_000, 6_000, 128, 8, 3.0, 3.0, 10, 1)


def progress(message: str) -> None:
    """One line per step, flushed at once: the run takes minutes and should say where it is."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- logs ----------------------------------------------------------------------------------------------
def real_style_log(n: int, viewers: int = 2000, seed: int = 5) -> list[ChatEvent]:
    """The texts of bench/rooms/*_dev.jsonl (real-style English and Chinese chat) cycled to ``n`` messages,
    each from one of ``viewers`` viewers, in room ``bench`` like the generated log."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(ROOM_LOGS.glob("*_dev.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(seed)
    now = time.time()
    events = []
    for i in range(n):
        viewer = f"v{rng.randrange(viewers)}"
        events.append(
            ChatEvent(
                platform="simulator",
                room="bench",
                message_id=f"r{i}",
                viewer_id=viewer,
                display_name=viewer,
                text=texts[i % len(texts)],
                timestamp=now,
            )
        )
    return events


def spread_over_rooms(
    events: Iterable[ChatEvent], rooms: int, seed: int = 3, prefix: str = "r"
) -> list[ChatEvent]:
    """The same messages in ``rooms`` rooms (``r0``..), each message in a random one: what a gateway
    carrying many rooms sees, and what shards split."""
    rng = random.Random(seed)
    return [replace(e, room=f"{prefix}{rng.randrange(rooms)}") for e in events]


def split_by_shard(events: Iterable[ChatEvent], count: int) -> list[list[ChatEvent]]:
    """Each event in the list of the shard that owns its room (``bot.outbound.shards.shard_of``)."""
    shards: list[list[ChatEvent]] = [[] for _ in range(count)]
    for event in events:
        shards[shard_of(event.platform, event.room, count)].append(event)
    return shards


def chatter_only(events: Iterable[ChatEvent]) -> list[ChatEvent]:
    """The log without its questions: the full stack's cost of taking a message in and deciding, without
    the answers (Rasa turns, the QA lane, replies) that questions add."""
    return renamed([e for e in events if e.text not in QUESTIONS], "c")


def renamed(events: Iterable[ChatEvent], prefix: str) -> list[ChatEvent]:
    """The same messages under new ids: the gateway de-duplicates by id, and a stack may be sent the
    same log more than once (a warm-up, then the measured blast)."""
    return [replace(e, message_id=f"{prefix}{e.message_id}") for e in events]


def frames_by_room(events: Iterable[ChatEvent]) -> dict[str, list[str]]:
    """The simulator page's client frames (JSON text, as sent), per room in log order."""
    rooms: dict[str, list[str]] = {}
    for event in events:
        rooms.setdefault(event.room, []).append(json.dumps(to_frame(event), ensure_ascii=False))
    return rooms


# --- a, b: in process ----------------------------------------------------------------------------------
def outcomes_of(metrics: GatewayMetrics) -> dict[str, float]:
    """What the gateway decided for the log (answered/queued, silent, moderated, dropped), from its own
    counters: a stage that starts refusing everything would show here, not only in the speed."""
    samples = parse_samples(generate_latest(metrics.registry).decode())
    return by_label(samples, {}, "liveroom_event_outcomes_total", "outcome")


async def in_process(events: list[ChatEvent]) -> dict[str, Any]:
    """One cold pass of ``Gateway.ingest`` over the log, as bench_gateway.py measures it."""
    metrics = GatewayMetrics()
    times = await ingest_times(events, metrics)
    return {
        "messages": times.messages,
        "msgs_per_s": round(times.per_s, 1),
        "msgs_per_cpu_s": round(times.per_cpu_s, 1),
        "us_per_msg": round(1e6 * times.wall_s / times.messages, 2),
        "outcomes": outcomes_of(metrics),
    }


class RecordingMetrics:
    """Passes every call to a real ``GatewayMetrics`` and records it, so the metrics stage can be timed
    alone with exactly the calls (names and labels) ``Gateway.ingest`` made over the log."""

    def __init__(self, real: GatewayMetrics) -> None:
        self._real = real
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr):
            return attr

        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return attr(*args, **kwargs)

        return record


def per_message_us(run: Callable[[], object], messages: int, repeats: int) -> float:
    """CPU µs per message of ``run`` (one pass over the log), the best of ``repeats`` passes: this
    thread's CPU time, not the wall clock, so other processes on a shared machine weigh less."""
    best = float("inf")
    for _ in range(repeats):
        started = time.thread_time()
        run()
        best = min(best, time.thread_time() - started)
    return 1e6 * best / messages


STAGE_NAMES = {
    "language": "nlu.text.language.detect_language",
    "sentiment": "nlu.text.sentiment.sentiment",
    "triage": "bot.core.triage.Triage.classify",
    "moderation": "moderation rules incl. toxicity lexicon (screen)",
    "toxicity": "toxicity model, batched per tick (256)",
    "audience": "AudienceState.observe (+ viewer language)",
    "metrics": "GatewayMetrics calls (as recorded)",
    "rest": "ingress, rooms, observers, job + routing (rest)",
}


async def stage_table(events: list[ChatEvent], repeats: int = 3) -> dict[str, float]:
    """µs/message of each stage of ``Gateway.ingest`` alone, and of the whole, all warm.

    A recording pass (untimed) warms every cache and collects the metrics calls; the total is then a
    fresh gateway over the same log, and each stage runs over the log with the inputs the gateway gives
    it (the language for sentiment, the triage's product for the audience); each figure is CPU time, the
    best of ``repeats`` passes (a fresh gateway, moderator and audience per pass: they keep windows).
    Moderation is split as ``ingest`` runs it: the rules (``Moderator.screen``, the toxicity lexicon
    included) on every message, and the toxicity model only on the checks the rules left open, scored in
    batches of ``DEFAULT_CAP`` as at the end of a tick. The rest is the total minus the stages; on a busy
    machine it carries the noise of every other figure."""
    recorder = RecordingMetrics(GatewayMetrics())
    await ingest_times(events, recorder)
    n = len(events)
    whole = 1e6 * min([(await ingest_times(events)).cpu_s for _ in range(repeats)]) / n
    texts = [e.text for e in events]
    langs = [detect_language(t) for t in texts]
    triage = Triage("liveroom", PRODUCT_NAMES)
    products = [triage.classify(t).product for t in texts]
    scores = [sentiment(t, lang) for t, lang in zip(texts, langs, strict=True)]

    def screen() -> list[ModelCheck]:
        moderator = Moderator()
        return [check for e in events if (check := moderator.screen(e).pending) is not None]

    checks = screen()
    scorer = Moderator()

    def score_checks() -> None:
        for start in range(0, len(checks), DEFAULT_CAP):
            batch = checks[start : start + DEFAULT_CAP]
            for check, severity in zip(batch, scorer.model_severities(batch), strict=True):
                scorer.conclude(check, severity)

    def observe() -> None:
        audiences: dict[str, AudienceState] = {}
        for e, score, product, lang in zip(events, scores, products, langs, strict=True):
            audience = audiences.get(e.room) or audiences.setdefault(e.room, AudienceState())
            audience.observe(e.viewer_id, score, (product,) if product else (), lang)

    def call_metrics() -> None:
        replay_metrics = GatewayMetrics()
        for name, args, kwargs in recorder.calls:
            getattr(replay_metrics, name)(*args, **kwargs)

    stages = {
        "language": per_message_us(lambda: [detect_language(t) for t in texts], n, repeats),
        "sentiment": per_message_us(
            lambda: [sentiment(t, lang) for t, lang in zip(texts, langs, strict=True)], n, repeats
        ),
        "triage": per_message_us(lambda: [triage.classify(t) for t in texts], n, repeats),
        "moderation": per_message_us(screen, n, repeats),
        "toxicity": per_message_us(score_checks, n, repeats),
        "audience": per_message_us(observe, n, repeats),
        "metrics": per_message_us(call_metrics, n, repeats),
    }
    counted = sum(stages.values())
    return {
        **{k: round(v, 2) for k, v in stages.items()},
        "rest": round(whole - counted, 2),
        "total": round(whole, 2),
        "metrics_calls_per_msg": round(len(recorder.calls) / n, 2),
    }


def print_stage_table(tables: dict[str, dict[str, float]]) -> None:
    names = list(tables)
    print(f"  {'stage (CPU µs/message, warm, best of N passes)':<50}" + "".join(f"{n:>14}" for n in names))
    for key, label in [*STAGE_NAMES.items(), ("total", "total Gateway.ingest")]:
        cells = []
        for name in names:
            value, whole = tables[name][key], tables[name]["total"]
            cells.append(f"{value:8.2f} {100 * value / whole:3.0f}%")
        print(f"  {label:<50}" + "".join(f"{c:>14}" for c in cells))


# --- c: shards on two cores -----------------------------------------------------------------------------
def shard_worker(
    messages: int, rooms: int, shard: int, count: int, core: int, barrier: Any, results: Any
) -> None:
    """One gateway process: pinned to ``core``, builds the log, keeps the rooms ``shard_of`` gives shard
    ``shard`` of ``count`` (the gateway itself is unsharded: the split is done here, as a load balancer
    would), waits at the barrier, ingests, reports (shard, events, wall s, CPU s)."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {core})
    events = split_by_shard(spread_over_rooms(chat_log(messages), rooms), count)[shard]

    async def run() -> IngestTimes:
        barrier.wait()
        return await ingest_times(events)

    times = asyncio.run(run())
    results.put((shard, times.messages, times.wall_s, times.cpu_s))


def run_workers(
    messages: int, rooms: int, count: int, cores: Sequence[int]
) -> list[tuple[int, int, float, float]]:
    """``count`` spawned shard workers started together; their reports, by shard."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(count)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=shard_worker, args=(messages, rooms, i, count, cores[i % len(cores)], barrier, results)
        )
        for i in range(count)
    ]
    for p in procs:
        p.start()
    reports = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    if any(p.exitcode != 0 for p in procs):
        raise RuntimeError(f"a shard worker failed: exit codes {[p.exitcode for p in procs]}")
    return sorted(reports)


def shards(messages: int, rooms: int) -> dict[str, Any]:
    """One process with the whole log vs two shards on two cores, same log, same run."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0, 1]
    one = run_workers(messages, rooms, 1, cores[:1])
    two = run_workers(messages, rooms, 2, cores[:2])
    single = messages / one[0][2]
    sharded = messages / max(r[2] for r in two)
    return {
        "rooms": rooms,
        "messages": messages,
        "one_process_msgs_per_s": round(single, 1),
        "one_process_cpu_s": round(one[0][3], 3),
        "one_process_msgs_per_cpu_s": round(messages / one[0][3], 1),
        "two_shards_msgs_per_s": round(sharded, 1),
        # per CPU-second of both shards together: what sharding costs per message, whatever the wait
        "two_shards_msgs_per_cpu_s": round(messages / sum(r[3] for r in two), 1),
        "speedup": round(sharded / single, 2),
        # what the speed-up would be with both cores free: the work per shard, not the wait for a core
        "speedup_by_cpu_time": round(one[0][3] / max(r[3] for r in two), 2),
        "workers": [
            {
                "shard": s,
                "events": n,
                "wall_s": round(w, 3),
                "cpu_s": round(c, 3),
                "msgs_per_s": round(n / w, 1),
            }
            for s, n, w, c in two
        ],
        "split": "pre-split by shard_of(platform, room, 2); each worker's gateway is unsharded",
    }


# --- loader: the simulator page's frames over WebSockets ---------------------------------------------
@dataclass(frozen=True)
class LoadReport:
    sent: int
    received: int
    wall_s: float
    cpu_s: float


def loader(
    urls: dict[str, str],
    frames: dict[str, list[str]],
    headers: dict[str, str],
    welcome: bool,
    core: int | None,
    ready: Any,
    start: Any,
    stop: Any,
    results: Any,
) -> None:
    """A separate process that opens one WebSocket per room, waits for ``start``, sends every frame of
    its room as fast as the socket takes them while reading whatever comes back (the simulator echoes
    each message to the room and closes sockets that do not read), and keeps the sockets open until
    ``stop`` so nothing in flight is cut off. Reports frames sent and received, its wall and CPU time."""
    if core is not None:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, {core})
    report = asyncio.run(_load(urls, frames, headers, welcome, ready, start, stop))
    results.put(report)


async def _load(
    urls: dict[str, str],
    frames: dict[str, list[str]],
    headers: dict[str, str],
    welcome: bool,
    ready: Any,
    start: Any,
    stop: Any,
) -> LoadReport:
    received = 0

    async def read(ws: aiohttp.ClientWebSocketResponse) -> None:
        nonlocal received
        async for _ in ws:
            received += 1

    async def send(ws: aiohttp.ClientWebSocketResponse, room: str) -> None:
        for frame in frames[room]:
            await ws.send_str(frame)

    async with aiohttp.ClientSession() as session:
        sockets = {}
        for room, url in urls.items():
            sockets[room] = await session.ws_connect(url, headers=headers, max_msg_size=0)
            if welcome:
                await sockets[room].receive(timeout=30)
        readers = [asyncio.create_task(read(ws)) for ws in sockets.values()]
        ready.set()
        await asyncio.to_thread(start.wait)
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(send(ws, room) for room, ws in sockets.items()))
        report = LoadReport(
            sum(len(f) for f in frames.values()), 0, time.perf_counter() - wall, time.process_time() - cpu
        )
        await asyncio.to_thread(stop.wait)
        for ws in sockets.values():
            await ws.close()
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    return replace(report, received=received)


class Loader:
    """The loader process and its start/stop signals, as a context manager: ready once every socket is
    open, ``go()`` starts the blast, leaving the block stops it and collects the report."""

    def __init__(
        self,
        urls: dict[str, str],
        frames: dict[str, list[str]],
        headers: dict[str, str] | None = None,
        welcome: bool = False,
        core: int | None = None,
    ) -> None:
        ctx = mp.get_context("spawn")
        self.ready, self.start, self.stop, self.results = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Queue()
        self.process = ctx.Process(
            target=loader,
            args=(
                urls,
                frames,
                headers or {},
                welcome,
                core,
                self.ready,
                self.start,
                self.stop,
                self.results,
            ),
        )
        self.report: LoadReport | None = None

    def __enter__(self) -> Loader:
        self.process.start()
        if not self.ready.wait(120):
            self.process.kill()
            raise RuntimeError("the loader did not connect")
        return self

    def go(self) -> None:
        self.start.set()

    def __exit__(self, *exc: object) -> None:
        self.start.set()
        self.stop.set()
        with contextlib.suppress(Exception):
            self.report = self.results.get(timeout=60)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


# --- d: the physical limit ------------------------------------------------------------------------------
def json_server(port: int, core: int | None) -> None:
    """The least a WebSocket ingest can do: aiohttp receives each text frame and ``json.loads`` it; the
    count is served at ``/count``."""
    if core is not None:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, {core})
    count = {"frames": 0}

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=8192, compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                json.loads(msg.data)
                count["frames"] += 1
        return ws

    async def counted(request: web.Request) -> web.Response:
        return web.json_response(count)

    app = web.Application()
    app.router.add_get("/ws/rooms/{room}", socket)
    app.router.add_get("/count", counted)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.load(resp)


def wait_until(check: Callable[[], bool], timeout_s: float, interval_s: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            if check():
                return True
        time.sleep(interval_s)
    return False


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its children (psutil cpu_times, user + system)."""
    return ProcessSampler.measure(pid)[0]


def physical_limit(events: list[ChatEvent], repeat: int = 1) -> dict[str, Any]:
    """Messages per server CPU-second of the json.loads-only server, server and loader on distinct cores.

    Each room's frames are sent ``repeat`` times: the server spends a few µs per frame and psutil counts
    CPU in 10 ms ticks, so the blast must last a second or more of server CPU to be read to a few %."""
    frames = {room: texts * repeat for room, texts in frames_by_room(events).items()}
    sent = sum(len(f) for f in frames.values())
    port = free_port()
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_core, loader_core = (cores[0], cores[1]) if len(cores) > 1 else (None, None)
    server = mp.get_context("spawn").Process(target=json_server, args=(port, server_core))
    server.start()
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: "frames" in fetch_json(f"{base}/count"), 60):
            raise RuntimeError("the json.loads server did not start")
        urls = {room: f"ws://127.0.0.1:{port}/ws/rooms/{room}" for room in frames}
        with Loader(urls, frames, core=loader_core) as load:
            cpu0, wall0 = cpu_seconds(server.pid or 0), time.perf_counter()
            load.go()
            wait_until(lambda: fetch_json(f"{base}/count")["frames"] >= sent, 120, 0.05)
            cpu, wall = cpu_seconds(server.pid or 0) - cpu0, time.perf_counter() - wall0
            counted = fetch_json(f"{base}/count")["frames"]
    finally:
        server.terminate()
        server.join(timeout=10)
    report = load.report
    return {
        "sent": sent,
        "counted": counted,
        "connections": len(frames),
        "server_cpu_s": round(cpu, 3),
        "msgs_per_server_cpu_s": round(counted / cpu, 1) if cpu else None,
        "wall_msgs_per_s": round(counted / wall, 1),
        "loader_cpu_s": round(report.cpu_s, 3) if report else None,
        "loader_wall_s": round(report.wall_s, 3) if report else None,
    }


# --- e, f: the full stack ----------------------------------------------------------------------------------
async def gateway_samples(stack: RunningStack) -> Samples:
    async with aiohttp.ClientSession() as session:
        return await scrape(session, stack.gateway_url)


def events_in(stack: RunningStack) -> float:
    return total(asyncio.run(gateway_samples(stack)), "liveroom_events_in_total")


def full_stack(
    stack: RunningStack, events: list[ChatEvent], settle_s: float = 60.0, echo: bool = False
) -> dict[str, Any]:
    """Blast the log into the simulator rooms; count what the gateway took in (its /metrics) and the
    gateway's CPU seconds from the start of the blast until it had taken in everything sent. Feeder
    sockets (``echo=0``) unless ``echo``: then every message also comes back to the loader."""
    frames = frames_by_room(events)
    sent = sum(len(f) for f in frames.values())
    feeder = "" if echo else "&echo=0"
    urls = {room: replay_url(f"{stack.ws_url}/ws/rooms/{room}") + feeder for room in frames}
    gateway = stack.pids["gateway"]
    before = asyncio.run(gateway_samples(stack))
    start_in = total(before, "liveroom_events_in_total")
    scrapes = 0

    def all_in() -> bool:
        nonlocal scrapes
        scrapes += 1
        return events_in(stack) - start_in >= sent

    with Loader(urls, frames, replay_headers(), welcome=True) as load:
        cpu0, wall0 = cpu_seconds(gateway), time.perf_counter()
        load.go()
        wait_until(all_in, 120, 0.25)
        cpu, wall = cpu_seconds(gateway) - cpu0, time.perf_counter() - wall0
        settled = wait_until(lambda: _idle(asyncio.run(gateway_samples(stack)), before), settle_s, 0.5)
        cpu_settled = cpu_seconds(gateway) - cpu0
        after = asyncio.run(gateway_samples(stack))
    received = total(after, "liveroom_events_in_total") - start_in
    report = load.report
    scrape_s = scrape_cpu_s(stack)
    without_scrapes = cpu - scrapes * scrape_s
    return {
        "echo": echo,
        "sent": sent,
        "events_in": received,
        "lost": sent - received,
        "rooms": len(frames),
        "connections": len(frames),
        "gateway_cpu_s": round(cpu, 3),
        "msgs_per_gateway_cpu_s": round(received / cpu, 1) if cpu else None,
        # the window's /metrics polls are the benchmark's, not the traffic's: their cost, and the figure
        # without it (a scrape's CPU measured on the idle gateway right after)
        "scrapes_in_window": scrapes,
        "scrape_cpu_ms": round(1000 * scrape_s, 2),
        "msgs_per_gateway_cpu_s_less_scrapes": round(received / without_scrapes, 1)
        if without_scrapes > 0
        else None,
        "wall_msgs_per_s": round(received / wall, 1),
        "settled": settled,
        "msgs_per_gateway_cpu_s_until_settled": round(received / cpu_settled, 1) if cpu_settled else None,
        "outcomes": by_label(after, before, "liveroom_event_outcomes_total", "outcome"),
        "dropped": by_label(after, before, "liveroom_events_dropped_total", "reason"),
        "loader_cpu_s": round(report.cpu_s, 3) if report else None,
        "loader_wall_s": round(report.wall_s, 3) if report else None,
        # how much of the ingest window the loader was still sending: well under 1 = it was not the limit
        "loader_share_of_window": round(report.wall_s / wall, 3) if report and wall else None,
        "loader_frames_received": report.received if report else None,
    }


def scrape_cpu_s(stack: RunningStack, scrapes: int = 20) -> float:
    """The gateway's CPU seconds per /metrics scrape, measured on the idle gateway (psutil counts in
    10 ms ticks, hence many scrapes)."""
    gateway = stack.pids["gateway"]
    before = cpu_seconds(gateway)
    for _ in range(scrapes):
        asyncio.run(gateway_samples(stack))
    return max(0.0, cpu_seconds(gateway) - before) / scrapes


def _idle(now: Samples, before: Samples) -> bool:
    """Every event taken in has its outcome (or waits deferred) and no queue or pacer holds anything."""
    received = total(now, "liveroom_events_in_total") - total(before, "liveroom_events_in_total")
    finished = total(now, "liveroom_event_outcomes_total") - total(before, "liveroom_event_outcomes_total")
    return (
        finished + total(now, "liveroom_deferred_questions") >= received
        and total(now, "liveroom_replies_pending") == 0
        and total(now, "liveroom_ingress_queue_depth") == 0
    )


# --- g: the flame graph ------------------------------------------------------------------------------------
def ingest_loop(seconds: float, messages: int) -> None:
    """What the profiler watches: passes of ``Gateway.ingest`` over the generated log (a fresh gateway
    per pass, so de-duplication never short-cuts a pass) for ``seconds``. Prints ``ready`` after the
    first pass, so the profile starts after the imports and the first-use loading of the models."""

    async def run() -> None:
        events = chat_log(messages)
        await ingest_times(events)
        print("ready", flush=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await ingest_times(events)

    asyncio.run(run())


def py_spy(fmt: str, out: Path, seconds: float, pid: int, rate: int = 250, nonblocking: bool = False) -> Path:
    """``py-spy record`` (0.4.3, next to this Python) of a running process for ``seconds``, samples
    aggregated per function (``-F``: one box per function, not per line). ``nonblocking`` samples
    without pausing the process (less overhead, but a stack can be read torn)."""
    binary = Path(sys.executable).with_name("py-spy")
    cmd = [str(binary), "record", "-F", "-f", fmt, "-o", str(out), "--rate", str(rate), "--pid", str(pid)]
    cmd += ["--duration", str(max(1, round(seconds)))] + (["--nonblocking"] if nonblocking else [])
    subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return out


@contextlib.contextmanager
def profiled_loop(seconds: float, messages: int = 20_000) -> Iterator[int]:
    """A subprocess running :func:`ingest_loop` for ``seconds``, yielded (its pid) once it is warm."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--ingest-loop",
        str(seconds),
        "--messages",
        str(messages),
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the ingest loop did not start")
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def read_collapsed(path: Path) -> Counter[tuple[str, ...]]:
    """py-spy ``raw`` output: one ``frame;frame;... count`` line per distinct stack."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def flame(seconds: float) -> dict[str, str]:
    """The flame graph (SVG, py-spy's own) and a PNG icicle chart of a second profile of the same warm
    process, from py-spy's collapsed stacks (``raw``, kept only while drawing), rooted at the loop."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    svg, png = RESULTS / "ingest_flame.svg", RESULTS / "ingest_flame.png"
    with tempfile.TemporaryDirectory(prefix="liveroom-flame-") as tmp, profiled_loop(2 * seconds + 15) as pid:
        py_spy("flamegraph", svg, seconds, pid)
        stacks = rooted(read_collapsed(py_spy("raw", Path(tmp) / "raw.txt", seconds, pid)), "ingest_times ")
    title = f"Gateway.ingest in process: {sum(stacks.values()):,} py-spy samples (width = share of CPU)"
    icicle(stacks, png, title)
    return {"svg": str(svg.relative_to(REPO)), "png": str(png.relative_to(REPO))}


def rooted(stacks: Counter[tuple[str, ...]], prefix: str) -> Counter[tuple[str, ...]]:
    """The stacks through the first frame starting with ``prefix``, cut to begin there (the event loop's
    frames above it say nothing); other stacks (the profiler's own start, idle) are left out."""
    out: Counter[tuple[str, ...]] = Counter()
    for stack, count in stacks.items():
        at = next((i for i, frame in enumerate(stack) if frame.startswith(prefix)), None)
        if at is not None:
            out[stack[at:]] += count
    return out


# --- the run -----------------------------------------------------------------------------------------------
def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def run(plan: Plan, profile: bool = True) -> dict[str, Any]:
    started = time.monotonic()
    result: dict[str, Any] = {"machine": machine(), "plan": plan.__dict__}
    generated, real = chat_log(plan.messages), real_style_log(plan.messages)
    progress(
        f"a. in-process ingest, one core: {plan.messages:,} generated + {plan.messages:,} real-style messages"
    )
    result["in_process"] = {
        "generated": asyncio.run(in_process(generated)),
        "real_style": asyncio.run(in_process(real)),
    }
    say_in_process(result["in_process"])
    progress("b. stage by stage (each stage alone over the same log, warm)")
    result["stages"] = {
        "generated": asyncio.run(stage_table(generated)),
        "real_style": asyncio.run(stage_table(real)),
    }
    print_stage_table(result["stages"])
    progress(f"c. one process vs two shards on two cores ({plan.shard_messages:,} messages)")
    result["shards"] = shards(plan.shard_messages, plan.rooms)
    say_shards(result["shards"])
    blast = spread_over_rooms(chat_log(plan.blast_messages, seed=11), plan.blast_rooms)
    progress(f"d. physical limit: json.loads-only server, {len(blast) * plan.physical_repeat:,} frames")
    result["physical_limit"] = physical_limit(blast, plan.physical_repeat)
    say_physical_limit(result["physical_limit"])
    progress("e. full stack: starting python -m ops up")
    with running_stack(STACK_ENV) as stack:
        warm_up = renamed(blast[: plan.blast_messages // 10], "w")
        progress(f"e. full stack: warm-up blast of {len(warm_up):,} frames (first answers, first rooms)")
        result["full_stack_warm_up"] = full_stack(stack, warm_up)
        progress(f"e. full stack: blasting {len(blast):,} frames into {plan.blast_rooms} simulator rooms")
        result["full_stack"] = full_stack(stack, blast)
        say_full_stack(result["full_stack"])
        chatter = chatter_only(blast)[: plan.blast_messages // 2]
        progress(f"e. full stack, chatter only (no questions to answer): {len(chatter):,} frames")
        result["full_stack_chatter_only"] = full_stack(stack, chatter)
        say_full_stack(result["full_stack_chatter_only"])
        echoed = renamed(blast, "e")
        progress(f"e. full stack, the same blast with every message echoed to its sender: {len(echoed):,}")
        result["full_stack_echoed"] = full_stack(stack, echoed, echo=True)
        say_full_stack(result["full_stack_echoed"])
        progress(f"f. plain Rasa REST, {plan.rest_seconds:g} s closed loop")
        result["plain_rasa_rest_msgs_per_s"] = round(
            asyncio.run(rasa_rest_rate(stack, chat_log(5_000, seed=9), plan.rest_seconds)), 2
        )
        print(f"  {result['plain_rasa_rest_msgs_per_s']:,.1f} msgs/s")
    result["ratios"] = ratios(result)
    for key, value in result["ratios"].items():
        print(f"  {key:<40} {value}")
    if profile:
        progress(f"g. flame graph: py-spy over the ingest loop, {plan.profile_seconds:g} s twice (SVG, raw)")
        result["flame"] = flame(plan.profile_seconds)
    result["machine_load_after"] = machine_load()
    result["run_s"] = round(time.monotonic() - started, 1)
    return result


def say_in_process(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        print(f"  {name:<11} {f['msgs_per_s']:>10,.0f} msgs/s  ({f['msgs_per_cpu_s']:,.0f} per CPU-s)")


def say_shards(s: dict[str, Any]) -> None:
    split = [w["events"] for w in s["workers"]]
    print(f"  one process {s['one_process_msgs_per_s']:,.0f} msgs/s, "
          f"two shards {s['two_shards_msgs_per_s']:,.0f} msgs/s -> {s['speedup']:.2f}x "
          f"(target >= {TARGET_SPEEDUP}x); by CPU time {s['speedup_by_cpu_time']:.2f}x; "
          f"events per shard {split}")  # fmt: skip


def say_physical_limit(p: dict[str, Any]) -> None:
    print(f"  {p['msgs_per_server_cpu_s']:,.0f} msgs per server CPU-s "
          f"({p['counted']:,}/{p['sent']:,} counted, wall {p['wall_msgs_per_s']:,.0f}/s)")  # fmt: skip


def num(value: float | None, spec: str = ",.0f") -> str:
    """A figure for the console, "n/a" when it could not be measured."""
    return "n/a" if value is None else format(value, spec)


def say_full_stack(f: dict[str, Any]) -> None:
    print(
        f"  {f['msgs_per_gateway_cpu_s']:,.0f} msgs per gateway CPU-s (target >= {TARGET_FULL_STACK:,.0f});"
        f" {f['events_in']:,.0f}/{f['sent']:,} in, lost {f['lost']:,.0f},"
        f" wall {f['wall_msgs_per_s']:,.0f}/s"
    )
    print(
        f"  less the benchmark's {f['scrapes_in_window']} /metrics polls ({f['scrape_cpu_ms']} ms CPU each):"
        f" {num(f['msgs_per_gateway_cpu_s_less_scrapes'])} per gateway CPU-s;"
        f" loader busy for {num(f['loader_share_of_window'], '.0%')} of the window"
    )
    print(f"  outcomes {f['outcomes']}, dropped {f['dropped']}, settled {f['settled']}")  # fmt: skip


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    """The in-process and full-stack figures against the physical limit and against plain Rasa."""
    inproc = result["in_process"]["generated"]["msgs_per_cpu_s"]
    stack = result["full_stack"]["msgs_per_gateway_cpu_s"]
    limit = result["physical_limit"]["msgs_per_server_cpu_s"]
    rasa = result["plain_rasa_rest_msgs_per_s"]
    return {
        "in_process_per_cpu_s / physical_limit": ratio(inproc, limit),
        "full_stack_per_cpu_s / physical_limit": ratio(stack, limit),
        "in_process_per_cpu_s / plain_rasa_rest": ratio(inproc, rasa),
        "full_stack_per_cpu_s / plain_rasa_rest": ratio(stack, rasa),
        "in_process / target_per_core": ratio(inproc, TARGET_PER_CORE),
        "full_stack / target_full_stack": ratio(stack, TARGET_FULL_STACK),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller logs, shorter profile (~1 min)")
    parser.add_argument("--profile-only", action="store_true", help="only the flame graph (g)")
    parser.add_argument("--no-profile", action="store_true", help="skip the flame graph")
    parser.add_argument("--ingest-loop", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    parser.add_argument("--messages", type=int, default=20_000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick or os.environ.get("BENCH_QUICK") else FULL
    if args.ingest_loop:
        ingest_loop(args.ingest_loop, args.messages)
        return 0
    if args.profile_only:
        progress(f"g. flame graph: py-spy over the ingest loop, {plan.profile_seconds:g} s")
        for kind, written in flame(plan.profile_seconds).items():
            print(f"  {kind}: {written}")
        return 0
    result = run(plan, profile=not args.no_profile)
    path = write_result("ingest", result)  # the chart is drawn from what was written
    load = result["machine"].get("load_average_1_5_15")
    title = f"Ingest per core ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average {load})"
    chart = ingest_chart(result, RESULTS / "ingest.png", title)
    print(f"written to {path.relative_to(REPO)} and {chart.relative_to(REPO)} in {result['run_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
