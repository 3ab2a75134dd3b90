"""liveChatMessages.list answers (as documented: TypedDicts of the wire shape) and their ChatEvents.

Every ``snippet.type`` the liveChatMessage resource documents has one entry in :data:`ADAPTERS` (an
event) or :data:`SKIPPED` (a named, counted skip); ``chatEndedEvent`` raises :class:`ChatEnded` for the
connector. Malformed items raise :class:`PayloadError`: the connector counts and drops them, the poll
loop never crashes on one bad item.

Decisions worth knowing:

* ``giftMembershipReceivedEvent`` (one per recipient of a gifted membership) is a ``SUBSCRIPTION`` of
  the recipient without money: the recipient really became a member (the gateway can welcome them),
  while the money is on the gifter's ``membershipGiftingEvent`` (``GIFT``), so revenue is counted once.
* ``sponsorOnlyModeStartedEvent`` / ``EndedEvent`` are ``ROOM_STATUS`` (chat silenced for non-members,
  ``silence_kind="member"``), like Bilibili's ROOM_SILENT: the room's state, not a moderator's act.
* ``messageRetractedEvent`` (the author deleted their own message) is a ``MODERATION`` "delete" with
  ``reason="retracted"``, so the gateway forgets the message the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from connectors.base import Badge, ChatEvent, EventKind, ModerationNotice, Money, Role, RoomStatus

PLATFORM = "youtube"


class AuthorDetails(TypedDict, total=False):
    channelId: str
    channelUrl: str
    displayName: str
    profileImageUrl: str
    isVerified: bool
    isChatOwner: bool
    isChatSponsor: bool
    isChatModerator: bool


class Snippet(TypedDict, total=False):
    type: str
    liveChatId: str
    authorChannelId: str
    publishedAt: str
    hasDisplayContent: bool
    displayMessage: str
    textMessageDetails: dict[str, str]
    messageDeletedDetails: dict[str, str]
    messageRetractedDetails: dict[str, str]
    userBannedDetails: dict[str, Any]
    memberMilestoneChatDetails: dict[str, Any]
    newSponsorDetails: dict[str, Any]
    superChatDetails: dict[str, Any]
    superStickerDetails: dict[str, Any]
    fanFundingEventDetails: dict[str, Any]
    membershipGiftingDetails: dict[str, Any]
    giftMembershipReceivedDetails: dict[str, Any]
    pollDetails: dict[str, Any]


class LiveChatMessage(TypedDict, total=False):
    kind: str  # "youtube#liveChatMessage"
    etag: str
    id: str
    snippet: Snippet
    authorDetails: AuthorDetails


@dataclass(frozen=True)
class Page:
    """One liveChatMessages.list answer, checked: what the poll loop needs."""

    items: tuple[dict[str, Any], ...]
    next_page_token: str
    polling_interval_s: float
    #: epoch seconds when the stream went offline (``offlineAt``), None while live
    offline_at: float | None


class PayloadError(Exception):
    """An answer or item that does not have the documented shape; ``reason`` is the drop label."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Skip(Exception):
    """A valid message we deliberately do not turn into an event (``reason`` = metric label)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatEnded(Exception):
    """``chatEndedEvent``: no more messages will come; the connector stops polling."""


def parse_page(data: dict[str, Any]) -> Page:
    if data.get("kind") not in (None, "youtube#liveChatMessageListResponse"):
        raise PayloadError("bad_response", f"kind {data.get('kind')!r}")
    items = data.get("items") or []
    if not isinstance(items, list):
        raise PayloadError("bad_response", "items is not a list")
    try:
        interval = float(data.get("pollingIntervalMillis") or 0) / 1000
    except (TypeError, ValueError):
        interval = 0.0
    offline = data.get("offlineAt")
    return Page(
        items=tuple(items),
        next_page_token=str(data.get("nextPageToken") or ""),
        polling_interval_s=interval,
        offline_at=parse_time(offline) if offline else None,
    )


def parse_time(raw: object) -> float:
    """ISO 8601 (``2018-01-01T00:00:00.000Z``) -> epoch seconds; raises ValueError if not one."""
    if not isinstance(raw, str):
        raise ValueError(f"not a timestamp: {raw!r}")
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()


def to_event(item: dict[str, Any], room: str) -> ChatEvent:
    """One liveChatMessage -> ChatEvent; raises :class:`Skip`, :class:`ChatEnded`, :class:`PayloadError`."""
    if not isinstance(item, dict) or not isinstance(item.get("snippet"), dict):
        raise PayloadError("bad_payload", "item without a snippet object")
    kind = item["snippet"].get("type")
    if not isinstance(kind, str):
        raise PayloadError("bad_payload", "snippet.type missing")
    if kind == "chatEndedEvent":
        raise ChatEnded()
    if kind in SKIPPED:
        raise Skip(SKIPPED[kind])
    adapter = ADAPTERS.get(kind)
    if adapter is None:
        raise Skip("unhandled_type")
    try:
        return adapter(item, room)  # type: ignore[arg-type]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
        raise PayloadError("bad_payload", f"{kind}: {err!r}") from None


def _money(details: dict[str, Any]) -> Money:
    """``amountMicros`` is an unsigned long, sent as a JSON string ("200000000" = 200.0)."""
    micros = int(str(details["amountMicros"]))
    currency = str(details["currency"])
    if micros < 0 or len(currency) != 3:
        raise ValueError(f"bad amount {micros} {currency!r}")
    return Money(micros / 1_000_000, currency)


def _base(resource: LiveChatMessage, room: str, kind: EventKind, /, **fields: Any) -> ChatEvent:
    """The fields every message type shares; ``fields`` (text, item, money...) are the type's own."""
    snippet = resource["snippet"]
    author: AuthorDetails = resource.get("authorDetails") or {}
    roles = set()
    if author.get("isChatOwner"):
        roles.add(Role.BROADCASTER)
    if author.get("isChatModerator"):
        roles.add(Role.MODERATOR)
    if author.get("isChatSponsor"):
        roles.add(Role.SUBSCRIBER)
    badges = (Badge("verified"),) if author.get("isVerified") else ()
    published = snippet.get("publishedAt")
    viewer = str(author.get("channelId") or snippet.get("authorChannelId") or "")
    message_id = str(resource["id"])
    if not message_id:
        raise ValueError("empty message id")
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=message_id,
        viewer_id=viewer,
        display_name=str(author.get("displayName") or ""),
        kind=kind,
        roles=frozenset(roles),
        timestamp=parse_time(published) if published else time.time(),
        badges=badges,
        **fields,
    )


def _text(item: LiveChatMessage, room: str) -> ChatEvent:
    snippet = item["snippet"]
    details = snippet.get("textMessageDetails") or {}
    text = details.get("messageText", snippet.get("displayMessage"))
    if not isinstance(text, str):
        raise ValueError("textMessageEvent without text")
    return _base(item, room, EventKind.CHAT, text=text)


def _super_chat(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["superChatDetails"]
    return _base(
        item,
        room,
        EventKind.SUPER_CHAT,
        text=str(details.get("userComment") or ""),
        item="super_chat",
        count=1,
        money=_money(details),
        extra={"tier": details.get("tier"), "display_amount": details.get("amountDisplayString", "")},
    )


def _super_sticker(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["superStickerDetails"]
    sticker = details.get("superStickerMetadata") or {}
    return _base(
        item,
        room,
        EventKind.SUPER_CHAT,
        item=str(sticker.get("altText") or sticker.get("stickerId") or "super_sticker"),
        count=1,
        money=_money(details),
        extra={"sticker_id": sticker.get("stickerId", ""), "tier": details.get("tier")},
    )


def _fan_funding(item: LiveChatMessage, room: str) -> ChatEvent:
    """The deprecated predecessor of Super Chat; still in the type list, so still mapped."""
    details = item["snippet"]["fanFundingEventDetails"]
    return _base(
        item,
        room,
        EventKind.SUPER_CHAT,
        text=str(details.get("userComment") or ""),
        item="fan_funding",
        count=1,
        money=_money(details),
    )


def _new_sponsor(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"].get("newSponsorDetails") or {}  # absent in older answers
    return _base(
        item,
        room,
        EventKind.SUBSCRIPTION,
        item=str(details.get("memberLevelName") or ""),
        count=1,
        extra={"is_upgrade": bool(details.get("isUpgrade", False))},
    )


def _milestone(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["memberMilestoneChatDetails"]
    return _base(
        item,
        room,
        EventKind.SUBSCRIPTION,
        text=str(details.get("userComment") or ""),
        item=str(details.get("memberLevelName") or ""),
        count=int(details["memberMonth"]),
    )


def _gifting(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["membershipGiftingDetails"]
    return _base(
        item,
        room,
        EventKind.GIFT,
        item="membership",
        count=int(details["giftMembershipsCount"]),
        extra={"level": str(details.get("giftMembershipsLevelName") or "")},
    )


def _gift_received(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["giftMembershipReceivedDetails"]
    return _base(
        item,
        room,
        EventKind.SUBSCRIPTION,
        item=str(details.get("memberLevelName") or ""),
        count=1,
        extra={
            "gifted": True,
            "gifter_channel_id": str(details.get("gifterChannelId") or ""),
            "gifting_message_id": str(details.get("associatedMembershipGiftingMessageId") or ""),
        },
    )


def _deleted(item: LiveChatMessage, room: str) -> ChatEvent:
    target = str(item["snippet"]["messageDeletedDetails"]["deletedMessageId"])
    author = item.get("authorDetails") or {}
    notice = ModerationNotice(
        action="delete", moderator=str(author.get("displayName") or ""), target_message_id=target
    )
    return _base(item, room, EventKind.MODERATION, notice=notice)


def _retracted(item: LiveChatMessage, room: str) -> ChatEvent:
    target = str(item["snippet"]["messageRetractedDetails"]["retractedMessageId"])
    notice = ModerationNotice(action="delete", target_message_id=target, reason="retracted")
    return _base(item, room, EventKind.MODERATION, notice=notice)


def _banned(item: LiveChatMessage, room: str) -> ChatEvent:
    details = item["snippet"]["userBannedDetails"]
    user = details.get("bannedUserDetails") or {}
    temporary = details.get("banType") == "temporary"
    author = item.get("authorDetails") or {}
    notice = ModerationNotice(
        action="timeout" if temporary else "ban",
        moderator=str(author.get("displayName") or ""),
        target_id=str(user["channelId"]),
        target_name=str(user.get("displayName") or ""),
        duration_s=int(str(details.get("banDurationSeconds") or 0)) if temporary else None,
    )
    return _base(item, room, EventKind.MODERATION, notice=notice)


def _members_only(started: bool) -> Callable[[LiveChatMessage, str], ChatEvent]:
    def adapter(item: LiveChatMessage, room: str) -> ChatEvent:
        status = RoomStatus(silenced=started, silence_kind="member" if started else "")
        return _base(item, room, EventKind.ROOM_STATUS, status=status)

    return adapter


ADAPTERS: dict[str, Callable[[LiveChatMessage, str], ChatEvent]] = {
    "textMessageEvent": _text,
    "superChatEvent": _super_chat,
    "superStickerEvent": _super_sticker,
    "fanFundingEvent": _fan_funding,
    "newSponsorEvent": _new_sponsor,
    "memberMilestoneChatEvent": _milestone,
    "membershipGiftingEvent": _gifting,
    "giftMembershipReceivedEvent": _gift_received,
    "messageDeletedEvent": _deleted,
    "messageRetractedEvent": _retracted,
    "userBannedEvent": _banned,
    "sponsorOnlyModeStartedEvent": _members_only(True),
    "sponsorOnlyModeEndedEvent": _members_only(False),
}

#: documented types that carry nothing for the gateway: type -> drop reason
SKIPPED: dict[str, str] = {
    "tombstone": "tombstone",  # a message that existed and is gone (its deletion comes as an event)
    "pollEvent": "poll",  # a poll's question/options/tallies: nobody said anything
    "invalidType": "invalid_type",
}

#: everything the parser knows (the captures test checks web-client renderers map into this)
KNOWN_TYPES = frozenset(ADAPTERS) | frozenset(SKIPPED) | {"chatEndedEvent"}
