"""Reply quotas: per viewer, per room, and the pace of social replies."""

from __future__ import annotations

import pytest

from bot.core.reply_quota import MAX_VIEWERS, QuotaPolicy, RoomQuota


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_viewer_gets_at_most_n_replies_per_window_and_others_are_unaffected() -> None:
    clock = Clock()
    quota = RoomQuota(QuotaPolicy(viewer_replies=2, room_replies=100, window_s=60), clock)
    for _ in range(2):
        assert quota.refusal("ann") is None
        quota.spend("ann")
    assert quota.refusal("ann") == "viewer_quota"
    assert quota.refusal("bob") is None
    clock.now += 61
    assert quota.refusal("ann") is None


def test_the_room_cap_holds_for_everybody() -> None:
    clock = Clock()
    quota = RoomQuota(QuotaPolicy(viewer_replies=5, room_replies=3, window_s=10), clock)
    for viewer in ("a", "b", "c"):
        quota.spend(viewer)
    assert quota.refusal("d") == "room_quota"
    clock.now += 10.5
    assert quota.refusal("d") is None


def test_social_replies_are_paced_per_room() -> None:
    clock = Clock()
    quota = RoomQuota(QuotaPolicy(social_interval_s=20), clock)
    assert quota.social_refusal() is None
    clock.now += 5
    assert quota.social_refusal() == "social_rate"
    clock.now += 16
    assert quota.social_refusal() is None


def test_memory_is_bounded_in_big_rooms() -> None:
    quota = RoomQuota(QuotaPolicy(room_replies=10**6))
    for i in range(MAX_VIEWERS + 100):
        quota.spend(f"v{i}")
    assert len(quota._viewers) == MAX_VIEWERS


def test_policy_from_env_and_bad_values() -> None:
    policy = QuotaPolicy.from_env(
        {"LIVEROOM_REPLY_VIEWER_REPLIES": "3", "LIVEROOM_REPLY_SOCIAL_INTERVAL_S": "0"}
    )
    assert (policy.viewer_replies, policy.social_interval_s) == (3, 0.0)
    with pytest.raises(ValueError):
        QuotaPolicy(room_replies=0)
    with pytest.raises(ValueError, match="LIVEROOM_REPLY_WINDOW_S"):
        QuotaPolicy.from_env({"LIVEROOM_REPLY_WINDOW_S": "soon"})
