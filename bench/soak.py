"""Soak: the whole stack under steady replayed chat for 10 minutes; memory must not grow without bound.

The rate is the highest offered rate at which ``bench/bench_load.py`` measured p95 under its target
(read from bench/results/load.json), or ``--rate``. The generated chat log (English and Chinese, ~7 %
questions, bursts; bench/loadgen.py) is replayed through the simulator connector in back-to-back windows
of ``--window`` seconds into one room; each window reports reply latency p50/p95 and the gateway's
accounting (loss = events not answered, silent, moderated, dropped with a reason or deferred).

RSS of every process (FalkorDB, action server, Rasa, gateway, the load generator) is sampled every
2 s; "start" is the mean over the first minute after a warm-up, "end" the mean over the last minute;
target growth < 10 %. Results: bench/results/soak.json and bench/results/soak.png (RSS and p95 over time).

Run: .venv/bin/python bench/soak.py [--rate 300] [--minutes 10]      (make soak)
     .venv/bin/python bench/soak.py --quick                          (2 minutes, for development)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.bench_load import STACK_ENV, TARGET_P95_MS
from bench.common import RESULTS, write_result
from bench.loadgen import ProcessSampler, StepResult, chat_log, latency_stats, replay_liveroom
from bench.plots import soak_chart
from bench.stack import machine, running_stack

DEFAULT_RATE = 300.0
GROWTH_TARGET_PCT = 10.0


def rate_from_load_results() -> float | None:
    """The highest rate bench_load.py sustained with p95 under target, if it ran."""
    path = RESULTS / "load.json"
    try:
        data = json.loads(path.read_text())
        rate = float(data["equal_p95"]["liveroom_msgs_per_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return rate or None


def mean_rss_mb(series: list[tuple[float, float]], start_s: float, end_s: float) -> float:
    values = [rss for t, rss in series if start_s <= t <= end_s]
    return round(sum(values) / len(values) / 2**20, 1) if values else float("nan")


async def soak(rate: float, minutes: float, window_s: float, warmup_s: float) -> dict[str, object]:
    windows: list[StepResult] = []
    timeline: list[tuple[float, float]] = []  # (seconds since start, window p95 ms)
    with running_stack(STACK_ENV) as stack:
        run_dir = stack.var_dir / "run"
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
            print(f"warm-up: {warmup_s:.0f}s at {rate:g} msgs/s", flush=True)
            events = chat_log(int(rate * warmup_s), seed=900, room="soak", rate=rate)
            await replay_liveroom(session, stack.gateway_url, events, rate, run_dir)
            sampler = ProcessSampler(run_dir, interval_s=2.0)
            async with sampler:
                started = time.monotonic()
                seed = 1000
                while time.monotonic() - started < minutes * 60:
                    events = chat_log(int(rate * window_s), seed=seed, room="soak", rate=rate)
                    step = await replay_liveroom(session, stack.gateway_url, events, rate, run_dir)
                    windows.append(step)
                    lat = latency_stats(step.latencies_s)
                    at = time.monotonic() - started
                    timeline.append((at, lat["p95_ms"]))
                    rss = " ".join(f"{n}={p['peak_rss_mb']:.0f}" for n, p in step.processes.items())
                    line = f"lost {step.lost} unanswered {step.unanswered}  RSS MB {rss}"
                    print(
                        f"  {at / 60:5.1f} min  p50/p95 {lat['p50_ms']}/{lat['p95_ms']} ms  {line}",
                        flush=True,
                    )
                    seed += 1
    elapsed = sampler.wall_s
    processes = {}
    for name, series in sampler.rss_series.items():
        start_mb = mean_rss_mb(series, 0, 60)
        end_mb = mean_rss_mb(series, elapsed - 60, elapsed)
        processes[name] = {
            "rss_start_mb": start_mb,
            "rss_end_mb": end_mb,
            "growth_pct": round(100 * (end_mb - start_mb) / start_mb, 1) if start_mb else None,
            "peak_rss_mb": round(sampler.peak_rss[name] / 2**20, 1),
        }
    all_latencies = [x for w in windows for x in w.latencies_s]
    result = {
        "machine": machine(),
        "rate_msgs_per_s": rate,
        "minutes": round(elapsed / 60, 2),
        "window_s": window_s,
        "warmup_s": warmup_s,
        "messages": sum(w.sent for w in windows),
        "questions": sum(w.questions for w in windows),
        "lost_events": sum(w.lost for w in windows),
        "unanswered_questions": sum(w.unanswered for w in windows),
        "reply_latency": latency_stats(all_latencies),
        "worst_window_p95_ms": max((p for _, p in timeline), default=None),
        "target_p95_ms": TARGET_P95_MS,
        "processes": processes,
        "growth_target_pct": GROWTH_TARGET_PCT,
        "p95_timeline": timeline,
        "cpu_cores": {n: p["cpu_cores"] for n, p in sampler.report().items()},
    }
    png = soak_chart(
        {n: [(t, rss / 2**20) for t, rss in s] for n, s in sampler.rss_series.items()},
        timeline,
        RESULTS / "soak.png",
        f"Soak: {rate:g} msgs/s for {elapsed / 60:.0f} min (RSS per process, p95 per {window_s:.0f}s window)",
    )
    result["plot"] = str(png.relative_to(RESULTS.parent.parent))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, help="offered msgs/s (default: from bench/results/load.json)")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per latency window")
    parser.add_argument(
        "--warmup",
        type=float,
        default=300.0,
        help="seconds before RSS 'start' (the audience windows fill in 5 min)",
    )
    parser.add_argument("--quick", action="store_true", help="2 minutes, 20 s windows, 20 s warm-up")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.window, args.warmup = 2.0, 20.0, 20.0
    rate = args.rate or rate_from_load_results() or DEFAULT_RATE
    print(f"soak: {rate:g} msgs/s for {args.minutes:g} min", flush=True)
    result = asyncio.run(soak(rate, args.minutes, args.window, args.warmup))
    print(f"\nsoak at {rate:g} msgs/s for {result['minutes']} min: {result['messages']} messages, "
          f"{result['questions']} questions, lost {result['lost_events']}, unanswered "
          f"{result['unanswered_questions']}; reply latency {result['reply_latency']}; worst window p95 "
          f"{result['worst_window_p95_ms']} ms")  # fmt: skip
    for name, p in result["processes"].items():  # type: ignore[attr-defined]
        growth = f"{p['growth_pct']} %, target < {GROWTH_TARGET_PCT:g} %"
        print(f"  {name:9s} RSS start {p['rss_start_mb']} MB -> end {p['rss_end_mb']} MB ({growth}), "
              f"peak {p['peak_rss_mb']} MB")  # fmt: skip
    path = write_result("soak_quick" if args.quick else "soak", result)
    print(f"written to {path} and {RESULTS / 'soak.png'}")


if __name__ == "__main__":
    main()
