"""The Bilibili connector against the fake server: init + WBI, auth, heartbeats, events, reconnects,
malformed frames, dead connections and sending."""

from __future__ import annotations

import asyncio
import base64
import zlib

import pytest

from connectors.accounting import ConnState
from connectors.base import EventKind, OutboundMessage, Role
from connectors.bilibili.client import BilibiliConnector
from connectors.bilibili.config import BilibiliConfig
from connectors.bilibili.framing import Op, Ver, encode_packet
from connectors.bilibili.proto import encode_fields
from tests.connectors.fakes.bilibili import FakeBilibili, danmu
from tests.polling import wait_for


def config_for(fake: FakeBilibili, **overrides: object) -> BilibiliConfig:
    base = {
        "room_ids": (7,),
        "sessdata": fake.sessdata,
        "bili_jct": fake.bili_jct,
        "api_base": fake.base_url,
        "live_api_base": fake.base_url,
        "www_base": fake.base_url,
        "ws_url": fake.base_url.replace("http://", "ws://") + "/sub",
        "heartbeat_s": 0.2,
        "heartbeat_reply_timeout_s": 1.0,  # a loaded CI machine can stall the loop for 0.3 s
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
        "send_interval_s": 0.0,
    }
    base.update(overrides)
    return BilibiliConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
async def bili(fake_bilibili, collector):
    connector = BilibiliConnector(config=config_for(fake_bilibili))
    await connector.start(collector)
    room = connector.rooms["7"]
    await asyncio.wait_for(room.authenticated.wait(), 5)
    yield connector, fake_bilibili, collector
    await connector.stop()


async def test_init_signs_wbi_and_authenticates_with_the_room_token(bili) -> None:
    connector, fake, _ = bili
    assert fake.signature_failures == 0
    auth = fake.auth_packets[-1]
    assert auth["roomid"] == 7734200 and auth["uid"] == 42 and auth["buvid"] == "FAKE-BUVID-infoc"
    assert auth["protover"] == 3
    assert connector.stats.states["7"] is ConnState.CONNECTED
    await wait_for(lambda: fake.heartbeats >= 2)
    await wait_for(lambda: connector.stats.frames.get(("handled", "heartbeat_reply"), 0) >= 1)


@pytest.mark.parametrize("ver", [Ver.ZLIB, Ver.BROTLI, Ver.JSON])
async def test_events_of_every_kind_arrive_normalized(bili, ver) -> None:
    connector, fake, collector = bili
    fake.compress_ver = int(ver) if ver != Ver.JSON else 1  # 1 = plain packets
    pb = base64.b64encode(encode_fields([(1, 9), (2, "新观众"), (5, 1), (7, 1700000000)])).decode()
    follow = base64.b64encode(encode_fields([(1, 10), (2, "粉丝"), (5, 2), (7, 1700000001)])).decode()
    fake.push(
        7,
        danmu(1, "小明", "这个口红多少钱", medal=[21, "粉丝团", "主播", 7734200], admin=1),
        {
            "cmd": "SEND_GIFT",
            "data": {
                "giftName": "小心心",
                "num": 3,
                "uname": "ann",
                "uid": 2,
                "coin_type": "gold",
                "total_coin": 3000,
                "timestamp": 1700000000,
                "tid": "t1",
            },
        },
        {
            "cmd": "SUPER_CHAT_MESSAGE",
            "data": {
                "id": 5,
                "uid": 3,
                "price": 30,
                "message": "hello streamer",
                "user_info": {"uname": "bo"},
                "start_time": 1700000000,
            },
        },
        {"cmd": "INTERACT_WORD_V2", "data": {"pb": pb}},
        {"cmd": "INTERACT_WORD_V2", "data": {"pb": follow}},
        {"cmd": "LIKE_INFO_V3_CLICK", "data": {"uid": 4, "uname": "cy", "like_text": "为主播点赞了"}},
        {"cmd": "DANMU_MSG:4:0:2:2:2:0", "info": danmu(5, "dee", "suffix cmd")["info"]},
        {"cmd": "STOP_LIVE_ROOM_LIST", "data": {"room_id_list": [1, 2]}},  # nobody handles it
        danmu(fake.uid, "liveroom", "my own echo"),
    )
    await wait_for(lambda: len(collector.events) == 7)
    chat, gift, sc, enter, follow_ev, like, suffixed = collector.events
    assert (chat.kind, chat.text, chat.display_name, chat.viewer_id) == (
        EventKind.CHAT,
        "这个口红多少钱",
        "小明",
        "1",
    )
    assert chat.medal_level == 21 and Role.MODERATOR in chat.roles and Role.SUBSCRIBER in chat.roles
    assert (gift.kind, gift.item, gift.count, gift.money.amount) == (EventKind.GIFT, "小心心", 3, 3.0)
    assert (sc.kind, sc.text, sc.money.amount) == (EventKind.SUPER_CHAT, "hello streamer", 30.0)
    assert (enter.kind, enter.display_name) == (EventKind.ENTER, "新观众")
    assert follow_ev.kind is EventKind.FOLLOW
    assert like.kind is EventKind.LIKE and suffixed.text == "suffix cmd"
    await wait_for(lambda: connector.stats.snapshot().outcome("dropped") == 2)
    snap = connector.stats.snapshot()
    assert snap.outcome("delivered") == 7 and snap.frames[("dropped", "unhandled_cmd")] == 1
    await wait_for(lambda: connector.stats.frames[("dropped", "own_message")] == 1)


async def test_malformed_frames_are_counted_and_the_connection_survives(bili) -> None:
    connector, fake, collector = bili
    good = encode_packet(Op.MESSAGE, b'{"cmd":"X"}', ver=Ver.JSON)
    bomb = encode_packet(Op.MESSAGE, zlib.compress(b"\0" * (20 << 20)), ver=Ver.ZLIB)
    frames = {
        "truncated_header": good[:10],
        "bad_length": good[:16] + good[16:] + b"",  # replaced below by a lying length
        "invalid_json": encode_packet(Op.MESSAGE, b"{not json", ver=Ver.JSON),
        "unknown_op": encode_packet(99, b"{}", ver=Ver.JSON),
        "decompressed_too_large": bomb,
        "bad_zlib": encode_packet(Op.MESSAGE, b"\x78\x9cgarbage", ver=Ver.ZLIB),
    }
    frames["bad_length"] = (10_000).to_bytes(4, "big") + good[4:]
    for frame in frames.values():
        fake.push_raw(7, frame)
    fake.push(7, danmu(1, "ann", "still alive"))
    await wait_for(lambda: [e.text for e in collector.events] == ["still alive"])
    snap = connector.stats.snapshot()
    for reason in frames:
        assert snap.frames[("dropped", reason)] == 1, reason
    assert snap.states["7"] is ConnState.CONNECTED and fake.connects == 1
    fake.silent = True  # no more heartbeat replies: everything sent so far must be accounted for
    await asyncio.sleep(0.05)
    assert connector.stats.snapshot().received == fake.units_sent


async def test_reconnect_mid_stream_loses_and_duplicates_nothing(bili) -> None:
    connector, fake, collector = bili
    fake.batch = 3
    for i in range(300):
        fake.push(7, danmu(100 + i, f"v{i}", f"msg {i}"))
        if i in (80, 190):
            await wait_for(lambda: fake.pending(7) == 0)
            await fake.kill()
    await wait_for(lambda: len(collector.events) >= 300)
    await asyncio.sleep(0.1)
    assert [e.text for e in collector.events] == [f"msg {i}" for i in range(300)]
    assert connector.stats.reconnects["7"] == 2 and len(fake.auth_packets) == 3
    assert connector.stats.last_reconnect_gap_s is not None


async def test_open_but_silent_connection_is_declared_dead_and_replaced(bili) -> None:
    connector, fake, collector = bili
    states: list[ConnState] = []
    original = connector.stats.set_state

    def spy(room: str, state: ConnState) -> None:
        states.append(state)
        original(room, state)

    connector.stats.set_state = spy  # type: ignore[method-assign]
    fake.silent = True
    await wait_for(lambda: ConnState.DEAD in states, timeout=3)
    fake.silent = False
    await wait_for(lambda: connector.stats.states["7"] is ConnState.CONNECTED and fake.connects >= 2)
    fake.push(7, danmu(1, "ann", "after"))
    await wait_for(lambda: [e.text for e in collector.events] == ["after"])


async def test_send_splits_to_the_length_limit_and_replies_to_the_author(bili) -> None:
    connector, fake, collector = bili
    fake.push(7, danmu(77, "ann", "口红多少钱"))
    await wait_for(lambda: len(collector.events) == 1)
    text = "这款哑光口红的价格是一百二十九元，目前有货，欢迎下单购买哦"
    await connector.send(OutboundMessage("bilibili", "7", text, reply_to=collector.events[0].message_id))
    assert "".join(m["msg"] for m in fake.sent) == text
    assert all(len(m["msg"]) <= 20 for m in fake.sent) and len(fake.sent) == 2
    assert {m["roomid"] for m in fake.sent} == {"7734200"} and {m["reply_mid"] for m in fake.sent} == {"77"}
    assert connector.stats.sends[("sent", "")] == 2


async def test_too_fast_pauses_and_retries(fake_bilibili, collector) -> None:
    fake_bilibili.min_send_interval_s = 0.5
    connector = BilibiliConnector(config=config_for(fake_bilibili, send_interval_s=0.15))
    await connector.start(collector)
    try:
        for text in ("one", "two"):
            await connector.send(OutboundMessage("bilibili", "7", text))
        assert [m["msg"] for m in fake_bilibili.sent] == ["one", "two"]
        assert connector.stats.sends[("retried", "too_fast")] == 1
    finally:
        await connector.stop()


async def test_wrong_csrf_is_an_auth_failure_not_a_crash(fake_bilibili, collector) -> None:
    connector = BilibiliConnector(config=config_for(fake_bilibili, bili_jct="wrong"))
    await connector.start(collector)
    try:
        await connector.send(OutboundMessage("bilibili", "7", "hi"))
        assert fake_bilibili.sent == [] and connector.stats.sends[("failed", "-111")] == 1
    finally:
        await connector.stop()


async def test_secrets_are_not_in_repr_or_logs(fake_bilibili, collector, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    config = config_for(fake_bilibili, bili_jct="wrong-jct-secret")
    connector = BilibiliConnector(config=config)
    await connector.start(collector)
    try:
        await asyncio.wait_for(connector.rooms["7"].authenticated.wait(), 5)
        await connector.send(OutboundMessage("bilibili", "7", "hi"))  # csrf failure gets logged
    finally:
        await connector.stop()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("connectors")]
    assert any("not sent" in line for line in lines)
    for secret in (fake_bilibili.sessdata, "wrong-jct-secret"):
        assert secret not in repr(config)
        assert not any(secret in line for line in lines)


async def test_a_captain_purchase_announced_twice_is_delivered_once(bili) -> None:
    connector, fake, collector = bili
    shared = {"uid": 9, "guard_level": 3, "num": 2, "start_time": 1700000000, "end_time": 1700000000}
    fake.push(
        7,
        {
            "cmd": "GUARD_BUY",
            "data": {**shared, "username": "cap", "price": 198000, "gift_id": 10003, "gift_name": "舰长"},
        },
        {
            "cmd": "USER_TOAST_MSG",
            "data": {
                **shared,
                "username": "cap",
                "price": 198000,
                "role_name": "舰长",
                "unit": "月",
                "payflow_id": "2311150000000000001",
                "op_type": 1,
            },
        },
        {"cmd": "WATCHED_CHANGE", "data": {"num": 1127, "text_small": "1127"}},
        {"cmd": "ROOM_SILENT_ON", "data": {"type": "level", "level": 5, "second": -1}},
    )
    await wait_for(lambda: len(collector.events) == 3)
    captain, watched, silent = collector.events
    assert (captain.kind, captain.item, captain.count, captain.money.amount) == (
        EventKind.SUBSCRIPTION,
        "舰长",
        2,
        396.0,
    )
    assert watched.status.watched == 1127 and silent.status.silenced is True
    await wait_for(lambda: connector.stats.frames.get(("dropped", "duplicate:guard_pair"), 0) == 1)
