"""EventSub WebSocket messages (TypedDicts, as documented by Twitch) and their conversion to ChatEvent.

Converted once at the edge (style habit 3). Each subscription type has one adapter in
:data:`ADAPTERS`; unknown types are skipped with a counted reason, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypedDict

from connectors.base import Badge, ChatEvent, EmoteSpan, EventKind, Money, Role

PLATFORM = "twitch"

MessageType = Literal[
    "session_welcome", "session_keepalive", "session_reconnect", "notification", "revocation"
]


class Metadata(TypedDict, total=False):
    message_id: str
    message_type: MessageType
    message_timestamp: str
    subscription_type: str
    subscription_version: str


class Session(TypedDict):
    id: str
    status: str
    keepalive_timeout_seconds: int | None
    reconnect_url: str | None
    connected_at: str


class Subscription(TypedDict, total=False):
    id: str
    type: str
    version: str
    status: str
    condition: dict[str, str]


class Payload(TypedDict, total=False):
    session: Session
    subscription: Subscription
    event: dict[str, Any]


class WebsocketMessage(TypedDict):
    metadata: Metadata
    payload: Payload


class BadgePayload(TypedDict):
    set_id: str
    id: str
    info: str


class Fragment(TypedDict, total=False):
    type: Literal["text", "cheermote", "emote", "mention"]
    text: str
    emote: dict[str, Any] | None


class ChatMessageEvent(TypedDict, total=False):
    broadcaster_user_id: str
    chatter_user_id: str
    chatter_user_login: str
    chatter_user_name: str
    message_id: str
    message: dict[str, Any]
    badges: list[BadgePayload]
    cheer: dict[str, int] | None
    reply: dict[str, str] | None


class Skip(Exception):
    """A valid notification we do not turn into an event; ``reason`` is the metric label."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ROLE_BADGES = {
    "broadcaster": Role.BROADCASTER,
    "moderator": Role.MODERATOR,
    "subscriber": Role.SUBSCRIBER,
    "founder": Role.SUBSCRIBER,
    "vip": Role.VIP,
}


def to_event(message: WebsocketMessage) -> ChatEvent:
    """One notification -> ChatEvent; raises :class:`Skip`, or KeyError/TypeError/ValueError if malformed."""
    sub_type = message["metadata"].get("subscription_type") or message["payload"]["subscription"]["type"]
    adapter = ADAPTERS.get(sub_type)
    if adapter is None:
        raise Skip("unhandled_type")
    return adapter(message["payload"]["event"], message["metadata"])


def _timestamp(metadata: Metadata) -> float:
    raw = metadata.get("message_timestamp", "")
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


def _roles_and_badges(badges: list[BadgePayload]) -> tuple[frozenset[Role], tuple[Badge, ...]]:
    roles = {_ROLE_BADGES[b["set_id"]] for b in badges if b["set_id"] in _ROLE_BADGES}
    return frozenset(roles), tuple(Badge(b["set_id"], b.get("id", "")) for b in badges)


def _emotes(fragments: list[Fragment]) -> tuple[EmoteSpan, ...]:
    spans, pos = [], 0
    for fragment in fragments:
        text = fragment.get("text", "")
        if fragment.get("type") == "emote" and fragment.get("emote"):
            spans.append(EmoteSpan(pos, pos + len(text), str(fragment["emote"]["id"]), text))  # type: ignore[index]
        pos += len(text)
    return tuple(spans)


def _chat(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    roles, badges = _roles_and_badges(event.get("badges") or [])
    message = event["message"]
    cheer = event.get("cheer") or None
    reply = event.get("reply") or None
    return ChatEvent(
        platform=PLATFORM,
        room=str(event["broadcaster_user_id"]),
        message_id=str(event["message_id"]),
        viewer_id=str(event["chatter_user_id"]),
        display_name=str(event.get("chatter_user_name") or event["chatter_user_login"]),
        text=str(message["text"]),
        kind=EventKind.SUPER_CHAT if cheer else EventKind.CHAT,
        roles=roles,
        reply_to=reply["parent_message_id"] if reply else None,
        timestamp=_timestamp(metadata),
        badges=badges,
        emotes=_emotes(message.get("fragments") or []),
        item="bits" if cheer else "",
        count=int(cheer["bits"]) if cheer else 0,
        money=Money(float(cheer["bits"]), "bits") if cheer else None,
        # whom the reply answers: a reply to the bot is addressed to it (bot/gateway.py addressing)
        extra={"reply_parent_user": str(reply.get("parent_user_login") or "")} if reply else {},
    )


_NOTICE_KINDS = {
    "sub": EventKind.SUBSCRIPTION,
    "resub": EventKind.SUBSCRIPTION,
    "sub_gift": EventKind.GIFT,
    "community_sub_gift": EventKind.GIFT,
    "raid": EventKind.RAID,
}


def _notification(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    notice = event["notice_type"]
    kind = _NOTICE_KINDS.get(notice)
    if kind is None:
        raise Skip("unhandled_notice")
    roles, badges = _roles_and_badges(event.get("badges") or [])
    detail = event.get(notice) or {}
    count = 1
    extra: dict[str, Any] = {}
    if notice == "raid":
        count = int(detail.get("viewer_count", 0))
    elif notice == "community_sub_gift":
        count = int(detail.get("total", 1))
    elif notice == "sub_gift" and detail.get("community_gift_id"):
        # one of the N subs of a community gift, announced again after the community_sub_gift notice
        # that already carries the total: thanks and revenue count the community gift only
        extra["community_gift_id"] = str(detail["community_gift_id"])
    return ChatEvent(
        platform=PLATFORM,
        room=str(event["broadcaster_user_id"]),
        message_id=str(event["message_id"]),
        viewer_id=str(event.get("chatter_user_id") or ""),
        display_name=str(event.get("chatter_user_name") or ""),
        text=str((event.get("message") or {}).get("text") or event.get("system_message") or ""),
        kind=kind,
        roles=roles,
        timestamp=_timestamp(metadata),
        badges=badges,
        item=str(detail.get("sub_tier", "")) if kind is not EventKind.RAID else "",
        count=count,
        extra=extra,
    )


def _follow(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    return ChatEvent(
        platform=PLATFORM,
        room=str(event["broadcaster_user_id"]),
        message_id=f"follow:{event['user_id']}:{event.get('followed_at', '')}",
        viewer_id=str(event["user_id"]),
        display_name=str(event.get("user_name") or event.get("user_login") or ""),
        kind=EventKind.FOLLOW,
        timestamp=_timestamp(metadata),
    )


ADAPTERS: dict[str, Callable[[dict[str, Any], Metadata], ChatEvent]] = {
    "channel.chat.message": _chat,
    "channel.chat.notification": _notification,
    "channel.follow": _follow,
}

#: subscription version and condition per type (bot_id = the bot account, channel = broadcaster id)
SUBSCRIPTIONS: dict[str, tuple[str, Callable[[str, str], dict[str, str]]]] = {
    "channel.chat.message": ("1", lambda channel, bot: {"broadcaster_user_id": channel, "user_id": bot}),
    "channel.chat.notification": ("1", lambda channel, bot: {"broadcaster_user_id": channel, "user_id": bot}),
    "channel.follow": ("2", lambda channel, bot: {"broadcaster_user_id": channel, "moderator_user_id": bot}),
}
