"""Danmaku message payloads (JSON inside MESSAGE packets) and their conversion to ChatEvent.

Field positions follow the web client's messages (see the protocol notes in the README's Platforms
section). Every command either becomes one :class:`ChatEvent` or is rejected with a stable reason,
so the client can count it; malformed payloads raise :class:`FrameError`, they never crash the loop.
"""

from __future__ import annotations

import json
import time
from typing import Any, TypedDict

from connectors.base import Badge, ChatEvent, EventKind, Money, Role
from connectors.bilibili.errors import FrameError
from connectors.bilibili.proto import decode_interact_word

PLATFORM = "bilibili"
GUARD_ROLES = {1: "governor", 2: "admiral", 3: "captain"}  # 总督 / 提督 / 舰长


class MedalInfo(TypedDict, total=False):
    medal_level: int
    medal_name: str
    anchor_roomid: int


class SendGiftData(TypedDict, total=False):
    giftName: str
    giftId: int
    num: int
    uname: str
    uid: int
    price: int
    coin_type: str
    total_coin: int
    timestamp: int
    tid: str
    rnd: str
    medal_info: MedalInfo


class SuperChatUser(TypedDict, total=False):
    uname: str
    guard_level: int
    user_level: int


class SuperChatData(TypedDict, total=False):
    id: int
    uid: int
    price: int
    message: str
    start_time: int
    end_time: int
    user_info: SuperChatUser
    medal_info: MedalInfo


class LikeData(TypedDict, total=False):
    uid: int
    uname: str
    like_text: str
    fans_medal: MedalInfo


class Skip(Exception):
    """A well-formed command we deliberately do not turn into an event (reason = metric label)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FrameError("invalid_json") from None
    if not isinstance(data, dict) or not isinstance(data.get("cmd"), str):
        raise FrameError("invalid_json", "not an object with a string 'cmd'")
    return data


def to_event(message: dict[str, Any], room: str, real_room: str = "") -> ChatEvent:
    """Convert one command; raises :class:`Skip` or :class:`FrameError`.

    ``room`` is the configured room id (what the gateway sees); ``real_room`` the long id medals name.
    """
    cmd = message["cmd"].split(":", 1)[0]
    adapter = _ADAPTERS.get(cmd)
    if adapter is None:
        raise Skip("unhandled_cmd")
    try:
        return adapter(message, room, real_room or room)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
        raise FrameError("bad_payload", f"{cmd}: {err!r}") from None


def _danmu(message: dict[str, Any], room: str, real_room: str) -> ChatEvent:
    info = message["info"]
    meta, text, user = info[0], str(info[1]), info[2]
    uid, uname, admin = int(user[0]), str(user[1]), int(user[2])
    medal = info[3] or []
    roles: set[Role] = set()
    if admin:
        roles.add(Role.MODERATOR)
    guard = int(info[7]) if len(info) > 7 and info[7] else 0
    medal_level = int(medal[0]) if medal else 0
    badges = [Badge("medal:" + str(medal[1]), str(medal_level))] if medal else []
    medal_room = str(medal[3]) if len(medal) > 3 else ""
    if medal and medal_room in (room, real_room):
        roles.add(Role.SUBSCRIBER)  # a fan medal of *this* room is Bilibili's closest to a sub
    if guard:
        badges.append(Badge("guard:" + GUARD_ROLES.get(guard, str(guard))))
    ts_ms = int(meta[4])
    extra = meta[15] if len(meta) > 15 and isinstance(meta[15], dict) else {}
    msg_id = str(extra.get("id_str") or f"{uid}:{ts_ms}:{meta[5]}")
    reply_mid = extra.get("reply_mid") if isinstance(extra, dict) else None
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=msg_id,
        viewer_id=str(uid),
        display_name=uname,
        text=text,
        roles=frozenset(roles),
        reply_to=str(reply_mid) if reply_mid else None,
        timestamp=ts_ms / 1000,
        badges=tuple(badges),
        medal_level=medal_level,
        extra={"user_level": info[4][0] if len(info) > 4 and info[4] else 0, "guard_level": guard},
    )


def _gift(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    data: SendGiftData = message["data"]
    medal = data.get("medal_info") or {}
    coins = int(data.get("total_coin", 0))
    gold = data.get("coin_type") == "gold"
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=str(data.get("tid") or f"gift:{data['uid']}:{data.get('timestamp')}:{data.get('rnd')}"),
        viewer_id=str(data["uid"]),
        display_name=str(data["uname"]),
        kind=EventKind.GIFT,
        timestamp=float(data.get("timestamp") or 0) or _now(),
        medal_level=int(medal.get("medal_level", 0)),
        item=str(data["giftName"]),
        count=int(data.get("num", 1)),
        # gold coins: 1000 = 1 CNY; silver gifts are free
        money=Money(coins / 1000, "CNY") if gold else Money(coins, "silver"),
    )


def _super_chat(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    data: SuperChatData = message["data"]
    user = data.get("user_info") or {}
    medal = data.get("medal_info") or {}
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=f"sc:{data['id']}",
        viewer_id=str(data["uid"]),
        display_name=str(user.get("uname", "")),
        text=str(data["message"]),
        kind=EventKind.SUPER_CHAT,
        timestamp=float(data.get("start_time") or 0) or _now(),
        medal_level=int(medal.get("medal_level", 0)),
        money=Money(float(data["price"]), "CNY"),
        count=1,
    )


def _interact(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    word = decode_interact_word(message["data"]["pb"])
    kinds = {1: EventKind.ENTER, 2: EventKind.FOLLOW}
    if word.msg_type not in kinds:
        raise Skip("unhandled_interact")
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=f"iw:{word.uid}:{word.msg_type}:{word.timestamp}",
        viewer_id=str(word.uid),
        display_name=word.uname,
        kind=kinds[word.msg_type],
        timestamp=float(word.timestamp) or _now(),
    )


def _like(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    data: LikeData = message["data"]
    medal = data.get("fans_medal") or {}
    now = _now()
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=f"like:{data['uid']}:{now:.3f}",
        viewer_id=str(data["uid"]),
        display_name=str(data.get("uname", "")),
        text=str(data.get("like_text", "")),
        kind=EventKind.LIKE,
        timestamp=now,
        medal_level=int(medal.get("medal_level", 0)),
        count=1,
    )


def _now() -> float:
    return time.time()


_ADAPTERS = {
    "DANMU_MSG": _danmu,
    "SEND_GIFT": _gift,
    "SUPER_CHAT_MESSAGE": _super_chat,
    "INTERACT_WORD_V2": _interact,
    "LIKE_INFO_V3_CLICK": _like,
}
