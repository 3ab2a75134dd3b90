"""Recommendation latency on 10,000 products and a ~75,000-event interaction log.

Generates a log (bench/eval_recommend.generate_log: 40 categories x 250 products, 15,000
viewers), bulk-loads it into a private FalkorDB graph (same shape record_interaction
builds), then measures in one process:

* ``recommend_for_viewer`` for viewers with history and for unknown viewers (fallback),
  ``recommend_for_product``, and ``record_interaction`` (a live write);
* baselines: ``popular_products`` (popularity-only) on the same graph, and
  ``recommend_for_viewer`` on the small evaluation graph (200 products);
* hit-rate@3 vs popularity on 1,000 held-out viewers of the big log.

Target: recommendation p95 < 20 ms. Run: .venv/bin/python bench/bench_recommend.py
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, falkordb, summary_ms, write_result
from bench.eval_recommend import PLATFORM, GeneratedLog, bulk_load, evaluate, generate_log
from knowledge_graph.interactions import record_interaction
from knowledge_graph.recommend import popular_products, recommend_for_product, recommend_for_viewer
from knowledge_graph.store import GraphStore, open_store

TARGET_P95_MS = 20.0
SAMPLES = 300


async def timed(calls: list[Callable[[], Awaitable[Any]]]) -> dict[str, float]:
    for call in calls[:10]:
        await call()
    samples = []
    for call in calls:
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


async def measure(
    store: GraphStore, log: GeneratedLog, rng: random.Random, *, writes: bool
) -> dict[str, Any]:
    viewers = [e.viewer for e in rng.sample(log.held_out, min(SAMPLES, len(log.held_out)))]
    now = max(e.at for e in log.train)
    skus = [p["sku"] for p in rng.sample(log.products, min(SAMPLES, len(log.products)))]
    out = {
        "viewer_with_history": await timed(
            [lambda v=v: recommend_for_viewer(store, PLATFORM, v, 3, now=now) for v in viewers]
        ),
        "new_viewer": await timed(
            [lambda n=n: recommend_for_viewer(store, PLATFORM, f"new{n}", 3, now=now) for n in range(SAMPLES)]
        ),
        "product": await timed([lambda s=s: recommend_for_product(store, s, 3, now=now) for s in skus]),
        "popularity_only": await timed([lambda: popular_products(store, 3)] * SAMPLES),
    }
    if writes:
        events = [(f"live{n % 50}", rng.choice(log.products)["sku"]) for n in range(SAMPLES)]
        out["record_interaction"] = await timed(
            [lambda v=v, s=s: record_interaction(store, PLATFORM, v, s, at=now) for v, s in events]
        )
    return out


async def run() -> dict[str, Any]:
    rng = random.Random(99)
    results: dict[str, Any] = {}
    with falkordb() as server:
        small_log = generate_log(7)
        async with open_store(server.graph_config("bench-rec-small")) as small:
            await bulk_load(small, small_log)
            results["baseline_small"] = {
                **small_log.stats,
                **await measure(small, small_log, rng, writes=False),
            }
        started = time.perf_counter()
        big_log = generate_log(21, n_viewers=15_000, n_categories=40, per_category=250, n_promotions=50)
        generated = time.perf_counter() - started
        async with open_store(server.graph_config("bench-rec-big")) as big:
            started = time.perf_counter()
            await bulk_load(big, big_log)
            loaded = time.perf_counter() - started
            edges = await big.read("MATCH ()-[c:ALSO_ASKED]->() RETURN count(c) AS n")
            figures = await measure(big, big_log, rng, writes=False)
            sample = GeneratedLog(
                big_log.products, big_log.promotions, big_log.train, rng.sample(big_log.held_out, 1000)
            )
            quality = await evaluate(big, sample)
            figures.update(await measure(big, big_log, rng, writes=True))
            results["big_10k"] = {
                **big_log.stats,
                "also_asked_edges": edges[0]["n"],
                "generate_seconds": round(generated, 1),
                "load_seconds": round(loaded, 1),
                **figures,
                "hit_rate_sample": quality,
            }
    big = results["big_10k"]
    worst = max(big[k]["p95_ms"] for k in ("viewer_with_history", "new_viewer", "product"))
    results["recommend_p95_ms_worst"] = worst
    results["ratio_p95_vs_popularity_only"] = round(worst / big["popularity_only"]["p95_ms"], 2)
    results["ratio_p95_vs_small_graph"] = round(
        big["viewer_with_history"]["p95_ms"] / results["baseline_small"]["viewer_with_history"]["p95_ms"], 2
    )
    results["target_p95_ms"] = TARGET_P95_MS
    results["meets_target"] = worst < TARGET_P95_MS
    return results


def main() -> None:
    started = time.perf_counter()
    r = asyncio.run(run())
    big, small = r["big_10k"], r["baseline_small"]
    print(
        f"big graph: {big['products']} products, {big['viewers']} viewers, {big['train_events']} events, "
        f"{big['also_asked_edges']} ALSO_ASKED edges (generated {big['generate_seconds']} s, "
        f"loaded {big['load_seconds']} s)"
    )
    print(f"{'call (ms)':<34}{'small p50':>10}{'small p95':>10}{'10k p50':>9}{'10k p95':>9}")
    for key in ("viewer_with_history", "new_viewer", "product", "popularity_only", "record_interaction"):
        s = small.get(key, {})
        print(
            f"{key:<34}{s.get('p50_ms', float('nan')):>10.2f}{s.get('p95_ms', float('nan')):>10.2f}"
            f"{big[key]['p50_ms']:>9.2f}{big[key]['p95_ms']:>9.2f}"
        )
    q = big["hit_rate_sample"]
    print(
        f"hit-rate@3 on 1000 held-out viewers of the big log: recommender {q['hit_rate_recommender']:.3f}, "
        f"popularity {q['hit_rate_popularity']:.3f} (x{q['ratio']})"
    )
    print(
        f"worst recommendation p95 {r['recommend_p95_ms_worst']:.2f} ms: "
        f"x{r['ratio_p95_vs_popularity_only']} "
        f"popularity-only, x{r['ratio_p95_vs_small_graph']} small graph; target < {TARGET_P95_MS:g} ms: "
        f"{'met' if r['meets_target'] else 'NOT met'}"
    )
    path = write_result("recommend_bench", {**r, "seconds": round(time.perf_counter() - started, 1)})
    print(f"wrote {path.relative_to(REPO)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
