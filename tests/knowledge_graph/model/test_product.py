"""Product validation and money conversion (no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.product import Product, find_key_conflicts, from_minor_units, to_minor_units


def make(**overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "sku": "T-1",
        "name_en": "Matte Lipstick",
        "name_zh": "哑光口红",
        "aliases_en": ["lipstick"],
        "aliases_zh": ["口红"],
        "price": Decimal("129.90"),
        "currency": "CNY",
        "stock": 3,
    }
    fields.update(overrides)
    return Product(**fields)


def test_normalizes_inputs() -> None:
    product = make(price="129.9", aliases_en=["lipstick", "lippie"], description_en="  ")
    assert product.price == Decimal("129.90") and str(product.price) == "129.90"
    assert product.aliases_en == ("lipstick", "lippie")
    assert product.description_en is None
    assert make(price=5, currency="JPY").price == Decimal("5")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": Decimal("-0.01")}, "price"),
        ({"price": 1.5}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": Decimal("NaN")}, "price"),
        ({"price": Decimal("1.999")}, "price"),
        ({"price": Decimal("1.5"), "currency": "JPY"}, "price"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "cny"}, "currency"),
        ({"stock": -1}, "stock"),
        ({"stock": 1.0}, "stock"),
        ({"stock": True}, "stock"),
        ({"sku": ""}, "sku"),
        ({"sku": "has space"}, "sku"),
        ({"name_en": "", "name_zh": " "}, "name_en"),
        ({"aliases_zh": "口红"}, "aliases_zh"),
        ({"aliases_en": ["ok", " "]}, "aliases_en"),
        ({"version": -1}, "version"),
    ],
)
def test_invalid_product_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(**overrides)
    assert info.value.field == field


def test_name_and_description_fall_back_to_the_other_language() -> None:
    product = make(name_zh="", description_zh="很好用")
    assert product.name("en") == "Matte Lipstick"
    assert product.name("zh") == "Matte Lipstick"
    assert product.description("en") == "很好用"
    assert make().name("zh-CN") == "哑光口红"


def test_match_keys_cover_sku_names_and_aliases_once() -> None:
    product = make(aliases_en=["Lipstick", "LIPSTICK ", "matte lipstick"])
    assert product.match_keys() == (
        ("t-1", "sku"),
        ("matte lipstick", "en"),
        ("哑光口红", "zh"),
        ("lipstick", "en"),
        ("口红", "zh"),
    )


def test_find_key_conflicts() -> None:
    a = make(sku="A")
    b = make(sku="B", name_en="Gloss", name_zh="唇釉", aliases_en=["LIPSTICK"], aliases_zh=[])
    assert find_key_conflicts([a, b]) == [("lipstick", "A", "B")]
    assert find_key_conflicts([a]) == []


@given(
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["CNY", "USD", "EUR", "HKD"]),
)
def test_minor_units_round_trip_exactly(amount: Decimal, currency: str) -> None:
    minor = to_minor_units(amount, currency)
    assert isinstance(minor, int)
    assert from_minor_units(minor, currency) == amount


def test_minor_units_examples() -> None:
    assert to_minor_units(Decimal("129.90"), "CNY") == 12990
    assert to_minor_units(Decimal("129.9"), "CNY") == 12990
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert str(from_minor_units(12990, "CNY")) == "129.90"
    assert str(from_minor_units(1500, "JPY")) == "1500"
