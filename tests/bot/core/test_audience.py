"""Room mood, activity and hot products over sliding windows (fake clock)."""

from __future__ import annotations

from bot.core.audience import AudienceState


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


def busy_room(clock: Clock, sentiment: float, n: int = 60) -> AudienceState:
    state = AudienceState(clock=clock)
    for i in range(n):
        state.observe(f"v{i % 20}", sentiment, ("serum",) if i % 3 == 0 else ())
        clock.now += 0.5
    return state


def test_positive_chat_is_happy_and_negative_is_upset() -> None:
    assert busy_room(Clock(), 0.8).snapshot().mood == "happy"
    assert busy_room(Clock(), -0.7).snapshot().mood == "upset"
    assert busy_room(Clock(), 0.0).snapshot().mood == "neutral"


def test_a_quiet_neutral_room_is_bored() -> None:
    clock = Clock()
    state = AudienceState(clock=clock)
    state.observe("v1", 0.0)
    clock.now += 50
    snap = state.snapshot()
    assert snap.mood == "bored"
    assert snap.messages_per_minute < 3


def test_activity_and_hot_products() -> None:
    clock = Clock()
    state = busy_room(clock, 0.1)
    snap = state.snapshot()
    assert snap.active_viewers == 20
    assert snap.hot_products == [("serum", 20)]
    assert snap.messages_per_minute > 30
    clock.now += 400  # everything leaves the windows
    later = state.snapshot()
    assert (later.active_viewers, later.hot_products) == (0, [])


def test_vision_moves_the_mood_and_expires() -> None:
    clock = Clock()
    state = busy_room(clock, 0.1)
    state.observe_vision({"angry": 6, "sad": 3, "neutral": 1})
    assert state.snapshot().mood == "upset"
    clock.now += 120
    state.observe("v1", 0.1)
    assert state.snapshot().vision == {}


def test_attention_below_the_threshold_makes_the_room_bored_unless_upset() -> None:
    clock = Clock()
    state = busy_room(clock, 0.8)
    state.observe_vision({"happy": 0.7, "neutral": 0.3}, attention=0.9)
    assert state.snapshot().mood == "happy" and state.snapshot().attention == 0.9
    state.observe_vision({"happy": 0.7, "neutral": 0.3}, attention=0.2)
    assert state.snapshot().mood == "bored"
    state.observe_vision({"happy": 0.7, "neutral": 0.3})  # a Haar sidecar: no attention, no effect
    assert state.snapshot().mood == "happy" and state.snapshot().attention is None
    upset = busy_room(Clock(), -0.7)
    upset.observe_vision({"angry": 0.5, "sad": 0.5}, attention=0.1)
    assert upset.snapshot().mood == "upset"
    clock.now += 120  # the report expires with the vision data
    state.observe("v1", 0.1)
    assert state.snapshot().attention is None
