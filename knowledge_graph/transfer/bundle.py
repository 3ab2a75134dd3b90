"""Import and export of the whole catalog: JSON (``liveroom-export/1``) and CSV (transfer/csv.py).

JSON layout (export writes exactly this, sorted, so export -> import -> export is
byte-identical)::

    {"format": "liveroom-export/1",
     "streamer": {"id", "name_en", "name_zh"} | null,
     "categories": [{"id", "name_en", "name_zh"}],
     "products": [{<product fields, price as "129.90">, "variants": [{"id", "size", "colour",
                   "stock", "price"}]}],
     "promotions": [{"code", ..., "valid_from": "2026-11-23T20:00:00Z", "skus": [...]}],
     "schedule": [{"id", "title_en", "title_zh", "starts_at", "ends_at"}],
     "faqs": [{"id", "question_en", "question_zh", "answer_en", "answer_zh",
               "product_sku" | "category_id" | "streamer_id"}]}

Versions and the audit trail are not exported: they describe the history of one graph,
not the catalog. Import is an upsert by key (SKU, id, code): things not in the file are
left alone, a product's variants are replaced by the file's. A product's version goes up
only if its content changed; categories, variants, promotions and sessions in the file
get version + 1 (so an editor holding an older version sees a conflict, never a silent
overwrite). The import leaves one audit entry (entity "Catalog", key = file name, the
counts as changes) written by the same statement as the catalog.

All-or-nothing: the whole file is parsed and validated first (every field, duplicate
keys, references to categories/products in the file or the graph, name/alias clashes);
the first bad row is reported as ``ImportRejected`` (row + field) and nothing is written.
Then the FAQ embeddings are computed (in Python, before any write), and the whole bundle
(streamer, categories, products with aliases and variants, promotions, schedule, FAQs with
their embeddings, and the audit entry) is written by ONE statement, atomic on both backends:
a failure at any point leaves the graph as it was. Every part is an idempotent upsert, so
re-running the same import changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from knowledge_graph.catalog.faqs import get_streamer, list_all_faqs
from knowledge_graph.catalog.products import BUMP_GENERATION, list_products
from knowledge_graph.editing.audit import AUDIT_CREATE, audit_params, check_actor
from knowledge_graph.editing.catalog_items import list_categories, list_promotions, list_sessions
from knowledge_graph.editing.faq import upsert_clause, upsert_rows
from knowledge_graph.editing.products import UPSERT_PRODUCT_ROWS, product_from_json, product_to_json
from knowledge_graph.errors import ValidationError
from knowledge_graph.model.entities import Category, Promotion, StreamSession, Variant, check_unknown_fields
from knowledge_graph.model.faq import FAQ, Streamer
from knowledge_graph.model.product import Product, _product_row, find_key_conflicts
from knowledge_graph.store import GraphStore

__all__ = [
    "FORMAT",
    "Bundle",
    "ImportRejected",
    "ImportResult",
    "export_bundle",
    "export_json",
    "import_bundle",
    "parse_json",
]

log = logging.getLogger(__name__)

FORMAT = "liveroom-export/1"
FAQ_CHUNK = 200
_SECTIONS = ("streamer", "categories", "products", "promotions", "schedule", "faqs")
_VARIANT_FIELDS = ("id", "size", "colour", "stock", "price")

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases "validate", "write", "faqs"."""


class ImportRejected(ValidationError):
    """The first bad row of an import file; nothing was written.

    ``row`` is the CSV line number (header = line 1) or the JSON path of the item
    ("products[17]"); ``field`` the offending field within it.
    """

    def __init__(self, row: int | str, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.row = row
        self.args = (f"row {row}: {field}: {problem}",)


@dataclass
class Bundle:
    """A parsed, validated catalog ready to import (or just exported)."""

    streamer: Streamer | None = None
    categories: list[Category] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    promotions: list[Promotion] = field(default_factory=list)
    sessions: list[StreamSession] = field(default_factory=list)
    faqs: list[FAQ] = field(default_factory=list)
    rows: dict[tuple[str, str], int | str] = field(default_factory=dict)
    """(kind, key) -> where in the file it came from, for cross-reference errors."""


@dataclass(frozen=True)
class ImportResult:
    categories: int
    products: int
    variants: int
    promotions: int
    sessions: int
    faqs: int
    streamer: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _noop(phase: str, done: int, total: int) -> None:
    return None


def rejected(row: int | str, err: ValidationError) -> ImportRejected:
    return ImportRejected(row, err.field, err.problem)


def faq_from_json(data: object) -> FAQ:
    if not isinstance(data, Mapping):
        raise ValidationError("faq", "must be an object")
    allowed = (
        "id",
        "question_en",
        "question_zh",
        "answer_en",
        "answer_zh",
        "product_sku",
        "streamer_id",
        "category_id",
    )
    check_unknown_fields(data, allowed)
    values = {k: data.get(k) for k in allowed if k in data}
    for text in ("question_en", "question_zh", "answer_en", "answer_zh"):
        if values.get(text) is None:
            values[text] = ""
    if values.get("id") is None:
        raise ValidationError("id", "is required")
    return FAQ(**values)


def faq_to_json(faq: FAQ) -> dict[str, Any]:
    return {"id": faq.id, **{k: v for k, v in faq.content().items() if k != "id"}}


# --------------------------------------------------------------------------- JSON parsing


def parse_json(text: str | bytes, progress: Progress = _noop) -> Bundle:
    """Parse and validate a JSON export; ImportRejected names the first bad item and field."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as err:
        raise ImportRejected("file", "body", f"not valid JSON: {err}") from None
    except RecursionError:  # nested past Python's limit: rejected like any bad file (review L7)
        raise ImportRejected("file", "body", "not valid JSON: nested too deeply") from None
    if not isinstance(data, Mapping):
        raise ImportRejected("file", "body", "must be a JSON object")
    if data.get("format") != FORMAT:
        raise ImportRejected("file", "format", f"must be {FORMAT!r}, got {data.get('format')!r}")
    try:
        check_unknown_fields(data, ("format", *_SECTIONS))
    except ValidationError as err:
        raise rejected("file", err) from None
    bundle = Bundle()
    total = sum(len(v) for s in _SECTIONS if s != "streamer" and isinstance(v := data.get(s), list))
    done = 0

    def items(section: str) -> list[Any]:
        value = data.get(section)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ImportRejected("file", section, "must be a list")
        return value

    if data.get("streamer") is not None:
        raw = data["streamer"]
        try:
            if not isinstance(raw, Mapping):
                raise ValidationError("streamer", "must be an object")
            check_unknown_fields(raw, ("id", "name_en", "name_zh"))
            bundle.streamer = Streamer(
                id=raw.get("id"), name_en=raw.get("name_en"), name_zh=raw.get("name_zh")
            )
        except ValidationError as err:
            raise rejected("streamer", err) from None
    for i, raw in enumerate(items("categories")):
        _add(bundle, "category", f"categories[{i}]", lambda raw=raw: Category.from_json(raw))
    for i, raw in enumerate(items("products")):
        where = f"products[{i}]"
        if not isinstance(raw, Mapping):
            raise ImportRejected(where, "product", "must be an object")
        product = _add(
            bundle,
            "product",
            where,
            lambda raw=raw: product_from_json({k: v for k, v in raw.items() if k != "variants"}),
        )
        variants = raw.get("variants") or []
        if not isinstance(variants, list):
            raise ImportRejected(where, "variants", "must be a list")
        for j, item in enumerate(variants):
            vwhere = f"{where}.variants[{j}]"
            if not isinstance(item, Mapping):
                raise ImportRejected(vwhere, "variant", "must be an object")
            _add(
                bundle,
                "variant",
                vwhere,
                lambda item=item, sku=product.sku: Variant.from_json({**item, "sku": sku}),
            )
        done += 1
        if done % 1000 == 0:
            progress("validate", done, total)
    for i, raw in enumerate(items("promotions")):
        _add(bundle, "promotion", f"promotions[{i}]", lambda raw=raw: Promotion.from_json(raw))
    for i, raw in enumerate(items("schedule")):
        _add(bundle, "session", f"schedule[{i}]", lambda raw=raw: StreamSession.from_json(raw))
    for i, raw in enumerate(items("faqs")):
        _add(bundle, "faq", f"faqs[{i}]", lambda raw=raw: faq_from_json(raw))
    progress("validate", total, total)
    check_bundle(bundle)
    return bundle


_LISTS = {
    "category": "categories",
    "product": "products",
    "variant": "variants",
    "promotion": "promotions",
    "session": "sessions",
    "faq": "faqs",
}


def _add(bundle: Bundle, kind: str, where: int | str, build: Callable[[], Any]) -> Any:
    """Build one item (validating it), refuse a duplicate key, append it, remember its row."""
    try:
        item = build()
    except ValidationError as err:
        raise rejected(where, err) from None
    except TypeError as err:  # a wrongly typed nested value the dataclass could not take
        raise ImportRejected(where, kind, str(err)) from None
    key = item.sku if kind == "product" else item.code if kind == "promotion" else item.id
    if (kind, key) in bundle.rows:
        field_name = {"product": "sku", "promotion": "code"}.get(kind, "id")
        raise ImportRejected(
            where, field_name, f"duplicate {kind} {key!r} (first at {bundle.rows[(kind, key)]})"
        )
    bundle.rows[(kind, key)] = where
    getattr(bundle, _LISTS[kind]).append(item)
    return item


def check_bundle(bundle: Bundle) -> None:
    """Cross-item checks that need no graph: variants belong to products in the file, name clashes."""
    skus = {p.sku for p in bundle.products}
    for variant in bundle.variants:
        if variant.sku not in skus:
            raise ImportRejected(
                bundle.rows[("variant", variant.id)], "sku", f"no product {variant.sku!r} in the file"
            )
    conflicts = find_key_conflicts(bundle.products)
    if conflicts:
        key, first, second = conflicts[0]
        raise ImportRejected(
            bundle.rows[("product", second)],
            "aliases_en",
            f"name/alias {key!r} is also a name/alias of {first}",
        )


async def check_references(store: GraphStore, bundle: Bundle) -> None:
    """References to categories/products/streamer must be in the file or already in the graph;
    a variant id must not belong to another product already."""
    categories = {c.id for c in bundle.categories}
    skus = {p.sku for p in bundle.products}
    wanted_categories = sorted({p.category for p in bundle.products if p.category} - categories)
    wanted_skus = sorted({s for pr in bundle.promotions for s in pr.skus} - skus)
    faq_skus = {f.product_sku for f in bundle.faqs if f.product_sku} - skus
    faq_categories = {f.category_id for f in bundle.faqs if f.category_id} - categories
    rows = await store.read(
        "OPTIONAL MATCH (c:Category) WHERE c.id IN $cats WITH collect(c.id) AS cats "
        "OPTIONAL MATCH (p:Product) WHERE p.sku IN $skus WITH cats, collect(p.sku) AS skus "
        "OPTIONAL MATCH (s:Streamer) WITH cats, skus, collect(s.id) AS streamers "
        "OPTIONAL MATCH (o:Product)-[:HAS_VARIANT]->(v:Variant) WHERE v.id IN $variants "
        "RETURN cats, skus, streamers, collect([v.id, o.sku]) AS owners",
        {
            "cats": sorted(set(wanted_categories) | faq_categories),
            "skus": sorted(set(wanted_skus) | faq_skus),
            "variants": [v.id for v in bundle.variants],
        },
    )
    known_categories = categories | set(rows[0]["cats"])
    known_skus = skus | set(rows[0]["skus"])
    streamers = set(rows[0]["streamers"]) | ({bundle.streamer.id} if bundle.streamer else set())
    for product in bundle.products:
        if product.category and product.category not in known_categories:
            raise ImportRejected(
                bundle.rows[("product", product.sku)], "category", f"unknown category {product.category!r}"
            )
    owners = {vid: sku for vid, sku in rows[0]["owners"] if vid is not None}
    for variant in bundle.variants:
        if owners.get(variant.id, variant.sku) != variant.sku:
            raise ImportRejected(
                bundle.rows[("variant", variant.id)],
                "id",
                f"variant id already used by product {owners[variant.id]!r}",
            )
    for promo in bundle.promotions:
        for sku in promo.skus:
            if sku not in known_skus:
                raise ImportRejected(
                    bundle.rows[("promotion", promo.code)], "skus", f"unknown product {sku!r}"
                )
    for faq in bundle.faqs:
        target, key = faq.target
        known = {"product_sku": known_skus, "category_id": known_categories, "streamer_id": streamers}[target]
        if key not in known:
            raise ImportRejected(bundle.rows[("faq", faq.id)], target, f"unknown {target} {key!r}")


# --------------------------------------------------------------------------- writing

_IMPORT = f"""
UNWIND $streamer AS row
MERGE (s:Streamer {{id: row.id}}) SET s.name_en = row.name_en, s.name_zh = row.name_zh
WITH count(*) AS _s
UNWIND $categories AS row
MERGE (n:Category {{id: row.id}})
SET n.name_en = row.name_en, n.name_zh = row.name_zh, n.version = coalesce(n.version, 0) + 1
WITH count(*) AS _c
UNWIND $products AS row
{UPSERT_PRODUCT_ROWS}
OPTIONAL MATCH (p)-[:HAS_VARIANT]->(ov:Variant)
WITH p, row, collect(ov) AS olds
FOREACH (x IN [o IN olds WHERE NOT o.id IN row.variant_ids] | DETACH DELETE x)
FOREACH (v IN row.variants |
  MERGE (nv:Variant {{id: v.id}})
  SET nv.size = v.size, nv.colour = v.colour, nv.stock = v.stock, nv.price_minor = v.price_minor,
      nv.version = coalesce(nv.version, 0) + 1
  MERGE (p)-[:HAS_VARIANT]->(nv))
WITH count(*) AS _p
UNWIND $promotions AS row
MERGE (n:Promotion {{code: row.code}})
SET n += row.props, n.version = coalesce(n.version, 0) + 1
WITH n, row
OPTIONAL MATCH (n)-[old:APPLIES_TO]->(:Product)
WITH n, row, collect(old) AS olds
FOREACH (r IN olds | DELETE r)
WITH n, row
OPTIONAL MATCH (t:Product) WHERE t.sku IN row.skus
WITH n, collect(t) AS targets
FOREACH (t IN targets | CREATE (n)-[:APPLIES_TO]->(t))
WITH count(*) AS _pr
UNWIND $sessions AS row
MERGE (n:StreamSession {{id: row.id}})
SET n += row.props, n.version = coalesce(n.version, 0) + 1
WITH n
OPTIONAL MATCH (s:Streamer)
WITH n, s ORDER BY s.id
WITH n, collect(s)[0..1] AS streamer
FOREACH (x IN streamer | MERGE (x)-[:HAS_SESSION]->(n))
WITH count(*) AS _ss
{{faqs}}
WITH count(*) AS _f
{BUMP_GENERATION}
WITH meta
{AUDIT_CREATE}
RETURN 1 AS ok
"""


def _import_query(store: GraphStore) -> str:
    """The whole import -- catalog, schedule and FAQs with their embeddings -- as ONE statement."""
    return _IMPORT.replace("{faqs}", upsert_clause(store, "faq_rows"))


def _write_params(bundle: Bundle) -> dict[str, Any]:
    variants_by_sku: dict[str, list[dict[str, Any]]] = {}
    currency = {p.sku: p.currency for p in bundle.products}
    for variant in bundle.variants:
        row = {"id": variant.id, **variant.props(currency[variant.sku])}
        variants_by_sku.setdefault(variant.sku, []).append(row)
    products = []
    for product in bundle.products:
        row = _product_row(product)
        row["variants"] = variants_by_sku.get(product.sku, [])
        row["variant_ids"] = [v["id"] for v in row["variants"]]
        products.append(row)
    streamer = bundle.streamer
    return {
        "streamer": [{"id": streamer.id, "name_en": streamer.name_en, "name_zh": streamer.name_zh}]
        if streamer
        else [],
        "categories": [{"id": c.id, **c.props()} for c in bundle.categories],
        "products": products,
        "promotions": [{"code": p.code, "props": p.props(), "skus": list(p.skus)} for p in bundle.promotions],
        "sessions": [{"id": s.id, "props": s.props()} for s in bundle.sessions],
    }


async def import_bundle(
    store: GraphStore, bundle: Bundle, actor: str, *, source: str = "import", progress: Progress = _noop
) -> ImportResult:
    """Write a validated bundle (see the module docstring for atomicity); return the counts."""
    check_actor(actor)
    await check_references(store, bundle)
    result = ImportResult(
        categories=len(bundle.categories),
        products=len(bundle.products),
        variants=len(bundle.variants),
        promotions=len(bundle.promotions),
        sessions=len(bundle.sessions),
        faqs=len(bundle.faqs),
        streamer=bundle.streamer is not None,
    )
    faq_rows: list[dict[str, Any]] = []
    for start in range(0, len(bundle.faqs), FAQ_CHUNK):  # embeddings first: the slow, CPU-bound part
        faq_rows += await upsert_rows(bundle.faqs[start : start + FAQ_CHUNK])
        progress("faqs", min(start + FAQ_CHUNK, len(bundle.faqs)), len(bundle.faqs))
    total = len(bundle.products)
    progress("write", 0, total)
    params = _write_params(bundle)
    params["faq_rows"] = faq_rows
    params.update(audit_params(actor, "import", "Catalog", source[:200], result.to_json()))
    await store.write(_import_query(store), params)
    progress("write", total, total)
    log.info("import %s by %s into %s: %s", source, actor, store.describe(), result)
    return result


# --------------------------------------------------------------------------- export


async def export_bundle(store: GraphStore) -> Bundle:
    """Read the whole catalog (everything the export formats hold)."""
    bundle = Bundle(streamer=await get_streamer(store))
    bundle.categories = await list_categories(store)
    bundle.products = await list_products(store)
    rows = await store.read(
        "MATCH (p:Product)-[:HAS_VARIANT]->(v:Variant) "
        "RETURN p.sku AS sku, p.currency AS currency, v ORDER BY v.id"
    )
    bundle.variants = [Variant.from_graph(row["v"], row["sku"], row["currency"]) for row in rows]
    bundle.promotions = await list_promotions(store)
    bundle.sessions = await list_sessions(store)
    after = ""
    while True:
        page = await list_all_faqs(store, after=after, limit=1000)
        bundle.faqs += page
        if len(page) < 1000:
            break
        after = page[-1].id
    return bundle


def _without_version(data: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("version", *drop)}


def bundle_to_json(bundle: Bundle) -> dict[str, Any]:
    variants: dict[str, list[dict[str, Any]]] = {}
    for variant in sorted(bundle.variants, key=lambda v: v.id):
        variants.setdefault(variant.sku, []).append(_without_version(variant.to_json(), "sku"))
    streamer = bundle.streamer
    return {
        "format": FORMAT,
        "streamer": {"id": streamer.id, "name_en": streamer.name_en, "name_zh": streamer.name_zh}
        if streamer
        else None,
        "categories": [_without_version(c.to_json()) for c in sorted(bundle.categories, key=lambda c: c.id)],
        "products": [
            {**_without_version(product_to_json(p)), "variants": variants.get(p.sku, [])}
            for p in sorted(bundle.products, key=lambda p: p.sku)
        ],
        "promotions": [
            _without_version(p.to_json()) for p in sorted(bundle.promotions, key=lambda p: p.code)
        ],
        "schedule": [_without_version(s.to_json()) for s in sorted(bundle.sessions, key=lambda s: s.id)],
        "faqs": [faq_to_json(f) for f in sorted(bundle.faqs, key=lambda f: f.id)],
    }


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


async def export_json(store: GraphStore) -> str:
    """The whole catalog as a ``liveroom-export/1`` JSON document (deterministic)."""
    return dumps(bundle_to_json(await export_bundle(store)))
