"""Indexes and constraints the catalog relies on, created idempotently.

The graph model (see catalog.py and faq.py for the properties):

    (:Alias {key, lang})-[:NAME_OF]->(:Product {sku, ...})
    (:FAQ {id, ...})-[:ABOUT]->(:Product) | (:Streamer {id, ...})

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
)


async def migrate(store: GraphStore) -> list[IndexSpec]:
    """Create whatever of ``INDEXES`` is missing; return what was created. Idempotent."""
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
    return created


async def list_indexes(store: GraphStore) -> list[tuple[str, str]]:
    """Sorted ``(label, property)`` pairs of the node-property indexes in the graph."""
    if store.dialect == "falkordb":
        rows = await store.read(
            "CALL db.indexes() YIELD label, properties, entitytype "
            "WHERE entitytype = 'NODE' RETURN label, properties"
        )
        pairs = {(row["label"], prop) for row in rows for prop in row["properties"]}
    else:
        rows = await store.read(
            "SHOW INDEXES YIELD labelsOrTypes, properties, entityType "
            "WHERE entityType = 'NODE' AND labelsOrTypes IS NOT NULL "
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
