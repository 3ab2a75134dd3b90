"""The incremental audience windows give the same snapshots as recomputing them from the window's items
(the previous implementation, kept here as the reference) on random chat streams."""

from __future__ import annotations

from collections import Counter, deque

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.audience import AudienceSnapshot, AudienceState, _Timeline


class ReferenceAudience(AudienceState):
    """Snapshot recomputed from every item in the windows (the O(window) algorithm)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._log: deque[tuple[float, str, float, tuple[str, ...], str | None]] = deque()

    def observe(self, viewer_id, sentiment, products=(), lang=None) -> None:
        super().observe(viewer_id, sentiment, products, lang)
        self._log.append((self._clock(), viewer_id, max(-1.0, min(1.0, sentiment)), products, lang))

    def snapshot(self) -> AudienceSnapshot:
        now = self._clock()
        mood_items = [e for e in self._log if not e[0] < now - self.mood_window_s]
        long_items = [e for e in self._log if not e[0] < now - self._viewers.span_s]
        scores = [e[2] for e in mood_items]
        sentiment = sum(scores) / len(scores) if scores else 0.0
        elapsed = min(self.mood_window_s, max(1.0, now - self._started))
        per_minute = len(scores) * 60.0 / elapsed
        vision = self._fresh_vision(now)
        langs = [e[4] for e in mood_items if e[4]]
        return AudienceSnapshot(
            mood=self._mood(sentiment, per_minute, vision),
            sentiment=round(sentiment, 3),
            messages_per_minute=round(per_minute, 1),
            active_viewers=len({e[1] for e in long_items}),
            hot_products=Counter(p for e in long_items for p in e[3]).most_common(5),
            vision=vision,
            lang=Counter(langs).most_common(1)[0][0] if langs else "en",
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Sentiments on a 1/64 grid sum exactly in floating point, so the reference is exact too.
GRID = st.integers(-64, 64).map(lambda i: i / 64)
EVENT = st.tuples(
    st.floats(0, 40),  # seconds since the previous message
    st.sampled_from([f"v{i}" for i in range(12)]),
    GRID,
    st.lists(st.sampled_from(["serum", "lipstick", "hoodie", "口红", "精华", "mask"]), max_size=2),
    st.sampled_from([None, "en", "zh"]),
    st.booleans(),  # take a snapshot after this message
)


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENT, max_size=200))
def test_snapshots_equal_the_recomputed_ones(events) -> None:
    _replay_and_compare(events)


@settings(max_examples=150, deadline=None)
@given(st.lists(EVENT, max_size=200))
def test_snapshots_stay_equal_when_the_windows_cut_their_expired_prefix(events) -> None:
    """The flat windows drop their expired prefix in bulk (at 4,096 items in production): cutting after
    every few items shifts every index they keep, and the snapshots must not move."""
    original = _Timeline._COMPACT_AT
    _Timeline._COMPACT_AT = 2
    try:
        _replay_and_compare(events)
    finally:
        _Timeline._COMPACT_AT = original


def test_a_busy_room_keeps_no_object_per_message() -> None:
    """60,000 messages from 50 viewers in one minute: the viewer window holds 50 entries, not 60,000."""
    clock = Clock()
    audience = AudienceState(mood_window_s=60, viewer_window_s=300, clock=clock)
    for i in range(60_000):
        clock.now += 0.001
        audience.observe(f"v{i % 50}", 0.5, ("serum",) if i % 10 == 0 else (), "en")
    assert len(audience._viewers._latest) == 50
    snap = audience.snapshot()
    assert (snap.active_viewers, snap.hot_products, snap.lang, snap.sentiment) == (
        50,
        [("serum", 6000)],
        "en",
        0.5,
    )


def _replay_and_compare(events) -> None:
    clock = Clock()
    new = AudienceState(mood_window_s=60, viewer_window_s=300, clock=clock)
    old = ReferenceAudience(mood_window_s=60, viewer_window_s=300, clock=clock)
    for gap, viewer, score, products, lang, look in events:
        clock.now += gap
        new.observe(viewer, score, tuple(products), lang)
        old.observe(viewer, score, tuple(products), lang)
        if look:
            assert new.snapshot() == old.snapshot()
    clock.now += 100
    assert new.snapshot() == old.snapshot()
    clock.now += 1000
    assert new.snapshot() == old.snapshot()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.floats(-3, 3)), min_size=1, max_size=300))
def test_mean_sentiment_matches_on_arbitrary_scores(events) -> None:
    """Any float score (clamped to [-1, 1]): the running fixed-point sum does not drift."""
    clock = Clock()
    new = AudienceState(clock=clock)
    old = ReferenceAudience(clock=clock)
    for gap, score in events:
        clock.now += gap
        new.observe("v", score)
        old.observe("v", score)
    a, b = new.snapshot(), old.snapshot()
    assert abs(a.sentiment - b.sentiment) <= 0.0011
    assert a.messages_per_minute == b.messages_per_minute
