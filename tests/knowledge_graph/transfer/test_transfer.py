"""Import/export on real graph servers: lossless round trips, first bad row, all-or-nothing."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.catalog.products import get_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.audit import list_audit
from knowledge_graph.editing.catalog_items import get_promotion
from knowledge_graph.editing.products import create_product, update_product
from knowledge_graph.queries import variants_of
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.transfer.bundle import (
    ImportRejected,
    bundle_to_json,
    export_bundle,
    export_json,
    import_bundle,
    parse_json,
)
from knowledge_graph.transfer.csv import bundle_to_csv, parse_csv
from knowledge_graph.transfer.generate import generate_catalog
from ops.neo4j_server import Neo4jServer
from tests.knowledge_graph.conftest import fresh_graph_name, wipe_neo4j
from tests.knowledge_graph.editing.test_crud import INJECTION, lipstick, snapshot


@pytest.fixture(scope="module")
def catalog_1000() -> dict[str, Any]:
    doc = generate_catalog(1000, faqs=30)
    doc["products"][0]["name_en"] = INJECTION  # stored and exported as text
    doc["products"][1]["description_zh"] = 'line\nbreak, "quotes", tab\t and 😀'
    return doc


@pytest.fixture
async def graph(store: GraphStore) -> GraphStore:
    await migrate(store)
    return store


async def _second_graph(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    """An empty graph of the same backend as ``store``: another graph on the same FalkorDB server, or the
    database of a second Neo4j server (Neo4j Community serves one user database per server)."""
    if store.dialect == "falkordb":
        other = open_store(dataclasses.replace(store.config, graph_name=fresh_graph_name()))
    else:
        server: Neo4jServer = request.getfixturevalue("second_neo4j_server")
        other = open_store(GraphConfig(backend="neo4j", neo4j_uri=server.uri))
        await wipe_neo4j(other)
    await migrate(other)
    return other


async def _drop(store: GraphStore) -> None:
    if store.dialect == "falkordb":
        await store.drop_graph()  # type: ignore[attr-defined]
    else:
        await wipe_neo4j(store)
    await store.close()


async def test_json_round_trip_of_1000_products_is_byte_identical(
    graph: GraphStore, catalog_1000: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    progress: list[tuple[str, int, int]] = []
    bundle = parse_json(json.dumps(catalog_1000, ensure_ascii=False), lambda *p: progress.append(p))
    result = await import_bundle(
        graph, bundle, "alice", source="gen.json", progress=lambda *p: progress.append(p)
    )
    assert result.products == 1000 and result.variants == 1500 and result.faqs == 30
    assert ("validate", 1000, 1000) in progress or progress[0][0] == "validate"
    assert ("faqs", 30, 30) in progress and progress[-1] == (
        "write",
        1000,
        1000,
    )  # embeddings, then one write
    first = await export_json(graph)
    assert json.loads(first, parse_float=Decimal) == catalog_1000  # the export IS the input, as data
    other = await _second_graph(graph, request)
    try:
        await import_bundle(other, parse_json(first), "bob")
        assert await export_json(other) == first
    finally:
        await _drop(other)
    product = await find_product(graph, INJECTION)
    assert product is not None and product.sku == "GEN-000000"
    audit = await list_audit(graph, entity="Catalog")
    assert audit[0].actor == "alice" and audit[0].key == "gen.json" and audit[0].changes["products"] == 1000


async def test_csv_round_trip_of_1000_products_is_byte_identical(
    graph: GraphStore, catalog_1000: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    await import_bundle(graph, parse_json(json.dumps(catalog_1000)), "alice")
    csv_text = bundle_to_csv(await export_bundle(graph))
    json_text = await export_json(graph)
    other = await _second_graph(graph, request)
    try:
        await import_bundle(other, parse_csv(csv_text.encode("utf-8")), "bob")
        assert bundle_to_csv(await export_bundle(other)) == csv_text
        assert await export_json(other) == json_text
    finally:
        await _drop(other)


async def test_reimport_is_idempotent_and_updates_in_place(graph: GraphStore) -> None:
    doc = generate_catalog(20)
    await import_bundle(graph, parse_json(json.dumps(doc)), "alice")
    first = await export_json(graph)
    await import_bundle(graph, parse_json(json.dumps(doc)), "alice")
    assert await export_json(graph) == first
    assert (await get_product(graph, "GEN-000003")).version == 1  # type: ignore[union-attr]  # unchanged
    doc["products"][3]["price"] = "1.00"
    doc["products"][3]["variants"] = doc["products"][3]["variants"][:1]
    await import_bundle(graph, parse_json(json.dumps(doc)), "alice")
    changed = await get_product(graph, "GEN-000003")
    assert changed is not None and changed.price == Decimal("1.00") and changed.version == 2
    assert [v.id for v in await variants_of(graph, "GEN-000003")] == ["GEN-000003-0"]


def _bad(doc: dict[str, Any], where: str, field: str, value: Any) -> str:
    bad = copy.deepcopy(doc)
    section, index = where.split("[")
    bad[section][int(index.rstrip("]"))][field] = value
    return json.dumps(bad)


@pytest.mark.parametrize(
    ("where", "field", "value", "problem"),
    [
        ("products[199]", "stock", -5, "must not be negative"),
        ("products[199]", "price", "12.345", "decimal places"),
        ("products[199]", "currency", "XXX", "must be one of"),
        ("products[199]", "name_en", "x" * 500, "at most 200"),
        ("products[199]", "stock", "12", "integer"),
        ("products[199]", "category", "cat-missing", "unknown category"),
        ("products[199]", "sku", "GEN-000001", "duplicate product"),
        ("products[199]", "colour", "red", "unknown field"),
        ("promotions[4]", "valid_to", "2020-01-01T00:00:00Z", "after valid_from"),
        ("promotions[4]", "skus", ["NOPE"], "unknown product"),
        ("schedule[2]", "starts_at", "tomorrow", "ISO 8601"),
        ("faqs[3]", "product_sku", "NOPE", "unknown product_sku"),
    ],
)
async def test_first_bad_row_is_reported_and_nothing_written(
    graph: GraphStore, where: str, field: str, value: Any, problem: str
) -> None:
    doc = generate_catalog(200, faqs=5)
    await create_product(graph, lipstick(), "alice")
    before = await snapshot(graph)
    with pytest.raises(ImportRejected) as info:
        await import_bundle(graph, parse_json(_bad(doc, where, field, value)), "alice")
    assert info.value.row == where and info.value.field == field
    assert problem in info.value.problem
    assert await snapshot(graph) == before


async def test_csv_first_bad_row_has_its_line_number_and_nothing_is_written(
    graph: GraphStore, request: pytest.FixtureRequest
) -> None:
    doc = generate_catalog(300)
    await import_bundle(graph, parse_json(json.dumps(doc)), "alice")
    csv_text = bundle_to_csv(await export_bundle(graph))
    other = await _second_graph(graph, request)
    try:
        rows = list(csv.reader(io.StringIO(csv_text)))
        last_product = max(i for i, row in enumerate(rows) if row[0] == "product")
        rows[last_product][rows[0].index("stock")] = "-1"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        with pytest.raises(ImportRejected) as info:
            await import_bundle(other, parse_csv(out.getvalue()), "bob")
        assert info.value.row == last_product + 1 and info.value.field == "stock"
        assert await snapshot(other) == ([], 0)
        with pytest.raises(ImportRejected) as header:
            parse_csv("type,sku,weight\nproduct,A,1\n")
        assert header.value.row == 1 and header.value.field == "weight"
        with pytest.raises(ImportRejected) as stray:
            parse_csv("type,id,name_en,code\ncategory,c1,Cat,X\n")
        assert stray.value.row == 2 and stray.value.field == "code"
    finally:
        await _drop(other)


async def test_bad_json_documents(graph: GraphStore) -> None:
    for text, field in [
        ("{", "body"),
        ("[]", "body"),
        ('{"format": "other"}', "format"),
        ('{"format": "liveroom-export/1", "extra": 1}', "extra"),
        ('{"format": "liveroom-export/1", "products": {}}', "products"),
    ]:
        with pytest.raises(ImportRejected) as info:
            parse_json(text)
        assert info.value.field == field


async def test_variant_id_owned_by_another_product_is_rejected(graph: GraphStore) -> None:
    doc = generate_catalog(5)
    await import_bundle(graph, parse_json(json.dumps(doc)), "alice")
    clash = generate_catalog(0)
    clash["products"] = [
        {
            "sku": "OTHER-1",
            "name_en": "Other",
            "price": "1.00",
            "currency": "CNY",
            "stock": 1,
            "variants": [{"id": "GEN-000001-0", "stock": 1}],
        }
    ]
    before = await snapshot(graph)
    with pytest.raises(ImportRejected) as info:
        await import_bundle(graph, parse_json(json.dumps(clash)), "alice")
    assert info.value.row == "products[0].variants[0]" and info.value.field == "id"
    assert await snapshot(graph) == before


async def test_export_of_edited_graph_round_trips(graph: GraphStore) -> None:
    await import_bundle(graph, parse_json(json.dumps(generate_catalog(10))), "alice")
    await update_product(graph, "GEN-000002", {"tags": ["a,b", 'q"uote'], "url": None}, 1, "bob")
    doc = bundle_to_json(await export_bundle(graph))
    assert doc["products"][2]["tags"] == ["a,b", 'q"uote']
    again = parse_csv(bundle_to_csv(await export_bundle(graph)))
    assert bundle_to_json(again) == doc
    promo = await get_promotion(graph, "PROMO1")
    assert promo is not None and promo.discount_amount == Decimal("10.00")
