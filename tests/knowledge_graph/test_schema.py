"""migrate: indexes created once, second run a no-op."""

from __future__ import annotations

from knowledge_graph.schema import INDEXES, list_indexes, migrate
from knowledge_graph.store import GraphStore


async def test_migrate_creates_every_index(store: GraphStore) -> None:
    created = await migrate(store)
    assert created == list(INDEXES)
    assert await list_indexes(store) == sorted((spec.label, spec.property) for spec in INDEXES)


async def test_migrate_is_idempotent(store: GraphStore) -> None:
    await migrate(store)
    first = await list_indexes(store)
    assert await migrate(store) == []
    assert await list_indexes(store) == first


async def test_migrate_after_data_exists(store: GraphStore) -> None:
    await store.write("CREATE (:Product {sku: 'X'})")
    await migrate(store)
    assert ("Product", "sku") in await list_indexes(store)
    assert await store.read("MATCH (p:Product {sku: 'X'}) RETURN p.sku AS sku") == [{"sku": "X"}]


async def test_full_migration_twice_gives_the_same_schema(store: GraphStore) -> None:
    """Range indexes, uniqueness constraints and the FAQ vector indexes: a second run changes nothing."""
    from knowledge_graph.schema import describe_schema

    await migrate(store)
    first = await describe_schema(store)
    assert ("Variant", "id", "RANGE") in first and ("Promotion", "code", "RANGE") in first
    assert any(kind == "VECTOR" for _label, _prop, kind in first)
    assert await migrate(store) == []
    assert await describe_schema(store) == first
