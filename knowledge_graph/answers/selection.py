"""Parameterised catalog selections behind comparisons, superlatives, filters and recommendations.

Each is one read on either backend (FalkorDB and Neo4j run the same Cypher): filter by category,
attribute tags (a product for all skin types, ``skin:all``, suits a skin type asked only when no product
is made for that skin type: "cheapest thing for oily skin" means the oil-control products), price
bounds in the product's minor units, stock and stock bounds, then order by price or by how many viewers asked
about a product (``askers``, kept by ``interactions.py``). The order is chosen from a fixed table by
name, so no input ever becomes query text. Colour questions select the variants whose colour is one
of the catalog shades of the asked colour family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from knowledge_graph.answers.lexicon import TAG_ALSO
from knowledge_graph.model.money import to_minor_units
from knowledge_graph.model.product import Product, _product_from_graph
from knowledge_graph.store import GraphStore

ORDERS: dict[str, str] = {
    "price_asc": "p.price_minor ASC, p.sku",
    "price_desc": "p.price_minor DESC, p.sku",
    "popular": "coalesce(p.askers, 0) DESC, p.price_minor ASC, p.sku",
    "stock_desc": "p.stock DESC, p.sku",
    "stock_asc": "p.stock ASC, p.sku",
}

_WHERE = (
    "WHERE (size($categories) = 0 OR p.category IN $categories) "
    "AND NOT p.category IN $excluded "
    "AND ($currency IS NULL OR p.currency = $currency) "
    "AND ($max_minor IS NULL OR p.price_minor <= $max_minor) "
    "AND ($min_minor IS NULL OR p.price_minor >= $min_minor) "
    "AND (NOT $in_stock OR p.stock > 0) "
    "AND ($max_stock IS NULL OR p.stock <= $max_stock) "
    "AND ($min_stock IS NULL OR p.stock >= $min_stock) "
    "AND ($word IS NULL OR toLower(p.name_en) CONTAINS $word OR p.name_zh CONTAINS $word) "
    "AND all(t IN $tags WHERE t IN coalesce(p.tags, []) "
    "OR any(pair IN $also WHERE pair[0] = t AND pair[1] IN coalesce(p.tags, [])) "
    "OR ($all_skin AND t STARTS WITH 'skin:' AND 'skin:all' IN coalesce(p.tags, []))) "
)
_SELECT = {
    order: f"MATCH (p:Product) {_WHERE}RETURN p ORDER BY {sql} LIMIT $limit" for order, sql in ORDERS.items()
}
_COUNT = f"MATCH (p:Product) {_WHERE}RETURN count(p) AS n"
_SHADES = (
    "MATCH (p:Product)-[:HAS_VARIANT]->(v:Variant) "
    "WHERE v.colour IN $shades AND (NOT $in_stock OR v.stock > 0) "
    "AND ($category IS NULL OR p.category = $category) "
    "WITH p, collect(v.colour) AS colours "
    "RETURN p, colours ORDER BY p.sku LIMIT $limit"
)


@dataclass(frozen=True)
class Selection:
    """What to select: all None / empty selects every product."""

    categories: tuple[str, ...] = ()
    """Products of any of these categories (empty: every category)."""
    excluded: tuple[str, ...] = ()
    """Products of none of these categories ("cheapest travel thing that's not for lips")."""
    tags: tuple[str, ...] = ()
    max_price: Decimal | None = None
    min_price: Decimal | None = None
    currency: str | None = None
    """Price bounds are in this currency; products in another currency are left out."""
    in_stock: bool = False
    max_stock: int | None = None
    min_stock: int | None = None
    name_word: str | None = None
    """Only products whose English (lower-cased) or Chinese name contains this word."""

    def params(self) -> dict[str, Any]:
        currency = self.currency
        bounds = {
            "max_minor": None
            if self.max_price is None or currency is None
            else to_minor_units(self.max_price, currency),
            "min_minor": None
            if self.min_price is None or currency is None
            else to_minor_units(self.min_price, currency),
        }
        return {
            "categories": list(self.categories),
            "excluded": list(self.excluded),
            "tags": list(self.tags),
            "also": [[tag, other] for tag in self.tags for other in TAG_ALSO.get(tag, ())],
            "currency": currency if (self.max_price is not None or self.min_price is not None) else None,
            "in_stock": self.in_stock,
            "max_stock": self.max_stock,
            "min_stock": self.min_stock,
            "word": self.name_word,
            **bounds,
        }


async def select_products(
    store: GraphStore,
    selection: Selection,
    *,
    order: str = "price_asc",
    limit: int = 5,
    all_skin: bool = True,
) -> tuple[list[Product], int]:
    """The first ``limit`` products of ``selection`` in ``order`` (a key of ``ORDERS``), and how many
    products it selects in all; ``all_skin``: the all-skin products stand in when none is made for the
    skin type asked."""
    params = {**selection.params(), "limit": limit, "all_skin": False}
    rows = await store.read(_SELECT[order], params)
    if not rows and all_skin and sum(tag.startswith("skin:") for tag in selection.tags) == 1:
        params["all_skin"] = True  # nothing made for this skin type: the all-skin products suit it
        rows = await store.read(_SELECT[order], params)
    counted = await store.read(_COUNT, params)
    total = int(counted[0]["n"]) if counted else 0
    return [_product_from_graph(row["p"]) for row in rows], total


_SOLD_OUT = (
    "MATCH (p:Product) WHERE ($category IS NULL OR p.category = $category) "
    "OPTIONAL MATCH (p)-[:HAS_VARIANT]->(v:Variant) WHERE v.stock <= 0 "
    "WITH p, collect(v.colour) AS colours, collect(v.id) AS ids "
    "WHERE p.stock <= 0 OR size(ids) > 0 "
    "RETURN p, colours, ids ORDER BY p.sku LIMIT $limit"
)


async def sold_out(
    store: GraphStore, *, category: str | None = None, limit: int = 8
) -> list[tuple[Product, list[str]]]:
    """Products sold out, or with a sold-out variant: (product, the sold-out variants' colours or ids;
    empty when the whole product is gone)."""
    rows = await store.read(_SOLD_OUT, {"category": category, "limit": limit})
    found = []
    for row in rows:
        product = _product_from_graph(row["p"])
        gone = (
            []
            if product.stock <= 0
            else sorted(c or i for c, i in zip(row["colours"], row["ids"], strict=False))
        )
        found.append((product, gone))
    return found


async def products_in_shades(
    store: GraphStore,
    shades: Sequence[str],
    *,
    category: str | None = None,
    in_stock: bool = True,
    limit: int = 8,
) -> list[tuple[Product, list[str]]]:
    """Products with a variant in one of ``shades`` (catalog colour values), with those shades."""
    rows = await store.read(
        _SHADES, {"shades": list(shades), "category": category, "in_stock": in_stock, "limit": limit}
    )
    return [(_product_from_graph(row["p"]), sorted(row["colours"])) for row in rows]
