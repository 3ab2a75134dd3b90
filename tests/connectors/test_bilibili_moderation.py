"""Bilibili moderation against the fake server: room-admin mute (AddSilentUser), no danmaku delete."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import pytest

from connectors.base import ChatEvent
from connectors.bilibili.client import BilibiliConnector, mute_hours
from tests.connectors.fakes.bilibili import FakeBilibili, danmu
from tests.connectors.test_bilibili_client import config_for
from tests.polling import wait_for


@pytest.fixture
async def bili(fake_bilibili, collector):
    connector = BilibiliConnector(config=config_for(fake_bilibili))
    await connector.start(collector)
    await asyncio.wait_for(connector.rooms["7"].authenticated.wait(), 5)
    yield connector, fake_bilibili, collector
    await connector.stop()


def danmaku_event(viewer_id: str = "77", room: str = "7") -> ChatEvent:
    return ChatEvent(
        platform="bilibili", room=room, message_id="d-1", viewer_id=viewer_id, display_name="ann", text="傻逼"
    )


@pytest.mark.parametrize(("seconds", "hours"), [(1, 1), (60, 1), (3600, 1), (3601, 2), (86400, 24), (0, 0)])
def test_timeouts_round_up_to_whole_hours(seconds: int, hours: int) -> None:
    assert mute_hours(seconds) == hours


async def test_timeout_mutes_with_the_web_clients_exact_form(bili) -> None:
    connector, fake, collector = bili
    fake.push(7, danmu(77, "ann", "傻逼"))
    await wait_for(lambda: len(collector.events) == 1)
    assert await connector.moderate(collector.events[0], "timeout", 60) is True
    (request,) = fake.mute_requests
    expected = [
        ("room_id", "7734200"),  # the real room id, not the short one
        ("tuid", "77"),
        ("msg", "傻逼"),
        ("mobile_app", "web"),
        ("type", "1"),
        ("hour", "1"),
        ("csrf_token", fake.bili_jct),
        ("csrf", fake.bili_jct),
        ("visit_id", ""),
    ]
    assert request["body"] == urlencode(expected).encode()
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert fake.muted == {(7734200, 77): 1}


async def test_zero_means_until_the_end_of_the_stream(bili) -> None:
    connector, fake, _ = bili
    assert await connector.moderate(danmaku_event(), "timeout", 0) is True
    assert (fake.mute_requests[0]["form"]["hour"], fake.mute_requests[0]["form"]["type"]) == ("0", "2")


async def test_delete_is_unsupported_and_sends_nothing(bili, caplog) -> None:
    connector, fake, _ = bili
    caplog.set_level(logging.INFO, logger="connectors")
    assert await connector.moderate(danmaku_event(), "delete", 60) is False
    assert fake.mute_requests == []
    assert any("cannot be deleted" in r.getMessage() for r in caplog.records)


async def test_not_a_room_admin_is_logged_and_returns_false(bili, caplog) -> None:
    connector, fake, _ = bili
    caplog.set_level(logging.WARNING, logger="connectors")
    fake.admin_rooms.clear()
    assert await connector.moderate(danmaku_event(), "timeout", 60) is False
    assert [r["code"] for r in fake.mute_requests] == [-403]
    assert any("refused" in r.getMessage() and "-403" in r.getMessage() for r in caplog.records)
    assert connector.stats.states["7"].value == "connected"  # the room is unaffected


async def test_wrong_csrf_and_anonymous_viewers_return_false(
    fake_bilibili: FakeBilibili, collector, caplog
) -> None:
    connector = BilibiliConnector(config=config_for(fake_bilibili, bili_jct="wrong-jct-secret"))
    await connector.start(collector)
    caplog.set_level(logging.DEBUG)
    try:
        assert await connector.moderate(danmaku_event(), "timeout", 60) is False
        assert await connector.moderate(danmaku_event(viewer_id="0"), "timeout", 60) is False  # masked uid
    finally:
        await connector.stop()
    assert [r["code"] for r in fake_bilibili.mute_requests] == [-111]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("connectors")]
    assert not any("wrong-jct-secret" in line or fake_bilibili.sessdata in line for line in lines)


async def test_without_cookies_nothing_is_sent(fake_bilibili, collector) -> None:
    connector = BilibiliConnector(config=config_for(fake_bilibili, sessdata="", bili_jct=""))
    await connector.start(collector)
    try:
        assert await connector.moderate(danmaku_event(), "timeout", 60) is False
    finally:
        await connector.stop()
    assert fake_bilibili.mute_requests == []


async def test_the_bots_own_mute_comes_back_marked_and_a_human_mute_does_not(bili) -> None:
    """The room announces every mute (ROOM_BLOCK_MSG); the one the bot asked for is marked by_bot, so
    the moderators' log lists it once (the gateway already logged the bot's decision)."""
    connector, fake, collector = bili
    assert await connector.moderate(danmaku_event("77"), "timeout", 60) is True
    fake.mute_by_hand(7, 88, "troll")
    await wait_for(lambda: len(collector.events) == 2)
    own, human = collector.events
    assert own.kind.value == "moderation" and own.notice.by_bot and own.notice.target_id == "77"
    assert own.notice.moderator == connector.bot_name
    assert not human.notice.by_bot and human.notice.moderator == "room admin"
    assert (human.notice.action, human.notice.target_id, human.notice.target_name) == (
        "timeout",
        "88",
        "troll",
    )


async def test_a_mute_the_platform_refused_is_not_taken_for_the_bots(bili) -> None:
    connector, fake, collector = bili
    fake.admin_rooms.clear()
    assert await connector.moderate(danmaku_event("77"), "timeout", 60) is False
    fake.mute_by_hand(7, 77, "ann")  # a human does it instead
    await wait_for(lambda: len(collector.events) == 1)
    assert not collector.events[0].notice.by_bot
