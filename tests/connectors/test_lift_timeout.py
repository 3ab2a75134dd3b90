"""Lifting a timeout early (the dashboard's undo) through :meth:`Connector.lift_timeout`: Helix Unban User
against the fake Twitch, the mute list + del_room_block_user against the fake Bilibili, and the default
of connectors that cannot do it."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from connectors.base import (
    Connector,
    ConnectorError,
    EventSink,
    ModerationError,
    NotTimedOut,
    OutboundMessage,
    UnsupportedModeration,
)
from connectors.bilibili.errors import BilibiliModerationError, NotMuted
from connectors.twitch.connector import TwitchConnector
from connectors.twitch.errors import TwitchModerationError
from tests.connectors.fakes import twitch as fk
from tests.connectors.test_bilibili_moderation import bili, danmaku_event  # noqa: F401 - fixture
from tests.connectors.test_twitch_connector import config_for
from tests.connectors.test_twitch_moderation import chat


# --- the interface's default --------------------------------------------------------------------------
class _Minimal(Connector):
    platform = "minimal"

    async def start(self, sink: EventSink) -> None:
        pass

    async def send(self, message: OutboundMessage) -> None:
        pass

    async def stop(self) -> None:
        pass


async def test_a_connector_that_cannot_lift_says_so() -> None:
    connector = _Minimal()
    assert connector.can_lift_timeout is False
    with pytest.raises(UnsupportedModeration) as caught:
        await connector.lift_timeout("room", "viewer")
    assert caught.value.reason == "unsupported" and isinstance(caught.value, ConnectorError)
    assert TwitchConnector.can_lift_timeout is True


# --- Twitch: Helix Unban User -------------------------------------------------------------------------
async def test_twitch_lifts_a_real_timeout_with_the_documented_request(twitch) -> None:
    connector, fake, _ = twitch
    assert await connector.moderate(chat(viewer_id="5001"), "timeout", 600) is True
    assert fake.active_ban(fk.CHANNEL_ID, "5001") is not None
    await connector.lift_timeout(fk.CHANNEL_ID, "5001")
    unban = fake.moderation_requests[-1]
    assert (unban["method"], unban["path"], unban["status"]) == ("DELETE", "/helix/moderation/bans", 204)
    assert unban["query_string"] == f"broadcaster_id={fk.CHANNEL_ID}&moderator_id={fk.BOT_ID}&user_id=5001"
    assert unban["body"] == b"" and unban["response"] == b""
    assert fake.active_ban(fk.CHANNEL_ID, "5001") is None


async def test_twitch_unban_of_a_viewer_not_banned_is_a_clear_error(twitch, caplog) -> None:
    connector, fake, _ = twitch
    caplog.set_level(logging.WARNING, logger="connectors")
    assert await connector.moderate(chat(viewer_id="5002"), "timeout", 600) is True
    fake.lift_by_hand("5002")  # a human moderator was quicker
    for viewer in ("5002", "9999"):  # lifted already; never banned
        with pytest.raises(NotTimedOut) as caught:
            await connector.lift_timeout(fk.CHANNEL_ID, viewer)
        assert caught.value.reason == "not_timed_out" and "user is not banned" in str(caught.value)
        assert isinstance(caught.value.__cause__, TwitchModerationError)
    statuses = [(r["status"], json.loads(r["response"])) for r in fake.moderation_requests[1:]]
    documented = {"error": "Bad Request", "status": 400, "message": "user is not banned"}
    assert statuses == [(400, documented), (400, documented)]
    assert sum("refused" in r.getMessage() for r in caplog.records) == 2
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "still working"))
    assert len(fake.chat_sent) == 1


async def test_twitch_unban_refused_when_not_a_moderator(twitch) -> None:
    connector, fake, _ = twitch
    fake.moderator_in.clear()
    with pytest.raises(TwitchModerationError) as caught:
        await connector.lift_timeout(fk.CHANNEL_ID, "5001")
    assert caught.value.reason == "http_403" and isinstance(caught.value, ModerationError)
    assert not isinstance(caught.value, NotTimedOut)


async def test_twitch_unban_waits_out_a_429(twitch) -> None:
    connector, fake, _ = twitch
    assert await connector.moderate(chat(viewer_id="5003"), "timeout", 600) is True
    fake.rate_limit_next = 1
    await connector.lift_timeout(fk.CHANNEL_ID, "5003")
    assert [r["status"] for r in fake.moderation_requests[1:]] == [429, 204]
    assert fake.sends_during_block == 0


async def test_twitch_not_started_raises(fake_twitch) -> None:
    connector = TwitchConnector(config=config_for(fake_twitch))
    with pytest.raises(TwitchModerationError):
        await connector.lift_timeout(fk.CHANNEL_ID, "5001")
    assert fake_twitch.moderation_requests == []


# --- Bilibili: mute list, then del_room_block_user ----------------------------------------------------
def _form(fake, **fields: str) -> bytes:
    return urlencode(
        [*fields.items(), ("csrf_token", fake.bili_jct), ("csrf", fake.bili_jct), ("visit_id", "")]
    ).encode()


async def test_bilibili_lifts_a_real_mute_with_the_documented_requests(bili) -> None:  # noqa: F811
    connector, fake, _ = bili
    assert await connector.moderate(danmaku_event("77"), "timeout", 60) is True
    record = fake.silent_ids[7734200, 77]
    await connector.lift_timeout("7", "77")
    listing, delete = fake.unmute_requests
    assert listing["endpoint"] == "GetSilentUserList"
    assert listing["body"] == _form(fake, room_id="7734200", ps="1")  # the real room id
    assert (delete["endpoint"], delete["code"]) == ("del_room_block_user", 0)
    assert delete["body"] == _form(fake, roomid="7734200", id=str(record))
    assert fake.muted == {} and fake.silent_ids == {}


async def test_bilibili_pages_through_a_long_mute_list(bili) -> None:  # noqa: F811
    connector, fake, _ = bili
    for uid in range(100, 125):  # 25 mutes, 10 a page, newest first: uid 100 is on page 3
        assert await connector.moderate(danmaku_event(str(uid)), "timeout", 60) is True
    await connector.lift_timeout("7", "100")
    pages = [r["form"]["ps"] for r in fake.unmute_requests if r["endpoint"] == "GetSilentUserList"]
    assert pages == ["1", "2", "3"]
    assert (7734200, 100) not in fake.muted and len(fake.muted) == 24


async def test_bilibili_unmute_of_a_viewer_not_muted_is_a_clear_error(bili) -> None:  # noqa: F811
    connector, fake, _ = bili
    assert await connector.moderate(danmaku_event("78"), "timeout", 60) is True
    fake.unmute_by_hand(7734200, 78)
    with pytest.raises(NotMuted) as caught:
        await connector.lift_timeout("7", "78")
    assert isinstance(caught.value, NotTimedOut) and caught.value.reason == "not_timed_out"
    assert [r["endpoint"] for r in fake.unmute_requests] == ["GetSilentUserList"]  # no blind delete
    assert connector.stats.states["7"].value == "connected"


async def test_bilibili_unmute_refused_when_not_a_room_admin(bili) -> None:  # noqa: F811
    connector, fake, _ = bili
    fake.admin_rooms.clear()
    with pytest.raises(BilibiliModerationError) as caught:
        await connector.lift_timeout("7", "77")
    assert caught.value.reason == "code_-403" and isinstance(caught.value, ModerationError)
    with pytest.raises(BilibiliModerationError, match="no_viewer"):
        await connector.lift_timeout("7", "0")  # anonymous: masked uid
