"""Variants, categories, promotions and the stream schedule: validated value objects.

Each class validates on construction (errors name the field), converts to the graph's
property map (``props``; times as epoch ms, money as minor units) and back
(``from_graph``), and to/from the JSON form the admin API and export files use
(``to_json`` / ``from_json``; times as ISO 8601 UTC strings, money as decimal strings).
``from_json`` refuses unknown fields so a typo ("colur") never silently drops data.

``version`` is 0 for an object not stored yet; the graph owns it (see editing/products.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.money import (
    as_decimal,
    check_amount,
    currency_exponent,
    from_minor_units,
    to_minor_units,
)
from knowledge_graph.model.text import pick_language
from knowledge_graph.model.timeutil import ms_to_iso, to_ms
from knowledge_graph.model.validate import (
    MAX_TITLE,
    check_count,
    check_id,
    check_optional_text,
    check_text,
    check_version,
)

__all__ = ["Category", "Promotion", "StreamSession", "Variant", "check_unknown_fields"]

T = TypeVar("T")
_SKU_FIELD = "sku"
MAX_SKUS_PER_PROMOTION = 10_000


def check_unknown_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    allowed_set = set(allowed)
    unknown = sorted(k for k in data if k not in allowed_set)
    if unknown:
        raise ValidationError(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed_set))})")


def _json_fields(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def _from_json(cls: type[T], data: object) -> T:
    if not isinstance(data, Mapping):
        raise ValidationError("body", "must be a JSON object")
    check_unknown_fields(data, _json_fields(cls))
    for f in fields(cls):  # type: ignore[arg-type]
        if f.default is MISSING and f.default_factory is MISSING and data.get(f.name) is None:
            raise ValidationError(f.name, "is required")
    return cls(**{k: v for k, v in data.items()})


@dataclass(frozen=True, kw_only=True)
class Category:
    """A product category ("lipstick", "skincare"); products link to one with IN_CATEGORY."""

    LABEL: ClassVar[str] = "Category"
    KEY: ClassVar[str] = "id"

    id: str
    name_en: str
    name_zh: str = ""
    version: int = 0

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_text("name_en", self.name_en, MAX_TITLE)
        check_text("name_zh", self.name_zh, MAX_TITLE)
        if not self.name_en.strip() and not self.name_zh.strip():
            raise ValidationError("name_en", "a category needs a name in at least one language")
        check_version(self.version)

    @property
    def key(self) -> str:
        return self.id

    def name(self, lang: str = "en") -> str:
        return pick_language(lang, self.name_en, self.name_zh) or ""

    def props(self) -> dict[str, Any]:
        return {"name_en": self.name_en, "name_zh": self.name_zh}

    @classmethod
    def from_graph(cls, props: Mapping[str, Any]) -> Category:
        return cls(
            id=props["id"],
            name_en=props.get("name_en") or "",
            name_zh=props.get("name_zh") or "",
            version=int(props.get("version") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name_en": self.name_en, "name_zh": self.name_zh, "version": self.version}

    @classmethod
    def from_json(cls, data: object) -> Category:
        return _from_json(cls, data)


@dataclass(frozen=True, kw_only=True)
class Variant:
    """A size/colour of a product with its own stock and optionally its own price.

    ``price`` None means "the product's price". Its currency is always the product's, so
    the price is checked against that currency when written (editing/products.py).
    """

    LABEL: ClassVar[str] = "Variant"
    KEY: ClassVar[str] = "id"

    id: str
    sku: str
    size: str | None = None
    colour: str | None = None
    stock: int = 0
    price: Decimal | None = None
    version: int = 0

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_id("sku", self.sku)
        object.__setattr__(self, "size", check_optional_text("size", self.size, 50))
        object.__setattr__(self, "colour", check_optional_text("colour", self.colour, 50))
        check_count("stock", self.stock)
        if self.price is not None:
            price = as_decimal(self.price, "price")
            check_amount(price, "price")
            object.__setattr__(self, "price", price)
        check_version(self.version)

    @property
    def key(self) -> str:
        return self.id

    @property
    def available(self) -> bool:
        return self.stock > 0

    def props(self, currency: str) -> dict[str, Any]:
        return {
            "size": self.size,
            "colour": self.colour,
            "stock": self.stock,
            "price_minor": None if self.price is None else to_minor_units(self.price, currency),
        }

    @classmethod
    def from_graph(cls, props: Mapping[str, Any], sku: str, currency: str) -> Variant:
        minor = props.get("price_minor")
        return cls(
            id=props["id"],
            sku=sku,
            size=props.get("size"),
            colour=props.get("colour"),
            stock=int(props.get("stock") or 0),
            price=None if minor is None else from_minor_units(int(minor), currency),
            version=int(props.get("version") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sku": self.sku,
            "size": self.size,
            "colour": self.colour,
            "stock": self.stock,
            "price": None if self.price is None else str(self.price),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: object) -> Variant:
        return _from_json(cls, data)


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """A discount code valid in ``[valid_from, valid_to)`` (epoch ms) for some or all products.

    Exactly one of ``discount_percent`` (1-100) and ``discount_amount`` (with
    ``currency``) is set. ``skus`` empty means the whole catalog.
    """

    LABEL: ClassVar[str] = "Promotion"
    KEY: ClassVar[str] = "code"

    code: str
    title_en: str | None = None
    title_zh: str | None = None
    discount_percent: int | None = None
    discount_amount: Decimal | None = None
    currency: str | None = None
    valid_from: int
    valid_to: int
    skus: tuple[str, ...] = ()
    version: int = 0

    def covers(self, sku: str) -> bool:
        """Is the code good for ``sku``? (no SKUs: the whole catalog, LIVE10; else only those, SERUM30)"""
        return not self.skus or sku in self.skus

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        check_id("code", self.code)
        set_(self, "title_en", check_optional_text("title_en", self.title_en))
        set_(self, "title_zh", check_optional_text("title_zh", self.title_zh))
        if (self.discount_percent is None) == (self.discount_amount is None):
            raise ValidationError(
                "discount_percent", "set exactly one of discount_percent and discount_amount"
            )
        if self.discount_percent is not None:
            check_count("discount_percent", self.discount_percent, minimum=1, maximum=100)
            if self.currency is not None:
                raise ValidationError("currency", "only goes with discount_amount")
        else:
            if self.currency is None:
                raise ValidationError("currency", "is required with discount_amount")
            amount = as_decimal(self.discount_amount, "discount_amount")
            to_minor_units(amount, self.currency, "discount_amount")
            if amount == 0:
                raise ValidationError("discount_amount", "must be greater than 0")
            exponent = currency_exponent(self.currency)
            set_(self, "discount_amount", amount.quantize(Decimal(1).scaleb(-exponent)))
        set_(self, "valid_from", to_ms(self.valid_from, "valid_from"))
        set_(self, "valid_to", to_ms(self.valid_to, "valid_to"))
        if self.valid_to <= self.valid_from:
            raise ValidationError("valid_to", "must be after valid_from")
        if isinstance(self.skus, str) or not isinstance(self.skus, Iterable):
            raise ValidationError("skus", "must be a list of SKUs")
        skus = tuple(dict.fromkeys(self.skus))
        for sku in skus:
            check_id("skus", sku)
        if len(skus) > MAX_SKUS_PER_PROMOTION:
            raise ValidationError("skus", f"at most {MAX_SKUS_PER_PROMOTION} SKUs")
        set_(self, "skus", tuple(sorted(skus)))
        check_version(self.version)

    @property
    def key(self) -> str:
        return self.code

    def is_active(self, now_ms: int) -> bool:
        return self.valid_from <= now_ms < self.valid_to

    def title(self, lang: str = "en") -> str | None:
        return pick_language(lang, self.title_en, self.title_zh)

    def props(self) -> dict[str, Any]:
        return {
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "discount_percent": self.discount_percent,
            "discount_minor": None
            if self.discount_amount is None or self.currency is None
            else to_minor_units(self.discount_amount, self.currency, "discount_amount"),
            "currency": self.currency,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "all_products": not self.skus,
        }

    @classmethod
    def from_graph(cls, props: Mapping[str, Any], skus: Iterable[str]) -> Promotion:
        currency = props.get("currency")
        minor = props.get("discount_minor")
        return cls(
            code=props["code"],
            title_en=props.get("title_en"),
            title_zh=props.get("title_zh"),
            discount_percent=props.get("discount_percent"),
            discount_amount=None
            if minor is None or currency is None
            else from_minor_units(int(minor), currency),
            currency=currency,
            valid_from=int(props["valid_from"]),
            valid_to=int(props["valid_to"]),
            skus=tuple(sorted(skus)),
            version=int(props.get("version") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "discount_percent": self.discount_percent,
            "discount_amount": None if self.discount_amount is None else str(self.discount_amount),
            "currency": self.currency,
            "valid_from": ms_to_iso(self.valid_from),
            "valid_to": ms_to_iso(self.valid_to),
            "skus": list(self.skus),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: object) -> Promotion:
        if isinstance(data, Mapping):
            for required in ("valid_from", "valid_to"):
                if data.get(required) is None:
                    raise ValidationError(required, "is required")
            if "skus" in data and not isinstance(data["skus"], list):
                raise ValidationError("skus", "must be a list of SKUs")
        return _from_json(cls, data)


@dataclass(frozen=True, kw_only=True)
class StreamSession:
    """One scheduled stream: ``[starts_at, ends_at)`` in epoch ms, titles per language."""

    LABEL: ClassVar[str] = "StreamSession"
    KEY: ClassVar[str] = "id"

    id: str
    title_en: str | None = None
    title_zh: str | None = None
    starts_at: int
    ends_at: int
    version: int = 0

    def __post_init__(self) -> None:
        check_id("id", self.id)
        object.__setattr__(self, "title_en", check_optional_text("title_en", self.title_en))
        object.__setattr__(self, "title_zh", check_optional_text("title_zh", self.title_zh))
        object.__setattr__(self, "starts_at", to_ms(self.starts_at, "starts_at"))
        object.__setattr__(self, "ends_at", to_ms(self.ends_at, "ends_at"))
        if self.ends_at <= self.starts_at:
            raise ValidationError("ends_at", "must be after starts_at")
        check_version(self.version)

    @property
    def key(self) -> str:
        return self.id

    def title(self, lang: str = "en") -> str | None:
        return pick_language(lang, self.title_en, self.title_zh)

    def is_live(self, now_ms: int) -> bool:
        return self.starts_at <= now_ms < self.ends_at

    def props(self) -> dict[str, Any]:
        return {
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
        }

    @classmethod
    def from_graph(cls, props: Mapping[str, Any]) -> StreamSession:
        return cls(
            id=props["id"],
            title_en=props.get("title_en"),
            title_zh=props.get("title_zh"),
            starts_at=int(props["starts_at"]),
            ends_at=int(props["ends_at"]),
            version=int(props.get("version") or 0),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "starts_at": ms_to_iso(self.starts_at),
            "ends_at": ms_to_iso(self.ends_at),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: object) -> StreamSession:
        if isinstance(data, Mapping):
            for required in ("starts_at", "ends_at"):
                if data.get(required) is None:
                    raise ValidationError(required, "is required")
        return _from_json(cls, data)
