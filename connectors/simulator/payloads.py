"""Wire payloads of the simulator's WebSocket protocol (JSON text frames).

Client -> server::

    {"type": "chat", "viewer": "ann", "text": "how much is the serum?", "viewer_id": "optional"}

Server -> every client in the room::

    {"type": "welcome", "room": "demo", "history": [<chat>...]}
    {"type": "chat", "message_id": "...", "viewer": "ann", "viewer_id": "ann", "text": "...",
     "ts": 1700000000.0, "bot": false, "reply_to": null}
    {"type": "error", "reason": "..."}            (only to the sender of a bad frame)

Incoming frames are parsed once here into :class:`ChatFrame` or rejected with a reason the sender sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, TypedDict

MAX_TEXT_CHARS = 500
MAX_NAME_CHARS = 40
MAX_FRAME_BYTES = 8192


class ChatPayload(TypedDict):
    type: Literal["chat"]
    message_id: str
    viewer: str
    viewer_id: str
    text: str
    ts: float
    bot: bool
    reply_to: str | None


class BadFrame(ValueError):
    """A client frame that is not a valid simulator message; the text is shown to the sender."""


@dataclass(frozen=True)
class ChatFrame:
    viewer: str
    viewer_id: str
    text: str


def parse_client_frame(raw: str) -> ChatFrame:
    """Validate one client text frame; raise :class:`BadFrame` naming what is wrong."""
    if len(raw.encode()) > MAX_FRAME_BYTES:
        raise BadFrame(f"frame larger than {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise BadFrame(f"invalid JSON: {err.msg}") from None
    if not isinstance(data, dict):
        raise BadFrame("frame must be a JSON object")
    if data.get("type") != "chat":
        raise BadFrame(f"unknown type {data.get('type')!r}; expected 'chat'")
    viewer = data.get("viewer")
    text = data.get("text")
    if not isinstance(viewer, str) or not viewer.strip():
        raise BadFrame("field 'viewer' must be a non-empty string")
    if not isinstance(text, str) or not text.strip():
        raise BadFrame("field 'text' must be a non-empty string")
    viewer = viewer.strip()
    if len(viewer) > MAX_NAME_CHARS:
        raise BadFrame(f"field 'viewer' longer than {MAX_NAME_CHARS} characters")
    if len(text) > MAX_TEXT_CHARS:
        raise BadFrame(f"field 'text' longer than {MAX_TEXT_CHARS} characters")
    viewer_id = data.get("viewer_id", viewer)
    if not isinstance(viewer_id, str) or not viewer_id.strip() or len(viewer_id) > MAX_NAME_CHARS:
        raise BadFrame(f"field 'viewer_id' must be a non-empty string of at most {MAX_NAME_CHARS} characters")
    return ChatFrame(viewer=viewer, viewer_id=viewer_id.strip(), text=text.strip())
