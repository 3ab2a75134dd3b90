"""NLU parse latency per message: liveroom's pipeline vs Rasa's default config, in one run.

Loads both NLU models in-process (``Agent.parse_message``, what `rasa run` does per message minus
HTTP), warms up, then parses every held-out message ``--rounds`` times, sequentially, and reports
p50/p95/p99 per model and the ratio. Models are trained (or reused) like `make eval`. The product
extractor's catalog comes from a stand-in of the gateway endpoint, as in the evaluation.

Run: ``.venv-rasa/bin/python bench/bench_nlu.py`` (re-executes itself there from another
interpreter). Writes bench/results/nlu_latency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nlu_common import CONFIGS, HELDOUT, REPO, catalog_server, in_rasa_runtime, train_nlu

in_rasa_runtime()

RESULT = REPO / "bench" / "results" / "nlu_latency.json"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    out: list[str] = []
    for path in HELDOUT.values():
        out += [m.get("text") for m in load_data(str(path)).intent_examples]
    return out


async def measure(model: Path, messages: list[str], rounds: int) -> list[float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    await asyncio.sleep(1.0)  # first catalog poll
    for text in messages[:50]:
        await agent.parse_message(text)
    samples = []
    for _ in range(rounds):
        for text in messages:
            started = time.perf_counter()
            await agent.parse_message(text)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reuse-latest", action="store_true", help="newest trained models, even if stale")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    messages = texts()
    results = {}
    with catalog_server():
        for name, config in CONFIGS.items():
            model, _ = train_nlu(name, config, reuse_latest=args.reuse_latest)
            samples = asyncio.run(measure(model, messages, args.rounds))
            results[name] = {
                "n": len(samples),
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(percentile(samples, 95), 2),
                "p99_ms": round(percentile(samples, 99), 2),
                "mean_ms": round(statistics.fmean(samples), 2),
            }
            r = results[name]
            figures = f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms"
            print(f"{name}: {figures} (n={r['n']})")
    ours, base = results["liveroom"], results["rasa_default"]
    ratio = {k: round(ours[k] / base[k], 2) for k in ("p50_ms", "p95_ms")}
    print(f"liveroom / rasa_default: p50 x{ratio['p50_ms']}, p95 x{ratio['p95_ms']} (target p95 < 30 ms)")
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": platform.platform(),
                "messages": len(messages),
                "rounds": args.rounds,
                "results": results,
                "ratio_liveroom_to_default": ratio,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
