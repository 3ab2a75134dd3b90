"""Catalog import throughput and product lookup latency on 10,000 products vs 100.

On a private FalkorDB server: imports a generated 10,000-product catalog (with ~15,000
variants, categories, promotions, schedule) through the real import path
(``transfer.parse_json`` + ``import_bundle``: validation, one atomic statement) and
reports products/s; then measures ``find_product`` by alias (exact), ``find_product``
with a typo (``fuzzy=True``) and ``find_product_mentioned`` on chat sentences, each
p50/p95, on that graph and on a 100-product baseline graph measured in the same run,
with the ratio big/baseline. Also the CSV import throughput.

Targets: lookup p95 < 5 ms, import >= 2,000 products/s.
Run: .venv/bin/python bench/bench_catalog.py   (about a minute on 2 cores)
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import falkordb, summary_ms, write_result
from knowledge_graph.catalog.mentions import find_product, find_product_mentioned
from knowledge_graph.config import GraphConfig
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.transfer.bundle import export_bundle, import_bundle, parse_json
from knowledge_graph.transfer.csv import bundle_to_csv, parse_csv
from knowledge_graph.transfer.generate import generate_catalog

N_BIG = 10_000
N_BASE = 100
LOOKUPS = 600
TARGET_LOOKUP_P95_MS = 5.0
TARGET_IMPORT_PER_S = 2_000.0


def _typo(word: str, rng: random.Random) -> str:
    """One adjacent swap inside the word (keeps the first letter), e.g. lipstick -> lipsitck."""
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


async def _timed(calls: list[Any]) -> tuple[list[float], int]:
    samples, hits = [], 0
    for make in calls:
        started = time.perf_counter()
        result = await make()
        samples.append(time.perf_counter() - started)
        hits += result is not None
    return samples, hits


async def _import(store: GraphStore, doc_text: str) -> dict[str, float]:
    await migrate(store, vector_indexes=False)
    started = time.perf_counter()
    bundle = parse_json(doc_text)
    parsed = time.perf_counter()
    await import_bundle(store, bundle, "bench", source="bench.json")
    done = time.perf_counter()
    n = len(bundle.products)
    return {
        "products": n,
        "total_s": round(done - started, 3),
        "parse_validate_s": round(parsed - started, 3),
        "write_s": round(done - parsed, 3),
        "products_per_s": round(n / (done - started), 1),
    }


async def _lookups(store: GraphStore, doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    products = doc["products"]
    picks = [rng.choice(products) for _ in range(LOOKUPS)]
    aliases = [rng.choice(p["aliases_en"] + p["aliases_zh"]) for p in picks]
    names = [p["name_en"] for p in picks]
    for alias in aliases[:20]:  # warm the connection pool and the typo index
        await find_product(store, alias, fuzzy=True)
    await find_product(store, _typo("warmup-lipstick", rng), fuzzy=True)
    exact, exact_hits = await _timed([lambda a=a: find_product(store, a) for a in aliases])
    typos = [_typo(name.split(" ")[1].lower(), rng) + " " + name.split(" ")[2] for name in names]
    typos = [f"{t.split(' ')[0]}{' no ' + t.split(' ')[1]}" for t in typos]  # "lipsitck no 42"
    fuzzy, fuzzy_hits = await _timed([lambda t=t: find_product(store, t, fuzzy=True) for t in typos])
    sentences = [f"how much is the {a}?" if rng.random() < 0.5 else f"这个{a}多少钱" for a in aliases]
    mention, mention_hits = await _timed([lambda s=s: find_product_mentioned(store, s) for s in sentences])
    return {
        "find_product_alias": {**summary_ms(exact), "hit_rate": exact_hits / LOOKUPS},
        "find_product_typo": {**summary_ms(fuzzy), "hit_rate": fuzzy_hits / LOOKUPS},
        "find_product_mentioned": {**summary_ms(mention), "hit_rate": mention_hits / LOOKUPS},
    }


async def main() -> dict[str, Any]:
    rng = random.Random(42)
    big_doc = generate_catalog(N_BIG)
    base_doc = generate_catalog(N_BASE)
    with falkordb() as server:

        def store_for(name: str) -> GraphStore:
            config = server.graph_config(name)
            return open_store(GraphConfig(**{**config.__dict__, "query_timeout": 300.0}))

        base, big, csv_graph = store_for("base"), store_for("big"), store_for("csv")
        try:
            base_import = await _import(base, json.dumps(base_doc, ensure_ascii=False))
            big_import = await _import(big, json.dumps(big_doc, ensure_ascii=False))
            csv_text = bundle_to_csv(await export_bundle(big))
            await migrate(csv_graph, vector_indexes=False)
            started = time.perf_counter()
            await import_bundle(csv_graph, parse_csv(csv_text), "bench", source="bench.csv")
            csv_per_s = N_BIG / (time.perf_counter() - started)
            base_lookups = await _lookups(base, base_doc, rng)
            big_lookups = await _lookups(big, big_doc, rng)
        finally:
            for store in (base, big, csv_graph):
                await store.close()
    ratios = {
        name: round(big_lookups[name]["p95_ms"] / max(base_lookups[name]["p95_ms"], 1e-6), 2)
        for name in big_lookups
    }
    return {
        "import_json": big_import,
        "import_json_baseline_100": base_import,
        "import_csv_products_per_s": round(csv_per_s, 1),
        "lookups_10000": big_lookups,
        "lookups_baseline_100": base_lookups,
        "p95_ratio_10000_vs_100": ratios,
        "targets": {
            "lookup_p95_ms": TARGET_LOOKUP_P95_MS,
            "import_products_per_s": TARGET_IMPORT_PER_S,
            "lookup_alias_p95_met": big_lookups["find_product_alias"]["p95_ms"] < TARGET_LOOKUP_P95_MS,
            "import_met": big_import["products_per_s"] >= TARGET_IMPORT_PER_S,
        },
    }


def report(result: dict[str, Any]) -> None:
    imp = result["import_json"]
    print(
        f"import (JSON, {imp['products']} products): {imp['products_per_s']:.0f} products/s "
        f"(parse+validate {imp['parse_validate_s']}s, write {imp['write_s']}s); "
        f"CSV: {result['import_csv_products_per_s']:.0f} products/s; target >= {TARGET_IMPORT_PER_S:.0f}"
    )
    for name, big in result["lookups_10000"].items():
        base = result["lookups_baseline_100"][name]
        print(
            f"{name:<24} 10k: p50 {big['p50_ms']:.2f} ms  p95 {big['p95_ms']:.2f} ms"
            f"  hits {big['hit_rate']:.0%}"
            f" | 100: p50 {base['p50_ms']:.2f} ms  p95 {base['p95_ms']:.2f} ms"
            f" | p95 ratio {result['p95_ratio_10000_vs_100'][name]}x"
        )
    print(f"targets: {result['targets']}")


if __name__ == "__main__":
    outcome = asyncio.run(main())
    report(outcome)
    print(f"wrote {write_result('bench_catalog', outcome)}")
