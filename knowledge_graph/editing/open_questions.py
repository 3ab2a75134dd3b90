"""Questions the bot could not answer, handed off to moderators.

When NLU is unsure and no FAQ matches, the bot replies politely and records the question here
(``action_faq_or_handoff``); complaints are recorded too (``action_flag_complaint``). Moderator
tools list the newest first. Asks for a product the shop does not sell (``not_carried``, recorded by
the QA layer after its "we don't carry that") need no answer: they are listed apart, as demand the
streamer may act on (:func:`list_not_carried`). The same open question in a room is one
``OpenQuestion`` node with a ``count`` (viewers often ask the same thing within seconds): moderators
see it once, with how many asked. Created or counted by a single parameterized MERGE (atomic, no user
text in the query string).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knowledge_graph.errors import ValidationError
from knowledge_graph.model.timeutil import now_ms, to_ms
from knowledge_graph.store import GraphStore

__all__ = [
    "FOR_MODERATORS",
    "KINDS",
    "OpenQuestion",
    "close_as_faq",
    "list_not_carried",
    "list_open_questions",
    "record_open_question",
]

KINDS = ("question", "complaint", "not_carried")
"""``not_carried``: a product the shop does not sell, asked for (demand the streamer may act on)."""
FOR_MODERATORS = ("question", "complaint")
"""The kinds a moderator has to act on (a ``not_carried`` ask was already answered by the bot)."""
MAX_TEXT = 500
_MAX_ID = 128

_RECORD = (
    "MERGE (q:OpenQuestion {platform: $platform, room: $room, kind: $kind, key: $key, status: 'open'}) "
    "ON CREATE SET q.id = $id, q.viewer_id = $viewer_id, q.text = $text, q.lang = $lang, q.at = $at, "
    "q.count = 1 "
    "ON MATCH SET q.count = coalesce(q.count, 1) + 1, q.last_at = $at "
    "RETURN q"
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
_OPEN = "MATCH (q:OpenQuestion) WHERE q.status = 'open' AND q.kind IN $kinds RETURN q "
_LIST = _OPEN + "ORDER BY q.at DESC, q.id LIMIT $limit"
_LIST_ACTIVE = _OPEN + "ORDER BY coalesce(q.last_at, q.at) DESC, q.id LIMIT $limit"
_CLOSE_AS_FAQ = "MATCH (q:OpenQuestion {id: $id}) SET q.status = 'faq', q.faq_id = $faq RETURN q.id AS id"


@dataclass(frozen=True)
class OpenQuestion:
    id: str
    platform: str
    room: str
    viewer_id: str
    text: str
    lang: str | None
    kind: str
    at: int
    status: str = "open"
    count: int = 1  # how many times it was asked while open
    last_at: int | None = None  # when it was last asked again (None: asked once)

    @classmethod
    def from_graph(cls, props: dict[str, Any]) -> OpenQuestion:
        return cls(
            id=props["id"],
            platform=props.get("platform") or "",
            room=props.get("room") or "",
            viewer_id=props.get("viewer_id") or "",
            text=props.get("text") or "",
            lang=props.get("lang"),
            kind=props.get("kind") or "question",
            at=int(props.get("at") or 0),
            status=props.get("status") or "open",
            count=int(props.get("count") or 1),
            last_at=int(props["last_at"]) if props.get("last_at") is not None else None,
        )


def _check_short(field: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > _MAX_ID:
        raise ValidationError(field, f"must be a string of at most {_MAX_ID} characters")
    return value


async def record_open_question(
    store: GraphStore,
    platform: str,
    room: str,
    viewer_id: str,
    text: str,
    lang: str | None,
    at: int | str | datetime | None = None,
    *,
    kind: str = "question",
) -> OpenQuestion:
    """Record one unanswered viewer message for moderators (or count it on the same open question of
    the room); returns the record.

    ``text`` is cut to 500 characters; ``at`` defaults to now (epoch ms, or ISO/aware datetime).
    """
    for field, value in (("platform", platform), ("room", room), ("viewer_id", viewer_id)):
        _check_short(field, value)
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("text", "must be a non-empty string")
    if lang is not None and lang not in ("en", "zh"):
        raise ValidationError("lang", f"must be en, zh or None, got {lang!r}")
    if kind not in KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    when = now_ms() if at is None else to_ms(at, "at")
    params = {
        "id": uuid.uuid4().hex,
        "platform": platform,
        "room": room,
        "viewer_id": viewer_id,
        "text": text.strip()[:MAX_TEXT],
        "lang": lang,
        "kind": kind,
        "at": when,
    }
    rows = await store.write(_RECORD, {**params, "key": question_key(params["text"])})
    return OpenQuestion.from_graph(dict(rows[0]["q"])) if rows else OpenQuestion(**params)


def question_key(text: str) -> str:
    """What makes two questions the same: case, width, spacing and punctuation aside."""
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()[:MAX_TEXT]


async def list_open_questions(
    store: GraphStore, limit: int = 50, kinds: tuple[str, ...] = KINDS
) -> list[OpenQuestion]:
    """Open questions of ``kinds`` (all by default; moderators want :data:`FOR_MODERATORS`), newest first."""
    return await _list(store, _LIST, limit, kinds)


async def list_not_carried(store: GraphStore, limit: int = 50) -> list[OpenQuestion]:
    """Open asks for products the shop does not sell, the most recently asked (first or again) first."""
    return await _list(store, _LIST_ACTIVE, limit, ("not_carried",))


async def _list(store: GraphStore, query: str, limit: int, kinds: tuple[str, ...]) -> list[OpenQuestion]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError("limit", f"must be an integer in 1..1000, got {limit!r}")
    if not kinds or any(kind not in KINDS for kind in kinds):
        raise ValidationError("kinds", f"must be some of {', '.join(KINDS)}, got {kinds!r}")
    rows = await store.read(query, {"limit": limit, "kinds": list(kinds)})
    return [OpenQuestion.from_graph(dict(row["q"])) for row in rows]


async def close_as_faq(store: GraphStore, question_id: str, faq_id: str) -> bool:
    """Close an open question as answered by the FAQ ``faq_id``; False when no question has that id."""
    rows = await store.write(_CLOSE_AS_FAQ, {"id": question_id, "faq": faq_id})
    return bool(rows)
