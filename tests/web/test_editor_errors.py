"""Validation errors carry a stable code + params next to their English text, and the editor has a
string for every code in both languages (no graph, no browser)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.web.i18n import messages
from knowledge_graph import errors
from knowledge_graph.editing.products import product_from_json
from knowledge_graph.errors import ValidationError, problem_code
from knowledge_graph.model.entities import Promotion, StreamSession, Variant
from knowledge_graph.model.timeutil import iso_to_ms
from knowledge_graph.model.validate import check_count, check_id, check_text, check_url

PRODUCT = {"sku": "LR-T-1", "name_en": "Test", "price": "10.00", "currency": "CNY", "stock": 1}
PROMO = {
    "code": "P1",
    "discount_percent": 10,
    "valid_from": "2030-01-02T00:00:00Z",
    "valid_to": "2030-01-03T00:00:00Z",
}


def _raise(make: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        make()
    return err.value


@pytest.mark.parametrize(
    ("make", "field", "code", "params"),
    [
        (lambda: product_from_json({**PRODUCT, "stock": -3}), "stock", "negative", {"got": "-3"}),
        (lambda: product_from_json({**PRODUCT, "price": "-1.00"}), "price", "negative", {"got": "-1.00"}),
        (lambda: product_from_json({**PRODUCT, "price": "1.234"}), "price", "too_precise", None),
        (lambda: product_from_json({**PRODUCT, "price": 1.5}), "price", "float_price", {}),
        (lambda: product_from_json({**PRODUCT, "colour": "red"}), "colour", "unknown_field", None),
        (lambda: product_from_json({k: v for k, v in PRODUCT.items() if k != "sku"}), "sku", "required", {}),
        (
            lambda: Promotion.from_json({**PROMO, "valid_to": "2030-01-01T00:00:00Z"}),
            "valid_to",
            "after",
            {"other": "valid_from"},
        ),
        (
            lambda: Promotion.from_json({**PROMO, "discount_amount": "5.00"}),
            "discount_percent",
            "one_discount",
            {},
        ),
        (
            lambda: StreamSession.from_json(
                {"id": "s1", "starts_at": "tomorrow", "ends_at": "2030-01-01T00:00:00Z"}
            ),
            "starts_at",
            "bad_time",
            {},
        ),
        (
            lambda: Variant.from_json({"id": "v1", "sku": "LR-T-1", "stock": "many"}),
            "stock",
            "not_integer",
            None,
        ),
        (lambda: check_count("stock", 5, maximum=3), "stock", "too_large", {"max": "3", "got": "5"}),
        (lambda: check_count("stock", -1), "stock", "too_small", {"min": "0", "got": "-1"}),
        (lambda: check_text("title_en", "x" * 300), "title_en", "too_long", {"max": "200", "got": "300"}),
        (lambda: check_id("id", "no spaces"), "id", "bad_id", {"max": "128"}),
        (lambda: check_url("url", "ftp://x"), "url", "bad_url", {}),
        (lambda: iso_to_ms("2030-01-01T00:00:00", "starts_at"), "starts_at", "needs_utc_offset", {}),
    ],
)
def test_errors_have_a_code_and_params(make, field: str, code: str, params: dict[str, str] | None) -> None:
    err = _raise(make)
    assert (err.field, err.code) == (field, code), err.problem
    if params is not None:
        assert err.params == params
    assert err.problem  # the English text stays for API users


def test_unknown_problems_fall_back_to_invalid() -> None:
    assert problem_code("something nobody planned for") == ("invalid", {})
    assert ValidationError("x", "odd", code="custom", params={"a": "1"}).params == {"a": "1"}


def _all_codes() -> set[str]:
    codes = {code for code, _ in errors._PROBLEM_CODES} | {"invalid"}
    source = (Path(errors.__file__).parent / "model" / "validate.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'code="(\w+)"', source))
    admin = (Path(__file__).parents[2] / "bot" / "admin" / "__init__.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'code="(\w+)"', admin)) - {"version_conflict"}  # 409: the conflict message
    codes |= set(re.findall(r'\d{3}: "(\w+)"', admin)) - {"unauthorized", "forbidden", "conflict", "error"}
    return codes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_code_has_a_string_in_both_languages(lang: str) -> None:
    table = messages(lang)
    missing = sorted(code for code in _all_codes() if f"error.{code}" not in table)
    assert not missing
    if lang == "zh":
        english = messages("en")
        same = [c for c in _all_codes() if table[f"error.{c}"] == english[f"error.{c}"]]
        assert not same, f"not translated: {same}"
