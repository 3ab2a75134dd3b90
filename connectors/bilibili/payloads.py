"""Danmaku message payloads (JSON inside MESSAGE packets) and their conversion to ChatEvent.

Field positions follow the web client's messages (see the protocol notes in the README's Platforms
section). Every command either becomes one :class:`ChatEvent` or is rejected with a stable reason,
so the client can count it; malformed payloads raise :class:`FrameError`, they never crash the loop.

Commands we know and deliberately ignore are skipped under a named group (:data:`IGNORED`, e.g.
``ignored:lottery``); only commands nobody looked at are ``unhandled_cmd``. Captains (大航海) arrive
as ``GUARD_BUY`` and ``USER_TOAST_MSG`` for one purchase: :class:`GuardPairs` keeps one of the two.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, TypedDict

from connectors.base import Badge, ChatEvent, EventKind, ModerationNotice, Money, Role, RoomStatus
from connectors.bilibili.errors import FrameError
from connectors.bilibili.proto import decode_interact_word

PLATFORM = "bilibili"
GUARD_ROLES = {1: "governor", 2: "admiral", 3: "captain"}  # 总督 / 提督 / 舰长
GUARD_NAMES = {1: "总督", 2: "提督", 3: "舰长"}
GOLD_PER_CNY = 1000

#: commands seen in real rooms that are not events for the bot, by group (the skip reason)
IGNORED: dict[str, str] = {
    # the same super chat again, with a Japanese translation: counting it would double the money
    "SUPER_CHAT_MESSAGE_JPN": "duplicate:super_chat_jpn",
    # a summary of gifts already delivered one by one as SEND_GIFT
    "COMBO_SEND": "duplicate:gift_combo",
    # the entrance animation of a viewer whose entry INTERACT_WORD(_V2) already reports
    "ENTRY_EFFECT": "duplicate:entry_effect",
    # a site-wide marquee (often about other rooms); the captain purchase itself is GUARD_BUY
    "NOTICE_MSG": "ignored:marquee",
    "ANCHOR_LOT_START": "ignored:lottery",
    "ANCHOR_LOT_CHECKSTATUS": "ignored:lottery",
    "ANCHOR_LOT_END": "ignored:lottery",
    "ANCHOR_LOT_AWARD": "ignored:lottery",
    # a red pocket is paid, but its price unit and whether a SEND_GIFT accompanies it are not
    # established from captures: not counted as money until they are
    "POPULARITY_RED_POCKET_NEW": "ignored:red_pocket",
    "POPULARITY_RED_POCKET_START": "ignored:red_pocket",
    "POPULARITY_RED_POCKET_WINNER_LIST": "ignored:red_pocket",
    "ONLINE_RANK_V2": "ignored:rank",
    "ONLINE_RANK_TOP3": "ignored:rank",
    "LIKE_INFO_V3_UPDATE": "ignored:room_counter",  # total likes (each like is LIKE_INFO_V3_CLICK)
    "ROOM_REAL_TIME_MESSAGE_UPDATE": "ignored:room_counter",  # followers / fan club size
    "ROOM_CHANGE": "ignored:room_info",  # title / area changed
    "ROOM_ADMINS": "ignored:room_admins",  # the full admin list (changes come as the two below)
}


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
        raise Skip(IGNORED.get(cmd, "unhandled_cmd"))
    try:
        return adapter(message, room, real_room or room)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError) as err:
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


_INTERACT_KINDS = {1: EventKind.ENTER, 2: EventKind.FOLLOW}


def _interact(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    word = decode_interact_word(message["data"]["pb"])
    return _interact_event(room, word.uid, word.uname, word.msg_type, word.timestamp, 0)


def _interact_legacy(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """INTERACT_WORD (JSON, before the protobuf V2): the same fields by name. Same message id as V2,
    so a room sending both for one action is deduplicated by the gateway."""
    data = message["data"]
    medal = data.get("fans_medal") or {}
    return _interact_event(
        room,
        int(data["uid"]),
        str(data.get("uname", "")),
        int(data["msg_type"]),
        int(data.get("timestamp") or 0),
        int(medal.get("medal_level") or 0),
    )


def _interact_event(room: str, uid: int, uname: str, msg_type: int, ts: int, medal: int) -> ChatEvent:
    if msg_type not in _INTERACT_KINDS:
        # 3 share, 4 special follow, 5 mutual follow, 6 like: not events the bot acts on
        raise Skip("unhandled_interact")
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=f"iw:{uid}:{msg_type}:{ts}",
        viewer_id=str(uid),
        display_name=uname,
        kind=_INTERACT_KINDS[msg_type],
        timestamp=float(ts) or _now(),
        medal_level=medal,
    )


def _guard(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """A captain purchase (GUARD_BUY or USER_TOAST_MSG): ``price`` is the gold-coin price of one
    ``unit`` (a month), ``num`` how many; the event's money is the CNY total."""
    data = message["data"]
    level = int(data["guard_level"])
    months = int(data.get("num") or 1)
    price = int(data["price"])
    name = str(data.get("role_name") or data.get("gift_name") or GUARD_NAMES.get(level, str(level)))
    start = int(data.get("start_time") or 0)
    payflow = str(data.get("payflow_id") or "")
    key = f"guard:{data['uid']}:{level}:{months}:{start}"
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=f"guard:{payflow}" if payflow else key,
        viewer_id=str(data["uid"]),
        display_name=str(data.get("username", "")),
        kind=EventKind.SUBSCRIPTION,
        timestamp=float(start) or _now(),
        badges=(Badge("guard:" + GUARD_ROLES.get(level, str(level))),),
        item=name,
        count=months,
        money=Money(price * months / GOLD_PER_CNY, "CNY"),
        extra={
            "guard_level": level,
            "unit": str(data.get("unit") or "月"),
            "cmd": message["cmd"],
            "pair_key": (str(data["uid"]), level, months),
            "renewal": int(data.get("op_type") or 0) == 3,
        },
    )


def _super_chat_delete(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    ids = [str(i) for i in message["data"]["ids"]]
    if not ids:
        raise Skip("empty_super_chat_delete")
    targets = ",".join(f"sc:{i}" for i in ids)  # the message ids _super_chat gives
    return _notice_event(
        room,
        f"scdel:{','.join(ids)}",
        ModerationNotice("delete", reason="super_chat", target_message_id=targets),
    )


def _room_block(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """ROOM_BLOCK_MSG: a viewer was muted (禁言) by the streamer (operator 1) or a room admin (2);
    Bilibili does not say for how long. The bot's own mutes come back this way too (the connector
    marks them, see ``BilibiliConnector``)."""
    data = message.get("data") or message
    uid = str(data.get("uid") or message.get("uid") or "")
    by = {1: "streamer", 2: "room admin"}.get(int(data.get("operator") or 0), "")
    notice = ModerationNotice(
        "timeout", moderator=by, target_id=uid, target_name=str(data.get("uname", "")), reason="muted"
    )
    return _notice_event(room, f"block:{uid}:{_now():.3f}", notice)


def _recall(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """RECALL_DANMU_MSG: a danmaku was taken back (by the platform's review or a room admin)."""
    data = message["data"]
    target = str(data.get("target_id", ""))
    notice = ModerationNotice(
        "delete", target_id=target, reason=f"recalled (type {data.get('recall_type', '?')})"
    )
    return _notice_event(room, f"recall:{target}:{_now():.3f}", notice)


def _platform_warning(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """WARNING (a super admin warns the streamer) and CUT_OFF (the stream was cut off)."""
    cmd = message["cmd"].split(":", 1)[0]
    reason = "stream cut off" if cmd == "CUT_OFF" else "platform warning"
    text = str(message.get("msg", ""))
    return _notice_event(
        room, f"{cmd.lower()}:{_now():.3f}", ModerationNotice("other", reason=reason, text=text)
    )


def _admin_change(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """ROOM_ADMIN_REVOKE (a room admin removed) and room_admin_entrance (someone made room admin)."""
    revoked = message["cmd"] == "ROOM_ADMIN_REVOKE"
    uid = str(message["uid"])
    notice = ModerationNotice("other", target_id=uid, reason="unmod" if revoked else "mod")
    return _notice_event(room, f"admin:{uid}:{int(revoked)}:{_now():.3f}", notice)


def _notice_event(room: str, message_id: str, notice: ModerationNotice) -> ChatEvent:
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=message_id,
        viewer_id=notice.target_id,
        display_name=notice.target_name,
        text=notice.text,
        kind=EventKind.MODERATION,
        timestamp=_now(),
        notice=notice,
    )


def _silent(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """ROOM_SILENT_ON/OFF: chat restricted to viewers above a user level (``type`` "level"), with a
    fan medal of a level ("medal"), or to nobody but admins ("member"); ``second`` is when it ends
    (epoch s), -1 until lifted."""
    data = message["data"]
    on = message["cmd"].split(":", 1)[0] == "ROOM_SILENT_ON"
    until = int(data.get("second") or 0)
    status = RoomStatus(
        silenced=on,
        silence_kind=str(data.get("type") or "") if on else "",
        silence_until=(float(until) if until > 0 else 0.0) if on else None,
    )
    level = int(data.get("level") or 0)
    return _status_event(
        room, f"silent:{int(on)}:{_now():.6f}", status, {"silence_level": level} if on else {}
    )


def _watched(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    num = int(message["data"]["num"])
    return _status_event(room, f"watched:{num}", RoomStatus(watched=num))


def _online(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    data = message["data"]
    # "count" is the high-energy ranking's size; newer rooms add the real "online_count"
    count = int(data["online_count"] if "online_count" in data else data["count"])
    return _status_event(
        room,
        f"online:{count}:{_now():.3f}",
        RoomStatus(online=count),
        {"rank_count": int(data.get("count") or 0)},
    )


def _live(message: dict[str, Any], room: str, _real: str) -> ChatEvent:
    """LIVE (stream started; sent twice, on push and on start) and PREPARING (stream ended)."""
    live = message["cmd"].split(":", 1)[0] == "LIVE"
    # LIVE's live_key is unique per stream; PREPARING has none (its "round" repeats): add the time
    key = str(message.get("live_key") or f"{message.get('round', '')}:{_now():.3f}")
    return _status_event(
        room, f"live:{int(live)}:{key}:{message.get('live_time', '')}", RoomStatus(live=live)
    )


def _status_event(
    room: str, message_id: str, status: RoomStatus, extra: dict[str, Any] | None = None
) -> ChatEvent:
    return ChatEvent(
        platform=PLATFORM,
        room=room,
        message_id=message_id,
        viewer_id="",
        display_name="",
        kind=EventKind.ROOM_STATUS,
        timestamp=_now(),
        status=status,
        extra=extra or {},
    )


class GuardPairs:
    """Keeps one event per captain purchase: Bilibili announces it as GUARD_BUY *and* USER_TOAST_MSG.

    The two share uid, guard_level, num and (to the second) start_time, but no id: GUARD_BUY has no
    ``payflow_id``. Two USER_TOAST_MSG with different payflow ids are two purchases even with the same
    uid/level/start_time (the captures have such a pair: a new and a renewed captain), so only a
    GUARD_BUY and a USER_TOAST_MSG pair up, each at most once, within ``window_s``. The first of the
    two is delivered; the second is skipped (``duplicate:guard_pair``). Bounded: ``size`` entries.
    """

    def __init__(self, size: int = 256, window_s: float = 10.0) -> None:
        self.size = size
        self.window_s = window_s
        self._open: OrderedDict[tuple[Any, ...], tuple[str, float]] = OrderedDict()

    def check(self, event: ChatEvent) -> ChatEvent:
        """``event`` itself, or :class:`Skip` when it is the second announcement of a purchase."""
        pair_key = event.extra.get("pair_key")
        if pair_key is None:
            return event
        cmd = str(event.extra.get("cmd", "")).split(":", 1)[0]
        other = "USER_TOAST_MSG" if cmd == "GUARD_BUY" else "GUARD_BUY"
        for key in (
            (*pair_key, other, event.timestamp),
            (*pair_key, other, event.timestamp - 1),
            (*pair_key, other, event.timestamp + 1),
        ):
            found = self._open.get(key)
            if found is not None and abs(_now() - found[1]) <= self.window_s:
                del self._open[key]
                raise Skip("duplicate:guard_pair")
        self._open[(*pair_key, cmd, event.timestamp)] = (event.message_id, _now())
        while len(self._open) > self.size:
            self._open.popitem(last=False)
        return event


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
    "INTERACT_WORD": _interact_legacy,
    "LIKE_INFO_V3_CLICK": _like,
    "GUARD_BUY": _guard,
    "USER_TOAST_MSG": _guard,
    "SUPER_CHAT_MESSAGE_DELETE": _super_chat_delete,
    "ROOM_BLOCK_MSG": _room_block,
    "RECALL_DANMU_MSG": _recall,
    "WARNING": _platform_warning,
    "CUT_OFF": _platform_warning,
    "ROOM_ADMIN_REVOKE": _admin_change,
    "room_admin_entrance": _admin_change,
    "ROOM_SILENT_ON": _silent,
    "ROOM_SILENT_OFF": _silent,
    "WATCHED_CHANGE": _watched,
    "ONLINE_RANK_COUNT": _online,
    "LIVE": _live,
    "PREPARING": _live,
}
