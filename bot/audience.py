"""Audience state per room: mood, active viewers and hot topics over sliding windows.

Mood blends chat sentiment (every message's score in [-1, 1]) with the camera sidecar's expression
distribution when one is posted, and reads activity too: a quiet, neutral room is *bored*. The state is
handed to Rasa as message metadata (``audience_mood``) and exported as metrics.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MOODS = ("happy", "neutral", "bored", "upset")


@dataclass(frozen=True)
class AudienceSnapshot:
    mood: str
    sentiment: float  # mean chat sentiment in the window, [-1, 1]
    messages_per_minute: float
    active_viewers: int
    hot_products: list[tuple[str, int]]
    vision: dict[str, float] = field(default_factory=dict)
    lang: str = "en"  # the room's most used language in the mood window (room-wide posts use it)


@dataclass
class _Window:
    span_s: float
    items: deque[tuple[float, object]] = field(default_factory=deque)

    def add(self, now: float, item: object) -> None:
        self.items.append((now, item))
        self.trim(now)

    def trim(self, now: float) -> None:
        while self.items and self.items[0][0] < now - self.span_s:
            self.items.popleft()


class AudienceState:
    """One room's audience. ``observe`` is O(1) amortized; ``snapshot`` is O(window)."""

    def __init__(
        self,
        *,
        mood_window_s: float = 60.0,
        viewer_window_s: float = 300.0,
        bored_below_per_minute: float = 3.0,
        vision_weight: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._sentiment = _Window(mood_window_s)
        self._viewers = _Window(viewer_window_s)
        self._products = _Window(viewer_window_s)
        self._langs = _Window(mood_window_s)
        self._vision: tuple[float, dict[str, float]] | None = None
        self.mood_window_s = mood_window_s
        self.bored_below_per_minute = bored_below_per_minute
        self.vision_weight = vision_weight
        self._started = clock()

    def observe(
        self, viewer_id: str, sentiment: float, products: tuple[str, ...] = (), lang: str | None = None
    ) -> None:
        now = self._clock()
        self._sentiment.add(now, max(-1.0, min(1.0, sentiment)))
        if lang:
            self._langs.add(now, lang)
        self._viewers.add(now, viewer_id)
        for product in products:
            self._products.add(now, product)

    def observe_vision(self, distribution: Mapping[str, float]) -> None:
        """The sidecar's share of faces per expression (happy, neutral, sad, angry, surprised...)."""
        total = sum(v for v in distribution.values() if v > 0) or 1.0
        self._vision = (self._clock(), {k: max(0.0, v) / total for k, v in distribution.items()})

    def snapshot(self) -> AudienceSnapshot:
        now = self._clock()
        for window in (self._sentiment, self._viewers, self._products, self._langs):
            window.trim(now)
        scores = [float(s) for _, s in self._sentiment.items]  # type: ignore[arg-type]
        sentiment = sum(scores) / len(scores) if scores else 0.0
        elapsed = min(self.mood_window_s, max(1.0, now - self._started))
        per_minute = len(scores) * 60.0 / elapsed
        vision = self._fresh_vision(now)
        return AudienceSnapshot(
            mood=self._mood(sentiment, per_minute, vision),
            sentiment=round(sentiment, 3),
            messages_per_minute=round(per_minute, 1),
            active_viewers=len({v for _, v in self._viewers.items}),
            hot_products=Counter(str(p) for _, p in self._products.items).most_common(5),
            vision=vision,
            lang=Counter(str(lang) for _, lang in self._langs.items).most_common(1)[0][0]
            if self._langs.items
            else "en",
        )

    def _fresh_vision(self, now: float) -> dict[str, float]:
        if self._vision and now - self._vision[0] <= self.mood_window_s:
            return self._vision[1]
        return {}

    def _mood(self, sentiment: float, per_minute: float, vision: dict[str, float]) -> str:
        if vision:
            face_valence = (
                vision.get("happy", 0)
                + 0.5 * vision.get("surprised", 0)
                - (
                    vision.get("angry", 0)
                    + vision.get("sad", 0)
                    + vision.get("disgusted", 0)
                    + vision.get("fear", 0)
                )
            )
            sentiment = (1 - self.vision_weight) * sentiment + self.vision_weight * face_valence
        if sentiment <= -0.25:
            return "upset"
        if sentiment >= 0.3:
            return "happy"
        if per_minute < self.bored_below_per_minute or vision.get("neutral", 0) >= 0.8:
            return "bored"
        return "neutral"
