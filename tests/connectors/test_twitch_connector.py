"""The Twitch connector (twitchio 3 + our EventSub socket) against the fake Twitch."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.outbound.pacer import PendingReply, ReplyPacer
from connectors.accounting import ConnState
from connectors.base import EventKind, OutboundMessage, Role, SendLimit
from connectors.twitch.config import TwitchConfig, configure_endpoints
from connectors.twitch.connector import TwitchConnector
from connectors.twitch.eventsub import STATE_ROOM
from tests.connectors.fakes import twitch as fk
from tests.polling import wait_for


def chat_event(i: int, text: str | None = None, **extra: object) -> dict[str, object]:
    return fk.chat_message(str(5000 + i), f"Viewer{i}", text or f"msg {i}", f"m-{i}", **extra)


def config_for(fake: fk.FakeTwitch, **overrides: object) -> TwitchConfig:
    configure_endpoints(helix=fake.base_url + "/helix/", id_base=fake.base_url + "/", eventsub_ws=fake.ws_url)
    values = {
        "client_id": fk.CLIENT_ID,
        "client_secret": fk.CLIENT_SECRET,
        "bot_id": fk.BOT_ID,
        "channel_ids": (fk.CHANNEL_ID,),
        "user_token": fk.USER_TOKEN,
        "refresh_token": fk.REFRESH_TOKEN,
        "keepalive_s": 0.4,
        "keepalive_grace_s": 0.3,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
    }
    values.update(overrides)
    return TwitchConfig(**values)  # type: ignore[arg-type]


async def test_login_subscribes_with_the_user_token_and_receives_chat(twitch) -> None:
    connector, fake, collector = twitch
    assert {s["type"] for s in fake.subscriptions} == {
        "channel.chat.message",
        "channel.chat.notification",
        "channel.follow",
        "channel.moderate",
        "automod.message.hold",
        "automod.message.update",
    }
    assert fake.subscriptions[0]["condition"] == {"broadcaster_user_id": fk.CHANNEL_ID, "user_id": fk.BOT_ID}
    fake.notify(
        "channel.chat.message",
        chat_event(
            1,
            "Kappa how much is it?",
            badges=[
                {"set_id": "moderator", "id": "1", "info": ""},
                {"set_id": "subscriber", "id": "12", "info": "12"},
            ],
            message={
                "text": "Kappa how much is it?",
                "fragments": [
                    {"type": "emote", "text": "Kappa", "emote": {"id": "25", "emote_set_id": "0"}},
                    {"type": "text", "text": " how much is it?"},
                ],
            },
            reply={"parent_message_id": "p-1", "parent_user_id": "9", "parent_message_body": "x"},
        ),
    )
    fake.notify("channel.chat.message", chat_event(2, "Cheer100 great", cheer={"bits": 100}))
    fake.notify(
        "channel.follow",
        {
            "user_id": "77",
            "user_login": "fol",
            "user_name": "Fol",
            "broadcaster_user_id": fk.CHANNEL_ID,
            "followed_at": "2026-11-23T20:00:00Z",
        },
        version="2",
    )
    fake.notify(
        "channel.chat.notification",
        {
            **chat_event(3),
            "notice_type": "raid",
            "system_message": "raid!",
            "raid": {"user_id": "8", "user_name": "Raider", "viewer_count": 42},
        },
    )
    fake.notify(
        "channel.chat.notification", {**chat_event(4), "notice_type": "sub", "sub": {"sub_tier": "1000"}}
    )
    fake.notify("channel.chat.notification", {**chat_event(5), "notice_type": "announcement"})
    fake.notify("channel.hype_train.begin", {"id": "1"})  # a type nobody handles
    fake.notify("channel.chat.message", chat_event(6, chatter_user_id=fk.BOT_ID))  # the bot's own echo
    await wait_for(lambda: len(collector.events) == 5)
    chat, cheer, follow, raid, sub = collector.events
    assert (chat.platform, chat.room, chat.message_id, chat.display_name) == (
        "twitch",
        fk.CHANNEL_ID,
        "m-1",
        "Viewer1",
    )
    assert {Role.MODERATOR, Role.SUBSCRIBER} <= chat.roles and chat.reply_to == "p-1"
    assert chat.emotes[0].start == 0 and chat.emotes[0].end == 5 and chat.emotes[0].emote_id == "25"
    assert cheer.kind is EventKind.SUPER_CHAT and cheer.money.amount == 100
    assert follow.kind is EventKind.FOLLOW and raid.kind is EventKind.RAID and raid.count == 42
    assert sub.kind is EventKind.SUBSCRIPTION
    await wait_for(lambda: connector.stats.snapshot().outcome("dropped") == 3)
    snap = connector.stats.snapshot()
    assert snap.frames[("dropped", "own_message")] == 1
    assert (
        snap.frames[("dropped", "unhandled_notice")] == 1 and snap.frames[("dropped", "unhandled_type")] == 1
    )


async def test_session_reconnect_mid_stream_loses_and_duplicates_nothing(twitch) -> None:
    connector, fake, collector = twitch
    for i in range(200):
        fake.notify("channel.chat.message", chat_event(i))
        if i in (50, 120):
            connects = fake.connects
            await fake.send_reconnect()
            await wait_for(lambda c=connects: fake.connects == c + 1)
        if i == 150:
            await wait_for(lambda: not fake.outbox)
            await fake.redeliver_last()  # same message_id again: must be dropped as duplicate
    await wait_for(lambda: len(collector.events) >= 200)
    await asyncio.sleep(0.1)
    assert [e.message_id for e in collector.events] == [f"m-{i}" for i in range(200)]
    types = len(connector.config.events)
    assert fake.connects == 3 and len(fake.subscriptions) == types  # no resubscribe on hand-over
    assert connector.stats.frames[("dropped", "duplicate")] == 1
    assert connector.stats.states[STATE_ROOM] is ConnState.CONNECTED


@pytest.mark.parametrize("pings", [False, True], ids=["silent", "only-pings"])
async def test_keepalive_timeout_replaces_a_silent_session_and_resubscribes(twitch, pings: bool) -> None:
    connector, fake, collector = twitch
    fake.ping_while_silent = pings
    fake.notify("channel.chat.message", chat_event(1))
    await wait_for(lambda: len(collector.events) == 1)
    fake.silent = True
    fake.notify("channel.chat.message", chat_event(2))  # held by the silent server
    await wait_for(lambda: fake.connects >= 2, timeout=5)
    fake.silent = False
    await wait_for(lambda: len(collector.events) == 2, timeout=5)
    assert [e.message_id for e in collector.events] == ["m-1", "m-2"]
    assert len(fake.subscriptions) >= 2 * len(connector.config.events)  # a fresh session subscribes again
    assert connector.stats.last_reconnect_gap_s is not None


async def test_burst_of_500_replies_never_exceeds_the_limit(fake_twitch, collector) -> None:
    """The gateway's pacer keeps to the limit the connector declares: the one send window."""
    fake_twitch.send_limit, fake_twitch.send_window_s = 20, 0.1
    connector = TwitchConnector(config=config_for(fake_twitch, send_limit=20, send_window_s=0.1))
    events: list[str] = []
    pacer = ReplyPacer(
        connector.send, "twitch", connector.send_limit, on_event=lambda outcome, n: events.append(outcome)
    )
    await connector.start(collector)
    pacing = asyncio.create_task(pacer.run())
    try:
        for i in range(500):
            pacer.submit(PendingReply(fk.CHANNEL_ID, f"reply {i}", mention=None, reply_to=None))
        await wait_for(lambda: len(fake_twitch.chat_sent) == 500, timeout=30)
        assert len(fake_twitch.chat_sent) == 500 and fake_twitch.limit_violations == 0
        assert "budget_wait" in events
    finally:
        pacing.cancel()
        await connector.stop()


async def test_long_replies_are_split_and_429_reset_is_honoured(twitch) -> None:
    connector, fake, _ = twitch
    fake.rate_limit_next = 2
    words = " ".join(f"word{i}" for i in range(150))  # ~1040 characters
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, words, reply_to="m-9", mention="ann"))
    parts = [m["message"] for m in fake.chat_sent]
    assert len(parts) == 3 and all(len(p) <= 500 for p in parts) and " ".join(parts) == words
    assert (
        fake.chat_sent[0]["reply_parent_message_id"] == "m-9"
        and "reply_parent_message_id" not in fake.chat_sent[1]
    )
    assert connector.stats.sends[("retried", "429")] == 2 and connector.stats.sends[("sent", "")] == 3
    assert fake.sends_during_block == 0  # waited for Ratelimit-Reset each time


async def test_a_message_twitch_drops_is_counted_with_its_drop_code(twitch) -> None:
    connector, fake, _ = twitch
    fake.drop_next = 1
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "the serum is back"))
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "the serum is back!"))
    assert connector.stats.sends[("failed", "rejected")] == 1 and connector.stats.sends[("sent", "")] == 1
    assert [m["message"] for m in fake.chat_sent] == ["the serum is back!"]


async def test_expired_user_token_is_refreshed(fake_twitch, collector) -> None:
    fake_twitch.valid_user_tokens.clear()  # the configured token has expired
    connector = TwitchConnector(config=config_for(fake_twitch))
    await connector.start(collector)
    try:
        await asyncio.wait_for(connector.eventsub.ready.wait(), 10)
        assert fake_twitch.refreshes >= 1 and fake_twitch.subscriptions
    finally:
        await connector.stop()


async def test_secrets_never_reach_the_logs(fake_twitch, collector, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    config = config_for(fake_twitch)
    connector = TwitchConnector(config=config)
    await connector.start(collector)
    await asyncio.wait_for(connector.eventsub.ready.wait(), 10)
    await connector.send(OutboundMessage("twitch", fk.CHANNEL_ID, "hi"))
    await connector.stop()
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("connectors")]
    assert ours
    for secret in (fk.USER_TOKEN, fk.REFRESH_TOKEN, fk.CLIENT_SECRET):
        assert secret not in repr(config)
        assert not any(secret in line for line in ours)


def test_send_budget_limits_follow_the_moderator_flag(fake_twitch) -> None:
    assert config_for(fake_twitch).effective_send_limit == 20
    assert config_for(fake_twitch, is_moderator=True).effective_send_limit == 100
    assert config_for(fake_twitch, is_moderator=True, send_limit=50).effective_send_limit == 50
    assert TwitchConnector(config=config_for(fake_twitch)).send_limit == SendLimit(20, 30.0, 500)


async def test_malformed_frames_are_counted_and_every_frame_is_accounted_for(twitch) -> None:
    connector, fake, collector = twitch
    await fake.send_raw("{not json")
    await fake.send_raw(b"\x00binary")
    await fake.send_raw('{"metadata": {"message_type": "session_party", "message_id": "x"}, "payload": {}}')
    await fake.send_raw('{"payload": {}}')
    fake.notify("channel.chat.message", {"broadcaster_user_id": fk.CHANNEL_ID})  # missing fields
    fake.notify("channel.chat.message", chat_event(1))
    await wait_for(lambda: len(collector.events) == 1)
    await fake.send_reconnect()
    fake.notify("channel.chat.message", chat_event(2))
    await wait_for(lambda: len(collector.events) == 2)
    fake.silent = True
    await asyncio.sleep(0.05)  # let in-flight keepalives land
    snap = connector.stats.snapshot()
    assert snap.received == fake.frames_sent
    assert snap.outcome("delivered") == 2
    assert {r for (o, r) in snap.frames if o == "dropped"} == {
        "invalid_json",
        "binary_frame",
        "unknown_message_type",
        "bad_payload",
    }
    assert connector.eventsub.last_handover_s is not None


async def test_revoked_chat_subscription_is_not_left_connected(twitch) -> None:
    connector, fake, collector = twitch
    revocation = {
        "metadata": {
            "message_id": "r1",
            "message_type": "revocation",
            "message_timestamp": "2026-11-23T20:00:00Z",
        },
        "payload": {
            "subscription": {"id": "s", "type": "channel.chat.message", "status": "authorization_revoked"}
        },
    }
    await fake.send_raw(json.dumps(revocation))
    await wait_for(lambda: fake.connects == 2 and len(fake.subscriptions) == 2 * len(connector.config.events))
    fake.notify("channel.chat.message", chat_event(1))
    await wait_for(lambda: [e.message_id for e in collector.events] == ["m-1"])
    assert (
        connector.stats.frames[("handled", "revocation")] == 1 and connector.stats.reconnects[STATE_ROOM] == 1
    )
