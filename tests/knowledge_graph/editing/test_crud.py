"""Streamer editing on real graph servers: CRUD, version conflicts, audit, validation, injection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from knowledge_graph.catalog.mentions import find_product, find_product_mentioned
from knowledge_graph.catalog.products import get_product
from knowledge_graph.editing.audit import list_audit
from knowledge_graph.editing.catalog_items import (
    create_category,
    create_promotion,
    create_session,
    create_variant,
    delete_category,
    delete_promotion,
    delete_session,
    delete_variant,
    get_variant,
    update_category,
    update_promotion,
    update_session,
    update_variant,
)
from knowledge_graph.editing.products import create_product, delete_product, product_from_json, update_product
from knowledge_graph.errors import InUse, NotFound, ValidationError, VersionConflict
from knowledge_graph.model.entities import Category, Promotion, StreamSession, Variant
from knowledge_graph.model.product import Product
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore

INJECTION = "x'}) DETACH DELETE n //"


async def snapshot(store: GraphStore) -> tuple[list[tuple[str, int]], int]:
    """Nodes per label and the edge count: 'nothing was written' means this is unchanged."""
    nodes = await store.read("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS c ORDER BY l")
    edges = await store.read("MATCH ()-[r]->() RETURN count(r) AS c")
    return [(row["l"], row["c"]) for row in nodes], edges[0]["c"]


def lipstick(**overrides: Any) -> Product:
    data: dict[str, Any] = {
        "sku": "LIP-1",
        "name_en": "Matte Lipstick",
        "name_zh": "哑光口红",
        "aliases_en": ["lipstick"],
        "aliases_zh": ["口红"],
        "price": "129.90",
        "currency": "CNY",
        "stock": 10,
        "url": "https://shop.example/lip-1",
        "tags": ["matte", "bestseller"],
    }
    data.update(overrides)
    return Product(**data)


@pytest.fixture
async def graph(store: GraphStore) -> GraphStore:
    await migrate(store, vector_indexes=False)
    return store


async def test_product_create_read_update_delete_with_audit(graph: GraphStore) -> None:
    created = await create_product(graph, lipstick(), "alice")
    assert created.version == 1 and created.tags == ("matte", "bestseller")
    assert await get_product(graph, "LIP-1") == created

    updated = await update_product(graph, "LIP-1", {"price": "99.00", "aliases_en": ["lippie"]}, 1, "bob")
    assert updated.version == 2 and updated.price == Decimal("99.00")
    assert await find_product(graph, "lippie") == updated
    assert await find_product(graph, "lipstick") is None  # old alias key gone

    await delete_product(graph, "LIP-1", 2, "carol")
    assert await get_product(graph, "LIP-1") is None
    assert await find_product(graph, "lippie") is None
    assert await graph.read("MATCH (a:Alias) RETURN count(a) AS n") == [{"n": 0}]

    audit = await list_audit(graph, entity="Product", key="LIP-1")
    assert [(e.action, e.actor) for e in audit] == [
        ("delete", "carol"),
        ("update", "bob"),
        ("create", "alice"),
    ]
    assert audit[1].changes == {"aliases_en": [["lipstick"], ["lippie"]], "price": ["129.90", "99.00"]}
    assert audit[2].changes["price"] == "129.90"


async def test_stale_version_is_a_conflict_and_writes_nothing(graph: GraphStore) -> None:
    await create_product(graph, lipstick(), "alice")
    await update_product(graph, "LIP-1", {"stock": 5}, 1, "alice")
    before = await snapshot(graph)
    with pytest.raises(VersionConflict) as info:
        await update_product(graph, "LIP-1", {"stock": 7}, 1, "bob")
    assert info.value.actual == 2 and info.value.expected == 1
    with pytest.raises(VersionConflict):
        await delete_product(graph, "LIP-1", 1, "bob")
    with pytest.raises(VersionConflict) as created_twice:
        await create_product(graph, lipstick(), "bob")
    assert created_twice.value.expected == 0 and "already exists" in str(created_twice.value)
    assert await snapshot(graph) == before
    assert (await get_product(graph, "LIP-1")).stock == 5  # type: ignore[union-attr]


async def test_missing_things_are_not_found(graph: GraphStore) -> None:
    with pytest.raises(NotFound):
        await update_product(graph, "NOPE", {"stock": 1}, 1, "alice")
    with pytest.raises(NotFound):
        await delete_product(graph, "NOPE", 1, "alice")
    with pytest.raises(NotFound):
        await update_category(graph, "nope", {"name_en": "x"}, 1, "alice")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stock": -1}, "stock"),
        ({"stock": "ten"}, "stock"),
        ({"price": "-1.00"}, "price"),
        ({"price": "1.001"}, "price"),
        ({"price": 1.5}, "price"),
        ({"currency": "XYZ"}, "currency"),
        ({"name_en": "x" * 201}, "name_en"),
        ({"description_en": "x" * 4001}, "description_en"),
        ({"aliases_en": "lipstick"}, "aliases_en"),
        ({"tags": ["x" * 51]}, "tags"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"category": "missing"}, "category"),
        ({"sku": "OTHER"}, "sku"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_invalid_update_names_the_field_and_writes_nothing(
    graph: GraphStore, changes: dict[str, Any], field: str
) -> None:
    await create_product(graph, lipstick(), "alice")
    before = await snapshot(graph)
    with pytest.raises(ValidationError) as info:
        await update_product(graph, "LIP-1", changes, 1, "bob")
    assert info.value.field == field
    assert await snapshot(graph) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sku": "bad sku!", "price": "1", "currency": "CNY", "stock": 1, "name_en": "x"}, "sku"),
        ({"sku": "A", "currency": "CNY", "stock": 1, "name_en": "x"}, "price"),
        ({"sku": "A", "price": "1", "currency": "CNY", "stock": True, "name_en": "x"}, "stock"),
        ({"sku": "A", "price": "1", "currency": "CNY", "stock": 1, "name_en": ""}, "name_en"),
        ({"sku": "A", "price": "1", "currency": "CNY", "stock": 1, "name_en": "x", "weight": 1}, "weight"),
    ],
)
def test_product_json_validation_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        product_from_json(data)
    assert info.value.field == field


async def test_injection_strings_are_stored_and_found_as_text(graph: GraphStore) -> None:
    product = lipstick(sku="INJ-1", name_en=INJECTION, aliases_en=["'; MATCH (n) DETACH DELETE n; //"])
    await create_product(graph, product, INJECTION.split("'")[0] or "x")
    await create_category(graph, Category(id="cat-1", name_en=INJECTION, name_zh="}) RETURN 1 //"), "alice")
    found = await find_product(graph, INJECTION)
    assert found is not None and found.name_en == INJECTION
    mentioned = await find_product_mentioned(graph, f"how much is {INJECTION}?")
    assert mentioned is not None and mentioned.sku == "INJ-1"
    updated = await update_product(
        graph, "INJ-1", {"description_en": INJECTION, "category": "cat-1"}, 1, "alice"
    )
    assert updated.description_en == INJECTION
    nodes, _ = await snapshot(graph)
    assert dict(nodes)["Product"] == 1


async def test_categories_link_products_and_refuse_delete_while_used(graph: GraphStore) -> None:
    await create_category(graph, Category(id="lips", name_en="Lips", name_zh="唇部"), "alice")
    await create_product(graph, lipstick(category="lips"), "alice")
    assert await graph.read("MATCH (:Product {sku: 'LIP-1'})-[:IN_CATEGORY]->(c) RETURN c.id AS id") == [
        {"id": "lips"}
    ]
    with pytest.raises(InUse):
        await delete_category(graph, "lips", 1, "alice")
    renamed = await update_category(graph, "lips", {"name_en": "Lip colour"}, 1, "alice")
    assert renamed.version == 2
    await update_product(graph, "LIP-1", {"category": None}, 1, "alice")
    assert await graph.read("MATCH (:Product)-[r:IN_CATEGORY]->() RETURN count(r) AS n") == [{"n": 0}]
    await delete_category(graph, "lips", 2, "alice")


async def test_variants_crud_and_currency(graph: GraphStore) -> None:
    await create_product(graph, lipstick(), "alice")
    red = await create_variant(graph, Variant(id="LIP-1-RED", sku="LIP-1", colour="Red", stock=3), "alice")
    assert red.version == 1 and red.price is None
    with pytest.raises(ValidationError) as bad_price:
        await create_variant(graph, Variant(id="LIP-1-X", sku="LIP-1", price="1.001"), "alice")
    assert bad_price.value.field == "price"
    with pytest.raises(ValidationError) as no_product:
        await create_variant(graph, Variant(id="X-1", sku="NOPE"), "alice")
    assert no_product.value.field == "sku"
    changed = await update_variant(graph, "LIP-1-RED", {"stock": 0, "price": "88.80"}, 1, "bob")
    assert changed.price == Decimal("88.80") and not changed.available
    with pytest.raises(VersionConflict):
        await update_variant(graph, "LIP-1-RED", {"stock": 9}, 1, "bob")
    with pytest.raises(ValidationError):
        await update_variant(graph, "LIP-1-RED", {"sku": "OTHER"}, 2, "bob")
    await delete_variant(graph, "LIP-1-RED", 2, "bob")
    assert await get_variant(graph, "LIP-1-RED") is None
    await create_variant(graph, Variant(id="LIP-1-PINK", sku="LIP-1", colour="Pink"), "alice")
    await delete_product(graph, "LIP-1", 1, "alice")  # takes its variants along
    assert await graph.read("MATCH (v:Variant) RETURN count(v) AS n") == [{"n": 0}]


async def test_promotions_and_sessions_crud(graph: GraphStore) -> None:
    await create_product(graph, lipstick(), "alice")
    promo = Promotion(
        code="SALE10",
        discount_percent=10,
        valid_from="2026-01-01T00:00:00Z",
        valid_to="2026-02-01T00:00:00+08:00",
        skus=["LIP-1"],
    )
    created = await create_promotion(graph, promo, "alice")
    assert created.skus == ("LIP-1",) and created.to_json()["valid_to"] == "2026-01-31T16:00:00Z"
    with pytest.raises(ValidationError) as unknown:
        await create_promotion(graph, Promotion(**{**promo.__dict__, "code": "X", "skus": ("NOPE",)}), "a")
    assert unknown.value.field == "skus"
    widened = await update_promotion(graph, "SALE10", {"skus": [], "discount_percent": 20}, 1, "bob")
    assert widened.skus == () and widened.discount_percent == 20
    with pytest.raises(ValidationError) as dates:
        await update_promotion(graph, "SALE10", {"valid_to": "2025-01-01T00:00:00Z"}, 2, "bob")
    assert dates.value.field == "valid_to"
    await delete_promotion(graph, "SALE10", 2, "bob")

    session = StreamSession(
        id="s1", title_en="Lip night", starts_at="2026-12-01T12:00:00Z", ends_at="2026-12-01T14:00:00Z"
    )
    assert (await create_session(graph, session, "alice")).version == 1
    moved = await update_session(graph, "s1", {"starts_at": "2026-12-01T13:00:00Z"}, 1, "alice")
    assert moved.version == 2
    with pytest.raises(ValidationError) as bad:
        await update_session(graph, "s1", {"ends_at": "2026-12-01T12:00:00Z"}, 2, "alice")
    assert bad.value.field == "ends_at"
    await delete_session(graph, "s1", 2, "alice")
    entities = {e.entity for e in await list_audit(graph)}
    assert entities == {"Product", "Promotion", "StreamSession"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"discount_percent": 0}, "discount_percent"),
        ({"discount_percent": 101}, "discount_percent"),
        ({"discount_percent": None}, "discount_percent"),
        ({"discount_percent": None, "discount_amount": "5"}, "currency"),
        ({"discount_percent": None, "discount_amount": "5", "currency": "EUR2"}, "currency"),
        ({"valid_from": "2026-01-01T00:00:00"}, "valid_from"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"code": "bad code"}, "code"),
        ({"title_en": "x" * 201}, "title_en"),
    ],
)
def test_promotion_validation(kwargs: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {
        "code": "P",
        "discount_percent": 10,
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_to": "2026-02-01T00:00:00Z",
    }
    with pytest.raises(ValidationError) as info:
        Promotion(**{**base, **kwargs})
    assert info.value.field == field


async def test_audit_actor_must_be_plain(graph: GraphStore) -> None:
    with pytest.raises(ValidationError) as info:
        await create_product(graph, lipstick(), "bad actor\n")
    assert info.value.field == "actor"
    assert await get_product(graph, "LIP-1") is None


async def test_deleting_a_product_deletes_its_faqs_and_audits_them(graph: GraphStore) -> None:
    from knowledge_graph.catalog.faqs import get_faq
    from knowledge_graph.editing.faq import create_faq
    from knowledge_graph.model.faq import FAQ

    await create_product(graph, lipstick(), "alice")
    faq = FAQ(
        id="lip-q1",
        question_en="Waterproof?",
        question_zh="",
        answer_en="Yes.",
        answer_zh="",
        product_sku="LIP-1",
    )
    await create_faq(graph, faq, actor="alice")
    await delete_product(graph, "LIP-1", 1, "bob")
    assert await get_faq(graph, "lip-q1") is None
    entry = (await list_audit(graph, entity="Product", key="LIP-1"))[0]
    assert entry.action == "delete" and entry.changes["faqs_deleted"] == ["lip-q1"]


async def test_concurrent_writers_at_the_same_version_exactly_one_wins(graph: GraphStore) -> None:
    import asyncio

    await create_product(graph, lipstick(), "alice")
    results = await asyncio.gather(
        *(update_product(graph, "LIP-1", {"stock": 100 + i}, 1, f"editor{i}") for i in range(6)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Product)]
    assert len(winners) == 1 and all(isinstance(r, VersionConflict) for r in results if r not in winners)
    current = await get_product(graph, "LIP-1")
    assert current is not None and current.version == 2 and current.stock == winners[0].stock
    updates = [e for e in await list_audit(graph, entity="Product") if e.action == "update"]
    assert len(updates) == 1 and updates[0].changes == {"stock": [10, current.stock]}
