"""Times: epoch milliseconds in the graph, ISO 8601 UTC strings at the edges.

Why integers in the graph: FalkorDB and Neo4j have different temporal types (and the
FalkorDB client returns them differently), while a 64-bit integer compares, sorts and
round-trips identically on both. The API, export files and the audit log show
``2026-11-23T20:00:00Z`` (with ``.123`` when the milliseconds are not zero), which
``iso_to_ms`` reads back exactly, so exports round-trip losslessly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from knowledge_graph.errors import ValidationError

__all__ = ["MAX_MS", "MIN_MS", "iso_to_ms", "ms_to_iso", "now_ms", "now_ms_or", "to_ms"]

MIN_MS = 0  # 1970-01-01
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def now_ms() -> int:
    """Current time as epoch milliseconds, the unit every stored time uses."""
    return time.time_ns() // 1_000_000


def ms_to_iso(ms: int) -> str:
    """1795550400000 -> '2026-11-23T20:00:00Z' (milliseconds shown only when non-zero)."""
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if ms % 1000:
        text += f".{ms % 1000:03d}"
    return text + "Z"


def iso_to_ms(text: str, field: str = "time") -> int:
    """Parse an ISO 8601 time *with* a UTC offset ('Z' or '+08:00'); naive times are refused
    because a streamer in Shanghai and a server in Frankfurt would read them differently."""
    if not isinstance(text, str) or not 10 <= len(text.strip()) <= 40:
        raise ValidationError(field, f"must be an ISO 8601 time like 2026-11-23T20:00:00Z, got {text!r}")
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        raise ValidationError(
            field, f"must be an ISO 8601 time like 2026-11-23T20:00:00Z, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise ValidationError(field, f"needs a UTC offset (Z or +08:00), got {text!r}")
    return _check_range(_datetime_ms(moment), field)


def to_ms(value: object, field: str) -> int:
    """Accept epoch ms (int), an aware ``datetime`` or an ISO string; return epoch ms."""
    if isinstance(value, bool):
        raise ValidationError(field, f"must be a time, got {value!r}")
    if isinstance(value, int):
        return _check_range(value, field)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(field, "datetime must be timezone-aware")
        return _check_range(_datetime_ms(value), field)
    if isinstance(value, str):
        return iso_to_ms(value, field)
    raise ValidationError(
        field, f"must be an ISO 8601 time or epoch milliseconds, got {type(value).__name__}"
    )


def _datetime_ms(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _check_range(ms: int, field: str) -> int:
    if not MIN_MS <= ms <= MAX_MS:
        raise ValidationError(field, f"must be between 1970 and 9999, got {ms}")
    return ms


def now_ms_or(value: str | None, field: str = "now") -> int:
    """``value`` (ISO 8601) as epoch ms, or the current time when it is None (query strings)."""
    if value is None:
        return time.time_ns() // 1_000_000
    return iso_to_ms(value, field)
