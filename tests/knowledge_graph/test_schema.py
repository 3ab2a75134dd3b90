"""migrate: indexes created once, second run a no-op."""

from __future__ import annotations

import pytest

from knowledge_graph.schema import INDEXES, list_indexes, migrate
from knowledge_graph.semantic.vector import VECTOR_FIELDS
from knowledge_graph.store import GraphStore, open_store

from .conftest import neo4j_config, wipe_neo4j


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


@pytest.mark.neo4j
async def test_neo4j_faq_vector_indexes_are_exact_and_a_quantized_one_is_rebuilt(
    request: pytest.FixtureRequest,
) -> None:
    """Neo4j >= 5.23 quantizes vector indexes by default, which moves its scores off the cosine the FAQ
    thresholds are calibrated on (FalkorDB's are exact): migrate makes them exact, and rebuilds one an
    older liveroom made with the default."""
    config, _ = neo4j_config(request)
    store = open_store(config)
    try:
        await wipe_neo4j(store)
        field = VECTOR_FIELDS[0]
        await store.write(
            f"CREATE VECTOR INDEX {field.index_name} FOR (f:FAQ) ON f.{field.prop} "
            f"OPTIONS {{indexConfig: {{`vector.dimensions`: {field.dim}, "
            "`vector.similarity_function`: 'cosine'}}"
        )
        await migrate(store)
        rows = await store.read(
            "SHOW INDEXES YIELD name, type, options WHERE type = 'VECTOR' RETURN name, options"
        )
        assert sorted(row["name"] for row in rows) == sorted(f.index_name for f in VECTOR_FIELDS)
        for row in rows:
            assert row["options"]["indexConfig"]["vector.quantization.enabled"] is False, row
    finally:
        await wipe_neo4j(store)
        await store.close()
