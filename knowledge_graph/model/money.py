"""Money: exact Decimal amounts in Python, integer minor units in the graph.

129.90 CNY is stored as 12990 (ISO 4217 exponents, so JPY has none): integers
round-trip exactly on both backends and still sort and compare in Cypher. A price with
more decimals than its currency allows is rejected rather than rounded; floats are
refused because they are inexact.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from knowledge_graph.errors import ValidationError

# Currencies a stream may sell in, with their ISO 4217 minor-unit exponents.
CURRENCY_EXPONENTS: Mapping[str, int] = {
    "CNY": 2,
    "HKD": 2,
    "TWD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "KRW": 0,
    "SGD": 2,
    "AUD": 2,
    "CAD": 2,
}

MAX_MINOR = 10**15
"""Largest amount in minor units we accept (far above any real price, far below 2**63)."""


def to_minor_units(amount: Decimal, currency: str, field: str = "price") -> int:
    """129.90 CNY -> 12990. Raises ValidationError if ``amount`` has too many decimals."""
    exponent = currency_exponent(currency)
    check_amount(amount, field)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValidationError(field, f"{amount} has more than {exponent} decimal places for {currency}")
    return int(minor)


def from_minor_units(minor: int, currency: str) -> Decimal:
    """12990 CNY -> Decimal('129.90') (always with the currency's number of decimals)."""
    exponent = currency_exponent(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def currency_exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise ValidationError(
            "currency", f"must be one of {', '.join(sorted(CURRENCY_EXPONENTS))}, got {currency!r}"
        ) from None


def check_amount(amount: object, field: str) -> None:
    if not isinstance(amount, Decimal):
        raise ValidationError(field, f"must be a Decimal, got {type(amount).__name__} {amount!r}")
    if not amount.is_finite():
        raise ValidationError(field, f"must be a finite amount, got {amount}")
    if amount < 0:
        raise ValidationError(field, f"must not be negative, got {amount}")
    if amount.adjusted() > 12:
        raise ValidationError(field, f"is too large: {amount}")


def as_decimal(value: object, field: str) -> Decimal:
    """Accept Decimal, int or a numeric string; refuse float (binary, inexact) and bool."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(field, f"must be a Decimal or a string like '129.90', not {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(field, f"not a number: {value!r}") from None
    raise ValidationError(field, f"must be a Decimal, got {type(value).__name__}")
