"""The CSV form of ``liveroom-export/1``: one file, one row per item, a ``type`` column.

Why one file with a ``type`` column rather than one file per entity: an upload is one
request and one all-or-nothing import, and a spreadsheet user sees everything in one
sheet. Columns are the union of all item fields (``COLUMNS``); a cell of a column that
does not belong to the row's type must be empty.

Cells: list fields (``aliases_en``, ``aliases_zh``, ``tags``, ``skus``) hold a JSON
array (``["lipstick","lippie"]``) because names may contain any separator; integers are
plain digits; prices decimal strings; times ISO 8601 UTC. An empty cell is "not set"
(None, empty list or empty string as the field needs), which the validators treat the
same as the JSON form does -- so CSV export -> import -> export is byte-identical.

Rows are numbered like a spreadsheet: the header is row 1, the first item row 2.
Product rows come before their variant rows (``sku`` names the product).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from typing import Any

from knowledge_graph.editing.products import PRODUCT_FIELDS, product_from_json
from knowledge_graph.errors import ValidationError
from knowledge_graph.model.entities import Category, Promotion, StreamSession, Variant
from knowledge_graph.model.faq import Streamer
from knowledge_graph.transfer.bundle import (
    Bundle,
    ImportRejected,
    Progress,
    _add,
    _noop,
    bundle_to_json,
    check_bundle,
    faq_from_json,
)

__all__ = ["COLUMNS", "FIELDS", "bundle_to_csv", "parse_csv"]

FIELDS: Mapping[str, tuple[str, ...]] = {
    "streamer": ("id", "name_en", "name_zh"),
    "category": ("id", "name_en", "name_zh"),
    "product": tuple(f for f in PRODUCT_FIELDS if f != "version"),  # versions are not exported
    "variant": ("id", "sku", "size", "colour", "stock", "price"),
    "promotion": (
        "code",
        "title_en",
        "title_zh",
        "discount_percent",
        "discount_amount",
        "currency",
        "valid_from",
        "valid_to",
        "skus",
    ),
    "session": ("id", "title_en", "title_zh", "starts_at", "ends_at"),
    "faq": (
        "id",
        "question_en",
        "question_zh",
        "answer_en",
        "answer_zh",
        "product_sku",
        "streamer_id",
        "category_id",
    ),
}
COLUMNS: tuple[str, ...] = ("type", *dict.fromkeys(f for fields in FIELDS.values() for f in fields))
_LIST_FIELDS = frozenset({"aliases_en", "aliases_zh", "tags", "skus"})
_INT_FIELDS = frozenset({"stock", "discount_percent"})
_EMPTY_IS_BLANK = {  # required-string fields: an empty cell is "", not None
    "streamer": {"name_en", "name_zh"},
    "category": {"name_en", "name_zh"},
    "product": {"name_en", "name_zh"},
    "faq": {"question_en", "question_zh", "answer_en", "answer_zh"},
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False) if value else ""
    return str(value)


def bundle_to_csv(bundle: Bundle) -> str:
    """The bundle as CSV text (deterministic order: streamer, categories, products with
    their variants, promotions, schedule, FAQs)."""
    doc = bundle_to_json(bundle)
    out = io.StringIO()
    # RFC 4180 line ends: QUOTE_MINIMAL then quotes every cell holding \r or \n, so pasted
    # multi-line text survives (with "\n" as terminator a lone "\r" would go unquoted).
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()

    def put(kind: str, item: Mapping[str, Any]) -> None:
        writer.writerow({"type": kind, **{f: _cell(item.get(f)) for f in FIELDS[kind]}})

    if doc["streamer"]:
        put("streamer", doc["streamer"])
    for item in doc["categories"]:
        put("category", item)
    for product in doc["products"]:
        put("product", product)
        for variant in product["variants"]:
            put("variant", {**variant, "sku": product["sku"]})
    for item in doc["promotions"]:
        put("promotion", item)
    for item in doc["schedule"]:
        put("session", item)
    for item in doc["faqs"]:
        put("faq", item)
    return out.getvalue()


def _value(kind: str, name: str, raw: str) -> Any:
    if raw == "":
        if name in _LIST_FIELDS:
            return []
        return "" if name in _EMPTY_IS_BLANK.get(kind, ()) else None
    if name in _LIST_FIELDS:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested past Python's limit (review L7)
            raise ValidationError(name, 'must be a JSON list like ["a","b"]') from None
        if not isinstance(value, list):
            raise ValidationError(name, 'must be a JSON list like ["a","b"]')
        return value
    if name in _INT_FIELDS:
        text = raw.strip()
        if not (text.isdigit() or (text.startswith("-") and text[1:].isdigit())) or not text.isascii():
            raise ValidationError(name, f"must be an integer, got {raw[:40]!r}")
        return int(text)
    return raw


_BUILDERS: Mapping[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "category": ("category", Category.from_json),
    "product": ("product", product_from_json),
    "variant": ("variant", Variant.from_json),
    "promotion": ("promotion", Promotion.from_json),
    "session": ("session", StreamSession.from_json),
    "faq": ("faq", faq_from_json),
}


def parse_csv(text: str | bytes, progress: Progress = _noop) -> Bundle:
    """Parse and validate CSV; ImportRejected names the first bad row (header = row 1) and field."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ImportRejected("file", "body", f"not UTF-8: {err}") from None
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(1, "type", "the file is empty; expected a header row") from None
    except csv.Error as err:
        raise ImportRejected(1, "type", f"not valid CSV: {err}") from None
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportRejected(1, unknown[0], f"unknown column (allowed: {', '.join(COLUMNS)})")
    if "type" not in header or len(set(header)) != len(header):
        raise ImportRejected(1, "type", "the header needs a 'type' column and no column twice")
    rows = list(_records(reader, header))
    bundle = Bundle()
    total = len(rows)
    for done, (number, record) in enumerate(rows, start=1):
        _parse_row(bundle, number, record)
        if done % 1000 == 0:
            progress("validate", done, total)
    progress("validate", total, total)
    check_bundle(bundle)
    return bundle


def _records(reader: Any, header: list[str]) -> Any:
    number = 1
    try:
        for cells in reader:
            number += 1
            if not cells or all(c == "" for c in cells):
                continue
            if len(cells) != len(header):
                raise ImportRejected(number, "type", f"has {len(cells)} cells, the header has {len(header)}")
            yield number, dict(zip(header, cells, strict=True))
    except csv.Error as err:
        raise ImportRejected(number + 1, "type", f"not valid CSV: {err}") from None


def _parse_row(bundle: Bundle, number: int, record: dict[str, str]) -> None:
    kind = record.get("type", "")
    if kind not in FIELDS:
        raise ImportRejected(number, "type", f"must be one of {', '.join(FIELDS)}, got {kind[:40]!r}")
    allowed = FIELDS[kind]
    for name, raw in record.items():
        if name != "type" and name not in allowed and raw != "":
            raise ImportRejected(number, name, f"is not a field of a {kind} row; leave it empty")
    try:
        data = {name: _value(kind, name, record.get(name, "")) for name in allowed}
    except ValidationError as err:
        raise ImportRejected(number, err.field, err.problem) from None
    if kind == "streamer":
        if bundle.streamer is not None:
            raise ImportRejected(number, "type", "only one streamer row is allowed")
        try:
            bundle.streamer = Streamer(**data)
        except ValidationError as err:
            raise ImportRejected(number, err.field, err.problem) from None
        return
    if kind == "variant" and data.get("sku") and ("product", data["sku"]) not in bundle.rows:
        raise ImportRejected(number, "sku", f"no product {data['sku']!r} in an earlier row")
    item_kind, build = _BUILDERS[kind]
    _add(bundle, item_kind, number, lambda: build(data))
