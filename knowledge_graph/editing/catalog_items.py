"""CRUD for categories, variants, promotions and stream sessions (products: editing/products.py).

Same rules as editing/products.py: one check-and-set statement per write, audit entry included,
``VersionConflict`` on a stale version with nothing written. Updates take the changed
fields in JSON form (what the admin API receives) and re-validate the whole object.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from knowledge_graph.editing.audit import AUDIT_CREATE, audit_params, check_actor
from knowledge_graph.editing.products import cas_write, check_expected, diagnose, diff
from knowledge_graph.errors import InUse, NotFound, ValidationError, VersionConflict
from knowledge_graph.model.entities import Category, Promotion, StreamSession, Variant
from knowledge_graph.store import GraphStore, write_lock

__all__ = [
    "create_category",
    "create_promotion",
    "create_session",
    "create_variant",
    "delete_category",
    "delete_promotion",
    "delete_session",
    "delete_variant",
    "get_category",
    "get_promotion",
    "get_session",
    "get_variant",
    "list_categories",
    "list_promotions",
    "list_sessions",
    "update_category",
    "update_promotion",
    "update_session",
    "update_variant",
]

log = logging.getLogger(__name__)


def _json_view(obj: Any) -> dict[str, Any]:
    view = obj.to_json()
    view.pop("version", None)
    return view


def _create_query(label: str, key_prop: str, pre: str = "", carry: str = "", links: str = "") -> str:
    return f"""
{pre}
MERGE (n:{label} {{{key_prop}: $key}}) ON CREATE SET n.version = 0
WITH n{carry} WHERE n.version = 0
SET n += $props, n.version = 1
{AUDIT_CREATE}
WITH n{carry}
{links}
RETURN n
"""


def _update_query(label: str, key_prop: str, pre: str = "", carry: str = "", links: str = "") -> str:
    return f"""
{pre}
MATCH (n:{label} {{{key_prop}: $key}}) {write_lock("n")} WHERE n.version = $expected
SET n += $props, n.version = n.version + 1
{AUDIT_CREATE}
WITH n{carry}
{links}
RETURN n
"""


def _delete_query(label: str, key_prop: str, guard: str = "") -> str:
    return f"""
MATCH (n:{label} {{{key_prop}: $key}}) {write_lock("n")} WHERE n.version = $expected
{guard}
{AUDIT_CREATE}
DETACH DELETE n
RETURN count(*) AS deleted
"""


async def _delete(
    store: GraphStore,
    cls: type,
    entity: str,
    key: str,
    expected_version: int,
    actor: str,
    current: Any,
    guard: str = "",
) -> None:
    check_actor(actor)
    expected = check_expected(expected_version)
    if current is None:
        raise NotFound(f"no {entity.lower()} {key!r}")
    params = {
        "key": key,
        "expected": expected,
        **audit_params(actor, "delete", entity, key, _json_view(current)),
    }
    rows = await store.write(_delete_query(cls.LABEL, cls.KEY, guard), params)
    if not rows or not rows[0]["deleted"]:
        await diagnose(
            store,
            label=cls.LABEL,
            key_prop=cls.KEY,
            key=key,
            expected=expected,
            entity=entity.lower(),
            precondition=("key", f"{entity.lower()} {key!r} is still in use"),
        )
    log.info("%s %s deleted by %s", entity, key, actor)


def _merged(current: Any, changes: Mapping[str, Any], key_field: str, key: str, cls: Any) -> Any:
    if key_field in changes and changes[key_field] != key:
        raise ValidationError(key_field, "cannot be changed")
    return cls.from_json({**current.to_json(), **changes, "version": current.version})


def _precheck_version(entity: str, key: str, current: Any, expected: int) -> None:
    if current is None:
        raise NotFound(f"no {entity.lower()} {key!r}")
    if current.version != expected:
        raise VersionConflict(key, expected, current.version, entity=entity.lower())


def _prepare_update(
    cls: Any, current: Any, key: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> tuple[int, Any, dict[str, list[Any]]]:
    """The checks every update starts with: actor, version (stale -> conflict, nothing written), the
    merged entity (its key may not change) and what differs. Returns (expected, updated, changed)."""
    check_actor(actor)
    expected = check_expected(expected_version)
    _precheck_version(cls.LABEL, key, current, expected)
    updated = _merged(current, changes, cls.KEY, key, cls)
    return expected, updated, diff(_json_view(current), _json_view(updated))


async def _update_plain(
    store: GraphStore,
    cls: Any,
    entity: str,
    key: str,
    changes: Mapping[str, Any],
    expected_version: int,
    actor: str,
    current: Any,
) -> Any:
    """Update an entity whose write is only its own properties (one CAS statement with the audit)."""
    expected, updated, changed = _prepare_update(cls, current, key, changes, expected_version, actor)
    if not changed:
        return current
    params = {
        "key": key,
        "expected": expected,
        "props": updated.props(),
        **audit_params(actor, "update", cls.LABEL, key, changed),
    }
    row = await cas_write(
        store,
        _update_query(cls.LABEL, cls.KEY),
        params,
        label=cls.LABEL,
        key_prop=cls.KEY,
        key=key,
        expected=expected,
        entity=entity,
    )
    return cls.from_graph(row["n"])


# --------------------------------------------------------------------------- categories


async def get_category(store: GraphStore, category_id: str) -> Category | None:
    rows = await store.read("MATCH (n:Category {id: $id}) RETURN n", {"id": category_id})
    return Category.from_graph(rows[0]["n"]) if rows else None


async def list_categories(store: GraphStore) -> list[Category]:
    rows = await store.read("MATCH (n:Category) RETURN n ORDER BY n.id")
    return [Category.from_graph(row["n"]) for row in rows]


async def create_category(store: GraphStore, category: Category, actor: str) -> Category:
    check_actor(actor)
    params = {
        "key": category.id,
        "props": category.props(),
        **audit_params(actor, "create", "Category", category.id, _json_view(category)),
    }
    row = await cas_write(
        store,
        _create_query("Category", "id"),
        params,
        label="Category",
        key_prop="id",
        key=category.id,
        expected=0,
        entity="category",
    )
    return Category.from_graph(row["n"])


async def update_category(
    store: GraphStore, category_id: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> Category:
    current = await get_category(store, category_id)
    return await _update_plain(
        store, Category, "category", category_id, changes, expected_version, actor, current
    )


async def delete_category(store: GraphStore, category_id: str, expected_version: int, actor: str) -> None:
    """Refused with InUse (nothing written) while products or FAQs still refer to the category."""
    current = await get_category(store, category_id)
    if current is not None:
        rows = await store.read(
            "MATCH (c:Category {id: $id}) OPTIONAL MATCH (c)<-[r:IN_CATEGORY|ABOUT]-() RETURN count(r) AS n",
            {"id": category_id},
        )
        if rows and rows[0]["n"]:
            raise InUse(
                f"category {category_id!r} still has {rows[0]['n']} products/FAQs; move or delete them first"
            )
    guard = "OPTIONAL MATCH (n)<-[r:IN_CATEGORY|ABOUT]-() WITH n, count(r) AS used WHERE used = 0"
    await _delete(store, Category, "Category", category_id, expected_version, actor, current, guard)


# --------------------------------------------------------------------------- variants

_VARIANT_OWNER = (
    "MATCH (owner:Product {sku: $sku}) WHERE owner.currency = $currency WITH owner"  # currency fixed
)


async def _owner_currency(store: GraphStore, sku: str) -> str:
    rows = await store.read("MATCH (p:Product {sku: $sku}) RETURN p.currency AS c", {"sku": sku})
    if not rows:
        raise ValidationError("sku", f"unknown product {sku!r}")
    return str(rows[0]["c"])


async def get_variant(store: GraphStore, variant_id: str) -> Variant | None:
    rows = await store.read(
        "MATCH (p:Product)-[:HAS_VARIANT]->(n:Variant {id: $id}) "
        "RETURN n, p.sku AS sku, p.currency AS currency",
        {"id": variant_id},
    )
    return Variant.from_graph(rows[0]["n"], rows[0]["sku"], rows[0]["currency"]) if rows else None


async def create_variant(store: GraphStore, variant: Variant, actor: str) -> Variant:
    check_actor(actor)
    currency = await _owner_currency(store, variant.sku)
    params = {
        "key": variant.id,
        "sku": variant.sku,
        "currency": currency,
        "props": variant.props(currency),
        **audit_params(actor, "create", "Variant", variant.id, _json_view(variant)),
    }
    query = _create_query("Variant", "id", _VARIANT_OWNER, ", owner", "MERGE (owner)-[:HAS_VARIANT]->(n)")
    row = await cas_write(
        store,
        query,
        params,
        label="Variant",
        key_prop="id",
        key=variant.id,
        expected=0,
        entity="variant",
        precondition=("sku", "the product was deleted or changed its currency meanwhile"),
    )
    return Variant.from_graph(row["n"], variant.sku, currency)


async def update_variant(
    store: GraphStore, variant_id: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> Variant:
    current = await get_variant(store, variant_id)
    expected, updated, changed = _prepare_update(
        Variant, current, variant_id, changes, expected_version, actor
    )
    assert current is not None
    if updated.sku != current.sku:
        raise ValidationError("sku", "a variant cannot move to another product")
    if not changed:
        return current
    currency = await _owner_currency(store, current.sku)
    params = {
        "key": variant_id,
        "sku": current.sku,
        "currency": currency,
        "expected": expected,
        "props": updated.props(currency),
        **audit_params(actor, "update", "Variant", variant_id, changed),
    }
    row = await cas_write(
        store,
        _update_query("Variant", "id", _VARIANT_OWNER, ", owner"),
        params,
        label="Variant",
        key_prop="id",
        key=variant_id,
        expected=expected,
        entity="variant",
        precondition=("sku", "the product changed its currency meanwhile"),
    )
    return Variant.from_graph(row["n"], current.sku, currency)


async def delete_variant(store: GraphStore, variant_id: str, expected_version: int, actor: str) -> None:
    current = await get_variant(store, variant_id)
    await _delete(store, Variant, "Variant", variant_id, expected_version, actor, current)


# --------------------------------------------------------------------------- promotions

_PROMO_TARGETS = (
    "OPTIONAL MATCH (t:Product) WHERE t.sku IN $skus "
    "WITH collect(t) AS targets WHERE size(targets) = size($skus)"
)
_PROMO_LINKS = """
OPTIONAL MATCH (n)-[old:APPLIES_TO]->(:Product)
WITH n, targets, collect(old) AS olds
FOREACH (r IN olds | DELETE r)
FOREACH (t IN targets | CREATE (n)-[:APPLIES_TO]->(t))
WITH n
"""


async def _check_skus(store: GraphStore, skus: tuple[str, ...]) -> None:
    if not skus:
        return
    rows = await store.read(
        "MATCH (p:Product) WHERE p.sku IN $skus RETURN p.sku AS sku", {"skus": list(skus)}
    )
    missing = sorted(set(skus) - {row["sku"] for row in rows})
    if missing:
        raise ValidationError("skus", f"unknown product {missing[0]!r}")


def _promotion_row(row: Mapping[str, Any]) -> Promotion:
    return Promotion.from_graph(row["n"], [sku for sku in row["skus"] if sku is not None])


async def get_promotion(store: GraphStore, code: str) -> Promotion | None:
    rows = await store.read(
        "MATCH (n:Promotion {code: $code}) OPTIONAL MATCH (n)-[:APPLIES_TO]->(p:Product) "
        "RETURN n, collect(p.sku) AS skus",
        {"code": code},
    )
    return _promotion_row(rows[0]) if rows else None


async def list_promotions(store: GraphStore) -> list[Promotion]:
    rows = await store.read(
        "MATCH (n:Promotion) OPTIONAL MATCH (n)-[:APPLIES_TO]->(p:Product) "
        "RETURN n, collect(p.sku) AS skus ORDER BY n.code"
    )
    return [_promotion_row(row) for row in rows]


async def _save_promotion(
    store: GraphStore, promo: Promotion, actor: str, action: str, expected: int, changes: Mapping[str, Any]
) -> Promotion:
    await _check_skus(store, promo.skus)
    params = {
        "key": promo.code,
        "expected": expected,
        "skus": list(promo.skus),
        "props": promo.props(),
        **audit_params(actor, action, "Promotion", promo.code, changes),
    }
    build = _create_query if expected == 0 else _update_query
    row = await cas_write(
        store,
        build("Promotion", "code", _PROMO_TARGETS, ", targets", _PROMO_LINKS),
        params,
        label="Promotion",
        key_prop="code",
        key=promo.code,
        expected=expected,
        entity="promotion",
        precondition=("skus", "a product of the promotion was deleted meanwhile"),
    )
    return Promotion.from_graph(row["n"], promo.skus)


async def create_promotion(store: GraphStore, promo: Promotion, actor: str) -> Promotion:
    check_actor(actor)
    return await _save_promotion(store, promo, actor, "create", 0, _json_view(promo))


async def update_promotion(
    store: GraphStore, code: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> Promotion:
    current = await get_promotion(store, code)
    expected, updated, changed = _prepare_update(Promotion, current, code, changes, expected_version, actor)
    if not changed:
        return current  # type: ignore[return-value]
    return await _save_promotion(store, updated, actor, "update", expected, changed)


async def delete_promotion(store: GraphStore, code: str, expected_version: int, actor: str) -> None:
    current = await get_promotion(store, code)
    await _delete(store, Promotion, "Promotion", code, expected_version, actor, current)


# --------------------------------------------------------------------------- schedule

_SESSION_LINKS = """
OPTIONAL MATCH (s:Streamer)
WITH n, s ORDER BY s.id LIMIT 1
FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [s] END | MERGE (x)-[:HAS_SESSION]->(n))
WITH n
"""


async def get_session(store: GraphStore, session_id: str) -> StreamSession | None:
    rows = await store.read("MATCH (n:StreamSession {id: $id}) RETURN n", {"id": session_id})
    return StreamSession.from_graph(rows[0]["n"]) if rows else None


async def list_sessions(store: GraphStore) -> list[StreamSession]:
    rows = await store.read("MATCH (n:StreamSession) RETURN n ORDER BY n.starts_at, n.id")
    return [StreamSession.from_graph(row["n"]) for row in rows]


async def create_session(store: GraphStore, session: StreamSession, actor: str) -> StreamSession:
    """Schedule a stream; linked to the streamer (if the graph has one) with HAS_SESSION."""
    check_actor(actor)
    params = {
        "key": session.id,
        "props": session.props(),
        **audit_params(actor, "create", "StreamSession", session.id, _json_view(session)),
    }
    row = await cas_write(
        store,
        _create_query("StreamSession", "id", links=_SESSION_LINKS),
        params,
        label="StreamSession",
        key_prop="id",
        key=session.id,
        expected=0,
        entity="session",
    )
    return StreamSession.from_graph(row["n"])


async def update_session(
    store: GraphStore, session_id: str, changes: Mapping[str, Any], expected_version: int, actor: str
) -> StreamSession:
    current = await get_session(store, session_id)
    return await _update_plain(
        store, StreamSession, "session", session_id, changes, expected_version, actor, current
    )


async def delete_session(store: GraphStore, session_id: str, expected_version: int, actor: str) -> None:
    current = await get_session(store, session_id)
    await _delete(store, StreamSession, "StreamSession", session_id, expected_version, actor, current)
