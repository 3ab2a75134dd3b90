"""EventSub WebSocket messages (TypedDicts, as documented by Twitch) and their conversion to ChatEvent.

Converted once at the edge. Each subscription type has one adapter in
:data:`ADAPTERS`; unknown types are skipped with a counted reason, never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from connectors.base import Badge, ChatEvent, EmoteSpan, EventKind, ModerationNotice, Money, Role

if TYPE_CHECKING:
    from twitchio.types_.conduits import Condition

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
        raise Skip(IGNORED_TYPES.get(sub_type, "unhandled_type"))
    try:
        return adapter(message["payload"]["event"], message["metadata"])
    except OverflowError as err:  # a number too large for a float/int conversion: malformed
        raise ValueError(f"{sub_type}: {err}") from None


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
        # whom the reply answers: a reply to the bot is addressed to it (bot/core/gateway.py addressing)
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


# --- moderation: channel.moderate v2, AutoMod, channel.ban ---------------------------------------------
def _user(part: dict[str, Any] | None) -> tuple[str, str]:
    """(user id, display name) of the viewer an action concerns."""
    part = part or {}
    return str(part.get("user_id") or ""), str(part.get("user_name") or part.get("user_login") or "")


def _seconds_until(raw: str | None, metadata: Metadata) -> int | None:
    """A timeout's length: its ``expires_at`` minus the notification's timestamp (Twitch sends no
    duration in channel.moderate)."""
    if not raw:
        return None
    try:
        ends = datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
    return max(0, round(ends - _timestamp(metadata)))


_SETTINGS = {
    "emoteonly": "emote-only on",
    "emoteonlyoff": "emote-only off",
    "followersoff": "followers-only off",
    "slowoff": "slow mode off",
    "subscribers": "subscribers-only on",
    "subscribersoff": "subscribers-only off",
    "uniquechat": "unique chat on",
    "uniquechatoff": "unique chat off",
}
_SAME = {"ban": "ban", "timeout": "timeout", "unban": "unban", "untimeout": "untimeout", "delete": "delete"}


def _moderate(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    """channel.moderate (v2): one moderator action; the action's details are under ``event[action]``."""
    action = str(event["action"])
    base = action.removeprefix("shared_chat_")
    detail: dict[str, Any] = event.get("unban_request" if action.endswith("_unban_request") else action) or {}
    target_id, target_name = _user(detail)
    kind, reason, duration, message_id, text = "other", str(detail.get("reason") or ""), None, "", ""
    if base in _SAME:
        kind = _SAME[base]
        if base == "timeout":
            duration = _seconds_until(detail.get("expires_at"), metadata)
        elif base == "delete":
            message_id, text = str(detail.get("message_id") or ""), str(detail.get("message_body") or "")
    elif action == "clear":
        kind = "clear"
    elif action in ("raid", "unraid"):
        kind = action
        if action == "raid":
            reason = f"{int(detail.get('viewer_count') or 0)} viewers"
    elif action in _SETTINGS:
        kind, reason = "settings", _SETTINGS[action]
    elif action == "slow":
        kind, reason = "settings", f"slow mode {int(detail.get('wait_time_seconds') or 0)} s"
    elif action == "followers":
        kind, reason = "settings", f"followers-only {int(detail.get('follow_duration_minutes') or 0)} min"
    elif action.endswith(("_blocked_term", "_permitted_term")):
        terms = event.get("automod_terms") or {}
        reason = f"{action}: {', '.join(str(t) for t in terms.get('terms') or [])}"
    elif action in ("approve_unban_request", "deny_unban_request"):
        reason = action.replace("_", " ")
        text = str(detail.get("moderator_message") or "")
    elif action == "warn":
        reason = f"warn: {detail.get('reason') or ''}".rstrip(": ")
    else:  # mod, unmod, vip, unvip, and actions Twitch adds later
        reason = action
    source = str(event.get("source_broadcaster_user_id") or "")
    extra = {"action": action}
    if source and source != str(event["broadcaster_user_id"]):
        # done in another channel of a shared chat session
        extra["shared_chat_source"] = str(event.get("source_broadcaster_user_login") or source)
    notice = ModerationNotice(
        kind,
        moderator=str(event.get("moderator_user_name") or event.get("moderator_user_login") or ""),
        moderator_id=str(event.get("moderator_user_id") or ""),
        target_id=target_id,
        target_name=target_name,
        duration_s=duration,
        reason=reason,
        target_message_id=message_id,
        text=text,
    )
    return _notice_event(event, f"mod:{metadata.get('message_id', '')}", notice, metadata, extra)


def _held_text(event: dict[str, Any]) -> str:
    message = event.get("message")
    return str(message.get("text", "")) if isinstance(message, dict) else str(message or "")


def _held_reason(event: dict[str, Any]) -> str:
    """Why AutoMod held it: v2 ``reason`` "automod" (category, level) or "blocked_term"; v1 flat."""
    automod = event.get("automod") or {}
    category = automod.get("category") or event.get("category")
    if event.get("reason") == "blocked_term":
        found = (event.get("blocked_term") or {}).get("terms_found") or []
        return f"blocked term ({len(found)})"
    if category:
        return f"automod: {category} (level {automod.get('level', event.get('level', '?'))})"
    return str(event.get("reason") or "held")


def _held(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    """automod.message.hold (v1/v2) and channel.chat.user_message_hold: a message waits for review."""
    target_id, target_name = _user(event)
    notice = ModerationNotice(
        "held",
        target_id=target_id,
        target_name=target_name,
        reason=_held_reason(event),
        target_message_id=str(event["message_id"]),
        text=_held_text(event),
    )
    return _notice_event(event, f"held:{event['message_id']}", notice, metadata)


def _held_update(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    """automod.message.update / channel.chat.user_message_update: approved, denied, expired."""
    target_id, target_name = _user(event)
    status = str(event.get("status") or "").lower()
    notice = ModerationNotice(
        "held_resolved",
        moderator=str(event.get("moderator_user_name") or event.get("moderator_user_login") or ""),
        moderator_id=str(event.get("moderator_user_id") or ""),
        target_id=target_id,
        target_name=target_name,
        reason=status,
        target_message_id=str(event["message_id"]),
        text=_held_text(event),
    )
    return _notice_event(event, f"held:{event['message_id']}:{status}", notice, metadata)


def _ban(event: dict[str, Any], metadata: Metadata) -> ChatEvent:
    """channel.ban (v1): a ban or timeout (not subscribed by default: channel.moderate covers it)."""
    target_id, target_name = _user(event)
    permanent = bool(event.get("is_permanent"))
    duration = None
    if not permanent and event.get("ends_at") and event.get("banned_at"):
        duration = _seconds_until(event["ends_at"], {"message_timestamp": event["banned_at"]})
    notice = ModerationNotice(
        "ban" if permanent else "timeout",
        moderator=str(event.get("moderator_user_name") or event.get("moderator_user_login") or ""),
        moderator_id=str(event.get("moderator_user_id") or ""),
        target_id=target_id,
        target_name=target_name,
        duration_s=duration,
        reason=str(event.get("reason") or ""),
    )
    return _notice_event(event, f"ban:{metadata.get('message_id', '')}", notice, metadata)


def _notice_event(
    event: dict[str, Any],
    message_id: str,
    notice: ModerationNotice,
    metadata: Metadata,
    extra: dict[str, Any] | None = None,
) -> ChatEvent:
    """A MODERATION event: about the viewer concerned (who did it is ``notice.moderator``)."""
    return ChatEvent(
        platform=PLATFORM,
        room=str(event["broadcaster_user_id"]),
        message_id=message_id,
        viewer_id=notice.target_id,
        display_name=notice.target_name,
        text=notice.text,
        kind=EventKind.MODERATION,
        timestamp=_timestamp(metadata),
        notice=notice,
        extra=extra or {},
    )


ADAPTERS: dict[str, Callable[[dict[str, Any], Metadata], ChatEvent]] = {
    "channel.chat.message": _chat,
    "channel.chat.notification": _notification,
    "channel.follow": _follow,
    "channel.moderate": _moderate,
    "automod.message.hold": _held,
    "automod.message.update": _held_update,
    "channel.chat.user_message_hold": _held,
    "channel.chat.user_message_update": _held_update,
    "channel.ban": _ban,
}

#: types we know and deliberately do not turn into events (named skip reasons)
IGNORED_TYPES = {
    # AutoMod's "suspicious user" treatment (restricted / monitored): not an action on the chat
    "channel.suspicious_user.message": "ignored:suspicious_user",
    "channel.suspicious_user.update": "ignored:suspicious_user",
}

#: subscription version and condition per type (bot_id = the bot account, channel = broadcaster id)
SUBSCRIPTIONS: dict[str, tuple[str, Callable[[str, str], Condition]]] = {
    "channel.chat.message": ("1", lambda channel, bot: {"broadcaster_user_id": channel, "user_id": bot}),
    "channel.chat.notification": ("1", lambda channel, bot: {"broadcaster_user_id": channel, "user_id": bot}),
    "channel.follow": ("2", lambda channel, bot: {"broadcaster_user_id": channel, "moderator_user_id": bot}),
    # moderators' actions (the bot's own too): needs the MODERATE_READ_SCOPES, the bot a moderator
    "channel.moderate": (
        "2",
        lambda channel, bot: {"broadcaster_user_id": channel, "moderator_user_id": bot},
    ),
    # AutoMod holds and their resolution: moderator:manage:automod
    "automod.message.hold": (
        "2",
        lambda channel, bot: {"broadcaster_user_id": channel, "moderator_user_id": bot},
    ),
    "automod.message.update": (
        "2",
        lambda channel, bot: {"broadcaster_user_id": channel, "moderator_user_id": bot},
    ),
}
