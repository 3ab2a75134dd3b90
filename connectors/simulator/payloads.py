"""Wire payloads of the simulator's WebSocket protocol (JSON text frames).

Client -> server (a viewer connection speaks for one viewer, whose id the server assigns; only an
authenticated replay connection may name many viewers, with their ids: see connector.py)::

    {"type": "chat", "viewer": "ann", "text": "how much is the serum?", "viewer_id": "optional"}
    {"type": "gift", "viewer": "ann", "gift": "Rocket", "count": 3, "value": 30.0}
    {"type": "super_chat", "viewer": "ann", "text": "love the stream", "amount": 30.0}
    {"type": "moderation", "viewer": "modname", "action": "ban", "target": "troll", "target_id": "t1",
     "reason": "spam", "duration_s": 600, "text": "the message concerned"}
                  (replay connections only: a human moderator of the simulated room acted; the
                   gateway receives a MODERATION event, nothing is shown in the room)

Optional on every client frame: ``viewer_id``, ``message_id`` (the replay tool keeps the ids of a
recorded log), ``roles`` (["moderator", "subscriber", "vip", "broadcaster"]); on a viewer connection
the server decides all three (connector.py). Display names are sanitised (:func:`sanitize_name`): no
``@`` (a name cannot ping others in the bot's ``@name`` replies), no control, format or bidi characters.

Server -> every client in the room::

    {"type": "welcome", "room": "demo", "history": [<chat>...], "viewer_id": "sim-…"}   (id: viewer sockets)
    {"type": "chat" | "gift" | "super_chat", "message_id": "...", "viewer": "ann", "viewer_id": "ann",
     "text": "...", "ts": 1700000000.0, "bot": false, "reply_to": null}
                                                  (super chats also "amount": 30.0, "currency": "CNY")
    {"type": "deleted", "message_id": "..."}      (moderation removed that message; clients hide it)
    {"type": "timed_out", "viewer_id": "ann", "viewer": "ann", "seconds": 60}   (moderation muted a viewer)
    {"type": "error", "reason": "..."}            (only to the sender of a bad frame, or of a frame
                                                   from a timed-out viewer: "you are timed out for N s")

Incoming frames are parsed once here into :class:`ChatFrame` or rejected with a reason the sender sees.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

from connectors.base import NOTICE_ACTIONS, ModerationNotice

MAX_TEXT_CHARS = 500
MAX_NAME_CHARS = 40
MAX_ID_CHARS = 64
MAX_FRAME_BYTES = 8192
MAX_COUNT = 10_000
FrameType = Literal["chat", "gift", "super_chat", "moderation"]
FRAME_TYPES: tuple[FrameType, ...] = ("chat", "gift", "super_chat", "moderation")
ROLES = frozenset({"broadcaster", "moderator", "subscriber", "vip"})


class ChatPayload(TypedDict):
    type: FrameType
    message_id: str
    viewer: str
    viewer_id: str
    text: str
    ts: float
    bot: bool
    reply_to: str | None
    amount: NotRequired[float]  # super chats: what the viewer paid (clients pin it for a while)
    currency: NotRequired[str]


class BadFrame(ValueError):
    """A client frame that is not a valid simulator message; the text is shown to the sender."""


@dataclass(frozen=True)
class ChatFrame:
    viewer: str
    viewer_id: str
    text: str
    type: FrameType = "chat"
    item: str = ""
    count: int = 0
    amount: float = 0.0
    message_id: str | None = None
    roles: tuple[str, ...] = ()
    #: "moderation" frames: what the moderator (``viewer``) did
    notice: ModerationNotice | None = None


class _FrameCommon(TypedDict):
    """The fields every parsed client frame carries, whatever its type."""

    viewer: str
    viewer_id: str
    message_id: str | None
    roles: tuple[str, ...]


def parse_client_frame(raw: str) -> ChatFrame:
    """Validate one client text frame; raise :class:`BadFrame` naming what is wrong."""
    if len(raw.encode()) > MAX_FRAME_BYTES:
        raise BadFrame(f"frame larger than {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise BadFrame(f"invalid JSON: {err.msg}") from None
    except RecursionError:  # "[[[[..." nested past Python's limit (security review L7)
        raise BadFrame("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise BadFrame("frame must be a JSON object")
    kind = data.get("type")
    if kind not in FRAME_TYPES:
        raise BadFrame(f"unknown type {kind!r}; expected one of {', '.join(FRAME_TYPES)}")
    viewer = sanitize_name(_name(data, "viewer"))
    if not viewer:
        raise BadFrame("field 'viewer' has no printable name")
    viewer_id = _name(data, "viewer_id", default=viewer)
    if any(not ch.isprintable() for ch in viewer_id):
        raise BadFrame("field 'viewer_id' must be printable")
    message_id = data.get("message_id")
    if message_id is not None and (
        not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_ID_CHARS
    ):
        raise BadFrame(f"field 'message_id' must be a string of 1-{MAX_ID_CHARS} characters")
    roles = data.get("roles", [])
    if not isinstance(roles, list) or not set(roles) <= ROLES:
        raise BadFrame(f"field 'roles' must be a list of {', '.join(sorted(ROLES))}")
    common: _FrameCommon = {
        "viewer": viewer,
        "viewer_id": viewer_id,
        "message_id": message_id,
        "roles": tuple(roles),
    }
    if kind == "moderation":
        return ChatFrame(text="", type="moderation", notice=_notice(data, viewer), **common)
    if kind == "gift":
        gift = _name(data, "gift")
        count = _number(data, "count", 1, integer=True)
        value = _number(data, "value", 0.0)
        return ChatFrame(text="", type="gift", item=gift, count=int(count), amount=value, **common)
    text = _text(data)
    if kind == "super_chat":
        amount = _number(data, "amount", None)
        return ChatFrame(text=text, type="super_chat", amount=amount, count=1, **common)
    return ChatFrame(text=text, **common)


def _notice(data: dict[str, Any], moderator: str) -> ModerationNotice:
    action = data.get("action")
    if action not in NOTICE_ACTIONS:
        raise BadFrame(f"field 'action' must be one of {', '.join(NOTICE_ACTIONS)}")
    target = sanitize_name(_name(data, "target")) if "target" in data else ""
    target_id = _name(data, "target_id", default=target) if (target or "target_id" in data) else ""
    duration = _number(data, "duration_s", 0, integer=False) if "duration_s" in data else None
    text = data.get("text", "")
    reason = data.get("reason", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise BadFrame(f"field 'text' must be a string of at most {MAX_TEXT_CHARS} characters")
    if not isinstance(reason, str) or len(reason) > MAX_TEXT_CHARS:
        raise BadFrame(f"field 'reason' must be a string of at most {MAX_TEXT_CHARS} characters")
    return ModerationNotice(
        str(action),
        moderator=moderator,
        target_id=target_id,
        target_name=target,
        duration_s=None if duration is None else int(duration),
        reason=reason,
        text=text,
    )


def sanitize_name(name: str) -> str:
    """A display name that cannot mention anyone or break a log line: '@' and every control, format
    (bidi, zero-width) or separator-other character dropped, runs of spaces made one, cut to
    ``MAX_NAME_CHARS``."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch != "@" and ch != "＠" and (ch.isspace() or unicodedata.category(ch)[0] not in "CZ")
    )
    return " ".join(kept.split())[:MAX_NAME_CHARS]


def _name(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise BadFrame(f"field {key!r} must be a non-empty string")
    value = value.strip()
    if len(value) > MAX_NAME_CHARS:
        raise BadFrame(f"field {key!r} longer than {MAX_NAME_CHARS} characters")
    return value


def _text(data: dict[str, Any]) -> str:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadFrame("field 'text' must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise BadFrame(f"field 'text' longer than {MAX_TEXT_CHARS} characters")
    return text.strip()


def _number(data: dict[str, Any], key: str, default: float | None, *, integer: bool = False) -> float:
    value = data.get(key, default)
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if (
        value is None
        or isinstance(value, bool)
        or not ok
        or not math.isfinite(value)
        or not 0 <= value <= MAX_COUNT * 100
    ):
        kind = "an integer" if integer else "a number"
        raise BadFrame(f"field {key!r} must be {kind} >= 0")
    if integer and not 1 <= value <= MAX_COUNT:
        raise BadFrame(f"field {key!r} must be 1-{MAX_COUNT}")
    return float(value)
