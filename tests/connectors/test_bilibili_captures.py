"""Every real Bilibili capture in ../shared/data/protocol/bilibili through the production parser.

``mock/<CMD>/*.json`` are decoded message bodies (ddiu8081/blive-message-listener), ``raw/...*.packet``
whole binary packets (bililive-rs). Each body becomes the event the table below says, or a skip with a
named reason; nothing raises past the parser. A captain purchase announced twice (GUARD_BUY and
USER_TOAST_MSG) is delivered once. Skipped when the shared data is not on this machine.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path

import pytest

from connectors.base import EventKind, Money
from connectors.bilibili.errors import FrameError
from connectors.bilibili.framing import Op, decode_frame
from connectors.bilibili.payloads import GuardPairs, Skip, parse_body, to_event
from connectors.bilibili.proto import encode_fields

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "protocol" / "bilibili"
MOCK = DATA / "mock"
RAW = DATA / "raw"
UID = "77777777771"
NAME = "__MOCK_UNAME__"
ROOM = "77777777774"

pytestmark = pytest.mark.skipif(not MOCK.is_dir(), reason="../shared/data (real captures) not present")


def _parse(body: bytes) -> tuple[str, object]:
    """("event", ChatEvent) / ("skip", reason) / ("dropped", FrameError reason): what the client counts."""
    try:
        return "event", to_event(parse_body(body), ROOM, ROOM)
    except Skip as skip:
        return "skip", skip.reason
    except FrameError as err:
        return "dropped", err.reason


def _mock_files() -> list[Path]:
    return sorted(MOCK.glob("*/*.json"))


def test_every_capture_is_in_the_table() -> None:
    """A new capture (or command) must be looked at and added to the tables below."""
    files = _mock_files()
    assert len(files) == 79
    undecided = [
        f for f in files if f.parent.name not in BY_DIRECTORY and str(f.relative_to(MOCK)) not in EXPECTED
    ]
    assert not undecided


# per command directory: what every file in it becomes
BY_DIRECTORY: dict[str, tuple[str, object]] = {
    "DANMU_MSG": ("event", EventKind.CHAT),
    "DANMU_MSG-4-0-2-2-2-0": ("event", EventKind.CHAT),
    "SEND_GIFT": ("event", EventKind.GIFT),
    "WATCHED_CHANGE": ("event", EventKind.ROOM_STATUS),
    "ROOM_SILENT_ON": ("event", EventKind.ROOM_STATUS),
    "ROOM_SILENT_OFF": ("event", EventKind.ROOM_STATUS),
    "ONLINE_RANK_COUNT": ("event", EventKind.ROOM_STATUS),
    "LIVE": ("event", EventKind.ROOM_STATUS),
    "PREPARING": ("event", EventKind.ROOM_STATUS),
    "GUARD_BUY": ("event", EventKind.SUBSCRIPTION),
    "USER_TOAST_MSG": ("event", EventKind.SUBSCRIPTION),
    "SUPER_CHAT_MESSAGE": ("event", EventKind.SUPER_CHAT),
    "SUPER_CHAT_MESSAGE_DELETE": ("event", EventKind.MODERATION),
    "ROOM_BLOCK_MSG": ("event", EventKind.MODERATION),
    "RECALL_DANMU_MSG": ("event", EventKind.MODERATION),
    "WARNING": ("event", EventKind.MODERATION),
    "CUT_OFF": ("event", EventKind.MODERATION),
    "ROOM_ADMIN_REVOKE": ("event", EventKind.MODERATION),
    "room_admin_entrance": ("event", EventKind.MODERATION),
    "LIKE_INFO_V3_CLICK": ("event", EventKind.LIKE),
    "SUPER_CHAT_MESSAGE_JPN": ("skip", "duplicate:super_chat_jpn"),
    "COMBO_SEND": ("skip", "duplicate:gift_combo"),
    "ENTRY_EFFECT": ("skip", "duplicate:entry_effect"),
    "NOTICE_MSG": ("skip", "ignored:marquee"),
    "ANCHOR_LOT_START": ("skip", "ignored:lottery"),
    "ANCHOR_LOT_CHECKSTATUS": ("skip", "ignored:lottery"),
    "ANCHOR_LOT_END": ("skip", "ignored:lottery"),
    "ANCHOR_LOT_AWARD": ("skip", "ignored:lottery"),
    "POPULARITY_RED_POCKET_NEW": ("skip", "ignored:red_pocket"),
    "POPULARITY_RED_POCKET_START": ("skip", "ignored:red_pocket"),
    "POPULARITY_RED_POCKET_WINNER_LIST": ("skip", "ignored:red_pocket"),
    "ONLINE_RANK_V2": ("skip", "ignored:rank"),
    "ONLINE_RANK_TOP3": ("skip", "ignored:rank"),
    "LIKE_INFO_V3_UPDATE": ("skip", "ignored:room_counter"),
    "ROOM_REAL_TIME_MESSAGE_UPDATE": ("skip", "ignored:room_counter"),
    "ROOM_CHANGE": ("skip", "ignored:room_info"),
    "ROOM_ADMINS": ("skip", "ignored:room_admins"),
}
# files whose outcome differs from their directory's
EXPECTED: dict[str, tuple[str, object]] = {
    "INTERACT_WORD/enter.json": ("event", EventKind.ENTER),
    "INTERACT_WORD/follow.json": ("event", EventKind.FOLLOW),
    "INTERACT_WORD/share.json": ("skip", "unhandled_interact"),
    # the capture's pb is a placeholder ("[protobuf_data_base64]"): a counted bad_protobuf drop
    "INTERACT_WORD_V2/normal.json": ("dropped", "bad_protobuf"),
    # decoded protobuf for reference, not wire bodies (no "cmd"): re-encoded in the test below
    "INTERACT_WORD_V2/decoded_medal.json": ("dropped", "invalid_json"),
    "INTERACT_WORD_V2/decoded_no_medal.json": ("dropped", "invalid_json"),
}


def _expected(path: Path) -> tuple[str, object]:
    rel = str(path.relative_to(MOCK))
    return EXPECTED.get(rel) or BY_DIRECTORY[path.parent.name]


def test_every_mock_body_becomes_its_event_or_a_named_skip() -> None:
    outcomes: Counter[tuple[str, str]] = Counter()
    for path in _mock_files():
        outcome, value = _parse(path.read_bytes())
        want_outcome, want = _expected(path)
        assert outcome == want_outcome, (path, value)
        if outcome == "event":
            assert value.kind is want, path  # type: ignore[attr-defined]
            assert value.platform == "bilibili" and value.room == ROOM and value.message_id, path  # type: ignore[attr-defined]
            outcomes[("event", value.kind.value)] += 1  # type: ignore[attr-defined]
        else:
            assert value == want, (path, value)
            outcomes[(outcome, str(value))] += 1
    assert sum(outcomes.values()) == 79
    assert outcomes[("event", "chat")] == 12 and outcomes[("event", "gift")] == 8
    assert outcomes[("event", "subscription")] == 3 and outcomes[("event", "room_status")] == 14
    assert not [k for k in outcomes if k[1] == "unhandled_cmd"]  # every captured command was decided


def _event(rel: str):
    outcome, event = _parse((MOCK / rel).read_bytes())
    assert outcome == "event", event
    return event


def test_captains_are_subscriptions_with_months_and_the_cny_total() -> None:
    bought = _event("GUARD_BUY/normal.json")
    assert (bought.kind, bought.viewer_id, bought.display_name) == (EventKind.SUBSCRIPTION, UID, NAME)
    assert (bought.item, bought.count, bought.money) == ("舰长", 1, Money(198.0, "CNY"))
    assert bought.timestamp == 1661604507.0
    new = _event("USER_TOAST_MSG/guard_jianzhang_new.json")
    renew = _event("USER_TOAST_MSG/guard_jianzhang_renew.json")
    assert (new.item, new.count, new.money, new.display_name) == ("舰长", 1, Money(198.0, "CNY"), NAME)
    assert (renew.item, renew.count, renew.money) == ("舰长", 1, Money(138.0, "CNY"))  # renewal price
    assert new.message_id == "guard:2301242158351662179727302"
    assert renew.extra["renewal"] and not new.extra["renewal"]
    # several months at once: price is per month (gold coins), money the total
    body = json.loads((MOCK / "GUARD_BUY/normal.json").read_bytes())
    body["data"].update(num=3, guard_level=2, gift_name="提督", price=1998000)
    admiral = to_event(body, ROOM)
    assert (admiral.item, admiral.count, admiral.money) == ("提督", 3, Money(5994.0, "CNY"))


def test_one_purchase_announced_twice_is_counted_once() -> None:
    """The captures hold no GUARD_BUY / USER_TOAST_MSG of the same purchase (they are months apart), so
    the pair is the real USER_TOAST_MSG plus the real GUARD_BUY body carrying that purchase's shared
    fields (uid, guard_level, num, start_time), as Bilibili sends both for one purchase."""
    toast_body = json.loads((MOCK / "USER_TOAST_MSG/guard_jianzhang_new.json").read_bytes())
    guard_body = json.loads((MOCK / "GUARD_BUY/normal.json").read_bytes())
    for key in ("uid", "guard_level", "num"):
        guard_body["data"][key] = toast_body["data"][key]
    guard_body["data"]["start_time"] = guard_body["data"]["end_time"] = toast_body["data"]["start_time"] + 1
    renew_body = json.loads((MOCK / "USER_TOAST_MSG/guard_jianzhang_renew.json").read_bytes())

    pairs = GuardPairs()
    kept = [pairs.check(to_event(guard_body, ROOM))]  # GUARD_BUY first (the usual order)
    with pytest.raises(Skip) as skipped:
        pairs.check(to_event(toast_body, ROOM))
    assert skipped.value.reason == "duplicate:guard_pair"
    # the real renewal toast has the same uid, level, num and start_time but its own payflow id:
    # another purchase, kept (a uid+level+start_time key would have merged it)
    kept.append(pairs.check(to_event(renew_body, ROOM)))
    assert [e.money for e in kept] == [Money(198.0, "CNY"), Money(138.0, "CNY")]
    # the other order: USER_TOAST_MSG first keeps the toast (it has the payflow id)
    pairs = GuardPairs()
    first = pairs.check(to_event(toast_body, ROOM))
    with pytest.raises(Skip):
        pairs.check(to_event(guard_body, ROOM))
    assert first.message_id.startswith("guard:2301")
    # and the two real toasts alone are two purchases
    pairs = GuardPairs()
    assert len([pairs.check(to_event(b, ROOM)) for b in (toast_body, renew_body)]) == 2


def test_guard_pair_memory_is_bounded() -> None:
    pairs = GuardPairs(size=8)
    body = json.loads((MOCK / "GUARD_BUY/normal.json").read_bytes())
    for uid in range(100):
        body["data"]["uid"] = uid
        pairs.check(to_event(body, ROOM))
    assert len(pairs._open) == 8


def test_moderation_and_room_status_fields() -> None:
    deleted = _event("SUPER_CHAT_MESSAGE_DELETE/normal.json")
    assert deleted.notice.action == "delete" and deleted.notice.target_message_id == "sc:4898587"
    sc = _event("SUPER_CHAT_MESSAGE/normal.json")
    assert sc.message_id.startswith("sc:") and sc.money.currency == "CNY"
    blocked = _event("ROOM_BLOCK_MSG/normal.json")
    assert (blocked.notice.action, blocked.notice.target_id, blocked.notice.target_name) == (
        "timeout",
        UID,
        NAME,
    )
    assert blocked.notice.moderator == "room admin" and not blocked.notice.by_bot
    recall = _event("RECALL_DANMU_MSG/normal.json")
    assert recall.notice.action == "delete" and recall.notice.target_id == UID
    warning = _event("WARNING/normal.json")
    assert warning.notice.action == "other" and warning.notice.text == "图片内容不适宜，请立即调整"
    cut = _event("CUT_OFF/normal.json")
    assert cut.notice.reason == "stream cut off"
    assert _event("ROOM_ADMIN_REVOKE/normal.json").notice.reason == "unmod"
    assert _event("room_admin_entrance/normal.json").notice.reason == "mod"

    silent = _event("ROOM_SILENT_ON/by_medal.json").status
    assert (silent.silenced, silent.silence_kind, silent.silence_until) == (True, "medal", 1674050722.0)
    assert _event("ROOM_SILENT_ON/by_medal.json").extra["silence_level"] == 4
    forever = _event("ROOM_SILENT_ON/by_user_level_unlimited.json").status
    assert (forever.silence_kind, forever.silence_until) == ("level", 0.0)  # -1: until lifted
    assert _event("ROOM_SILENT_ON/all_member.json").status.silence_kind == "member"
    off = _event("ROOM_SILENT_OFF/normal.json").status
    assert off.silenced is False and off.silence_kind == ""
    watched = [_event(f"WATCHED_CHANGE/{n}.json").status.watched for n in ("100", "1k", "90k", "120k", "24m")]
    assert watched == [173, 1127, 95785, 120457, 23970210]
    assert _event("ONLINE_RANK_COUNT/normal.json").status.online == 1822
    assert _event("LIVE/start_live.json").status.live is True
    assert _event("PREPARING/normal.json").status.live is False


def test_social_events_carry_the_viewer() -> None:
    enter = _event("INTERACT_WORD/enter.json")
    assert (enter.kind, enter.viewer_id, enter.display_name, enter.medal_level) == (
        EventKind.ENTER,
        UID,
        NAME,
        17,
    )
    follow = _event("INTERACT_WORD/follow.json")
    assert follow.kind is EventKind.FOLLOW and follow.message_id == f"iw:{UID}:2:1665498663"
    like = _event("LIKE_INFO_V3_CLICK/normal.json")
    assert like.kind is EventKind.LIKE and like.viewer_id == UID
    for path in sorted((MOCK / "SEND_GIFT").glob("*.json")):
        gift = _event(f"SEND_GIFT/{path.name}")
        assert gift.viewer_id == UID and gift.display_name == NAME and gift.count >= 1, path
        assert gift.money is not None and gift.money.currency in ("CNY", "silver"), path
    for path in sorted((MOCK / "DANMU_MSG").glob("*.json")):
        chat = _event(f"DANMU_MSG/{path.name}")
        assert chat.viewer_id == UID and chat.text, path


@pytest.mark.parametrize("name", ["decoded_medal.json", "decoded_no_medal.json"])
def test_decoded_interact_word_v2_reencoded_parses_to_the_same_fields(name: str) -> None:
    decoded = json.loads((MOCK / "INTERACT_WORD_V2" / name).read_bytes())
    pb = encode_fields(
        [(1, decoded["uid"]), (2, decoded["uname"]), (5, decoded["msg_type"]), (7, decoded["timestamp"])]
    )
    body = {"cmd": "INTERACT_WORD_V2", "data": {"pb": base64.b64encode(pb).decode()}}
    event = to_event(body, ROOM)
    assert (event.kind, event.viewer_id, event.display_name) == (EventKind.ENTER, UID, NAME)
    assert event.timestamp == float(decoded["timestamp"])


def test_raw_packets_through_the_production_framing() -> None:
    packets = sorted(RAW.rglob("*.packet"))
    assert len(packets) == 3
    seen: Counter[str] = Counter()
    for path in packets:
        for packet in decode_frame(path.read_bytes()):
            if packet.op == Op.MESSAGE:
                outcome, value = _parse(packet.body)
                assert outcome == "event", (path, value)
                assert value.kind is EventKind.ENTER and value.viewer_id  # type: ignore[attr-defined]
                seen["message"] += 1
            elif packet.op == Op.HEARTBEAT_REPLY:
                assert int.from_bytes(packet.body[:4], "big") == 0x576B5  # popularity
                seen["heartbeat_reply"] += 1
            else:
                assert packet.op == Op.AUTH_REPLY and json.loads(packet.body) == {"code": 0}
                seen["auth_reply"] += 1
    assert seen == {"message": 2, "heartbeat_reply": 1, "auth_reply": 1}
