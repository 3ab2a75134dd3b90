"""Indexes and constraints the catalog relies on, created idempotently.

The graph model (see model/product.py, model/entities.py and model/faq.py for the properties):

    (:Alias {key, lang})-[:NAME_OF]->(:Product {sku, ...})
    (:Product)-[:HAS_VARIANT]->(:Variant {id, size, colour, stock, price_minor, version})
    (:Product)-[:IN_CATEGORY]->(:Category {id, name_en, name_zh, version})
    (:Promotion {code, discount_percent | discount_minor, valid_from, valid_to, ...})
        -[:APPLIES_TO]->(:Product)
    (:Streamer {id, ...})-[:HAS_SESSION]->(:StreamSession {id, title_en, title_zh, starts_at, ends_at, ...})
    (:FAQ {id, ...})-[:ABOUT]->(:Product) | (:Category) | (:Streamer {id, ...})
    (:AuditEntry {id, at, actor, action, entity, key, changes})
    (:CatalogMeta {id: 'catalog', generation})   -- bumped when match keys change (catalog/key_index.py)

Times are epoch milliseconds (integers), money integer minor units.

``INDEXES`` is the single declaration of what must be indexed; the per-dialect DDL
lives only in this module. Labels and property names are code constants, never input,
which is the one case where names are written into query text.

FalkorDB gets range indexes only: it runs the writes on one graph one at a time, so
``MERGE`` on an indexed key cannot create duplicates there. Neo4j runs writes
concurrently, so the keys marked ``unique`` get uniqueness constraints (which also
create the backing index).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from knowledge_graph.errors import QueryFailed
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass(frozen=True)
class IndexSpec:
    """An index on one property of one node label."""

    label: str
    property: str
    unique: bool = False

    def __post_init__(self) -> None:
        for name in (self.label, self.property):
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError(f"not a plain identifier: {name!r}")

    @property
    def name(self) -> str:
        """Neo4j index/constraint name."""
        return f"{self.label.lower()}_{self.property.lower()}{'_unique' if self.unique else ''}"


INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("Product", "sku", unique=True),
    IndexSpec("Alias", "key"),
    IndexSpec("FAQ", "id", unique=True),
    IndexSpec("Streamer", "id", unique=True),
    IndexSpec("Variant", "id", unique=True),
    IndexSpec("Category", "id", unique=True),
    IndexSpec("Promotion", "code", unique=True),
    IndexSpec("StreamSession", "id", unique=True),
    IndexSpec("StreamSession", "starts_at"),
    IndexSpec("AuditEntry", "at"),
    IndexSpec("AuditEntry", "key"),
    IndexSpec("CatalogMeta", "id", unique=True),
    IndexSpec("Viewer", "key", unique=True),  # interactions: one Viewer per platform:id
)


async def migrate(store: GraphStore, *, vector_indexes: bool = True) -> list[IndexSpec]:
    """Create whatever of ``INDEXES`` is missing; return what was created. Idempotent.

    Then (unless ``vector_indexes`` is False) the FAQ vector indexes, whose DDL and
    dimensions belong to ``knowledge_graph.semantic`` -- see ``_migrate_vector_indexes``.
    """
    existing = set(await list_indexes(store))
    created: list[IndexSpec] = []
    for spec in INDEXES:
        if (spec.label, spec.property) in existing:
            continue
        if await _create(store, spec):
            created.append(spec)
    if created:
        log.info(
            "created indexes on %s: %s",
            store.describe(),
            ", ".join(f"{s.label}.{s.property}" for s in created),
        )
    if vector_indexes:
        await _migrate_vector_indexes(store)
    return created


async def _migrate_vector_indexes(store: GraphStore) -> list[str]:
    """Hook into the semantic FAQ package (part of migrate); returns the properties indexed now.

    Imported lazily: the semantic package pulls in numpy and the encoders, which code
    that only needs the catalog (actions, tests of the catalog) should not pay for.
    """
    try:
        from knowledge_graph.semantic.vector import ensure_faq_vector_indexes
    except ImportError as err:  # the semantic package (or numpy) is missing in this runtime
        log.warning("FAQ vector indexes not created: %s", err)
        return []
    return await ensure_faq_vector_indexes(store)


async def list_indexes(store: GraphStore) -> list[tuple[str, str]]:
    """Sorted ``(label, property)`` pairs of the node-property range indexes in the graph.

    Vector (and full-text) indexes are left out: they belong to the semantic package.
    """
    if store.dialect == "falkordb":
        rows = await store.read(
            "CALL db.indexes() YIELD label, properties, types, entitytype "
            "WHERE entitytype = 'NODE' RETURN label, properties, types"
        )
        pairs = {
            (row["label"], prop)
            for row in rows
            for prop in row["properties"]
            if "RANGE" in ((row["types"] or {}).get(prop) or ["RANGE"])
        }
    else:
        rows = await store.read(
            "SHOW INDEXES YIELD labelsOrTypes, properties, entityType, type "
            "WHERE entityType = 'NODE' AND labelsOrTypes IS NOT NULL AND type = 'RANGE' "
            "RETURN labelsOrTypes, properties"
        )
        pairs = {
            (label, prop) for row in rows for label in row["labelsOrTypes"] for prop in row["properties"]
        }
    return sorted(pairs)


async def _create(store: GraphStore, spec: IndexSpec) -> bool:
    """Create one index; False if a concurrent migrate created it first."""
    if store.dialect == "falkordb":
        try:
            await store.write(f"CREATE INDEX FOR (n:{spec.label}) ON (n.{spec.property})")
        except QueryFailed as err:
            if "already indexed" in str(err):
                return False
            raise
        return True
    if spec.unique:
        ddl = (
            f"CREATE CONSTRAINT {spec.name} IF NOT EXISTS "
            f"FOR (n:{spec.label}) REQUIRE n.{spec.property} IS UNIQUE"
        )
    else:
        ddl = f"CREATE INDEX {spec.name} IF NOT EXISTS FOR (n:{spec.label}) ON (n.{spec.property})"
    await store.write(ddl)
    return True


async def describe_schema(store: GraphStore) -> list[tuple[str, str, str]]:
    """Every node index as sorted ``(label, property, kind)``, vector indexes included.

    For checking that migrations are idempotent (running ``migrate`` twice must not
    change this) and for ``python -m knowledge_graph stats``.
    """
    if store.dialect == "falkordb":
        rows = await store.read(
            "CALL db.indexes() YIELD label, properties, types, entitytype "
            "WHERE entitytype = 'NODE' RETURN label, properties, types"
        )
        return sorted(
            (row["label"], prop, kind)
            for row in rows
            for prop in row["properties"]
            for kind in ((row["types"] or {}).get(prop) or ["RANGE"])
        )
    rows = await store.read(
        "SHOW INDEXES YIELD labelsOrTypes, properties, entityType, type "
        "WHERE entityType = 'NODE' AND labelsOrTypes IS NOT NULL RETURN labelsOrTypes, properties, type"
    )
    return sorted(
        (label, prop, row["type"])
        for row in rows
        for label in row["labelsOrTypes"]
        for prop in row["properties"]
    )
