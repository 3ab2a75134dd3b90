"""Product reads: one product by SKU, all of them, by exact name.

Graph shape::

    (:Product {sku, name_en, name_zh, aliases_en, aliases_zh, price_minor, currency,
               stock, description_en, description_zh, url, tags, category, version})
    (:Alias {key, lang})-[:NAME_OF]->(:Product)
    (:Product)-[:IN_CATEGORY]->(:Category {id})   -- mirrors the ``category`` property

Every way a viewer may name a product -- the SKU, both names and every alias -- is
stored as an ``Alias`` node holding its ``normalize_key`` form, one node per product
and key, on an indexed ``key`` property. That makes exact lookup an index seek on both
backends (Neo4j cannot index membership in a list property) and leaves room for later
per-key data (weights, "seen in chat" counts, who added it).

Money: ``price`` is a ``Decimal`` in Python and an integer number of minor units in the
graph (``price_minor``: 129.90 CNY is stored as 12990; ISO 4217 exponents, so JPY has
none). Integers round-trip exactly on both backends and still sort and compare in
Cypher, which price filters for recommendations will need. A price with more decimals
than its currency allows is rejected rather than rounded.

Concurrency: ``version`` starts at 1 and goes up by one with every change, so writers
can do optimistic concurrency (``set_price(..., expected_version=...)``).
"""

from __future__ import annotations

from knowledge_graph.model.product import Product, _product_from_graph
from knowledge_graph.model.text import normalize_key
from knowledge_graph.store import GraphStore

__all__ = ["BUMP_GENERATION", "count_products", "find_products", "get_product", "list_products"]

BUMP_GENERATION = (
    "MERGE (meta:CatalogMeta {id: 'catalog'}) SET meta.generation = coalesce(meta.generation, 0) + 1"
)
"""Appended to every statement that changes ``Alias`` nodes, so the in-process typo index
(knowledge_graph.catalog.key_index) knows with one indexed read whether its copy of the keys is current."""


async def get_product(store: GraphStore, sku: str) -> Product | None:
    """The product with this exact SKU, or None."""
    rows = await store.read("MATCH (p:Product {sku: $sku}) RETURN p", {"sku": sku})
    return _product_from_graph(rows[0]["p"]) if rows else None


async def list_products(store: GraphStore) -> list[Product]:
    """All products, ordered by SKU. Fine for a stream's catalog (hundreds), not for millions."""
    rows = await store.read("MATCH (p:Product) RETURN p ORDER BY p.sku")
    return [_product_from_graph(row["p"]) for row in rows]


async def count_products(store: GraphStore) -> int:
    rows = await store.read("MATCH (p:Product) RETURN count(p) AS n")
    return int(rows[0]["n"]) if rows else 0


async def find_products(store: GraphStore, name: str) -> list[Product]:
    """Every product whose SKU, name or alias equals ``name`` after ``normalize_key``."""
    key = normalize_key(name)
    if not key:
        return []
    rows = await store.read(
        "MATCH (:Alias {key: $key})-[:NAME_OF]->(p:Product) RETURN DISTINCT p ORDER BY p.sku",
        {"key": key},
    )
    return [_product_from_graph(row["p"]) for row in rows]
