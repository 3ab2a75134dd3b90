"""What the platforms tell moderators beyond chat: other moderators' actions, AutoMod holds, room state.

:class:`NoticeBoard` is a gateway event handler (``Gateway.event_handlers``): it sees every non-chat
event once and keeps, in bounded memory and O(1) per event,

* human moderators' (and the platform's) actions, shown in the dashboard's moderation log next to the
  bot's own decisions. The bot's own actions reported back by the platform (``notice.by_bot``) are
  counted, not listed: the gateway's log already has them, with their undo;
* AutoMod holds: pending until a moderator approves or denies them (or they expire), then marked;
* room status (Bilibili: chat silenced, watched / online counters, live or not), per room.

Texts are kept as the platform sent them; the dashboard renders them as text, never as markup.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.base import ChatEvent, EventKind, ModerationNotice

NOTICES = 200
HELD = 100
ROOMS = 1000


@dataclass
class NoticeRecord:
    """One action a human moderator (or the platform) took, as the dashboard lists it."""

    id: str
    at: float
    platform: str
    room: str
    notice: ModerationNotice
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class HeldMessage:
    """A message AutoMod (or a platform filter) holds for review; ``status`` "pending" until resolved."""

    id: str
    at: float
    platform: str
    room: str
    message_id: str
    viewer: str
    viewer_id: str
    text: str
    reason: str
    status: str = "pending"
    moderator: str = ""
    resolved_at: float | None = None


class NoticeBoard:
    """The dashboard's gateway event handler; see the module docstring."""

    def __init__(
        self,
        notices: int = NOTICES,
        held: int = HELD,
        rooms: int = ROOMS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.notices: deque[NoticeRecord] = deque(maxlen=notices)
        self.held: OrderedDict[tuple[str, str, str], HeldMessage] = OrderedDict()
        self.held_size = held
        self.status: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self.rooms_size = rooms
        self.own_actions = 0  # the bot's own actions reported back (already in the gateway's log)
        self._clock = clock
        self._seq = itertools.count(1)

    def __call__(self, event: ChatEvent) -> None:
        if event.kind is EventKind.MODERATION and event.notice is not None:
            self._notice(event, event.notice)
        elif event.kind is EventKind.ROOM_STATUS and event.status is not None:
            self._status(event)

    def _notice(self, event: ChatEvent, notice: ModerationNotice) -> None:
        if notice.by_bot:
            self.own_actions += 1
            return
        now = self._clock()
        if notice.action == "held":
            self._hold(event, notice, now)
        elif notice.action == "held_resolved":
            self._resolve(event, notice, now)
        else:
            self.notices.append(
                NoticeRecord(
                    f"n-{next(self._seq)}", now, event.platform, event.room, notice, dict(event.extra)
                )
            )

    def _hold(self, event: ChatEvent, notice: ModerationNotice, now: float) -> None:
        key = (event.platform, event.room, notice.target_message_id)
        if key in self.held:
            return
        self.held[key] = HeldMessage(
            f"h-{next(self._seq)}",
            now,
            event.platform,
            event.room,
            notice.target_message_id,
            notice.target_name or notice.target_id,
            notice.target_id,
            notice.text,
            notice.reason,
        )
        while len(self.held) > self.held_size:
            self.held.popitem(last=False)

    def _resolve(self, event: ChatEvent, notice: ModerationNotice, now: float) -> None:
        key = (event.platform, event.room, notice.target_message_id)
        held = self.held.get(key)
        if held is None:  # held before we were listening: list it as resolved
            self._hold(event, notice, now)
            held = self.held.get(key)
            if held is None:
                return
        held.status = notice.reason or "resolved"
        held.moderator = notice.moderator
        held.resolved_at = now

    def _status(self, event: ChatEvent) -> None:
        status = event.status
        assert status is not None
        key = (event.platform, event.room)
        room = self.status.get(key)
        if room is None:
            room = self.status[key] = {}
            while len(self.status) > self.rooms_size:
                self.status.popitem(last=False)
        for name in ("silenced", "online", "watched", "live"):
            value = getattr(status, name)
            if value is not None:
                room[name] = value
        if status.silenced is not None:
            room["silence_kind"] = status.silence_kind
            room["silence_until"] = status.silence_until
            room["silence_level"] = event.extra.get("silence_level")
        room["at"] = round(self._clock(), 3)

    # --- for the sampler ----------------------------------------------------------------------------
    def notice_rows(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` notices, newest first, shaped like the bot's rows of the log."""
        rows = []
        for record in itertools.islice(reversed(self.notices), limit):
            notice = record.notice
            rows.append(
                {
                    "id": record.id,
                    "at": round(record.at, 3),
                    "platform": record.platform,
                    "room": record.room,
                    "viewer": notice.target_name or notice.target_id,
                    "text": notice.text,
                    "action": notice.action,
                    "rule": "",
                    "detail": notice.reason,
                    "duration_s": notice.duration_s,
                    "target_message_id": notice.target_message_id,
                    "mode": "live",
                    "label": notice.action,
                    "executed": True,
                    "undone_at": None,
                    "why_not_undo": "by_moderator",  # not the bot's decision: nothing to undo here
                    "source": "moderator" if notice.moderator else "platform",
                    "by": notice.moderator,
                    "shared_chat_source": record.extra.get("shared_chat_source", ""),
                }
            )
        return rows

    def held_rows(self, limit: int) -> list[dict[str, Any]]:
        """Pending holds first (oldest first: they wait longest), then the latest resolved ones."""
        pending = [h for h in self.held.values() if h.status == "pending"]
        resolved = [h for h in reversed(self.held.values()) if h.status != "pending"]
        return [
            {
                "id": h.id,
                "at": round(h.at, 3),
                "platform": h.platform,
                "room": h.room,
                "message_id": h.message_id,
                "viewer": h.viewer,
                "text": h.text,
                "reason": h.reason,
                "status": h.status,
                "moderator": h.moderator,
                "resolved_at": h.resolved_at,
            }
            for h in (pending + resolved)[:limit]
        ]

    def room_status(self, platform: str) -> dict[str, dict[str, Any]]:
        return {room: dict(state) for (p, room), state in self.status.items() if p == platform}
