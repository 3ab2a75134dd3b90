"""Read API for the bot: variant availability and counts, active promotions, the next stream.

All are single indexed reads; times are epoch ms (an aware ``datetime`` or ISO
string is accepted too, see ``timeutil.to_ms``). Matching of size/colour names uses
``normalize_key`` like product lookup, so "ＸＬ", "xl " and "XL" are the same size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from knowledge_graph.model.entities import Promotion, StreamSession, Variant
from knowledge_graph.model.text import normalize_key
from knowledge_graph.model.timeutil import to_ms
from knowledge_graph.store import GraphStore

__all__ = ["active_promotions", "next_stream", "variant_counts", "variants_of"]

Moment = int | datetime | str


async def variants_of(
    store: GraphStore, sku: str, size: str | None = None, colour: str | None = None
) -> list[Variant]:
    """The product's variants (ordered by id), optionally only those of ``size``/``colour``.

    ``Variant.available`` tells whether one is in stock. An unknown SKU gives [].
    """
    rows = await store.read(
        "MATCH (p:Product {sku: $sku})-[:HAS_VARIANT]->(v:Variant) RETURN v, p.currency AS currency "
        "ORDER BY v.id",
        {"sku": sku},
    )
    variants = [Variant.from_graph(row["v"], sku, row["currency"]) for row in rows]
    if size is not None:
        wanted = normalize_key(size)
        variants = [v for v in variants if v.size is not None and normalize_key(v.size) == wanted]
    if colour is not None:
        wanted = normalize_key(colour)
        variants = [v for v in variants if v.colour is not None and normalize_key(v.colour) == wanted]
    return variants


async def variant_counts(store: GraphStore, skus: Sequence[str]) -> dict[str, int]:
    """How many variants each of the products ``skus`` has, in one query (a product without any is
    left out)."""
    rows = await store.read(
        "MATCH (p:Product)-[:HAS_VARIANT]->(v:Variant) WHERE p.sku IN $skus "
        "RETURN p.sku AS sku, count(v) AS n",
        {"skus": list(skus)},
    )
    return {row["sku"]: int(row["n"]) for row in rows}


async def active_promotions(store: GraphStore, now: Moment, sku: str | None = None) -> list[Promotion]:
    """Promotions valid at ``now`` (``valid_from <= now < valid_to``), ending soonest first;
    with ``sku`` only those that apply to that product (or to the whole catalog)."""
    now_ms = to_ms(now, "now")
    rows = await store.read(
        "MATCH (n:Promotion) WHERE n.valid_from <= $now AND $now < n.valid_to "
        "OPTIONAL MATCH (n)-[:APPLIES_TO]->(p:Product) "
        "WITH n, collect(p.sku) AS skus "
        "WHERE $sku IS NULL OR n.all_products OR $sku IN skus "
        "RETURN n, skus ORDER BY n.valid_to, n.code",
        {"now": now_ms, "sku": sku},
    )
    return [Promotion.from_graph(row["n"], row["skus"]) for row in rows]


async def next_stream(store: GraphStore, now: Moment) -> StreamSession | None:
    """The session running at ``now``, else the next one to start; None if nothing is scheduled."""
    now_ms = to_ms(now, "now")
    rows = await store.read(
        "MATCH (n:StreamSession) WHERE n.ends_at > $now RETURN n ORDER BY n.starts_at, n.id LIMIT 1",
        {"now": now_ms},
    )
    return StreamSession.from_graph(rows[0]["n"]) if rows else None
