"""Interactions and recommendations on a real graph, and the generated-log evaluation."""

from __future__ import annotations

import pytest

from bench.eval_recommend import bulk_load, evaluate, generate_log, load_log
from knowledge_graph.errors import NotFound, ValidationError
from knowledge_graph.interactions import record_interaction, viewer_history
from knowledge_graph.recommend import popular_products, recommend_for_product, recommend_for_viewer
from knowledge_graph.store import GraphStore
from knowledge_graph.store.server import FalkorDBServer

from .conftest import _falkordb_store

T = 1_795_000_000_000


async def _products(store: GraphStore) -> None:
    """Six products in two categories; P5 has a promotion valid around T."""
    await store.write(
        "UNWIND $rows AS row MERGE (c:Category {id: row.cat}) "
        "CREATE (:Product {sku: row.sku, category: row.cat, stock: row.stock, version: 1})"
        "-[:IN_CATEGORY]->(c)",
        {
            "rows": [
                {"sku": "P1", "cat": "lips", "stock": 5},
                {"sku": "P2", "cat": "lips", "stock": 5},
                {"sku": "P3", "cat": "lips", "stock": 5},
                {"sku": "P4", "cat": "skin", "stock": 5},
                {"sku": "P5", "cat": "skin", "stock": 5},
                {"sku": "P6", "cat": "skin", "stock": 0},
            ]
        },
    )
    await store.write(
        "MATCH (p:Product {sku: 'P5'}) CREATE (:Promotion {code: 'SALE', discount_percent: 10, "
        "valid_from: $from, valid_to: $to, version: 1})-[:APPLIES_TO]->(p)",
        {"from": T - 1000, "to": T + 1000},
    )


async def test_record_interaction_counts_and_times(store: GraphStore) -> None:
    await _products(store)
    first = await record_interaction(store, "twitch", "42", "P1", at=T)
    again = await record_interaction(store, "twitch", "42", "P1", at=T + 5000)
    late = await record_interaction(store, "twitch", "42", "P1", at=T - 5000)  # arrives out of order
    assert (first.count, again.count, late.count) == (1, 2, 3)
    assert await viewer_history(store, "twitch", "42") == [("P1", 3, T + 5000)]
    rows = await store.read(
        "MATCH (v:Viewer {key: 'twitch:42'})-[r:ASKED_ABOUT]->(p:Product {sku: 'P1'}) "
        "RETURN v.platform AS platform, v.id AS id, r.first_at AS first_at, "
        "p.askers AS askers, p.asks AS asks"
    )
    assert rows == [{"platform": "twitch", "id": "42", "first_at": T, "askers": 1, "asks": 3}]
    bought = await record_interaction(store, "twitch", "42", "P2", kind="bought", at=T)
    assert bought.count == 1 and bought.kind == "bought"


async def test_record_interaction_rejects_bad_input_and_unknown_products(store: GraphStore) -> None:
    await _products(store)
    with pytest.raises(NotFound):
        await record_interaction(store, "twitch", "42", "NOPE")
    assert await store.read("MATCH (v:Viewer) RETURN count(v) AS n") == [{"n": 0}]
    for args, field in [
        (("Twitch!", "42", "P1"), "platform"),
        (("twitch", "", "P1"), "viewer_id"),
        (("twitch", "a\nb", "P1"), "viewer_id"),
    ]:
        with pytest.raises(ValidationError) as info:
            await record_interaction(store, *args)
        assert info.value.field == field
    with pytest.raises(ValidationError) as info:
        await record_interaction(store, "twitch", "42", "P1", kind="liked")
    assert info.value.field == "kind"


async def test_also_asked_and_exclusions(store: GraphStore) -> None:
    await _products(store)
    for viewer in ("a", "b", "c"):
        await record_interaction(store, "sim", viewer, "P1", at=T)
        await record_interaction(store, "sim", viewer, "P2", at=T + 1)
    await record_interaction(store, "sim", "a", "P4", at=T + 2)
    await record_interaction(store, "sim", "a", "P6", at=T + 3)  # out of stock: never recommended
    rows = await store.read(
        "MATCH (:Product {sku: 'P1'})-[c:ALSO_ASKED]->(y:Product) "
        "RETURN y.sku AS sku, c.count AS n ORDER BY sku"
    )
    assert rows == [{"sku": "P2", "n": 3}, {"sku": "P4", "n": 1}, {"sku": "P6", "n": 1}]
    for_product = await recommend_for_product(store, "P1", k=3, now=T)
    assert [r.sku for r in for_product][:2] == ["P2", "P4"] and for_product[0].reason == "also_asked"
    assert "P6" not in {r.sku for r in for_product}
    for_b = await recommend_for_viewer(store, "sim", "b", k=2, now=T)
    assert for_b[0].sku == "P4" and for_b[0].reason == "also_asked"
    assert not {"P1", "P2", "P6"} & {r.sku for r in for_b}


async def test_new_viewer_gets_popular_products_promotion_first(store: GraphStore) -> None:
    await _products(store)
    for n, sku in enumerate(["P1", "P1", "P1", "P1", "P4", "P4", "P5", "P5"]):
        await record_interaction(store, "sim", f"v{n}", sku, at=T)
    baseline = await popular_products(store, k=3)
    assert [r.sku for r in baseline] == ["P1", "P4", "P5"]
    recs = await recommend_for_viewer(store, "sim", "newcomer", k=3, now=T)
    assert {r.reason for r in recs} == {"popular"}
    assert recs[0].sku == "P1" and recs[1].sku == "P5" and recs[1].promoted  # P5 ties P4, promotion wins
    after_sale = await recommend_for_viewer(store, "sim", "newcomer", k=3, now=T + 10_000)
    assert [r.sku for r in after_sale] == ["P1", "P4", "P5"]


async def test_same_category_is_preferred(store: GraphStore) -> None:
    await _products(store)
    # P3 (lips) and P4 (skin) were each asked together with P1 by one viewer.
    await record_interaction(store, "sim", "x", "P1", at=T)
    await record_interaction(store, "sim", "x", "P3", at=T + 1)
    await record_interaction(store, "sim", "y", "P1", at=T)
    await record_interaction(store, "sim", "y", "P4", at=T + 1)
    recs = await recommend_for_product(store, "P1", k=2, now=T + 10_000)
    assert [r.sku for r in recs] == ["P3", "P4"] and recs[0].same_category


@pytest.mark.parametrize("k", [0, 51, True, "3"])
async def test_k_is_validated(store: GraphStore, k: object) -> None:
    with pytest.raises(ValidationError) as info:
        await recommend_for_viewer(store, "sim", "x", k=k)  # type: ignore[arg-type]
    assert info.value.field == "k"


async def test_recommender_beats_popularity_on_a_generated_log(store: GraphStore) -> None:
    log = generate_log(seed=11, n_viewers=500)
    await load_log(store, log)
    figures = await evaluate(store, log)
    assert figures["held_out"] > 300
    assert figures["hit_rate_recommender"] > figures["hit_rate_popularity"] * 1.15, figures


async def test_bench_bulk_loader_builds_what_record_interaction_builds(
    falkordb_server: FalkorDBServer,
) -> None:
    """bench_recommend bulk-loads its 60,000-event log; the graph must equal the one the real
    write path (record_interaction, event by event) builds, or its latencies would mislead."""
    log = generate_log(seed=5, n_viewers=60)
    queries = (
        "MATCH (v:Viewer)-[r:ASKED_ABOUT]->(p:Product) RETURN v.key AS v, v.first_at AS vf, "
        "v.last_at AS vl, p.sku AS p, r.count AS n, r.first_at AS f, r.last_at AS l ORDER BY v, p",
        "MATCH (p:Product) RETURN p.sku AS p, p.askers AS askers, p.asks AS asks ORDER BY p",
        "MATCH (x:Product)-[c:ALSO_ASKED]->(y:Product) RETURN x.sku AS x, y.sku AS y, c.count AS n "
        "ORDER BY x, y",
    )
    snapshots = []
    for loader in (load_log, bulk_load):
        async for store in _falkordb_store(falkordb_server):
            await loader(store, log)
            snapshots.append([await store.read(query) for query in queries])
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0][2]) > 50
