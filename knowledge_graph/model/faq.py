"""The streamer and an FAQ as validated value objects, and their graph row mapping; no I/O.

An FAQ is bilingual: either language may be blank, but it needs a question and an answer
in at least one. ``languages`` says which it has. It is ABOUT one product, category or the streamer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.text import pick_language
from knowledge_graph.model.validate import check_id

__all__ = ["FAQ", "Streamer"]

_MAX_TEXT = 2000
_TEXT_FIELDS = ("question_en", "question_zh", "answer_en", "answer_zh")
# What an FAQ can be ABOUT: field -> (label, key property). Code constants, never input.
_TARGETS: dict[str, tuple[str, str]] = {
    "product_sku": ("Product", "sku"),
    "category_id": ("Category", "id"),
    "streamer_id": ("Streamer", "id"),
}
_UPDATABLE = frozenset(_TEXT_FIELDS) | frozenset(_TARGETS)


def _check_id(field: str, value: object) -> None:
    check_id(field, value)


def _check_texts(obj: object, fields: Iterable[str], *, required: bool) -> None:
    fields = tuple(fields)
    for field in fields:
        value = getattr(obj, field)
        if value is None and not required:
            continue
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            raise ValidationError(field, f"must be a string of at most {_MAX_TEXT} characters")
        if "\x00" in value:
            raise ValidationError(field, "must not contain NUL characters")
    values = [getattr(obj, field) for field in fields]
    if required and not any(isinstance(v, str) and v.strip() for v in values):
        raise ValidationError(fields[0], "must not be blank in both languages")


@dataclass(frozen=True, kw_only=True)
class Streamer:
    """The person running the stream; FAQs about shipping, schedule etc. hang off it."""

    id: str
    name_en: str
    name_zh: str

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_texts(self, ("name_en", "name_zh"), required=True)

    def name(self, lang: str = "en") -> str:
        return pick_language(lang, self.name_en, self.name_zh) or ""


@dataclass(frozen=True, kw_only=True)
class FAQ:
    """A question and its answer in English and/or Chinese, about one product, category or
    the streamer (exactly one of ``product_sku``, ``category_id``, ``streamer_id``).

    ``version`` is 0 for an FAQ not stored yet; the graph owns it (1 on create, +1 per change).
    """

    id: str
    question_en: str
    question_zh: str
    answer_en: str
    answer_zh: str
    product_sku: str | None = None
    streamer_id: str | None = None
    category_id: str | None = None
    version: int = 0

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_texts(self, ("question_en", "question_zh"), required=True)
        _check_texts(self, ("answer_en", "answer_zh"), required=True)
        targets = [field for field in _TARGETS if getattr(self, field) is not None]
        if len(targets) != 1:
            raise ValidationError(
                "product_sku", "exactly one of product_sku, category_id and streamer_id must be set"
            )
        _check_id(targets[0], getattr(self, targets[0]))
        for lang in ("en", "zh"):
            has_q = bool(getattr(self, f"question_{lang}").strip())
            has_a = bool(getattr(self, f"answer_{lang}").strip())
            if has_q != has_a:
                missing = f"answer_{lang}" if has_q else f"question_{lang}"
                raise ValidationError(missing, f"must be set when the other {lang} text is (or both blank)")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            raise ValidationError("version", f"must be a non-negative integer, got {self.version!r}")

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this FAQ is written in: ("en",), ("zh",) or ("en", "zh")."""
        return tuple(lang for lang in ("en", "zh") if getattr(self, f"question_{lang}").strip())

    @property
    def target(self) -> tuple[str, str]:
        """``(field, key)`` of what the FAQ is about, e.g. ``("product_sku", "LR-LIP-001")``."""
        for field in _TARGETS:
            value = getattr(self, field)
            if value is not None:
                return field, value
        raise AssertionError("validated FAQ without a target")

    def question(self, lang: str = "en") -> str:
        return pick_language(lang, self.question_en, self.question_zh) or ""

    def answer(self, lang: str = "en") -> str:
        return pick_language(lang, self.answer_en, self.answer_zh) or ""

    def content(self) -> dict[str, Any]:
        """The stored fields (no version), as audit entries and exports show them."""
        return {field: getattr(self, field) for field in (*_TEXT_FIELDS, *_TARGETS)}


def _faq_row(faq: FAQ) -> dict[str, Any]:
    return {"id": faq.id, **faq.content()}


def _faq_from_row(row: Mapping[str, Any]) -> FAQ:
    return FAQ(
        id=row["id"],
        question_en=row.get("question_en") or "",
        question_zh=row.get("question_zh") or "",
        answer_en=row.get("answer_en") or "",
        answer_zh=row.get("answer_zh") or "",
        product_sku=row.get("product_sku"),
        category_id=row.get("category_id"),
        streamer_id=row.get("streamer_id"),
        version=int(row.get("version") or 0),
    )
