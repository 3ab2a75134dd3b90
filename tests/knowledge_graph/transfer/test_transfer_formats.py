"""Export formats without a database: any valid catalog survives JSON and CSV unchanged."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_graph.model.text import normalize_key
from knowledge_graph.transfer.bundle import bundle_to_json, dumps, parse_json
from knowledge_graph.transfer.csv import bundle_to_csv, parse_csv
from knowledge_graph.transfer.generate import generate_catalog

# Any text a streamer might paste: separators, quotes, newlines, CJK, emoji (not NUL,
# which the graph cannot store and the validators refuse).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(
    name=TEXT.filter(lambda t: normalize_key(t) != ""),
    description=TEXT,
    alias=TEXT.filter(lambda t: 0 < len(t) <= 100 and normalize_key(t) != ""),
    tag=TEXT.filter(lambda t: 0 < len(t) <= 50 and normalize_key(t) != ""),
    price=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
def test_any_product_text_round_trips_through_json_and_csv(
    name: str, description: str, alias: str, tag: str, price: Decimal
) -> None:
    doc = generate_catalog(3)
    product = doc["products"][1]
    product.update(name_en=name, description_en=description, aliases_en=[alias], tags=[tag], price=str(price))
    product["currency"] = "CNY"
    if normalize_key(alias) in {normalize_key(k) for p in doc["products"] for k in [p["sku"], p["name_zh"]]}:
        return  # would clash with another product's key; the importer refuses that on purpose
    bundle = parse_json(json.dumps(doc))
    as_json = dumps(bundle_to_json(bundle))
    assert dumps(bundle_to_json(parse_json(as_json))) == as_json
    as_csv = bundle_to_csv(bundle)
    again = parse_csv(as_csv)
    assert bundle_to_csv(again) == as_csv
    assert dumps(bundle_to_json(again)) == as_json


def test_json_numbers_are_read_as_exact_decimals() -> None:
    doc = generate_catalog(1)
    text = json.dumps(doc).replace(f'"price": "{doc["products"][0]["price"]}"', '"price": 0.10', 1)
    bundle = parse_json(text)
    assert bundle.products[0].price == Decimal("0.10")
