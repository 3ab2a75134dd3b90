"""liveroom vs plain Rasa REST under replayed live chat, on the whole stack, in one run.

A generated chat log (English and Chinese; mostly chatter, ~7 % questions to the bot, gifts, super chats,
bursts of 10x; connectors/simulator/chatlog.py) is replayed through the simulator connector's WebSocket
into the running stack (FalkorDB, action server, Rasa, gateway) at a sweep of offered rates. For each
rate: messages/s the gateway took in, reply latency of the questions (send -> the bot's @mention reply)
p50/p95/p99, loss from the gateway's own accounting (every event answered, silent, moderated, dropped
with a reason, or deferred: ``outcomes + deferred == events_in``; loss = sent - accounted), and CPU and
peak RSS per process (psutil over the supervisor's pids). The platform's send budget is lifted, so
the figures are liveroom's own.

Baseline, same log and same Rasa server: plain ``rasa run`` with the REST channel handling every chat
message (open loop at each rate; latency of the questions), and its closed-loop maximum throughput.

Printed: the tables, the rate each system sustains with p95 under the target (250 ms, or plain Rasa's
best p95 if it never gets under it) and their ratio (target >= 5x), the headline step at ~100
questions/s. Results: bench/results/load.json (with the machine) and bench/results/load_latency.png.

Run: .venv/bin/python bench/bench_load.py          (~6 min: starts the stack, sweeps both)
     .venv/bin/python bench/bench_load.py --quick  (~2 min, two rates each, for development)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.chat_ingest import chat_log as triage_log
from bench.chat_ingest import ingest_rate, rasa_rest_rate
from bench.common import RESULTS, write_result
from bench.loadgen import StepResult, chat_log, latency_stats, replay_liveroom, replay_rest
from bench.plots import latency_vs_load
from bench.stack import RunningStack, machine, machine_load, running_stack

TARGET_P95_MS = 250.0
# LIVEROOM_RASA_REST: the plain-Rasa baseline speaks to Rasa's REST channel (off unless asked for: M5).
# The platform's send budget and the room's reply quota (300 replies a minute: a real room is not flooded)
# are lifted, so the figures are the bot's own capacity: with the quota, a one-room soak at 1,000 msgs/s
# answers its first 300 questions of each minute and stays silent (counted, room_quota) for the rest.
STACK_ENV = {
    "LIVEROOM_SEND_LIMIT_SIMULATOR": "1000000/1",
    "LIVEROOM_WORKERS_PER_ROOM": "16",
    "LIVEROOM_REPLY_ROOM_REPLIES": "1000000",
    "LIVEROOM_RASA_REST": "1",
}
FULL = {
    "liveroom": [100, 300, 700, 1350, 2500],
    "rest": [2, 5, 10, 20, 40],
    "seconds": 15.0,
    "rest_seconds": 30.0,
}
QUICK = {"liveroom": [100, 1350], "rest": [5, 20], "seconds": 5.0, "rest_seconds": 10.0}
GIVE_UP_P95_MS = 10_000.0  # past this a system only builds a backlog: higher rates are not tried
WARMUP_RATE = 50.0
RATIO_LEVELS_MS = (250.0, 500.0, 1000.0, 2000.0, 5000.0)


def row(step: StepResult) -> str:
    s = step.summary()
    lat = s["reply_latency"]
    procs = step.processes
    cpu = " ".join(f"{n}={p['cpu_cores']:.2f}" for n, p in procs.items())
    rss = " ".join(f"{n}={p['peak_rss_mb']:.0f}" for n, p in procs.items())
    return (
        f"  {s['offered_msgs_per_s']:>6.0f}/s offered  {s['achieved_msgs_per_s']:>7.1f}/s sent  "
        f"{s['questions_per_s']:>5.1f} q/s  answered {s['answered']}/{s['questions']}  lost {s['lost']}  "
        f"p50/p95/p99 {lat['p50_ms']}/{lat['p95_ms']}/{lat['p99_ms']} ms\n"
        f"          CPU cores: {cpu}\n          peak RSS MB: {rss}"
    )


def sustained_rate(steps: list[StepResult], p95_ms: float) -> float:
    """The highest offered rate with nothing lost and question p95 <= ``p95_ms``. Questions Rasa answers
    with silence (its choice, counted ``silent`` by the gateway; listed in ``unanswered_by_text``) have
    no latency and do not disqualify a step."""
    ok = [
        s.offered_rate
        for s in steps
        if s.latencies_s and s.lost == 0 and latency_stats(s.latencies_s)["p95_ms"] <= p95_ms
    ]
    return max(ok, default=0.0)


async def sweep(
    stack: RunningStack, plan: dict, seed0: int = 100
) -> tuple[list[StepResult], list[StepResult]]:
    run_dir = stack.var_dir / "run"
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:

        async def liveroom_step(i: int, rate: float) -> StepResult:
            events = chat_log(int(rate * plan["seconds"]), seed=seed0 + i, room=f"load{rate}", rate=rate)
            return await replay_liveroom(session, stack.gateway_url, events, rate, run_dir)

        async def rest_step(i: int, rate: float) -> StepResult:
            n = int(rate * plan["rest_seconds"])  # longer: at a few msgs/s only ~7 % are questions
            events = chat_log(n, seed=seed0 + 50 + i, room=f"rest{rate}", rate=rate)
            return await replay_rest(session, stack.rasa_url, events, rate, run_dir)

        # Rasa's first turns of each intent are slow (lazy loading, caches): not part of any step
        warm = chat_log(int(WARMUP_RATE * plan["seconds"]), seed=seed0 - 1, room="warmup", rate=WARMUP_RATE)
        await replay_liveroom(session, stack.gateway_url, warm, WARMUP_RATE, run_dir)
        print("liveroom (gateway + simulator connector), offered load sweep:", flush=True)
        ours = await rising_load(
            plan["liveroom"], liveroom_step, "saturated on this machine: higher rates are not tried"
        )
        print("plain Rasa REST handling every message, offered load sweep:", flush=True)
        theirs = await rising_load(
            plan["rest"], rest_step, "plain Rasa is saturated: higher rates only grow its backlog"
        )
    return ours, theirs


async def rising_load(
    rates: list[float], step: Callable[[int, float], Awaitable[StepResult]], saturated: str
) -> list[StepResult]:
    """Run ``step`` at each rate in turn, stopping after the first one whose p95 is past giving up."""
    results: list[StepResult] = []
    for i, rate in enumerate(rates):
        result = await step(i, rate)
        results.append(result)
        print(row(result), flush=True)
        if result.summary()["reply_latency"]["p95_ms"] > GIVE_UP_P95_MS:  # type: ignore[index]
            print(f"  ({saturated})", flush=True)
            break
    return results


def headline(ours: list[StepResult]) -> StepResult:
    """The step closest to 100 questions/s (the issue's target load)."""
    return min(ours, key=lambda s: abs(s.summary()["questions_per_s"] - 100))  # type: ignore[operator]


async def main(quick: bool) -> None:
    plan = QUICK if quick else FULL
    started = time.monotonic()
    ingest_one_core = await ingest_rate(triage_log(20_000))
    print(f"gateway ingest in-process (triage, moderation, language, sentiment), one core: "
          f"{ingest_one_core:,.0f} msgs/s", flush=True)  # fmt: skip
    with running_stack(STACK_ENV) as stack:
        ours, theirs = await sweep(stack, plan)
        rest_max = await rasa_rest_rate(stack, triage_log(5_000, seed=9), seconds=plan["seconds"])
    print(f"plain Rasa REST closed loop (8 in flight): {rest_max:,.1f} msgs/s max", flush=True)

    rest_best = min((s.summary()["reply_latency"]["p95_ms"] for s in theirs if s.latencies_s), default=0.0)
    level = max(TARGET_P95_MS, rest_best)  # type: ignore[type-var]
    ours_rate, theirs_rate = sustained_rate(ours, level), sustained_rate(theirs, level)
    at_least = "at least " if ours_rate == max(plan["liveroom"]) else ""
    load = machine_load()
    ratio = ours_rate / theirs_rate if theirs_rate else float("inf")
    levels = {f"{ms:g}": (sustained_rate(ours, ms), sustained_rate(theirs, ms)) for ms in RATIO_LEVELS_MS}
    # gateway CPU per message at the highest rate it sustained (past that it starves for CPU here)
    top = max((s for s in ours if s.offered_rate <= max(ours_rate, min(plan["liveroom"]))),
              key=lambda s: s.offered_rate)  # fmt: skip
    top_summary = top.summary()
    per_core = top_summary.get("gateway_msgs_per_cpu_s")
    head = headline(ours).summary()
    lost = sum(s.lost for s in ours)
    print(
        f"\nheadline at {head['questions_per_s']} questions/s ({head['achieved_msgs_per_s']} msgs/s): "
        f"liveroom p50/p95/p99 {head['reply_latency']['p50_ms']}/{head['reply_latency']['p95_ms']}/"  # type: ignore[index]
        f"{head['reply_latency']['p99_ms']} ms (target p95 < {TARGET_P95_MS:g} ms)\n"  # type: ignore[index]
        f"gateway in the stack at {top_summary['achieved_msgs_per_s']} msgs/s: {per_core} msgs per "
        f"gateway CPU-second (target >= 1,000/s per core); in-process {ingest_one_core:,.0f}/s\n"
        f"ingest ratio vs plain Rasa REST max ({rest_max:,.1f} msgs/s): {ingest_one_core / rest_max:,.0f}x\n"
        f"sustained rate with p95 <= {level:g} ms: liveroom {at_least}{ours_rate:g} msgs/s, plain Rasa REST "
        f"{theirs_rate:g} msgs/s -> {at_least}{ratio:,.0f}x (target >= 5x)\n"
        "the same at other p95 levels (liveroom / plain Rasa msgs/s): "
        + ", ".join(f"<= {k} ms: {a:g} / {b:g}" for k, (a, b) in levels.items())
        + "\n"
        f"lost events (gateway accounting) over the sweep: {lost} (target 0)\n"
        f"machine load at the end (other processes compete for the {os.cpu_count()} cores): {load}"
    )
    png = latency_vs_load(
        {
            "liveroom": [(s.offered_rate, *_p50_p95(s)) for s in ours if s.latencies_s],
            "plain rasa run REST": [(s.offered_rate, *_p50_p95(s)) for s in theirs if s.latencies_s],
        },
        TARGET_P95_MS,
        RESULTS / "load_latency.png",
        f"Reply latency vs offered load ({os.cpu_count()} cores, whole stack)",
    )
    path = write_result(
        "load_quick" if quick else "load",
        {
            "machine": machine(),
            "machine_load_at_end": load,
            "quick": quick,
            "target_p95_ms": TARGET_P95_MS,
            "ingest_in_process_msgs_per_s_one_core": round(ingest_one_core, 1),
            "ingest_in_stack_msgs_per_gateway_cpu_s": per_core,
            "plain_rasa_rest_max_msgs_per_s": round(rest_max, 2),
            "ingest_ratio": round(ingest_one_core / rest_max, 1),
            "equal_p95": {
                "p95_ms": level,
                "liveroom_msgs_per_s": ours_rate,
                "liveroom_is_lower_bound": bool(at_least),
                "plain_rasa_rest_msgs_per_s": theirs_rate,
                "ratio": round(ratio, 1) if theirs_rate else None,
            },
            "sustained_at_p95_levels_ms": {
                k: {"liveroom": a, "plain_rasa_rest": b, "ratio": round(a / b, 1) if b else None}
                for k, (a, b) in levels.items()
            },
            "headline_100_qps": head,
            "lost_events": lost,
            "liveroom": [s.summary() for s in ours],
            "plain_rasa_rest": [s.summary() for s in theirs],
            "plot": str(png.relative_to(RESULTS.parent.parent)),
            "wall_s": round(time.monotonic() - started, 1),
        },
    )
    print(f"written to {path} and {png} in {time.monotonic() - started:.0f}s")


def _p50_p95(step: StepResult) -> tuple[float, float]:
    lat = step.summary()["reply_latency"]
    return lat["p50_ms"], lat["p95_ms"]  # type: ignore[index]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    asyncio.run(main(parser.parse_args().quick))
