"""Streamer editing: create / update / delete with optimistic concurrency and an audit trail.

Every write is ONE parameterized statement that does the version check, the change, the
relationship bookkeeping and the ``AuditEntry`` together (on Neo4j inside
``execute_write``), so a change and its audit entry commit or fail as one:

* create: ``MERGE (n {key}) ON CREATE SET n.version = 0 WITH n WHERE n.version = 0 ...`` --
  an existing node keeps its version (>= 1) and the row is filtered out, so nothing is
  written. MERGE (with the uniqueness constraints on Neo4j) makes two concurrent
  creates of the same key safe.
* update/delete: ``MATCH (n {key}) WHERE n.version = $expected ...`` -- the check-and-set.

A statement that returns no row wrote nothing; one small read then tells why
(``NotFound``, ``VersionConflict`` with the current version, or a precondition such as
an unknown category that disappeared between our validation read and the write).

Validation happens before any I/O (the dataclasses), references (category, products of
a promotion, the product of a variant) are checked by a read first for a precise error
and again inside the statement for atomicity.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from knowledge_graph.catalog.products import BUMP_GENERATION, get_product
from knowledge_graph.editing.audit import AUDIT_CREATE, audit_params, check_actor
from knowledge_graph.errors import NotFound, ValidationError, VersionConflict
from knowledge_graph.model.entities import check_unknown_fields
from knowledge_graph.model.money import check_amount, to_minor_units
from knowledge_graph.model.product import Product, _product_from_graph, _product_row
from knowledge_graph.model.validate import check_version
from knowledge_graph.store import GraphStore, Row, write_lock

__all__ = [
    "PRODUCT_FIELDS",
    "cas_write",
    "create_product",
    "delete_product",
    "diagnose",
    "diff",
    "list_products_page",
    "product_from_json",
    "product_to_json",
    "set_price",
    "update_product",
    "upsert_products",
]

log = logging.getLogger(__name__)

PRODUCT_FIELDS = (
    "sku",
    "name_en",
    "name_zh",
    "aliases_en",
    "aliases_zh",
    "price",
    "currency",
    "stock",
    "description_en",
    "description_zh",
    "url",
    "tags",
    "category",
    "version",
)
_PRODUCT_REQUIRED = ("sku", "price", "currency", "stock")


# --------------------------------------------------------------------------- JSON form


def product_to_json(product: Product) -> dict[str, Any]:
    """The API/export form (keys in ``PRODUCT_FIELDS`` order): price as a decimal string, lists as lists."""
    out: dict[str, Any] = {}
    for name in PRODUCT_FIELDS:
        value = getattr(product, name)
        out[name] = str(value) if name == "price" else list(value) if isinstance(value, tuple) else value
    return out


def product_from_json(data: object) -> Product:
    """Validate a JSON object into a Product; errors name the field. Unknown fields are errors."""
    if not isinstance(data, Mapping):
        raise ValidationError("body", "must be a JSON object")
    check_unknown_fields(data, PRODUCT_FIELDS)
    for name in _PRODUCT_REQUIRED:
        if data.get(name) is None:
            raise ValidationError(name, "is required")
    for name in ("aliases_en", "aliases_zh", "tags"):
        if name in data and data[name] is not None and not isinstance(data[name], list | tuple):
            raise ValidationError(name, "must be a list of strings")
    for name in ("name_en", "name_zh"):
        if data.get(name) is None:
            data = {**data, name: ""}
    if isinstance(data["price"], float):
        raise ValidationError("price", "send prices as strings like '129.90' (floats are inexact)")
    values = {k: v for k, v in data.items() if v is not None or k not in ("aliases_en", "aliases_zh", "tags")}
    return Product(**values)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ (``version`` ignored)."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if key != "version" and before.get(key) != after.get(key)
    }


# --------------------------------------------------------------------------- the CAS core


async def cas_write(
    store: GraphStore,
    query: str,
    params: Mapping[str, Any],
    *,
    label: str,
    key_prop: str,
    key: str,
    expected: int,
    entity: str,
    precondition: tuple[str, str] = ("key", "a referenced entity changed concurrently; retry"),
) -> Row:
    """Run one check-and-set statement; on "no row" find out why and raise accordingly.

    ``expected`` 0 means create. ``precondition`` is the (field, problem) reported when
    the version was right but a reference check inside the statement failed.
    """
    rows = await store.write(query, params)
    if rows:
        return rows[0]
    await diagnose(store, label=label, key_prop=key_prop, key=key, expected=expected, entity=entity,
                   precondition=precondition)  # fmt: skip
    raise AssertionError("unreachable")


async def diagnose(
    store: GraphStore,
    *,
    label: str,
    key_prop: str,
    key: str,
    expected: int,
    entity: str,
    precondition: tuple[str, str] = ("key", "a referenced entity changed concurrently; retry"),
) -> None:
    """Raise the reason a check-and-set statement wrote nothing (always raises)."""
    current = await store.read(
        f"MATCH (n:{label} {{{key_prop}: $key}}) RETURN n.version AS v", {"key": key}
    )  # label/key_prop are code constants
    actual = int(current[0]["v"]) if current and current[0]["v"] is not None else None
    if expected != 0 and actual is None:
        raise NotFound(f"no {entity} {key!r}")
    if actual == expected or (expected == 0 and actual is None):
        raise ValidationError(*precondition)
    raise VersionConflict(key, expected, actual, entity=entity)


def check_expected(expected_version: object) -> int:
    version = check_version(expected_version, "version")
    if version < 1:
        raise ValidationError("version", "must be the version you read (>= 1)")
    return version


# --------------------------------------------------------------------------- products

_CATEGORY_GUARD = (
    "OPTIONAL MATCH (cat:Category {id: $category}) WITH cat WHERE $category IS NULL OR cat IS NOT NULL"
)
_PRODUCT_LINKS = f"""
WITH n, cat
OPTIONAL MATCH (n)<-[:NAME_OF]-(old:Alias)
WITH n, cat, collect(old) AS olds
FOREACH (o IN olds | DETACH DELETE o)
FOREACH (k IN $keys | CREATE (:Alias {{key: k.key, lang: k.lang}})-[:NAME_OF]->(n))
WITH n, cat
OPTIONAL MATCH (n)-[oc:IN_CATEGORY]->(:Category)
WITH n, cat, collect(oc) AS ocs
FOREACH (r IN ocs | DELETE r)
FOREACH (c IN CASE WHEN cat IS NULL THEN [] ELSE [cat] END | CREATE (n)-[:IN_CATEGORY]->(c))
WITH n
{BUMP_GENERATION}
RETURN n
"""
_CREATE_PRODUCT = f"""
{_CATEGORY_GUARD}
MERGE (n:Product {{sku: $key}}) ON CREATE SET n.version = 0
WITH n, cat WHERE n.version = 0
SET n += $props, n.version = 1
{AUDIT_CREATE}
{_PRODUCT_LINKS}
"""
_UPDATE_PRODUCT = f"""
{_CATEGORY_GUARD}
MATCH (n:Product {{sku: $key}}) {write_lock("n")} WHERE n.version = $expected
SET n += $props, n.version = n.version + 1
{AUDIT_CREATE}
{_PRODUCT_LINKS}
"""
_DELETE_PRODUCT = f"""
MATCH (n:Product {{sku: $key}}) {write_lock("n")} WHERE n.version = $expected
{AUDIT_CREATE}
WITH n
OPTIONAL MATCH (n)<-[:NAME_OF]-(a:Alias)
WITH n, collect(a) AS aliases
OPTIONAL MATCH (n)-[:HAS_VARIANT]->(v:Variant)
WITH n, aliases, collect(v) AS variants
OPTIONAL MATCH (n)<-[:ABOUT]-(f:FAQ)
WITH n, aliases, variants, collect(f) AS faqs
FOREACH (x IN aliases + variants + faqs | DETACH DELETE x)
DETACH DELETE n
WITH count(*) AS deleted
{BUMP_GENERATION}
RETURN deleted
"""


def _product_props(product: Product) -> tuple[dict[str, Any], list[dict[str, str]]]:
    row = _product_row(product)
    keys = row.pop("keys")
    row.pop("sku")
    return row, keys


def _audit_view(product: Product) -> dict[str, Any]:
    view = product_to_json(product)
    view.pop("version")
    return view


async def _check_category(store: GraphStore, category: str | None) -> None:
    if category is None:
        return
    rows = await store.read("MATCH (c:Category {id: $id}) RETURN c.id AS id", {"id": category})
    if not rows:
        raise ValidationError("category", f"unknown category {category!r}; create it first")


async def create_product(store: GraphStore, product: Product, actor: str) -> Product:
    """Create a product (with its alias keys and category link); VersionConflict if the SKU exists."""
    check_actor(actor)
    await _check_category(store, product.category)
    props, keys = _product_props(product)
    params = {
        "key": product.sku,
        "props": props,
        "keys": keys,
        "category": product.category,
        **audit_params(actor, "create", "Product", product.sku, _audit_view(product)),
    }
    row = await cas_write(
        store,
        _CREATE_PRODUCT,
        params,
        label="Product",
        key_prop="sku",
        key=product.sku,
        expected=0,
        entity="product",
        precondition=("category", "the category was deleted meanwhile"),
    )
    log.info("product %s created by %s", product.sku, actor)
    return _product_from_graph(row["n"])


async def update_product(
    store: GraphStore, sku: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> Product:
    """Apply ``changes`` (JSON-form fields) to the product at ``expected_version``; return it.

    Raises NotFound, VersionConflict (nothing written) or ValidationError naming the field.
    A change that changes nothing writes nothing and returns the product as it is.
    """
    check_actor(actor)
    expected = check_expected(expected_version)
    current = await get_product(store, sku)
    if current is None:
        raise NotFound(f"no product {sku!r}")
    if current.version != expected:
        raise VersionConflict(sku, expected, current.version)
    if "sku" in changes and changes["sku"] != sku:
        raise ValidationError("sku", "cannot be changed; create a new product and delete this one")
    updated = product_from_json({**product_to_json(current), **changes, "version": current.version})
    changed = diff(_audit_view(current), _audit_view(updated))
    if not changed:
        return current
    await _check_category(store, updated.category)
    props, keys = _product_props(updated)
    params = {
        "key": sku,
        "expected": expected,
        "props": props,
        "keys": keys,
        "category": updated.category,
        **audit_params(actor, "update", "Product", sku, changed),
    }
    row = await cas_write(
        store,
        _UPDATE_PRODUCT,
        params,
        label="Product",
        key_prop="sku",
        key=sku,
        expected=expected,
        entity="product",
        precondition=("category", "the category was deleted meanwhile"),
    )
    log.info("product %s updated by %s: %s", sku, actor, ", ".join(changed))
    return _product_from_graph(row["n"])


async def delete_product(store: GraphStore, sku: str, expected_version: int, actor: str) -> None:
    """Delete the product with its alias keys, variants and the FAQs about it, in one statement.

    FAQs go too because an answer about a product that no longer exists is a stale answer
    (their ids are listed in the audit entry, so they can be restored from it).
    """
    check_actor(actor)
    expected = check_expected(expected_version)
    current = await get_product(store, sku)
    if current is None:
        raise NotFound(f"no product {sku!r}")
    faqs = await store.read(
        "MATCH (:Product {sku: $sku})<-[:ABOUT]-(f:FAQ) RETURN f.id AS id ORDER BY id", {"sku": sku}
    )
    changes = {**_audit_view(current), "faqs_deleted": [row["id"] for row in faqs]}
    params = {"key": sku, "expected": expected, **audit_params(actor, "delete", "Product", sku, changes)}
    rows = await store.write(_DELETE_PRODUCT, params)
    if not rows or not rows[0]["deleted"]:
        await diagnose(store, label="Product", key_prop="sku", key=sku, expected=expected, entity="product")
    log.info("product %s deleted by %s", sku, actor)


async def list_products_page(store: GraphStore, after: str = "", limit: int = 100) -> list[Product]:
    """Products with SKU > ``after``, by SKU, at most ``limit`` (page with the last SKU)."""
    rows = await store.read(
        "MATCH (p:Product) WHERE p.sku > $after RETURN p ORDER BY p.sku LIMIT $limit",
        {"after": after, "limit": limit},
    )
    return [_product_from_graph(row["p"]) for row in rows]


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
# with ``p`` and ``row`` bound). Shared with knowledge_graph.transfer.bundle's import statement.
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
