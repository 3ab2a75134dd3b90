"""Small field validators shared by the entity dataclasses.

Each raises ``ValidationError(field, problem, code=..., params=...)`` so the admin API can answer
``{"error": problem, "field": field, "code": code, "params": params}`` (pages translate the code) and
an import can report the row and field.
Limits are deliberately generous for real data and small enough that one oversized
request cannot bloat the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.text import normalize_key

__all__ = [
    "ID_PATTERN",
    "MAX_TAG",
    "MAX_TAGS",
    "MAX_TITLE",
    "MAX_URL",
    "check_count",
    "check_id",
    "check_optional_text",
    "check_tags",
    "check_text",
    "check_url",
    "check_version",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}")
MAX_TITLE = 200
MAX_URL = 2000
MAX_TAG = 50
MAX_TAGS = 50
MAX_COUNT = 10**9


def check_id(field: str, value: object) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ValidationError(
            field,
            f"must be 1-128 characters of A-Z a-z 0-9 . _ : / # -, got {value!r}",
            code="bad_id",
            params={"max": "128"},
        )
    return value


def check_text(field: str, value: object, max_len: int = MAX_TITLE, *, allow_blank: bool = True) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}", code="not_text")
    if len(value) > max_len:
        raise ValidationError(
            field,
            f"must be at most {max_len} characters, got {len(value)}",
            code="too_long",
            params={"max": str(max_len), "got": str(len(value))},
        )
    if "\x00" in value:
        raise ValidationError(field, "must not contain NUL characters", code="nul")
    if not allow_blank and not value.strip():
        raise ValidationError(field, "must not be blank", code="blank")
    return value


def check_optional_text(field: str, value: object, max_len: int = MAX_TITLE) -> str | None:
    """None and blank strings both mean "not set" (stored as a missing property)."""
    if value is None:
        return None
    text = check_text(field, value, max_len)
    return text if text.strip() else None


def check_count(field: str, value: object, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    """An integer (not bool, not float) in [minimum, maximum]: stock, percentages."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            field, f"must be an integer, got {value!r}", code="not_integer", params={"got": repr(value)}
        )
    if value < minimum:
        raise ValidationError(
            field,
            f"must be at least {minimum}, got {value}",
            code="too_small",
            params={"min": str(minimum), "got": str(value)},
        )
    if value > maximum:
        raise ValidationError(
            field,
            f"must be at most {maximum}, got {value}",
            code="too_large",
            params={"max": str(maximum), "got": str(value)},
        )
    return value


def check_version(value: object, field: str = "version") -> int:
    return check_count(field, value, maximum=2**62)


def check_url(field: str, value: object) -> str | None:
    url = check_optional_text(field, value, MAX_URL)
    if url is None:
        return None
    if not url.startswith(("https://", "http://")) or any(ch.isspace() for ch in url):
        raise ValidationError(
            field, f"must be an http(s) URL without spaces, got {url[:80]!r}", code="bad_url"
        )
    return url


def check_tags(field: str, value: object) -> tuple[str, ...]:
    """Tags are short labels; stored as given, de-duplicated by their normalized form."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(field, "must be a list of strings", code="list_of_strings")
    tags: list[str] = []
    seen: set[str] = set()
    for tag in value:
        if not isinstance(tag, str) or not normalize_key(tag) or len(tag) > MAX_TAG:
            raise ValidationError(
                field,
                f"tags must be non-blank strings of at most {MAX_TAG} characters",
                code="list_of_strings",
            )
        key = normalize_key(tag)
        if key not in seen:
            seen.add(key)
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            field, f"at most {MAX_TAGS} tags, got {len(tags)}", code="too_many", params={"max": str(MAX_TAGS)}
        )
    return tuple(tags)
