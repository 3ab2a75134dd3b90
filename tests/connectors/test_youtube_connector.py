"""The YouTube connector against the fake Data API: discovery, every message type, paging and polling
interval, sending, moderation, token refresh, quota, ended/disabled/not-found chats and malformed items."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connectors.accounting import ConnState
from connectors.base import EventKind, NotTimedOut, OutboundMessage, Role
from connectors.youtube.config import YouTubeConfig
from connectors.youtube.connector import YouTubeConnector
from connectors.youtube.errors import YouTubeModerationError
from connectors.youtube.quota import QuotaBudget
from tests.connectors.fakes.youtube import BOT_CHANNEL, FakeYouTube, author, message, text
from tests.polling import wait_for

ROOM = "UCroom"


def config_for(fake: FakeYouTube, **overrides: object) -> YouTubeConfig:
    base: dict[str, object] = {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
        "channel_id": ROOM,
        "api_base": fake.base_url + "/youtube/v3",
        "token_url": fake.base_url + "/token",
        "min_poll_s": 0.02,
        "stream_hours": 0.001,  # the pacer's horizon: a few seconds, so the quota never slows polling
        "discover_every_s": 0.05,
        "backoff_base_s": 0.01,
        "backoff_cap_s": 0.05,
        "send_per_s": 1000,
    }
    base.update(overrides)
    return YouTubeConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
async def yt(fake_youtube, collector):
    connector = YouTubeConnector(config=config_for(fake_youtube))
    await connector.start(collector)
    await wait_for(lambda: connector.stats.states.get(ROOM) is ConnState.CONNECTED)
    yield connector, fake_youtube, collector
    await connector.stop()


def every_type() -> list[dict]:
    viewer = author("UCv1", "ann", sponsor=True)
    return [
        text("hello there", by=author("UCv1", "ann", moderator=True, verified=True), msg_id="m-text"),
        message(
            "superChatEvent",
            {
                "amountMicros": "5000000",
                "currency": "USD",
                "amountDisplayString": "$5.00",
                "userComment": "great stream",
                "tier": 2,
            },
            by=viewer,
        ),
        message(
            "superStickerEvent",
            {
                "superStickerMetadata": {"stickerId": "st-1", "altText": "Cat waving", "language": "en"},
                "amountMicros": "200000000",
                "currency": "JPY",
                "amountDisplayString": "¥200",
                "tier": 1,
            },
            by=viewer,
        ),
        message("newSponsorEvent", {"memberLevelName": "Gold", "isUpgrade": False}, by=viewer),
        message(
            "memberMilestoneChatEvent",
            {"userComment": "a year!", "memberMonth": 12, "memberLevelName": "Gold"},
            by=viewer,
        ),
        message(
            "membershipGiftingEvent",
            {"giftMembershipsCount": 5, "giftMembershipsLevelName": "Gold"},
            by=viewer,
            msg_id="m-gift",
        ),
        message(
            "giftMembershipReceivedEvent",
            {
                "memberLevelName": "Gold",
                "gifterChannelId": "UCv1",
                "associatedMembershipGiftingMessageId": "m-gift",
            },
            by=author("UCv2", "bo"),
        ),
        message(
            "messageDeletedEvent", {"deletedMessageId": "m-old"}, by=author("UCmod", "mod", moderator=True)
        ),
        message(
            "userBannedEvent",
            {
                "bannedUserDetails": {
                    "channelId": "UCspam",
                    "channelUrl": "",
                    "displayName": "spam",
                    "profileImageUrl": "",
                },
                "banType": "temporary",
                "banDurationSeconds": "300",
            },
            by=author("UCmod", "mod", moderator=True),
        ),
        message(
            "userBannedEvent",
            {"bannedUserDetails": {"channelId": "UCspam2", "displayName": "spam2"}, "banType": "permanent"},
            by=author("UCown", "owner", owner=True),
        ),
        message("sponsorOnlyModeStartedEvent", by=author("UCown", "owner", owner=True)),
        message("sponsorOnlyModeEndedEvent", by=author("UCown", "owner", owner=True)),
        message("messageRetractedEvent", {"retractedMessageId": "m-x"}, by=viewer),
        message("pollEvent", {"metadata": {"questionText": "next?", "options": []}}),
        message("tombstone"),
        message("someFutureEvent"),
        {"kind": "youtube#liveChatMessage", "id": "broken"},  # no snippet
        message("superChatEvent", {"amountMicros": "lots", "currency": "USD"}),  # bad amount
        "not an object",
    ]


async def test_every_documented_type_becomes_an_event_or_a_counted_skip(yt) -> None:
    connector, fake, collector = yt
    fake.push(*every_type())
    await wait_for(lambda: len(collector.events) == 13)
    await wait_for(lambda: connector.stats.snapshot().outcome("dropped") >= 6)
    (
        chat,
        sc,
        sticker,
        sponsor,
        milestone,
        gifting,
        received,
        deleted,
        timeout,
        ban,
        mo_on,
        mo_off,
        retracted,
    ) = collector.events
    assert (chat.kind, chat.text, chat.viewer_id, chat.display_name, chat.room) == (
        EventKind.CHAT,
        "hello there",
        "UCv1",
        "ann",
        ROOM,
    )
    assert Role.MODERATOR in chat.roles and chat.message_id == "m-text" and chat.badges[0].name == "verified"
    assert (sc.kind, sc.text, sc.money.amount, sc.money.currency) == (
        EventKind.SUPER_CHAT,
        "great stream",
        5.0,
        "USD",
    )
    assert Role.SUBSCRIBER in sc.roles
    assert (sticker.kind, sticker.item, sticker.money.amount, sticker.money.currency) == (
        EventKind.SUPER_CHAT,
        "Cat waving",
        200.0,
        "JPY",
    )
    assert (sponsor.kind, sponsor.item, sponsor.count) == (EventKind.SUBSCRIPTION, "Gold", 1)
    assert (milestone.kind, milestone.item, milestone.count, milestone.text) == (
        EventKind.SUBSCRIPTION,
        "Gold",
        12,
        "a year!",
    )
    assert (gifting.kind, gifting.item, gifting.count) == (EventKind.GIFT, "membership", 5)
    assert (received.kind, received.viewer_id, received.money) == (EventKind.SUBSCRIPTION, "UCv2", None)
    assert received.extra["gifter_channel_id"] == "UCv1"
    assert deleted.kind is EventKind.MODERATION and deleted.notice.action == "delete"
    assert deleted.notice.target_message_id == "m-old" and deleted.notice.moderator == "mod"
    assert (timeout.notice.action, timeout.notice.target_id, timeout.notice.duration_s) == (
        "timeout",
        "UCspam",
        300,
    )
    assert (ban.notice.action, ban.notice.target_id, ban.notice.duration_s) == ("ban", "UCspam2", None)
    assert Role.BROADCASTER in ban.roles
    assert (
        mo_on.kind is EventKind.ROOM_STATUS
        and mo_on.status.silenced
        and mo_on.status.silence_kind == "member"
    )
    assert mo_off.status.silenced is False
    assert retracted.notice.action == "delete" and retracted.notice.reason == "retracted"
    frames = connector.stats.snapshot().frames
    assert frames["dropped", "poll"] == 1 and frames["dropped", "tombstone"] == 1
    assert frames["dropped", "unhandled_type"] == 1 and frames["dropped", "bad_payload"] == 3
    assert frames["delivered", ""] == 13
    assert connector.stats.states[ROOM] is ConnState.CONNECTED  # bad items never stop polling


async def test_discovery_and_list_requests_are_as_documented(yt) -> None:
    connector, fake, collector = yt
    fake.push(text("one"))
    await wait_for(lambda: len(collector.events) == 1)
    fake.push(text("two"), text("three"))
    await wait_for(lambda: len(collector.events) == 3)
    assert [e.text for e in collector.events] == ["one", "two", "three"]
    discovery = fake.calls("GET", "/liveBroadcasts")[0]
    assert discovery["query"]["broadcastStatus"] == "active" and discovery["query"]["part"] == "snippet"
    await wait_for(lambda: fake.calls("GET", "/liveChat/messages")[-1]["query"].get("pageToken") == "p3")
    lists = fake.calls("GET", "/liveChat/messages")
    assert lists[0]["query"] == {
        "liveChatId": "chat-1",
        "part": "snippet,authorDetails",
        "maxResults": "2000",
    }
    # every later poll carries the previous answer's nextPageToken
    assert all(r["query"].get("pageToken", "").startswith("p") for r in lists[1:])
    assert all(r["headers"]["Authorization"] == "Bearer ya29.fake-1" for r in lists)
    token = next(r for r in fake.requests if r["path"] == "/token")
    assert token["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert (
        "grant_type=refresh_token" in token["body"] and "refresh_token=1%2F%2Frefresh-secret" in token["body"]
    )
    assert connector.live_chat_id == "chat-1"


async def test_video_id_discovery_uses_active_live_chat_id(fake_youtube, collector) -> None:
    connector = YouTubeConnector(config=config_for(fake_youtube, video_id="vid-1", channel_id=""))
    await connector.start(collector)
    try:
        await wait_for(lambda: connector.stats.states.get("vid-1") is ConnState.CONNECTED)
        video = fake_youtube.calls("GET", "/videos")[0]["query"]
        assert video == {"part": "liveStreamingDetails", "id": "vid-1"}
    finally:
        await connector.stop()


async def test_polling_interval_millis_is_honoured(fake_youtube, collector) -> None:
    fake_youtube.polling_interval_ms = 300
    connector = YouTubeConnector(config=config_for(fake_youtube))
    await connector.start(collector)
    try:
        await wait_for(lambda: len(fake_youtube.calls("GET", "/liveChat/messages")) >= 4)
    finally:
        await connector.stop()
    times = [r["at"] for r in fake_youtube.calls("GET", "/liveChat/messages")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.29, gaps
    assert connector.last_poll_interval_s == pytest.approx(0.3, abs=0.01)


async def test_send_splits_to_200_characters_and_drops_its_own_echo(yt) -> None:
    connector, fake, collector = yt
    long_text = " ".join(["word"] * 70)  # 349 characters, 354 with the mention: two parts
    await connector.send(OutboundMessage(platform="youtube", room=ROOM, text=long_text, mention="ann"))
    inserts = fake.calls("POST", "/liveChat/messages")
    assert len(inserts) == 2 and all(r["query"] == {"part": "snippet"} for r in inserts)
    bodies = [json.loads(r["body"]) for r in inserts]
    assert bodies[0] == {
        "snippet": {
            "liveChatId": "chat-1",
            "type": "textMessageEvent",
            "textMessageDetails": {"messageText": bodies[0]["snippet"]["textMessageDetails"]["messageText"]},
        }
    }
    texts = [b["snippet"]["textMessageDetails"]["messageText"] for b in bodies]
    assert all(len(t) <= 200 for t in texts) and texts[0].startswith("@ann word")
    assert " ".join(texts) == "@ann " + long_text
    assert connector.stats.sends["sent", ""] == 2 and connector.bot_channel_id == BOT_CHANNEL
    await wait_for(lambda: connector.stats.frames.get(("dropped", "own_message"), 0) == 2)
    assert collector.events == []


async def test_send_is_refused_when_the_quota_left_is_needed_for_polling(fake_youtube, collector) -> None:
    # the budget's clock runs from noon Pacific: the day's reset (midnight Pacific) is hours away, so
    # the whole hour of polling must be paid for whatever the wall-clock time of the run
    noon = datetime(2026, 12, 2, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles")).timestamp()
    started = time.time()
    quota = QuotaBudget(
        daily_quota=10_000,
        stream_s=3600,
        max_poll_s=30,
        used=10_000 - 620,
        clock=lambda: noon + time.time() - started,
    )
    connector = YouTubeConnector(config=config_for(fake_youtube), quota=quota)
    await connector.start(collector)
    try:
        await wait_for(lambda: connector.stats.states.get(ROOM) is ConnState.CONNECTED)
        # polling every 30 s for an hour needs 120 polls x 5 = 600 units; a 20-unit insert would leave less
        await connector.send(OutboundMessage(platform="youtube", room=ROOM, text="hi"))
        assert connector.stats.sends["refused", "quota"] == 1
        assert fake_youtube.calls("POST", "/liveChat/messages") == []
        snap = connector.stats.snapshot().samples()
        quota_samples = {s[1]["kind"]: s[2] for s in snap if s[0] == "liveroom_connector_quota_units"}
        assert quota_samples["limit"] == 10_000 and quota_samples["remaining"] < 620
        assert quota_samples["used"] + quota_samples["remaining"] == 10_000
        # and the poll interval stretched to what the quota allows (> the server's 0.1 s)
        assert connector.last_poll_interval_s > 5
    finally:
        await connector.stop()


async def test_moderation_delete_timeout_ban_and_lift(yt) -> None:
    connector, fake, collector = yt
    fake.push(text("buy followers", by=author("UCspam", "spam"), msg_id="m-spam"))
    await wait_for(lambda: len(collector.events) == 1)
    event = collector.events[0]
    assert await connector.moderate(event, "delete", 0)
    delete = fake.calls("DELETE", "/liveChat/messages")[0]
    assert delete["query"] == {"id": "m-spam"} and delete["body"] == ""
    assert await connector.moderate(event, "timeout", 300)
    ban = fake.calls("POST", "/liveChat/bans")[0]
    assert ban["query"] == {"part": "snippet"}
    assert json.loads(ban["body"]) == {
        "snippet": {
            "liveChatId": "chat-1",
            "type": "temporary",
            "bannedUserDetails": {"channelId": "UCspam"},
            "banDurationSeconds": "300",
        }
    }
    await connector.lift_timeout(ROOM, "UCspam")
    assert fake.calls("DELETE", "/liveChat/bans")[0]["query"] == {"id": "ban-1"} and fake.bans == {}
    with pytest.raises(YouTubeModerationError) as info:  # no ban of ours left to lift
        await connector.lift_timeout(ROOM, "UCspam")
    assert info.value.reason == "unknown_ban" and not isinstance(info.value, NotTimedOut)
    assert await connector.moderate(event, "ban", 0)
    assert json.loads(fake.calls("POST", "/liveChat/bans")[1]["body"])["snippet"]["type"] == "permanent"
    fake.bans.clear()  # a human moderator lifted it in YouTube's UI
    with pytest.raises(NotTimedOut):
        await connector.lift_timeout(ROOM, "UCspam")
    # the deletion comes back as a messageDeletedEvent by the bot: its own act, not a notice
    await wait_for(lambda: connector.stats.frames.get(("dropped", "own_moderation"), 0) == 1)
    assert [e.kind for e in collector.events] == [EventKind.CHAT]
    assert not await connector.moderate(event, "delete", 0)  # already gone: 404, refused, logged


async def test_a_401_refreshes_the_token_once_and_polling_goes_on(yt, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    connector, fake, collector = yt
    fake.revoke_tokens()
    fake.push(text("after refresh"))
    await wait_for(lambda: len(collector.events) == 1)
    assert fake.token_grants == 2
    assert connector.stats.states[ROOM] is ConnState.CONNECTED
    assert "refresh-secret" not in caplog.text and "client-secret" not in caplog.text
    assert "ya29." not in caplog.text  # access tokens are secrets too


async def test_the_token_is_refreshed_before_it_expires(fake_youtube, collector) -> None:
    fake_youtube.expires_in = 60  # within the 60 s margin at once: every call must refresh first
    connector = YouTubeConnector(config=config_for(fake_youtube))
    await connector.start(collector)
    try:
        await wait_for(lambda: fake_youtube.token_grants >= 3)
    finally:
        await connector.stop()
    statuses = [r for r in fake_youtube.requests if r["path"].startswith("/youtube")]
    tokens = [r["headers"]["Authorization"] for r in statuses]
    assert len(set(tokens)) >= 2  # a new token without any 401 first


async def test_a_refused_refresh_is_auth_failed(yt) -> None:
    connector, fake, _ = yt
    fake.refresh_refused = True
    fake.revoke_tokens()
    await wait_for(lambda: connector.stats.states[ROOM] is ConnState.AUTH_FAILED)
    await wait_for(connector.stopped.is_set)


async def test_quota_exceeded_waits_for_the_reset(yt) -> None:
    connector, fake, _ = yt
    fake.quota_exceeded = True
    await wait_for(lambda: connector.stats.states[ROOM] is ConnState.QUOTA_EXCEEDED)
    polls = len(fake.calls("GET", "/liveChat/messages"))
    await asyncio.sleep(0.3)
    assert len(fake.calls("GET", "/liveChat/messages")) == polls  # nothing before midnight Pacific
    assert connector.quota.remaining == 0
    await connector.send(OutboundMessage(platform="youtube", room=ROOM, text="hi"))
    assert connector.stats.sends["refused", "quota"] == 1


async def test_chat_ended_event_stops_polling(yt) -> None:
    connector, fake, collector = yt
    fake.push(text("bye"), message("chatEndedEvent"))
    await wait_for(lambda: connector.stats.states[ROOM] is ConnState.ENDED)
    await wait_for(connector.stopped.is_set)
    assert [e.text for e in collector.events] == ["bye"]
    assert connector.stats.frames["handled", "chat_ended"] == 1
    await connector.send(OutboundMessage(platform="youtube", room=ROOM, text="too late"))
    assert connector.stats.sends["failed", "no_chat"] == 1


@pytest.mark.parametrize(
    ("setup", "state"),
    [
        (lambda fake: setattr(fake.chats["chat-1"], "ended", True), ConnState.ENDED),
        (
            lambda fake: setattr(fake.chats["chat-1"], "offline_at", "2026-12-02T15:00:00.000Z"),
            ConnState.ENDED,
        ),
        (lambda fake: setattr(fake.chats["chat-1"], "disabled", True), ConnState.CHAT_DISABLED),
        (lambda fake: fake.chats.pop("chat-1"), ConnState.NOT_FOUND),
    ],
    ids=["liveChatEnded", "offlineAt", "liveChatDisabled", "liveChatNotFound"],
)
async def test_chat_errors_have_their_own_state(yt, setup, state) -> None:
    connector, fake, _ = yt
    setup(fake)
    await wait_for(lambda: connector.stats.states[ROOM] is state)


async def test_no_active_broadcast_is_not_found_until_one_starts(fake_youtube, collector) -> None:
    fake_youtube.my_active_chat = ""
    connector = YouTubeConnector(config=config_for(fake_youtube))
    await connector.start(collector)
    try:
        await wait_for(lambda: connector.stats.states.get(ROOM) is ConnState.NOT_FOUND)
        fake_youtube.my_active_chat = "chat-1"
        await wait_for(lambda: connector.stats.states.get(ROOM) is ConnState.CONNECTED)
    finally:
        await connector.stop()


async def test_server_errors_back_off_and_recover(yt) -> None:
    connector, fake, collector = yt
    states: list[ConnState] = []
    original = connector.stats.set_state

    def spy(room: str, state: ConnState) -> None:
        states.append(state)
        original(room, state)

    connector.stats.set_state = spy  # type: ignore[method-assign]
    fake.fail_next = [(503, "backendError"), (500, "internalError"), (403, "rateLimitExceeded")]
    fake.push(text("still here"))
    await wait_for(lambda: len(collector.events) == 1)
    assert states.count(ConnState.RECONNECTING) == 3 and states[-1] is ConnState.CONNECTED
    assert connector.stats.reconnects[ROOM] == 1


async def test_history_from_before_the_start_is_dropped_as_backlog(yt) -> None:
    connector, fake, collector = yt
    fake.push(text("long ago", published=1.0), text("new"))
    await wait_for(lambda: len(collector.events) == 1)
    assert collector.events[0].text == "new" and connector.stats.frames["dropped", "backlog"] == 1


async def test_a_refused_page_token_starts_over(yt) -> None:
    _, fake, collector = yt
    failed = len(fake.calls("GET", "/liveChat/messages"))  # the next list request gets the 400
    fake.fail_next = [(400, "pageTokenInvalid")]
    fake.push(text("after"))
    await wait_for(lambda: len(collector.events) == 1)
    lists = fake.calls("GET", "/liveChat/messages")
    assert "pageToken" in lists[failed]["query"] and "pageToken" not in lists[failed + 1]["query"]
