"""What viewers asked about: the interaction graph recommendations are computed from.

Graph shape::

    (:Viewer {key: "<platform>:<id>", platform, id, first_at, last_at})
        -[:ASKED_ABOUT {count, first_at, last_at}]->(:Product {..., askers, asks})
        -[:BOUGHT {count, first_at, last_at}]->(:Product)
    (:Product)-[:ALSO_ASKED {count}]->(:Product)

``ALSO_ASKED`` is the item-item co-occurrence "viewers who asked about X also asked about
Y": ``count`` is the number of viewers who asked about both, kept in both directions.
Why precomputed: counting it at query time walks viewer -> product -> every other asker
-> their products, which on a busy stream is hundreds of thousands of paths per
recommendation; maintained on write it costs one extra MERGE per product the viewer
already asked about, and a recommendation becomes a 2-hop read. ``askers`` (distinct
viewers) and ``asks`` (total) on Product are the popularity signal, so the popularity
fallback does not aggregate edges either.

Every ``record_interaction`` is one atomic MERGE statement: viewer, edge, counters and
co-occurrence change together or not at all. Times are epoch milliseconds.

Index: ``schema.INDEXES`` holds the unique index on ``Viewer.key``, so the viewer lookup is an index
seek and, on Neo4j, concurrent first messages of one viewer cannot create two Viewer nodes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from knowledge_graph.errors import NotFound, ValidationError
from knowledge_graph.model.timeutil import now_ms, to_ms
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)

KINDS: dict[str, str] = {"asked": "ASKED_ABOUT", "bought": "BOUGHT"}
"""Interaction kind -> relationship type (code constants, never input)."""

_PLATFORM = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_MAX_VIEWER_ID = 128

_UPSERT_EDGE = """
MATCH (p:Product {{sku: $sku}})
MERGE (v:Viewer {{key: $key}})
  ON CREATE SET v.platform = $platform, v.id = $viewer_id, v.first_at = $at
SET v.last_at = CASE WHEN v.last_at IS NULL OR v.last_at < $at THEN $at ELSE v.last_at END
MERGE (v)-[r:{rel}]->(p)
  ON CREATE SET r.count = 0, r.first_at = $at
WITH v, p, r, r.count = 0 AS first
SET r.count = r.count + 1,
    r.last_at = CASE WHEN r.last_at IS NULL OR r.last_at < $at THEN $at ELSE r.last_at END
"""

_ASKED = (
    _UPSERT_EDGE.format(rel="ASKED_ABOUT")
    + """,
    p.asks = coalesce(p.asks, 0) + 1,
    p.askers = coalesce(p.askers, 0) + CASE WHEN first THEN 1 ELSE 0 END
WITH v, p, r, first
OPTIONAL MATCH (v)-[:ASKED_ABOUT]->(q:Product) WHERE first AND q.sku <> p.sku
WITH p, r, collect(q) AS others
FOREACH (q IN others |
  MERGE (p)-[a:ALSO_ASKED]->(q) ON CREATE SET a.count = 0
  SET a.count = a.count + 1
  MERGE (q)-[b:ALSO_ASKED]->(p) ON CREATE SET b.count = 0
  SET b.count = b.count + 1)
RETURN r.count AS count, size(others) AS linked
"""
)

_BOUGHT = _UPSERT_EDGE.format(rel="BOUGHT") + "RETURN r.count AS count, 0 AS linked\n"


@dataclass(frozen=True)
class Interaction:
    """The state of one viewer-product edge after ``record_interaction``."""

    viewer_key: str
    sku: str
    kind: str
    count: int
    """How many times this viewer did ``kind`` for this product, including this one."""
    linked: int
    """Co-occurrence links added (products the viewer had asked about before; first ask only)."""


def viewer_key(platform: str, viewer_id: str) -> str:
    """``"twitch:12345"``: the Viewer node key. Validates both parts."""
    if not isinstance(platform, str) or not _PLATFORM.fullmatch(platform):
        raise ValidationError(
            "platform", f"must be 1-32 characters of a-z 0-9 _ - (lower case), got {platform!r}"
        )
    if (
        not isinstance(viewer_id, str)
        or not viewer_id.strip()
        or len(viewer_id) > _MAX_VIEWER_ID
        or any(ord(ch) < 32 for ch in viewer_id)
    ):
        raise ValidationError(
            "viewer_id", f"must be 1-{_MAX_VIEWER_ID} printable characters, got {viewer_id!r}"
        )
    return f"{platform}:{viewer_id}"


async def record_interaction(
    store: GraphStore,
    platform: str,
    viewer_id: str,
    sku: str,
    kind: str = "asked",
    at: int | str | datetime | None = None,
) -> Interaction:
    """Record that a viewer asked about (or bought) a product, in one atomic statement.

    Creates the Viewer on first sight, bumps the edge's ``count`` and ``last_at`` (an older
    ``at`` arriving late does not move ``last_at`` back) and, on a viewer's first question
    about this product, the co-occurrence counts with every product they asked about before.
    Raises NotFound (nothing written) for an unknown SKU, ValidationError for bad input.
    """
    key = viewer_key(platform, viewer_id)
    if kind not in KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(sku, str) or not sku:
        raise ValidationError("sku", f"must be a non-empty string, got {sku!r}")
    when = now_ms() if at is None else to_ms(at, "at")
    query = _ASKED if kind == "asked" else _BOUGHT
    rows = await store.write(
        query, {"sku": sku, "key": key, "platform": platform, "viewer_id": viewer_id, "at": when}
    )
    if not rows:
        raise NotFound(f"no product with sku {sku!r}")
    row = rows[0]
    log.debug("interaction %s %s %s (count %s)", key, kind, sku, row["count"])
    return Interaction(key, sku, kind, int(row["count"]), int(row["linked"]))


async def viewer_history(store: GraphStore, platform: str, viewer_id: str) -> list[tuple[str, int, int]]:
    """``(sku, count, last_at)`` of everything the viewer asked about, most recent first."""
    rows = await store.read(
        "MATCH (:Viewer {key: $key})-[r:ASKED_ABOUT]->(p:Product) "
        "RETURN p.sku AS sku, r.count AS count, r.last_at AS last_at ORDER BY last_at DESC, sku",
        {"key": viewer_key(platform, viewer_id)},
    )
    return [(row["sku"], int(row["count"]), int(row["last_at"])) for row in rows]
