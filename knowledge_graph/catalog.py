"""The product catalog: the query API actions/ and bot/ use.

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

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from knowledge_graph.errors import NotFound, ValidationError, VersionConflict
from knowledge_graph.money import (
    CURRENCY_EXPONENTS,
    as_decimal,
    check_amount,
    currency_exponent,
    from_minor_units,
    to_minor_units,
)
from knowledge_graph.store import GraphStore, write_lock
from knowledge_graph.text import normalize_key, pick_language
from knowledge_graph.validate import check_id, check_tags, check_url

__all__ = [
    "CURRENCY_EXPONENTS",
    "MAX_MENTION_TEXT",
    "Mention",
    "NotFound",
    "Product",
    "VersionConflict",
    "count_products",
    "find_key_conflicts",
    "find_mentions",
    "find_product",
    "find_product_mentioned",
    "find_products",
    "from_minor_units",
    "get_product",
    "list_products",
    "normalize_key",
    "set_price",
    "to_minor_units",
    "upsert_products",
]

log = logging.getLogger(__name__)

BUMP_GENERATION = (
    "MERGE (meta:CatalogMeta {id: 'catalog'}) SET meta.generation = coalesce(meta.generation, 0) + 1"
)
"""Appended to every statement that changes ``Alias`` nodes, so the in-process typo index
(knowledge_graph.fuzzy) knows with one indexed read whether its copy of the keys is current."""

MAX_MENTION_TEXT = 1000
"""Chat text beyond this many (normalized) characters is ignored by mention search."""

_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MAX_NAME = 200
_MAX_ALIAS = 100
_MAX_DESCRIPTION = 4000


# --------------------------------------------------------------------------- product


@dataclass(frozen=True, kw_only=True)
class Product:
    """One product as viewers and actions see it. Validated on construction.

    ``version`` is 0 for a product that has not been stored yet; the graph owns it.
    Lists given for the alias fields are turned into tuples, a str/int ``price`` into a
    Decimal with the currency's number of decimals.
    """

    sku: str
    name_en: str
    name_zh: str
    aliases_en: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    price: Decimal
    currency: str
    stock: int
    description_en: str | None = None
    description_zh: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    """Id of a ``Category`` node; kept as a property too so reads need no extra hop."""
    version: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalizing values needs the back door
        if not isinstance(self.sku, str) or not _SKU.fullmatch(self.sku):
            raise ValidationError("sku", f"must be 1-64 characters of A-Z a-z 0-9 . _ - , got {self.sku!r}")
        for field in ("name_en", "name_zh"):
            value = getattr(self, field)
            if not isinstance(value, str) or len(value) > _MAX_NAME:
                raise ValidationError(field, f"must be a string of at most {_MAX_NAME} characters")
        if not normalize_key(self.name_en) and not normalize_key(self.name_zh):
            raise ValidationError("name_en", "a product needs a name in at least one language")
        for field in ("aliases_en", "aliases_zh"):
            value = getattr(self, field)
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ValidationError(field, "must be a list of strings")
            aliases = tuple(value)
            for alias in aliases:
                if not isinstance(alias, str) or not normalize_key(alias) or len(alias) > _MAX_ALIAS:
                    raise ValidationError(
                        field, f"aliases must be non-blank strings of at most {_MAX_ALIAS} chars"
                    )
            set_(self, field, aliases)
        currency_exponent(self.currency)
        # to_minor_units checks sign, finiteness and decimals; the round trip fixes the scale.
        minor = to_minor_units(as_decimal(self.price, "price"), self.currency)
        set_(self, "price", from_minor_units(minor, self.currency))
        if isinstance(self.stock, bool) or not isinstance(self.stock, int):
            raise ValidationError("stock", f"must be an integer, got {self.stock!r}")
        if self.stock < 0:
            raise ValidationError("stock", f"must not be negative, got {self.stock}")
        for field in ("description_en", "description_zh"):
            value = getattr(self, field)
            if value is not None and (not isinstance(value, str) or len(value) > _MAX_DESCRIPTION):
                raise ValidationError(field, f"must be a string of at most {_MAX_DESCRIPTION} characters")
            if value is not None and not value.strip():
                set_(self, field, None)
        set_(self, "url", check_url("url", self.url))
        set_(self, "tags", check_tags("tags", self.tags))
        if self.category is not None:
            check_id("category", self.category)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            raise ValidationError("version", f"must be a non-negative integer, got {self.version!r}")

    def name(self, lang: str = "en") -> str:
        """The name in ``lang`` ("en", "zh", "zh-CN", ...), else the other language's."""
        return pick_language(lang, self.name_en, self.name_zh) or ""

    def description(self, lang: str = "en") -> str | None:
        """The description in ``lang``, else the other language's, else None."""
        return pick_language(lang, self.description_en, self.description_zh)

    def match_keys(self) -> tuple[tuple[str, str], ...]:
        """``(key, lang)`` for the SKU, both names and all aliases; keys unique, first wins.

        ``lang`` is "sku", "en" or "zh"; it records where a key came from. Memoized on the
        names (imports ask several times per product).
        """
        return _match_keys(self.sku, self.name_en, self.name_zh, self.aliases_en, self.aliases_zh)


@functools.lru_cache(maxsize=32_768)
def _match_keys(
    sku: str, name_en: str, name_zh: str, aliases_en: tuple[str, ...], aliases_zh: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    sources: list[tuple[str, str]] = [(sku, "sku"), (name_en, "en"), (name_zh, "zh")]
    sources += [(alias, "en") for alias in aliases_en]
    sources += [(alias, "zh") for alias in aliases_zh]
    keys: dict[str, str] = {}
    for text, lang in sources:
        key = normalize_key(text)
        if key and key not in keys:
            keys[key] = lang
    return tuple(keys.items())


def find_key_conflicts(products: Iterable[Product]) -> list[tuple[str, str, str]]:
    """``(key, sku_a, sku_b)`` for every match key that two products share.

    A shared key makes chat lookups ambiguous (they then return None); catalogs loaded
    by ``seed`` must have none.
    """
    owner: dict[str, str] = {}
    conflicts: list[tuple[str, str, str]] = []
    for product in products:
        for key, _lang in product.match_keys():
            other = owner.setdefault(key, product.sku)
            if other != product.sku:
                conflicts.append((key, other, product.sku))
    return conflicts


def _product_from_graph(props: Mapping[str, Any]) -> Product:
    currency = props["currency"]
    return Product(
        sku=props["sku"],
        name_en=props.get("name_en") or "",
        name_zh=props.get("name_zh") or "",
        aliases_en=tuple(props.get("aliases_en") or ()),
        aliases_zh=tuple(props.get("aliases_zh") or ()),
        price=from_minor_units(int(props["price_minor"]), currency),
        currency=currency,
        stock=int(props["stock"]),
        description_en=props.get("description_en"),
        description_zh=props.get("description_zh"),
        url=props.get("url"),
        tags=tuple(props.get("tags") or ()),
        category=props.get("category"),
        version=int(props.get("version") or 0),
    )


def _product_row(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name_en": product.name_en,
        "name_zh": product.name_zh,
        "aliases_en": list(product.aliases_en),
        "aliases_zh": list(product.aliases_zh),
        "price_minor": to_minor_units(product.price, product.currency),
        "currency": product.currency,
        "stock": product.stock,
        "description_en": product.description_en,
        "description_zh": product.description_zh,
        "url": product.url,
        "tags": list(product.tags),
        "category": product.category,
        "keys": [{"key": key, "lang": lang} for key, lang in product.match_keys()],
    }


# Stored fields compared to decide whether an upsert changed anything (and so whether
# it bumps ``version``). Property names are code constants, not input.
_CONTENT_FIELDS = (
    "name_en",
    "name_zh",
    "aliases_en",
    "aliases_zh",
    "price_minor",
    "currency",
    "stock",
    "description_en",
    "description_zh",
    "url",
    "tags",
    "category",
)
_UNCHANGED = " AND ".join(f"coalesce(p.{f}, '') = coalesce(row.{f}, '')" for f in _CONTENT_FIELDS)
_ASSIGN = ", ".join(f"p.{f} = row.{f}" for f in _CONTENT_FIELDS)

# The per-row body of a product upsert (starts at ``row``, leaves one row per product
# with ``p`` and ``row`` bound). Shared with knowledge_graph.transfer's import statement.
UPSERT_PRODUCT_ROWS = f"""
MERGE (p:Product {{sku: row.sku}})
WITH p, row, (p.version IS NOT NULL AND {_UNCHANGED}) AS unchanged
SET {_ASSIGN},
    p.version = CASE WHEN unchanged THEN p.version ELSE coalesce(p.version, 0) + 1 END
WITH p, row
OPTIONAL MATCH (p)<-[:NAME_OF]-(old:Alias)
WITH p, row, collect(old) AS olds
FOREACH (o IN olds | DETACH DELETE o)
FOREACH (k IN row.keys | CREATE (:Alias {{key: k.key, lang: k.lang}})-[:NAME_OF]->(p))
WITH p, row
OPTIONAL MATCH (p)-[oc:IN_CATEGORY]->(:Category)
WITH p, row, collect(oc) AS ocs
FOREACH (r IN ocs | DELETE r)
WITH p, row
OPTIONAL MATCH (c:Category {{id: row.category}})
FOREACH (x IN CASE WHEN c IS NULL THEN [] ELSE [c] END | CREATE (p)-[:IN_CATEGORY]->(x))
WITH p, row
"""

_UPSERT = f"""
UNWIND $rows AS row
{UPSERT_PRODUCT_ROWS}
WITH count(DISTINCT p.sku) AS n
{BUMP_GENERATION}
RETURN n
"""


# --------------------------------------------------------------------------- queries


async def upsert_products(store: GraphStore, products: Iterable[Product]) -> int:
    """Create or update products by SKU in one atomic statement; return how many.

    Each product's ``Alias`` nodes are replaced by its current match keys. ``version``
    goes up only for products whose stored content actually changed, so re-running the
    same import is a no-op (apart from rewriting identical alias nodes). The
    ``version`` field of the given products is ignored: the graph owns it.
    """
    rows = [_product_row(product) for product in products]
    if not rows:
        return 0
    seen: set[str] = set()
    for row in rows:
        if row["sku"] in seen:
            raise ValidationError("sku", f"{row['sku']!r} appears twice in one upsert")
        seen.add(row["sku"])
    await _check_categories_exist(store, {row["category"] for row in rows if row["category"]})
    result = await store.write(_UPSERT, {"rows": rows})
    count = int(result[0]["n"]) if result else 0
    log.info("upserted %d products into %s", count, store.describe())
    return count


async def _check_categories_exist(store: GraphStore, ids: set[str]) -> None:
    if not ids:
        return
    rows = await store.read("MATCH (c:Category) WHERE c.id IN $ids RETURN c.id AS id", {"ids": sorted(ids)})
    missing = sorted(ids - {row["id"] for row in rows})
    if missing:
        raise ValidationError("category", f"unknown category {missing[0]!r}; create it first")


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


async def find_product(store: GraphStore, name: str, *, fuzzy: bool = False) -> Product | None:
    """The one product named ``name`` (SKU, name or alias, either language), else None.

    Also None when the name is ambiguous (two products share it): a chat bot should ask
    rather than quote the wrong price. Use ``find_products`` to see all matches.

    With ``fuzzy=True`` a name that matches no key exactly is retried with typo
    tolerance ("lipstik" -> the product with the alias "lipstick"); see
    ``knowledge_graph.fuzzy`` for how and how fast.
    """
    matches = await find_products(store, name)
    if not matches and fuzzy:
        from knowledge_graph.fuzzy import find_product_fuzzy

        return await find_product_fuzzy(store, name)
    if len(matches) > 1:
        log.debug("name %r is ambiguous: %s", name, [p.sku for p in matches])
        return None
    return matches[0] if matches else None


@dataclass(frozen=True)
class Mention:
    """A product key found in a chat message, with the position in the normalized text."""

    key: str
    start: int
    products: tuple[Product, ...]
    """Usually one; more if several products share the key (ambiguous)."""

    @property
    def end(self) -> int:
        return self.start + len(self.key)


async def find_mentions(store: GraphStore, text: str) -> list[Mention]:
    """Products named in a free chat message, as non-overlapping mentions in text order.

    Longer keys win over keys they overlap ("matte lipstick" beats "lipstick"), then the
    earlier one. Keys of space-delimited scripts must sit on word boundaries ("lip" is
    not found in "lipstick"); CJK keys match as substrings ("口红" in "这个口红多少钱").

    How it scales: no graph index can answer "which stored keys occur in this text", so
    the keys are matched in process against the key index of ``knowledge_graph.fuzzy``
    (a set of all ``Alias.key`` values, reloaded when the catalog generation changes):
    every boundary-respecting substring whose length is one of the stored key lengths is
    probed in the set -- a few thousand probes for a chat line, independent of catalog
    size -- and only the products of the keys found are read, through the ``Alias.key``
    index (a scan with ``$text CONTAINS a.key`` took ~17 ms at 70,000 keys).
    """
    from knowledge_graph.fuzzy import keys_in_text

    normalized = normalize_key(text)[:MAX_MENTION_TEXT]
    if not normalized:
        return []
    found = await keys_in_text(store, normalized)
    if not found:
        return []
    rows = await store.read(
        "MATCH (a:Alias)-[:NAME_OF]->(p:Product) WHERE a.key IN $keys RETURN a.key AS key, p",
        {"keys": sorted(found)},
    )
    by_key: dict[str, dict[str, Product]] = {}
    for row in rows:
        by_key.setdefault(row["key"], {})[row["p"]["sku"]] = _product_from_graph(row["p"])
    candidates = [
        Mention(key, found[key], tuple(products[sku] for sku in sorted(products)))
        for key, products in by_key.items()
    ]
    candidates.sort(key=lambda m: (-len(m.key), m.start))
    chosen: list[Mention] = []
    for mention in candidates:
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


async def find_product_mentioned(store: GraphStore, text: str, *, fuzzy: bool = False) -> Product | None:
    """Which product does this chat message talk about? None if none (or ambiguous).

    "how much is the matte lipstick?" -> Matte Lipstick; "这个口红多少钱" -> the product
    with the alias 口红. The longest key found wins, then the earliest; if that key
    belongs to several products the answer is None. See ``find_mentions`` for details.
    ``fuzzy=True`` adds a typo-tolerant fallback (``knowledge_graph.fuzzy.fuzzy_mention``).
    """
    mentions = await find_mentions(store, text)
    if not mentions:
        if fuzzy:
            from knowledge_graph.fuzzy import fuzzy_mention

            return await fuzzy_mention(store, text)
        return None
    best = min(mentions, key=lambda m: (-len(m.key), m.start))
    if len(best.products) > 1:
        log.debug("mention %r is ambiguous: %s", best.key, [p.sku for p in best.products])
        return None
    return best.products[0]


_SET_PRICE = f"""
MATCH (p:Product {{sku: $sku}})
{write_lock("p")}
WITH p, p.version AS before,
     (($expected IS NULL OR p.version = $expected) AND p.currency = $currency) AS ok
SET p.price_minor = CASE WHEN ok THEN $price_minor ELSE p.price_minor END,
    p.version = CASE WHEN ok THEN before + 1 ELSE before END
RETURN p, before, ok
"""


async def set_price(
    store: GraphStore, sku: str, price: Decimal, expected_version: int | None = None
) -> Product:
    """Change a product's price in one atomic, version-checked statement; return it.

    With ``expected_version`` the write only happens if the product is still at that
    version; otherwise VersionConflict is raised and nothing is written. Either way a
    successful change bumps ``version``. The price is in the product's own currency
    (read first to know its decimals; a concurrent currency change is a conflict too).
    Raises NotFound for an unknown SKU, ValidationError for a bad price.
    """
    check_amount(price, "price")
    if expected_version is not None and (
        isinstance(expected_version, bool) or not isinstance(expected_version, int)
    ):
        raise ValidationError("expected_version", f"must be an integer, got {expected_version!r}")
    current = await get_product(store, sku)
    if current is None:
        raise NotFound(f"no product with sku {sku!r}")
    price_minor = to_minor_units(price, current.currency)
    rows = await store.write(
        _SET_PRICE,
        {"sku": sku, "expected": expected_version, "currency": current.currency, "price_minor": price_minor},
    )
    if not rows:
        raise NotFound(f"no product with sku {sku!r}")  # deleted since we read it
    row = rows[0]
    if not row["ok"]:
        raise VersionConflict(
            sku, current.version if expected_version is None else expected_version, row["before"]
        )
    product = _product_from_graph(row["p"])
    log.info("price of %s set to %s %s (version %d)", sku, product.price, product.currency, product.version)
    return product
