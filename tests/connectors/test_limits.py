"""The 429 pause, splitting, backoff and accounting."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.accounting import ConnectorStats, ConnState
from connectors.limits import Backoff, SendPause, split_message


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_pause_after_429_holds_everything() -> None:
    clock = FakeClock()
    pause = SendPause(clock=clock, sleep=clock.sleep)
    async with pause.slot() as waited:
        assert waited == 0.0
    pause.pause_for(7)
    assert pause.paused
    async with pause.slot() as waited:
        assert waited == pytest.approx(7)
    assert not pause.paused and pause.total_wait_s == pytest.approx(7)


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("hello world", 500, ["hello world"]),
        ("aaa bbb ccc", 7, ["aaa bbb", "ccc"]),
        ("  many   spaces  here ", 20, ["many spaces here"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("这款哑光口红的价格是一百二十九元", 5, ["这款哑光口", "红的价格是", "一百二十九", "元"]),
        ("", 5, []),
    ],
)
def test_split_message(text: str, limit: int, parts: list[str]) -> None:
    assert split_message(text, limit) == parts


@given(st.text(alphabet=st.sampled_from("ab 口\n"), max_size=300), st.integers(1, 40))
def test_split_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_backoff_is_capped_and_resets() -> None:
    backoff = Backoff(base_s=1, cap_s=10)
    delays = [backoff.next_delay() for _ in range(10)]
    assert all(0 <= d <= 10 for d in delays) and max(delays) > 2
    backoff.reset()
    assert backoff.next_delay() <= 1


def test_accounting_invariant_and_reconnect_gap() -> None:
    stats = ConnectorStats("x")
    stats.delivered(3)
    stats.handled("keepalive")
    stats.dropped("invalid_json")
    snap = stats.snapshot()
    assert snap.received == 5 == snap.outcome("delivered") + snap.outcome("handled") + snap.outcome("dropped")
    stats.set_state("r", ConnState.CONNECTED)
    stats.set_state("r", ConnState.DEAD)
    stats.set_state("r", ConnState.RECONNECTING)
    stats.set_state("r", ConnState.CONNECTED)
    assert stats.reconnects["r"] == 1 and stats.last_reconnect_gap_s is not None
    assert ConnState.DEAD.gauge == 4


def test_samples_use_the_exported_metric_names() -> None:
    stats = ConnectorStats("bilibili")
    stats.dropped("invalid_json")
    stats.set_state("7", ConnState.DEAD)
    stats.sent("sent")
    names = {
        (name, tuple(sorted(labels.items())), value) for name, labels, value in stats.snapshot().samples()
    }
    assert (
        "liveroom_connector_frames_total",
        (("outcome", "dropped"), ("platform", "bilibili"), ("reason", "invalid_json")),
        1,
    ) in names
    assert (
        "liveroom_connector_state",
        (("platform", "bilibili"), ("room", "7"), ("state", "dead")),
        4,
    ) in names
    assert any(name == "liveroom_connector_sends_total" for name, _, _ in names)


async def test_wait_unpaused_waits_out_a_429() -> None:
    clock = FakeClock()
    pause = SendPause(clock=clock, sleep=clock.sleep)
    assert await pause.wait_unpaused() == 0.0
    pause.pause_for(5)
    assert await pause.wait_unpaused() == pytest.approx(5)
    assert clock.now == pytest.approx(5) and not pause.paused
