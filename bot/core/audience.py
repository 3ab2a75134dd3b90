"""Audience state per room: mood, active viewers and hot topics over sliding windows.

Mood blends chat sentiment (every message's score in [-1, 1]) with the camera sidecar's expression
distribution when one is posted, and reads activity too: a quiet, neutral room is *bored*, and so is
a room whose faces mostly look away from the screen (the sidecar's ``attention`` below
``bored_below_attention``) unless it is upset. The state is
handed to Rasa as message metadata (``audience_mood``) and exported as metrics.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
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
    attention: float | None = None  # share of the camera's faces looking at the screen, when reported


class _SumWindow:
    """Numbers seen in the last ``span_s``: count and sum kept as items arrive and expire.

    The sum is kept exactly in fixed point (integers of 2**-60), so it never drifts however many
    items come and go; the mean is as exact as ``sum(list) / len(list)`` over the window."""

    _SCALE = 2**60

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._items: deque[tuple[float, int]] = deque()
        self._total = 0

    def add(self, now: float, value: float) -> None:
        fixed = round(value * self._SCALE)
        self._items.append((now, fixed))
        self._total += fixed
        self.trim(now)

    def trim(self, now: float) -> None:
        while self._items and self._items[0][0] < now - self.span_s:
            self._total -= self._items.popleft()[1]

    def __len__(self) -> int:
        return len(self._items)

    def mean(self) -> float:
        return self._total / self._SCALE / len(self._items) if self._items else 0.0


class _CountWindow:
    """Keys seen in the last ``span_s`` with their counts, updated as items arrive and expire.

    Ties in ``most_common`` go to the key seen first within the window (what ``Counter`` over the
    window's items gives), so each key keeps the sequence numbers of its occurrences."""

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._items: deque[tuple[float, str, int]] = deque()
        self._seen: dict[str, deque[int]] = {}  # key -> sequence numbers of its occurrences, oldest first
        self._seq = 0

    def add(self, now: float, key: str) -> None:
        self._items.append((now, key, self._seq))
        self._seen.setdefault(key, deque()).append(self._seq)
        self._seq += 1
        self.trim(now)

    def trim(self, now: float) -> None:
        while self._items and self._items[0][0] < now - self.span_s:
            _, key, _ = self._items.popleft()
            occurrences = self._seen[key]
            occurrences.popleft()
            if not occurrences:
                del self._seen[key]

    def distinct(self) -> int:
        return len(self._seen)

    def most_common(self, n: int) -> list[tuple[str, int]]:
        """Like ``Counter(window).most_common(n)``; O(distinct keys)."""
        ranked = heapq.nsmallest(n, self._seen.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
        return [(key, len(occurrences)) for key, occurrences in ranked]


class AudienceState:
    """One room's audience. ``observe`` is O(1) amortized; ``snapshot`` is O(distinct products + langs),
    not O(messages in the window): the windows keep running sums and counts (callers take a snapshot
    per message in a busy room: the gateway, the mood tracker, the dashboard sampler)."""

    def __init__(
        self,
        *,
        mood_window_s: float = 60.0,
        viewer_window_s: float = 300.0,
        bored_below_per_minute: float = 3.0,
        vision_weight: float = 0.5,
        bored_below_attention: float = 0.4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._sentiment = _SumWindow(mood_window_s)
        self._viewers = _CountWindow(viewer_window_s)
        self._products = _CountWindow(viewer_window_s)
        self._langs = _CountWindow(mood_window_s)
        self._vision: tuple[float, dict[str, float]] | None = None
        self._attention: float | None = None
        self.bored_below_attention = bored_below_attention
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

    def observe_vision(self, distribution: Mapping[str, float], attention: float | None = None) -> None:
        """The sidecar's share of faces per expression (happy, neutral, sad, angry, surprised...) and,
        when its detector gives keypoints, the share of faces looking at the screen."""
        total = sum(v for v in distribution.values() if v > 0) or 1.0
        self._vision = (self._clock(), {k: max(0.0, v) / total for k, v in distribution.items()})
        self._attention = None if attention is None else max(0.0, min(1.0, float(attention)))

    def snapshot(self) -> AudienceSnapshot:
        now = self._clock()
        for window in (self._sentiment, self._viewers, self._products, self._langs):
            window.trim(now)
        sentiment = self._sentiment.mean()
        elapsed = min(self.mood_window_s, max(1.0, now - self._started))
        per_minute = len(self._sentiment) * 60.0 / elapsed
        vision = self._fresh_vision(now)
        attention = self._attention if vision else None
        top_lang = self._langs.most_common(1)
        return AudienceSnapshot(
            mood=self._mood(sentiment, per_minute, vision, attention),
            sentiment=round(sentiment, 3),
            messages_per_minute=round(per_minute, 1),
            active_viewers=self._viewers.distinct(),
            hot_products=self._products.most_common(5),
            vision=vision,
            lang=top_lang[0][0] if top_lang else "en",
            attention=attention,
        )

    def _fresh_vision(self, now: float) -> dict[str, float]:
        if self._vision and now - self._vision[0] <= self.mood_window_s:
            return self._vision[1]
        return {}

    def _mood(
        self, sentiment: float, per_minute: float, vision: dict[str, float], attention: float | None = None
    ) -> str:
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
        if attention is not None and attention < self.bored_below_attention:
            return "bored"  # most faces look away (phones, each other): however they look, not at us
        if sentiment >= 0.3:
            return "happy"
        if per_minute < self.bored_below_per_minute or vision.get("neutral", 0) >= 0.8:
            return "bored"
        return "neutral"
