"""A product as viewers and the catalog see it: validation, match keys, the graph row mapping. No I/O.

Every way a viewer may name a product -- the SKU, both names and every alias -- becomes a
match key (its ``normalize_key`` form); ``find_key_conflicts`` finds keys two products share.

Money: ``price`` is a ``Decimal`` in Python and an integer number of minor units in the
graph (``price_minor``: 129.90 CNY is stored as 12990; ISO 4217 exponents, so JPY has
none). A price with more decimals than its currency allows is rejected rather than rounded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.money import (
    CURRENCY_EXPONENTS,
    as_decimal,
    currency_exponent,
    from_minor_units,
    to_minor_units,
)
from knowledge_graph.model.text import normalize_key, pick_language
from knowledge_graph.model.validate import check_id, check_tags, check_url

__all__ = [
    "CURRENCY_EXPONENTS",
    "Mention",
    "Product",
    "find_key_conflicts",
    "from_minor_units",
    "to_minor_units",
]

_SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MAX_NAME = 200
_MAX_ALIAS = 100
_MAX_DESCRIPTION = 4000


@dataclass(frozen=True, kw_only=True)
class Product:
    """One product as viewers and actions see it. Validated on construction.

    ``version`` is 0 for a product that has not been stored yet; the graph owns it.
    Lists given for the alias fields are turned into tuples, a str/int ``price`` into a
    Decimal with the currency's number of decimals.
    """

    sku: str
    name_en: str
    name_zh: str
    aliases_en: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    price: Decimal
    currency: str
    stock: int
    description_en: str | None = None
    description_zh: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    """Id of a ``Category`` node; kept as a property too so reads need no extra hop."""
    version: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalizing values needs the back door
        if not isinstance(self.sku, str) or not _SKU.fullmatch(self.sku):
            raise ValidationError("sku", f"must be 1-64 characters of A-Z a-z 0-9 . _ - , got {self.sku!r}")
        for field in ("name_en", "name_zh"):
            value = getattr(self, field)
            if not isinstance(value, str) or len(value) > _MAX_NAME:
                raise ValidationError(field, f"must be a string of at most {_MAX_NAME} characters")
        if not normalize_key(self.name_en) and not normalize_key(self.name_zh):
            raise ValidationError("name_en", "a product needs a name in at least one language")
        for field in ("aliases_en", "aliases_zh"):
            value = getattr(self, field)
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ValidationError(field, "must be a list of strings")
            aliases = tuple(value)
            for alias in aliases:
                if not isinstance(alias, str) or not normalize_key(alias) or len(alias) > _MAX_ALIAS:
                    raise ValidationError(
                        field, f"aliases must be non-blank strings of at most {_MAX_ALIAS} chars"
                    )
            set_(self, field, aliases)
        currency_exponent(self.currency)
        # to_minor_units checks sign, finiteness and decimals; the round trip fixes the scale.
        minor = to_minor_units(as_decimal(self.price, "price"), self.currency)
        set_(self, "price", from_minor_units(minor, self.currency))
        if isinstance(self.stock, bool) or not isinstance(self.stock, int):
            raise ValidationError("stock", f"must be an integer, got {self.stock!r}")
        if self.stock < 0:
            raise ValidationError("stock", f"must not be negative, got {self.stock}")
        for field in ("description_en", "description_zh"):
            value = getattr(self, field)
            if value is not None and (not isinstance(value, str) or len(value) > _MAX_DESCRIPTION):
                raise ValidationError(field, f"must be a string of at most {_MAX_DESCRIPTION} characters")
            if value is not None and not value.strip():
                set_(self, field, None)
        set_(self, "url", check_url("url", self.url))
        set_(self, "tags", check_tags("tags", self.tags))
        if self.category is not None:
            check_id("category", self.category)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            raise ValidationError("version", f"must be a non-negative integer, got {self.version!r}")

    def name(self, lang: str = "en") -> str:
        """The name in ``lang`` ("en", "zh", "zh-CN", ...), else the other language's."""
        return pick_language(lang, self.name_en, self.name_zh) or ""

    def description(self, lang: str = "en") -> str | None:
        """The description in ``lang``, else the other language's, else None."""
        return pick_language(lang, self.description_en, self.description_zh)

    def match_keys(self) -> tuple[tuple[str, str], ...]:
        """``(key, lang)`` for the SKU, both names and all aliases; keys unique, first wins.

        ``lang`` is "sku", "en" or "zh"; it records where a key came from. Memoized on the
        names (imports ask several times per product).
        """
        return _match_keys(self.sku, self.name_en, self.name_zh, self.aliases_en, self.aliases_zh)


@functools.lru_cache(maxsize=32_768)
def _match_keys(
    sku: str, name_en: str, name_zh: str, aliases_en: tuple[str, ...], aliases_zh: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    sources: list[tuple[str, str]] = [(sku, "sku"), (name_en, "en"), (name_zh, "zh")]
    sources += [(alias, "en") for alias in aliases_en]
    sources += [(alias, "zh") for alias in aliases_zh]
    keys: dict[str, str] = {}
    for text, lang in sources:
        key = normalize_key(text)
        if key and key not in keys:
            keys[key] = lang
    return tuple(keys.items())


def find_key_conflicts(products: Iterable[Product]) -> list[tuple[str, str, str]]:
    """``(key, sku_a, sku_b)`` for every match key that two products share.

    A shared key makes chat lookups ambiguous (they then return None); catalogs loaded
    by ``seed`` must have none.
    """
    owner: dict[str, str] = {}
    conflicts: list[tuple[str, str, str]] = []
    for product in products:
        for key, _lang in product.match_keys():
            other = owner.setdefault(key, product.sku)
            if other != product.sku:
                conflicts.append((key, other, product.sku))
    return conflicts


def _product_from_graph(props: Mapping[str, Any]) -> Product:
    currency = props["currency"]
    return Product(
        sku=props["sku"],
        name_en=props.get("name_en") or "",
        name_zh=props.get("name_zh") or "",
        aliases_en=tuple(props.get("aliases_en") or ()),
        aliases_zh=tuple(props.get("aliases_zh") or ()),
        price=from_minor_units(int(props["price_minor"]), currency),
        currency=currency,
        stock=int(props["stock"]),
        description_en=props.get("description_en"),
        description_zh=props.get("description_zh"),
        url=props.get("url"),
        tags=tuple(props.get("tags") or ()),
        category=props.get("category"),
        version=int(props.get("version") or 0),
    )


def _product_row(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name_en": product.name_en,
        "name_zh": product.name_zh,
        "aliases_en": list(product.aliases_en),
        "aliases_zh": list(product.aliases_zh),
        "price_minor": to_minor_units(product.price, product.currency),
        "currency": product.currency,
        "stock": product.stock,
        "description_en": product.description_en,
        "description_zh": product.description_zh,
        "url": product.url,
        "tags": list(product.tags),
        "category": product.category,
        "keys": [{"key": key, "lang": lang} for key, lang in product.match_keys()],
    }


@dataclass(frozen=True)
class Mention:
    """A product key found in a chat message, with the position in the normalized text."""

    key: str
    start: int
    products: tuple[Product, ...]
    """Usually one; more if several products share the key (ambiguous)."""

    @property
    def end(self) -> int:
        return self.start + len(self.key)
