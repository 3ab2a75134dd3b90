"""Every real Twitch EventSub payload in ../shared/data/protocol/twitch through the production code.

``eventsub_inputs.jsonl`` holds event payloads without the WebSocket envelope (Chatterino's test
snapshots): the file's directory names the subscription type, a list is several notifications in a
row, ``__subscription`` overrides the type for one of them and ``__timestamp`` is the notification's
``message_timestamp``. Each is wrapped in the documented envelope and parsed by
:func:`connectors.twitch.payloads.to_event`; then the fake EventSub server sends them byte for byte to
the production connector. Skipped when the shared data is not on this machine.

``irc_raw_lines.jsonl`` is not walked: liveroom has no IRC parser (twitchio 3 and our connector use
EventSub only).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from connectors.base import EventKind
from connectors.twitch.connector import TwitchConnector
from connectors.twitch.payloads import Skip, to_event
from tests.connectors.fakes import twitch as fk
from tests.connectors.test_twitch_connector import config_for
from tests.polling import wait_for

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "protocol" / "twitch"
INPUTS = DATA / "eventsub_inputs.jsonl"

pytestmark = pytest.mark.skipif(not INPUTS.is_file(), reason="../shared/data (real captures) not present")

TYPES = {
    "automod-message-hold": ("automod.message.hold", "2"),
    "automod-message-update": ("automod.message.update", "2"),
    "channel-ban": ("channel.ban", "1"),
    "channel-chat-user-message-hold": ("channel.chat.user_message_hold", "1"),
    "channel-chat-user-message-update": ("channel.chat.user_message_update", "1"),
    "channel-moderate": ("channel.moderate", "2"),
    "channel-suspicious-user-message": ("channel.suspicious_user.message", "1"),
    "channel-suspicious-user-update": ("channel.suspicious_user.update", "1"),
}
#: channel.moderate action -> the ModerationNotice action moderators see (Twitch's documented list)
MODERATE_ACTIONS = {
    "ban": "ban",
    "shared_chat_ban": "ban",
    "timeout": "timeout",
    "shared_chat_timeout": "timeout",
    "unban": "unban",
    "shared_chat_unban": "unban",
    "untimeout": "untimeout",
    "shared_chat_untimeout": "untimeout",
    "delete": "delete",
    "shared_chat_delete": "delete",
    "clear": "clear",
    "raid": "raid",
    "unraid": "unraid",
    **{
        a: "settings"
        for a in (
            "emoteonly",
            "emoteonlyoff",
            "followers",
            "followersoff",
            "slow",
            "slowoff",
            "subscribers",
            "subscribersoff",
            "uniquechat",
            "uniquechatoff",
        )
    },
    **{
        a: "other"
        for a in (
            "add_blocked_term",
            "add_permitted_term",
            "remove_blocked_term",
            "remove_permitted_term",
            "mod",
            "unmod",
            "vip",
            "unvip",
            "approve_unban_request",
            "deny_unban_request",
            "warn",
        )
    },
}


def notifications() -> list[tuple[str, str, str, dict[str, Any], str | None]]:
    """(file, subscription type, version, event, message_timestamp) for every notification."""
    out = []
    for line in INPUTS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        directory = row["file"].split("/")[0]
        items = row["input"] if isinstance(row["input"], list) else [row["input"]]
        for item in items:
            sub_type, version = TYPES[item.get("__subscription") or directory]
            event = {k: v for k, v in item.items() if not k.startswith("__")}
            out.append((row["file"], sub_type, version, event, item.get("__timestamp")))
    return out


def envelope(sub_type: str, version: str, event: dict[str, Any], timestamp: str | None) -> dict[str, Any]:
    return {
        "metadata": {
            "message_id": str(uuid.uuid4()),
            "message_type": "notification",
            "message_timestamp": timestamp or "2025-02-28T16:15:16.000000000Z",
            "subscription_type": sub_type,
            "subscription_version": version,
        },
        "payload": {
            "subscription": {"id": "s", "type": sub_type, "version": version, "status": "enabled"},
            "event": event,
        },
    }


def expected_action(sub_type: str, event: dict[str, Any]) -> str | None:
    """The notice action the test expects (None: a named skip)."""
    if sub_type == "channel.moderate":
        return MODERATE_ACTIONS[event["action"]]
    if sub_type in ("automod.message.hold", "channel.chat.user_message_hold"):
        return "held"
    if sub_type in ("automod.message.update", "channel.chat.user_message_update"):
        return "held_resolved"
    if sub_type == "channel.ban":
        return "ban" if event["is_permanent"] else "timeout"
    return None


def test_every_eventsub_payload_becomes_a_notice_or_a_named_skip() -> None:
    items = notifications()
    assert len({f for f, *_ in items}) == 78 and len(items) == 100
    outcomes: Counter[str] = Counter()
    for file, sub_type, version, event, ts in items:
        want = expected_action(sub_type, event)
        try:
            got = to_event(envelope(sub_type, version, event, ts))  # type: ignore[arg-type]
        except Skip as skip:
            assert want is None and skip.reason == "ignored:suspicious_user", file
            outcomes[skip.reason] += 1
            continue
        assert got.kind is EventKind.MODERATION and got.notice is not None, file
        notice = got.notice
        assert notice.action == want, (file, notice)
        assert got.room == event["broadcaster_user_id"] and got.message_id, file
        if "moderator_user_id" in event and event.get("moderator_user_id"):
            assert notice.moderator_id == event["moderator_user_id"], file
            assert notice.moderator == event["moderator_user_name"], file
        detail = event.get(event.get("action", ""), None) or event
        if "user_id" in detail:
            assert (got.viewer_id, notice.target_id, notice.target_name) == (
                detail["user_id"],
                detail["user_id"],
                detail["user_name"],
            ), file
        if want in ("held", "held_resolved"):
            assert notice.target_message_id == event["message_id"], file
            text = event["message"]["text"] if isinstance(event["message"], dict) else event["message"]
            assert notice.text == text, file
        if want == "held_resolved":
            assert notice.reason == event["status"], file
        if want == "delete":
            assert notice.target_message_id == detail["message_id"] and notice.text == detail["message_body"]
        assert not notice.by_bot  # none of these moderators is our bot
        outcomes[notice.action] += 1
    assert sum(outcomes.values()) == 100
    assert outcomes == {
        "timeout": 19,  # 7 channel.moderate, 11 shared chat, 1 channel.ban
        "ban": 17,  # 8, 8 shared chat, 1 channel.ban
        "other": 16,  # term lists, mod/unmod, unban requests, warnings
        "held": 11,
        "settings": 11,
        "ignored:suspicious_user": 9,
        "held_resolved": 6,
        "delete": 4,
        "unban": 2,
        "untimeout": 2,
        "clear": 1,
        "raid": 1,
        "unraid": 1,
    }


def _parsed(file: str, index: int = 0):
    found = [(t, v, e, ts) for f, t, v, e, ts in notifications() if f == file]
    sub_type, version, event, ts = found[index]
    return to_event(envelope(sub_type, version, event, ts))  # type: ignore[arg-type]


def test_details_of_human_moderators_actions() -> None:
    timeout = _parsed("channel-moderate/timeout.json").notice
    assert (timeout.moderator, timeout.target_name, timeout.duration_s, timeout.reason) == (
        "nerixyz",
        "TwitchDev",
        1,
        "test",
    )
    shared = _parsed("channel-moderate/shared-timeout.json")
    assert shared.notice.duration_s == 600 and shared.extra["shared_chat_source"] == "testaccount_420"
    assert _parsed("channel-moderate/slow.json").notice.reason == "slow mode 10 s"
    assert _parsed("channel-moderate/followers.json").notice.reason == "followers-only 15 min"
    assert _parsed("channel-moderate/emoteonly-off.json").notice.reason == "emote-only off"
    raid = _parsed("channel-moderate/raid.json").notice
    assert (raid.action, raid.target_name, raid.moderator) == ("raid", "BajLada", "pajlada")
    assert _parsed("channel-moderate/add-blocked-term.json").notice.reason == "add_blocked_term: my phrase"
    warn = _parsed("channel-moderate/warn.json").notice
    assert (warn.action, warn.reason, warn.target_name) == ("other", "warn: cut it out", "TwitchDev")
    denied = _parsed("channel-moderate/unban-request-deny-message.json").notice
    assert denied.text == "Nah, no unban for you" and denied.reason == "deny unban request"
    ban = _parsed("channel-ban/timeout.json").notice
    assert (ban.action, ban.duration_s, ban.moderator) == ("timeout", 600, "CLIModerator")


def test_automod_holds_and_their_resolution_share_the_message() -> None:
    held = _parsed("automod-message-update/approved.json", 0)
    resolved = _parsed("automod-message-update/approved.json", 1)
    assert held.notice.action == "held" and held.notice.reason == "automod: swearing (level 4)"
    assert resolved.notice.action == "held_resolved" and resolved.notice.moderator == "uint128"
    assert held.notice.target_message_id == resolved.notice.target_message_id
    assert held.message_id != resolved.message_id  # both reach the gateway (it dedups by id)
    assert _parsed("automod-message-hold/blocked-terms-4.json").notice.reason.startswith("blocked term (")


def test_the_bots_own_action_is_marked() -> None:
    """The bot's timeouts come back through channel.moderate: the connector marks them (by id)."""
    # (driven through the connector in the test below; here the parser keeps the moderator's id)
    event = json.loads(
        json.dumps(next(e for f, t, v, e, ts in notifications() if f == "channel-moderate/ban.json"))
    )
    event["moderator_user_id"] = fk.BOT_ID
    parsed = to_event(envelope("channel.moderate", "2", event, None))  # type: ignore[arg-type]
    assert parsed.notice.moderator_id == fk.BOT_ID and not parsed.notice.by_bot


async def test_the_connector_receives_every_moderation_capture_byte_for_byte(twitch) -> None:
    connector, fake, collector = twitch
    subscribed = {s["type"]: s for s in fake.subscriptions}
    moderate = subscribed["channel.moderate"]
    assert moderate["version"] == "2"
    assert moderate["condition"] == {"broadcaster_user_id": fk.CHANNEL_ID, "moderator_user_id": fk.BOT_ID}
    assert subscribed["automod.message.hold"]["version"] == "2"
    assert subscribed["automod.message.update"]["version"] == "2"
    sent = []
    for _, sub_type, _, event, ts in notifications():
        if sub_type not in subscribed:
            continue
        text = json.dumps(event, ensure_ascii=False)
        fake.notify(sub_type, text, timestamp=ts)
        sent.append(text)
    own = dict(event)  # the last one is a channel.moderate warn by a human; now one by the bot itself
    own.update(action="ban", moderator_user_id=fk.BOT_ID, moderator_user_login="liveroom_bot")
    own["ban"] = {"user_id": "5005", "user_login": "spammer", "user_name": "Spammer", "reason": "spam"}
    fake.notify("channel.moderate", json.dumps(own))
    await wait_for(lambda: len(collector.events) == len(sent) + 1, timeout=10)
    for text, frame in zip(sent, fake.delivered_text, strict=False):
        assert '"event": ' + text + "}}" in frame  # the capture's bytes, inside the documented envelope
        message = json.loads(frame)
        assert message["metadata"]["message_type"] == "notification"
        sub = message["payload"]["subscription"]
        assert sub["id"] == subscribed[sub["type"]]["id"] and sub["version"] == "2"
        assert message["metadata"]["subscription_type"] == sub["type"]
    assert all(e.kind is EventKind.MODERATION for e in collector.events)
    assert [e.notice.by_bot for e in collector.events].count(True) == 1
    assert collector.events[-1].notice.by_bot and collector.events[-1].viewer_id == "5005"
    assert connector.stats.snapshot().outcome("dropped") == 0


async def test_without_the_moderator_scopes_chat_still_works(fake_twitch, collector) -> None:
    fake_twitch.scopes.remove("moderator:read:vips")
    connector = TwitchConnector(config=config_for(fake_twitch))
    await connector.start(collector)
    try:
        await asyncio.wait_for(connector.eventsub.ready.wait(), 10)  # type: ignore[union-attr]
        assert connector.subscription_failures == [f"{fk.CHANNEL_ID}:channel.moderate:403"]
        assert "automod.message.hold" in {s["type"] for s in fake_twitch.subscriptions}
    finally:
        await connector.stop()
