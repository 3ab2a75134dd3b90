"""The YouTube quota pacer, the token refresh before expiry, and the connector's settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from connectors import load_connector
from connectors.youtube.config import YouTubeConfig, parse_costs
from connectors.youtube.errors import YouTubeConfigError
from connectors.youtube.quota import COSTS, QuotaBudget, next_reset

PACIFIC = ZoneInfo("America/Los_Angeles")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def at(*args: int) -> float:
    return datetime(*args, tzinfo=PACIFIC).timestamp()


def test_documented_costs() -> None:
    assert COSTS["liveChatMessages.list"] == 5
    assert COSTS["liveChatMessages.insert"] == 20 and COSTS["liveChatMessages.delete"] == 20
    assert COSTS["liveChatBans.insert"] == 50  # undocumented: conservative


def test_the_quota_resets_at_midnight_pacific_across_dst() -> None:
    assert next_reset(at(2026, 12, 2, 23, 59)) == at(2026, 12, 3, 0, 0)
    assert next_reset(at(2026, 3, 7, 12, 0)) == at(2026, 3, 8, 0, 0)  # the night DST starts
    clock = Clock(at(2026, 12, 2, 23, 0))
    quota = QuotaBudget(daily_quota=10_000, stream_s=7200, max_poll_s=30, used=9_990, clock=clock)
    quota.mark_exhausted()
    assert quota.remaining == 0
    clock.now = at(2026, 12, 3, 0, 0, 1)
    assert quota.remaining == 10_000 and not quota.exhausted


def test_poll_interval_is_the_slower_of_the_server_and_the_quota() -> None:
    clock = Clock(at(2026, 12, 2, 16, 0))
    quota = QuotaBudget(daily_quota=10_000, stream_s=10 * 3600, max_poll_s=30, clock=clock)
    # the stream ends at 02:00 but the quota resets at 00:00: 8 h of polling at 5 units to pay with
    # 10,000 units, one poll every 14.4 s at most
    assert quota.poll_interval(server_s=5.0, min_s=1.0) == pytest.approx(14.4)
    assert quota.poll_interval(server_s=20.0, min_s=1.0) == 20.0
    # at 23:00 the quota resets in 1 h: only that hour must be paid for from today's units
    clock.now = at(2026, 12, 2, 23, 0)
    assert quota.horizon_s() == pytest.approx(3600)
    assert quota.poll_interval(server_s=1.0, min_s=1.0) == pytest.approx(3600 * 5 / 10_000)


def test_sends_stop_before_polling_would_have_to_slow_below_max_poll() -> None:
    clock = Clock(at(2026, 12, 2, 10, 0))
    quota = QuotaBudget(daily_quota=10_000, stream_s=8 * 3600, max_poll_s=30, clock=clock)
    floor = quota.polling_floor()
    assert floor == 960 * 5  # a poll every 30 s for 8 h
    sent = 0
    while quota.may_spend("liveChatMessages.insert"):
        quota.spend("liveChatMessages.insert")
        sent += 1
    assert quota.remaining >= floor and quota.remaining - 20 < floor
    assert sent == (10_000 - floor) // 20
    # what is left still pays for polling at max_poll_s until the end
    assert quota.poll_interval(server_s=5.0, min_s=1.0) <= 30.0


def test_settings_from_env_hide_secrets_and_validate(tmp_path) -> None:
    path = tmp_path / "youtube.secret"
    path.write_text("YOUTUBE_CLIENT_SECRET=sec-secret\nYOUTUBE_REFRESH_TOKEN=1//ref-secret\n")
    env = {
        "YOUTUBE_CREDENTIALS_FILE": str(path),
        "YOUTUBE_CLIENT_ID": "cid",
        "YOUTUBE_VIDEO_ID": "vid",
        "YOUTUBE_DAILY_QUOTA": "50000",
        "YOUTUBE_QUOTA_COSTS": "liveChatMessages.insert=50",
        "YOUTUBE_API_BASE": "http://127.0.0.1:9/youtube/v3/",
    }
    config = YouTubeConfig.from_env(env)
    assert (config.client_id, config.video_id, config.room, config.daily_quota) == (
        "cid",
        "vid",
        "vid",
        50_000,
    )
    assert config.api_base == "http://127.0.0.1:9/youtube/v3"
    assert config.quota_costs == (("liveChatMessages.insert", 50),)
    assert "sec-secret" not in repr(config) and "ref-secret" not in repr(config)
    with pytest.raises(YouTubeConfigError) as info:
        YouTubeConfig.from_env({"YOUTUBE_CREDENTIALS_FILE": "/nonexistent", "YOUTUBE_CLIENT_ID": "x"})
    assert "YOUTUBE_REFRESH_TOKEN" in str(info.value)
    with pytest.raises(YouTubeConfigError):
        parse_costs("liveChatMessages.insert")
    with pytest.raises(YouTubeConfigError):
        YouTubeConfig(client_id="c", client_secret="s", refresh_token="r", max_chars=201)


def test_the_registry_loads_the_youtube_connector() -> None:
    config = YouTubeConfig(client_id="c", client_secret="s", refresh_token="r", channel_id="UCx")
    connector = load_connector("youtube", bot_name="liveroom", config=config)
    assert connector.platform == "youtube" and connector.can_lift_timeout
    assert connector.quota.costs["liveChatMessages.list"] == 5
