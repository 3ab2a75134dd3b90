"""Load a catalog file (the demo one by default) into an empty graph.

The file format (``demo_catalog.json`` is the reference)::

    {"format": "liveroom-catalog/1",
     "streamer": {"id", "name_en", "name_zh", "faqs": [FAQ, ...]},
     "products": [{"sku", "name_en", "name_zh", "aliases_en": [...], "aliases_zh": [...],
                   "price": "129.00", "currency": "CNY", "stock": 240,
                   "description_en", "description_zh", "faqs": [FAQ, ...]}, ...]}
    FAQ = {"question_en", "question_zh", "answer_en", "answer_zh"}

Prices are strings (or JSON numbers, read as exact decimals). FAQ ids are derived from
their owner and position ("LR-LIP-001#faq1"), so keep the order stable when editing.
Unknown keys are errors, so a typo like "alias_en" does not silently drop data; every
error names the file, the product and the field. No key (SKU, name or alias after
normalization) may belong to two products, or chat lookups would be ambiguous.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from knowledge_graph.catalog import Product, count_products, find_key_conflicts, upsert_products
from knowledge_graph.errors import ValidationError
from knowledge_graph.faq import FAQ, Streamer, upsert_faqs, upsert_streamer
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")
FORMAT = "liveroom-catalog/1"

_PRODUCT_KEYS = frozenset(
    {"sku", "name_en", "name_zh", "aliases_en", "aliases_zh", "price", "currency", "stock"}
    | {"description_en", "description_zh", "faqs"}
)
_PRODUCT_REQUIRED = frozenset({"sku", "name_en", "name_zh", "price", "currency", "stock"})
_STREAMER_KEYS = frozenset({"id", "name_en", "name_zh", "faqs"})
_FAQ_KEYS = frozenset({"question_en", "question_zh", "answer_en", "answer_zh"})


@dataclass(frozen=True)
class Catalog:
    """A parsed, validated catalog file."""

    streamer: Streamer | None
    products: tuple[Product, ...]
    faqs: tuple[FAQ, ...]


def load_catalog(path: Path | str = DEMO_CATALOG) -> Catalog:
    """Read and validate a catalog file (blocking; small files only)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ValidationError(str(path), f"cannot read catalog: {err}") from err
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        raise ValidationError(path.name, f"not valid JSON: {err}") from err
    return parse_catalog(data, source=path.name)


def parse_catalog(data: Any, source: str = "catalog") -> Catalog:
    """Validate already-decoded catalog data; errors name ``source`` and the field."""
    if not isinstance(data, Mapping):
        raise ValidationError(source, "must be a JSON object")
    if data.get("format") != FORMAT:
        raise ValidationError(f"{source}: format", f"must be {FORMAT!r}, got {data.get('format')!r}")
    _no_unknown_keys(data, {"format", "streamer", "products"}, source)
    faqs: list[FAQ] = []
    streamer = None
    if data.get("streamer") is not None:
        streamer, streamer_faqs = _parse_streamer(data["streamer"], f"{source}: streamer")
        faqs += streamer_faqs
    raw_products = data.get("products")
    if not isinstance(raw_products, list):
        raise ValidationError(f"{source}: products", "must be a list")
    products: list[Product] = []
    where: dict[str, str] = {}
    for i, raw in enumerate(raw_products):
        label = f"{source}: products[{i}]"
        if isinstance(raw, Mapping) and isinstance(raw.get("sku"), str):
            label += f" ({raw['sku']})"
        product, product_faqs = _parse_product(raw, label)
        if product.sku in where:
            raise ValidationError(f"{label}.sku", f"duplicate of {where[product.sku]}")
        where[product.sku] = label
        products.append(product)
        faqs += product_faqs
    conflicts = find_key_conflicts(products)
    if conflicts:
        key, first, second = conflicts[0]
        raise ValidationError(
            where[second], f"name/alias {key!r} is also a name/alias of {first}; each must be unique"
        )
    return Catalog(streamer=streamer, products=tuple(products), faqs=tuple(faqs))


def _no_unknown_keys(raw: Mapping[str, Any], allowed: frozenset[str] | set[str], label: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValidationError(
            f"{label}.{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )


def _parse_product(raw: Any, label: str) -> tuple[Product, list[FAQ]]:
    if not isinstance(raw, Mapping):
        raise ValidationError(label, "must be an object")
    _no_unknown_keys(raw, _PRODUCT_KEYS, label)
    missing = sorted(_PRODUCT_REQUIRED - set(raw))
    if missing:
        raise ValidationError(f"{label}.{missing[0]}", "is required")
    fields = {key: value for key, value in raw.items() if key != "faqs"}
    for key in ("aliases_en", "aliases_zh"):
        if key in fields and not isinstance(fields[key], list):
            raise ValidationError(f"{label}.{key}", "must be a list of strings")
    try:
        product = Product(**fields)
    except ValidationError as err:
        raise ValidationError(f"{label}.{err.field}", err.problem) from None
    faqs = _parse_faqs(raw.get("faqs", []), label, product_sku=product.sku, owner=product.sku)
    return product, faqs


def _parse_streamer(raw: Any, label: str) -> tuple[Streamer, list[FAQ]]:
    if not isinstance(raw, Mapping):
        raise ValidationError(label, "must be an object")
    _no_unknown_keys(raw, _STREAMER_KEYS, label)
    try:
        streamer = Streamer(id=raw.get("id"), name_en=raw.get("name_en"), name_zh=raw.get("name_zh"))
    except ValidationError as err:
        raise ValidationError(f"{label}.{err.field}", err.problem) from None
    return streamer, _parse_faqs(raw.get("faqs", []), label, streamer_id=streamer.id, owner=streamer.id)


def _parse_faqs(
    raw: Any, label: str, *, owner: str, product_sku: str | None = None, streamer_id: str | None = None
) -> list[FAQ]:
    if not isinstance(raw, list):
        raise ValidationError(f"{label}.faqs", "must be a list")
    faqs = []
    for n, item in enumerate(raw, start=1):
        item_label = f"{label}.faqs[{n - 1}]"
        if not isinstance(item, Mapping):
            raise ValidationError(item_label, "must be an object")
        _no_unknown_keys(item, _FAQ_KEYS, item_label)
        try:
            faqs.append(
                FAQ(
                    id=f"{owner}#faq{n}",
                    question_en=item.get("question_en"),
                    question_zh=item.get("question_zh"),
                    answer_en=item.get("answer_en"),
                    answer_zh=item.get("answer_zh"),
                    product_sku=product_sku,
                    streamer_id=streamer_id,
                )
            )
        except ValidationError as err:
            raise ValidationError(f"{item_label}.{err.field}", err.problem) from None
    return faqs


async def import_catalog(store: GraphStore, catalog: Catalog) -> int:
    """Upsert streamer, products and FAQs (in that order); return the product count.

    Three statements, not one transaction; every step is an idempotent upsert, so
    re-running after a failure converges.
    """
    if catalog.streamer is not None:
        await upsert_streamer(store, catalog.streamer)
    count = await upsert_products(store, catalog.products)
    await upsert_faqs(store, catalog.faqs)
    return count


async def seed_if_empty(store: GraphStore, path: Path | str = DEMO_CATALOG) -> int:
    """Create missing indexes, then load the catalog only if the graph has no Product.

    Returns how many products were loaded (0 when the graph already had products), so
    restarting the stack never overwrites prices changed during a stream.
    """
    await migrate(store)
    existing = await count_products(store)
    if existing:
        log.info("%s already has %d products; not seeding", store.describe(), existing)
        return 0
    catalog = await asyncio.to_thread(load_catalog, path)
    count = await import_catalog(store, catalog)
    log.info(
        "seeded %s with %d products and %d FAQs from %s", store.describe(), count, len(catalog.faqs), path
    )
    return count
