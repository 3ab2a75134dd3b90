"""Hit-rate@3 of the recommender vs popularity-only, on a generated interaction log.

The log (``generate_log``) imitates a beauty/lifestyle stream: products in categories with
Zipf popularity, viewers with one or two favourite categories (taste clusters), product
"companions" asked about together (lipstick -> lip liner), promotions that lift their
products while active, repeat questions, and some one-question viewers (cold start).
Each viewer's last interaction is held out when it is a product they had not asked about
before; everything else is recorded through ``record_interaction`` into a real FalkorDB
graph. Then for each held-out viewer: is the held-out product in ``recommend_for_viewer(k=3,
now=<its time>)``, and in the popularity-only top 3 (``popular_products``, same exclusions)?

The recommender's constants were tuned on seed 1; this script reports seed 7 (and 8).
Prints figures, writes bench/results/recommend_eval.json. Run:
.venv/bin/python bench/eval_recommend.py
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, falkordb, write_result
from knowledge_graph.interactions import record_interaction
from knowledge_graph.recommend import popular_products, recommend_for_viewer
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore, open_store

PLATFORM = "sim"
DAY_MS = 86_400_000
T0 = 1_795_000_000_000  # 2026-11-18, any fixed epoch-ms origin works


@dataclass(frozen=True)
class Event:
    viewer: str
    sku: str
    at: int


@dataclass
class GeneratedLog:
    """Products, promotions, the training events and the held-out (viewer, sku, at) triples."""

    products: list[dict[str, Any]]
    promotions: list[dict[str, Any]]
    train: list[Event]
    held_out: list[Event]
    stats: dict[str, Any] = field(default_factory=dict)


def generate_log(
    seed: int = 7,
    *,
    n_viewers: int = 1200,
    n_categories: int = 8,
    per_category: int = 25,
    n_promotions: int = 6,
) -> GeneratedLog:
    rng = random.Random(seed)
    categories = [f"cat-{c:02d}" for c in range(n_categories)]
    cat_weight = {c: 1.0 / (i + 1) ** 0.7 for i, c in enumerate(rng.sample(categories, len(categories)))}
    products: list[dict[str, Any]] = []
    by_cat: dict[str, list[str]] = {c: [] for c in categories}
    weight: dict[str, float] = {}
    for cat in categories:
        ranks = list(range(per_category))
        rng.shuffle(ranks)
        for i in range(per_category):
            sku = f"P{cat[-2:]}-{i:03d}"
            products.append({"sku": sku, "category": cat, "stock": 100})
            by_cat[cat].append(sku)
            weight[sku] = cat_weight[cat] / (ranks[i] + 1) ** 1.1
    skus = [p["sku"] for p in products]
    cumulative = list(itertools.accumulate(weight[s] for s in skus))

    def popular_pick() -> str:
        return rng.choices(skus, cum_weights=cumulative)[0]

    companions = {
        sku: [c for c in (popular_pick() for _ in range(4)) if c != sku][:2] or [skus[0]] for sku in skus
    }
    span = 30 * DAY_MS
    promotions = []
    for n, sku in enumerate(rng.sample(skus, n_promotions)):
        start = T0 + rng.randint(0, span // 2)
        promotions.append(
            {"code": f"PROMO{n}", "sku": sku, "valid_from": start, "valid_to": start + span // 3}
        )

    def promo_factor(sku: str, at: int) -> float:
        if sku not in promoted:
            return 1.0
        active = any(p["sku"] == sku and p["valid_from"] <= at < p["valid_to"] for p in promotions)
        return 4.0 if active else 1.0

    def pick(pool: list[str], at: int) -> str:
        return rng.choices(pool, weights=[weight[s] * promo_factor(s, at) for s in pool])[0]

    promoted = {p["sku"] for p in promotions}

    events_by_viewer: dict[str, list[Event]] = {}
    for v in range(n_viewers):
        viewer = f"v{v:05d}"
        favourites = rng.choices(
            categories, weights=[cat_weight[c] for c in categories], k=rng.choice((1, 1, 2))
        )
        n_events = 1 if rng.random() < 0.1 else min(15, 2 + int(rng.expovariate(1 / 4)))
        at = T0 + rng.randint(0, span)
        asked: list[str] = []
        events: list[Event] = []
        for _ in range(n_events):
            roll = rng.random()
            if asked and roll < 0.08:
                sku = rng.choice(asked)  # asks again
            elif asked and roll < 0.40:
                sku = rng.choice(companions[rng.choice(asked)])
            elif roll < 0.80:
                sku = pick(by_cat[rng.choice(favourites)], at)
            else:
                sku = popular_pick()
            events.append(Event(viewer, sku, at))
            asked.append(sku)
            at += rng.randint(60_000, 3 * 3_600_000)
        events_by_viewer[viewer] = events
    train: list[Event] = []
    held_out: list[Event] = []
    for events in events_by_viewer.values():
        last = events[-1]
        if last.sku not in {e.sku for e in events[:-1]}:
            held_out.append(last)
            train += events[:-1]
        else:
            train += events
    train.sort(key=lambda e: (e.at, e.viewer))
    stats = {
        "seed": seed,
        "products": len(products),
        "categories": n_categories,
        "promotions": n_promotions,
        "viewers": n_viewers,
        "train_events": len(train),
        "held_out": len(held_out),
        "cold_start_held_out": sum(1 for e in held_out if len(events_by_viewer[e.viewer]) == 1),
    }
    return GeneratedLog(products, promotions, train, held_out, stats)


async def load_log(store: GraphStore, log: GeneratedLog) -> None:
    """Products, categories and promotions (plain fixture Cypher), then every training event
    through ``record_interaction``, in time order."""
    await _catalog(store, log)
    for event in log.train:
        await record_interaction(store, PLATFORM, event.viewer, event.sku, at=event.at)


async def _catalog(store: GraphStore, log: GeneratedLog) -> None:
    await migrate(store, vector_indexes=False)  # includes the Viewer.key index
    for i in range(0, len(log.products), 2000):
        await store.write(
            "UNWIND $rows AS row MERGE (c:Category {id: row.category}) "
            "CREATE (p:Product {sku: row.sku, name_en: row.sku, name_zh: row.sku, category: row.category, "
            "stock: row.stock, price_minor: 1000, currency: 'CNY', version: 1})-[:IN_CATEGORY]->(c)",
            {"rows": log.products[i : i + 2000]},
        )
    await store.write(
        "UNWIND $rows AS row MATCH (p:Product {sku: row.sku}) "
        "CREATE (:Promotion {code: row.code, discount_percent: 10, valid_from: row.valid_from, "
        "valid_to: row.valid_to, version: 1})-[:APPLIES_TO]->(p)",
        {"rows": log.promotions},
    )


async def bulk_load(store: GraphStore, log: GeneratedLog, batch: int = 5000) -> None:
    """The graph ``load_log`` would build, written in big UNWIND batches: for benchmarks with
    100,000 events (record_interaction one by one would take minutes). Same nodes, edges,
    counters and co-occurrence counts."""
    await _catalog(store, log)
    viewers: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for e in log.train:
        v = viewers.setdefault(
            e.viewer, {"key": f"{PLATFORM}:{e.viewer}", "id": e.viewer, "first": e.at, "last": e.at}
        )
        v["first"], v["last"] = min(v["first"], e.at), max(v["last"], e.at)
        edge = edges.setdefault((e.viewer, e.sku), {"count": 0, "first": e.at, "last": e.at})
        edge["count"] += 1
        edge["first"], edge["last"] = min(edge["first"], e.at), max(edge["last"], e.at)
    askers: dict[str, int] = {}
    asks: dict[str, int] = {}
    by_viewer: dict[str, list[str]] = {}
    for (viewer, sku), edge in edges.items():
        askers[sku] = askers.get(sku, 0) + 1
        asks[sku] = asks.get(sku, 0) + edge["count"]
        by_viewer.setdefault(viewer, []).append(sku)
    co: dict[tuple[str, str], int] = {}
    for skus in by_viewer.values():
        for x in skus:
            for y in skus:
                if x != y:
                    co[(x, y)] = co.get((x, y), 0) + 1

    async def batched(query: str, rows: list[dict[str, Any]]) -> None:
        for i in range(0, len(rows), batch):
            await store.write(query, {"rows": rows[i : i + batch]})

    await batched(
        "UNWIND $rows AS row CREATE (:Viewer {key: row.key, platform: row.platform, id: row.id, "
        "first_at: row.first, last_at: row.last})",
        [{**v, "platform": PLATFORM} for v in viewers.values()],
    )
    await batched(
        "UNWIND $rows AS row MATCH (v:Viewer {key: row.key}), (p:Product {sku: row.sku}) "
        "CREATE (v)-[:ASKED_ABOUT {count: row.count, first_at: row.first, last_at: row.last}]->(p)",
        [{"key": f"{PLATFORM}:{v}", "sku": sku, **edge} for (v, sku), edge in edges.items()],
    )
    await batched(
        "UNWIND $rows AS row MATCH (p:Product {sku: row.sku}) SET p.askers = row.askers, p.asks = row.asks",
        [{"sku": sku, "askers": askers[sku], "asks": asks[sku]} for sku in askers],
    )
    await batched(
        "UNWIND $rows AS row MATCH (x:Product {sku: row.x}), (y:Product {sku: row.y}) "
        "CREATE (x)-[:ALSO_ASKED {count: row.n}]->(y)",
        [{"x": x, "y": y, "n": n} for (x, y), n in co.items()],
    )


async def evaluate(store: GraphStore, log: GeneratedLog, k: int = 3) -> dict[str, Any]:
    """Hit-rate@k of ``recommend_for_viewer`` and of popularity-only on the held-out events."""
    hits = {"recommender": 0, "popularity": 0}
    cold = {"recommender": 0, "popularity": 0, "n": 0}
    for event in log.held_out:
        recs = await recommend_for_viewer(store, PLATFORM, event.viewer, k, now=event.at)
        seen_rows = await store.read(
            "MATCH (:Viewer {key: $key})-[:ASKED_ABOUT]->(p:Product) RETURN collect(p.sku) AS skus",
            {"key": f"{PLATFORM}:{event.viewer}"},
        )
        seen = seen_rows[0]["skus"] if seen_rows else []
        base = await popular_products(store, k, exclude=seen)
        got = {
            "recommender": event.sku in {r.sku for r in recs},
            "popularity": event.sku in {r.sku for r in base},
        }
        for name, hit in got.items():
            hits[name] += hit
            if not seen:
                cold[name] += hit
        cold["n"] += not seen
    n = len(log.held_out)
    return {
        "k": k,
        "held_out": n,
        "hit_rate_recommender": round(hits["recommender"] / n, 4),
        "hit_rate_popularity": round(hits["popularity"] / n, 4),
        "ratio": round(hits["recommender"] / max(1, hits["popularity"]), 3),
        "cold_start_viewers": cold["n"],
        "cold_start_hit_rate_recommender": round(cold["recommender"] / max(1, cold["n"]), 4),
        "cold_start_hit_rate_popularity": round(cold["popularity"] / max(1, cold["n"]), 4),
    }


async def run(seeds: tuple[int, ...] = (7, 8)) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with falkordb() as server:
        for seed in seeds:
            log = generate_log(seed)
            async with open_store(server.graph_config(f"rec-eval-{seed}")) as store:
                started = time.perf_counter()
                await load_log(store, log)
                loaded = time.perf_counter() - started
                figures = await evaluate(store, log)
            results[f"seed_{seed}"] = {**log.stats, **figures, "load_seconds": round(loaded, 1)}
    return results


def main() -> None:
    started = time.perf_counter()
    results = asyncio.run(run())
    print("recommendations: hit-rate@3 on held-out last interactions (generated logs)")
    print(
        f"{'log':<8}{'viewers':>8}{'events':>8}{'held out':>9}"
        f"{'recommender':>13}{'popularity':>12}{'ratio':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:<8}{r['viewers']:>8}{r['train_events']:>8}{r['held_out']:>9}"
            f"{r['hit_rate_recommender']:>13.3f}{r['hit_rate_popularity']:>12.3f}{r['ratio']:>7.2f}"
        )
        print(
            f"{'':<8}cold-start viewers {r['cold_start_viewers']}: recommender "
            f"{r['cold_start_hit_rate_recommender']:.3f}, "
            f"popularity {r['cold_start_hit_rate_popularity']:.3f}"
        )
    path = write_result(
        "recommend_eval", {"results": results, "seconds": round(time.perf_counter() - started, 1)}
    )
    print(f"wrote {path.relative_to(REPO)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
