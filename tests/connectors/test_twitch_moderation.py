"""Twitch moderation (Helix Delete Chat Messages, Ban User with a duration) against the fake Twitch."""

from __future__ import annotations

import json
import logging

from connectors.base import ChatEvent, OutboundMessage
from connectors.twitch.connector import TIMEOUT_REASON, TwitchConnector
from tests.connectors.fakes import twitch as fk
from tests.connectors.test_twitch_connector import chat_event, config_for
from tests.polling import wait_for


def chat(message_id: str = "m-1", viewer_id: str = "5001") -> ChatEvent:
    return ChatEvent(
        platform="twitch",
        room=fk.CHANNEL_ID,
        message_id=message_id,
        viewer_id=viewer_id,
        display_name="Viewer",
        text="you idiot",
    )


async def test_delete_sends_exactly_the_documented_request(twitch) -> None:
    connector, fake, collector = twitch
    fake.notify("channel.chat.message", chat_event(1, "you idiot"))
    await wait_for(lambda: len(collector.events) == 1)
    assert await connector.moderate(collector.events[0], "delete", 60) is True
    (request,) = fake.moderation_requests
    assert (request["method"], request["path"], request["status"]) == (
        "DELETE",
        "/helix/moderation/chat",
        204,
    )
    assert (
        request["query_string"] == f"broadcaster_id={fk.CHANNEL_ID}&moderator_id={fk.BOT_ID}&message_id=m-1"
    )
    assert request["body"] == b""
    assert fake.deleted == ["m-1"] and fake.chat_cleared == 0


async def test_timeout_bans_for_the_duration_with_the_documented_body(twitch) -> None:
    connector, fake, _ = twitch
    assert await connector.moderate(chat(viewer_id="5001"), "timeout", 60) is True
    (request,) = fake.moderation_requests
    assert (request["method"], request["path"], request["status"]) == ("POST", "/helix/moderation/bans", 200)
    assert request["query_string"] == f"broadcaster_id={fk.CHANNEL_ID}&moderator_id={fk.BOT_ID}"
    assert request["content_type"].startswith("application/json")
    body = {"data": {"user_id": "5001", "duration": 60, "reason": TIMEOUT_REASON}}
    assert request["body"] == json.dumps(body).encode()
    assert fake.bans[0]["end_time"] is not None


async def test_timeouts_are_clamped_to_twitchs_range(twitch) -> None:
    connector, fake, _ = twitch
    assert await connector.moderate(chat(viewer_id="1"), "timeout", 0) is True
    assert await connector.moderate(chat(viewer_id="2"), "timeout", 10**9) is True
    assert [b["duration"] for b in fake.bans] == [1, fk.MAX_BAN_DURATION_S]


async def test_429_pauses_until_the_reset_and_retries(twitch) -> None:
    connector, fake, _ = twitch
    fake.messages["m-1"] = "5001"
    fake.rate_limit_next = 2
    assert await connector.moderate(chat(), "delete", 60) is True
    assert [r["status"] for r in fake.moderation_requests] == [429, 429, 204]
    assert fake.sends_during_block == 0  # waited for Ratelimit-Reset each time
    fake.rate_limit_next = 1  # the pause is shared: a reply after a moderation 429 waits too
    assert await connector.moderate(chat(viewer_id="7"), "timeout", 5) is True
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "hi"))
    assert fake.sends_during_block == 0 and len(fake.chat_sent) == 1


async def test_not_a_moderator_is_logged_and_returns_false(twitch, caplog) -> None:
    connector, fake, _ = twitch
    caplog.set_level(logging.WARNING, logger="connectors")
    fake.moderator_in.clear()
    fake.messages["m-1"] = "5001"
    assert await connector.moderate(chat(), "delete", 60) is False
    assert await connector.moderate(chat(), "timeout", 60) is False
    assert [r["status"] for r in fake.moderation_requests] == [403, 403]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 2 and all("http_403" in line and "moderators" in line for line in refusals)
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "still working"))
    assert len(fake.chat_sent) == 1


async def test_documented_refusals_return_false(twitch) -> None:
    connector, fake, _ = twitch
    fake.channel_moderators.add("6000")
    fake.messages["mod-msg"] = "6000"
    assert await connector.moderate(chat("mod-msg", "6000"), "delete", 60) is False  # 400
    assert await connector.moderate(chat("gone"), "delete", 60) is False  # 404 unknown message
    assert await connector.moderate(chat(viewer_id=fk.CHANNEL_ID), "timeout", 60) is False  # broadcaster
    assert [r["status"] for r in fake.moderation_requests] == [400, 404, 400]


async def test_no_message_id_never_clears_the_whole_chat(twitch) -> None:
    connector, fake, _ = twitch
    assert await connector.moderate(chat(message_id=""), "delete", 60) is False
    assert await connector.moderate(chat(), "ban", 60) is False  # unknown action
    assert fake.moderation_requests == [] and fake.chat_cleared == 0


async def test_not_started_returns_false(fake_twitch) -> None:
    connector = TwitchConnector(config=config_for(fake_twitch))
    assert await connector.moderate(chat(), "delete", 60) is False
