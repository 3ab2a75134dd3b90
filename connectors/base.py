"""The one contract between chat platforms and the gateway.

Every platform adapter turns its wire payloads into :class:`ChatEvent` at the edge and accepts
:class:`OutboundMessage` for sending. The gateway (bot/) only ever sees these types and the
:class:`Connector` interface, never a platform library (the same split as Rasa's
``rasa/core/channels`` and errbot's ``backends/``).
"""

from __future__ import annotations

import abc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aiohttp import web

from connectors.accounting import ConnectorStats


class EventKind(str, Enum):
    """What happened in the room. Chat and super chats (text) are read by the gateway.

    Paid events: ``GIFT`` (gifts, Twitch gift subs, YouTube gifted memberships), ``SUPER_CHAT`` (super
    chats, Super Stickers, Twitch cheers) and ``SUBSCRIPTION`` (subs, YouTube memberships, Bilibili
    captains). ``MODERATION`` is an action the bot did not take (a human moderator, AutoMod, the
    platform), described by :attr:`ChatEvent.notice`; ``ROOM_STATUS`` is room-level state (chat silenced,
    viewer counters), described by :attr:`ChatEvent.status`.
    """

    CHAT = "chat"
    GIFT = "gift"
    SUPER_CHAT = "super_chat"
    FOLLOW = "follow"
    SUBSCRIPTION = "subscription"
    RAID = "raid"
    LIKE = "like"
    ENTER = "enter"
    MODERATION = "moderation"
    ROOM_STATUS = "room_status"


#: Kinds whose events may carry money (what the thank-you and revenue code look at).
PAID_KINDS = frozenset({EventKind.GIFT, EventKind.SUPER_CHAT, EventKind.SUBSCRIPTION})


class Role(str, Enum):
    BROADCASTER = "broadcaster"
    MODERATOR = "moderator"
    SUBSCRIBER = "subscriber"
    VIP = "vip"
    BOT = "bot"


@dataclass(frozen=True)
class EmoteSpan:
    """An emote inside ``ChatEvent.text``: characters ``start``..``end`` (exclusive), by code point."""

    start: int
    end: int
    emote_id: str
    name: str = ""


@dataclass(frozen=True)
class Badge:
    """A platform badge as shown next to a name (Twitch ``set_id``/``id``; Bilibili fan medal name/level)."""

    name: str
    version: str = ""


@dataclass(frozen=True)
class Money:
    """What a gift / super chat / cheer is worth, in the platform's unit (CNY, bits, gold coins...)."""

    amount: float
    currency: str


@dataclass(frozen=True)
class ModerationNotice:
    """A moderation action in the room that the bot did not take, as the platform reported it.

    ``action`` is one of :data:`NOTICE_ACTIONS`. ``moderator`` is who did it ("" for AutoMod or the
    platform itself); ``target_*`` name the viewer or message it was done to.
    """

    action: str
    moderator: str = ""
    target_id: str = ""
    target_name: str = ""
    duration_s: int | None = None
    reason: str = ""
    target_message_id: str = ""
    #: the message text concerned (an AutoMod hold, a deleted message), when the platform sends it
    text: str = ""
    #: the moderator's platform user id, when the platform sends it
    moderator_id: str = ""
    #: the bot account itself did it (its own delete/timeout coming back from the platform): it is
    #: already in the gateway's moderation log, so moderators' views must not list it twice
    by_bot: bool = False


#: ``ModerationNotice.action`` values: what moderators' logs show.
NOTICE_ACTIONS = (
    "ban",
    "unban",
    "timeout",
    "untimeout",
    "delete",
    "clear",
    "held",  # AutoMod (or a platform filter) held a message for review
    "held_resolved",  # a moderator approved or denied a held message (``reason`` says which)
    "raid",
    "unraid",
    "settings",  # slow mode, followers-only, emote-only... (``reason`` says which)
    "other",
)


@dataclass(frozen=True)
class RoomStatus:
    """Room-level state a platform pushes: ``None`` fields were not in this update."""

    #: chat restricted to some viewers (Bilibili ROOM_SILENT_ON / OFF)
    silenced: bool | None = None
    #: how it is restricted ("level", "medal", "member"...) and until when (epoch s, 0 = until lifted)
    silence_kind: str = ""
    silence_until: float | None = None
    #: viewers watching now, and the cumulative "watched" counter the platform shows
    online: int | None = None
    watched: int | None = None
    #: the stream went live (True) or ended (False)
    live: bool | None = None


@dataclass(frozen=True)
class ChatEvent:
    """A normalized event from any platform: chat, gift, super chat / cheer, follow, sub, raid, like, enter.

    ``room`` is the platform's channel/room id as a string; ``viewer_id`` is stable per platform, so
    ``conversation_id`` (platform:room:viewer) identifies one viewer's conversation with the bot.
    """

    platform: str
    room: str
    message_id: str
    viewer_id: str
    display_name: str
    text: str = ""
    kind: EventKind = EventKind.CHAT
    roles: frozenset[Role] = frozenset()
    reply_to: str | None = None
    timestamp: float = field(default_factory=time.time)
    badges: tuple[Badge, ...] = ()
    emotes: tuple[EmoteSpan, ...] = ()
    #: Bilibili fan-medal level in this room (0 = none); Twitch has no equivalent.
    medal_level: int = 0
    #: gifts / super chats / cheers: the item ("Rocket", "bits") and how many; value in ``money``.
    item: str = ""
    count: int = 0
    money: Money | None = None
    #: ``MODERATION`` events: what was done
    notice: ModerationNotice | None = None
    #: ``ROOM_STATUS`` events: the room's new state
    status: RoomStatus | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def conversation_id(self) -> str:
        return f"{self.platform}:{self.room}:{self.viewer_id}"


@dataclass(frozen=True)
class OutboundMessage:
    """A message the bot wants to post in a room, optionally replying to a viewer's message."""

    platform: str
    room: str
    text: str
    reply_to: str | None = None
    mention: str | None = None


#: What :meth:`Connector.moderate` can be asked to do (the values of ``bot.core.moderation.Action``).
MODERATION_ACTIONS = ("delete", "timeout")

EventSink = Callable[[ChatEvent], Awaitable[None]]
"""Where a connector delivers normalized events (the gateway's ingress)."""


class ConnectorError(Exception):
    """Root of connector errors; platform-specific errors subclass it."""


class ModerationError(ConnectorError):
    """A moderation request that did not happen; ``reason`` is short and stable (a metric label)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class UnsupportedModeration(ModerationError):
    """The platform (or this connector) cannot do it at all; asking again will not help."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("unsupported", detail)


class NotTimedOut(ModerationError):
    """A timeout cannot be lifted because the platform says the viewer is not timed out (any more):
    it ran out, or a human moderator lifted it first."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("not_timed_out", detail)


@dataclass(frozen=True)
class SendLimit:
    """What a platform lets one bot account post: ``messages`` per sliding ``window_s`` seconds, each at
    most ``max_chars`` characters (a longer reply goes out as several messages, each counted)."""

    messages: int
    window_s: float
    max_chars: int = 500

    def __post_init__(self) -> None:
        if self.messages < 1 or self.window_s <= 0 or self.max_chars < 1:
            raise ValueError(f"send limit must be positive, got {self}")


class Connector(abc.ABC):
    """A platform adapter: receives events into a sink and sends outbound messages.

    Lifecycle: the gateway calls :meth:`start` once with its sink, then :meth:`send` (and, with live
    moderation, :meth:`moderate`) any number of times, then :meth:`stop`. Connectors that serve HTTP
    themselves (the simulator) return routes from :meth:`web_routes`; the gateway mounts them on its
    aiohttp app.
    """

    #: The platform name in ChatEvent.platform and in the connector registry.
    platform: str

    #: The platform's send limit for the bot account, from the platform's configuration. The gateway's
    #: pacer is the only window that enforces it (shared in Redis across shards); the connector splits
    #: long messages to ``max_chars`` and pauses after the platform's "too many" answers (HTTP 429).
    send_limit: SendLimit = SendLimit(100, 30.0, 500)

    @abc.abstractmethod
    async def start(self, sink: EventSink) -> None:
        """Begin receiving; deliver every event to ``sink``."""

    @abc.abstractmethod
    async def send(self, message: OutboundMessage) -> None:
        """Post ``message`` in its room, within the platform's limits."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop receiving and release connections."""

    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        """Carry out a moderation decision on the platform, as the bot account (a moderator there).

        ``action`` is one of :data:`MODERATION_ACTIONS`: ``"delete"`` removes ``event``'s message from
        the room, ``"timeout"`` mutes ``event``'s viewer for ``timeout_s`` seconds. Returns True only
        when the platform confirmed it; False when the platform or this connector cannot do it, or the
        platform refused (bot not a moderator, rate limited for too long...), in which case the connector
        has logged why. It must not raise for platform answers: the gateway calls it fire-and-forget.

        Not abstract, so adapters without moderation keep working: this default supports nothing and
        returns False, which the gateway logs and counts as "declined".
        """
        return False

    #: True when :meth:`lift_timeout` is implemented (the dashboard offers "undo" only then).
    can_lift_timeout: bool = False

    async def lift_timeout(self, room: str, viewer_id: str) -> None:
        """Lift a timeout early (the moderator dashboard's undo of a :meth:`moderate` "timeout").

        Returns when the platform confirmed it. Raises :class:`NotTimedOut` when the platform says the
        viewer is not timed out, another :class:`ModerationError` when it refused (not a moderator,
        rate limited for too long, network), so the caller can tell the moderator why. Unlike
        :meth:`moderate` it raises: it is called by a person waiting for an answer, not fire-and-forget.

        Not abstract: this default says the platform cannot do it (:class:`UnsupportedModeration`);
        adapters that can override it and set :attr:`can_lift_timeout`.
        """
        raise UnsupportedModeration(f"{self.platform} connector cannot lift a timeout")

    def web_routes(self) -> list[web.AbstractRouteDef]:
        """HTTP/WebSocket routes this connector serves on the gateway's app (none by default)."""
        return []

    @property
    def stats(self) -> ConnectorStats:
        """Frame accounting and connection state, exported by the gateway as metrics."""
        existing = self.__dict__.get("_connector_stats")
        if existing is None:
            existing = self.__dict__["_connector_stats"] = ConnectorStats(self.platform)
        return existing
