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
from array import array
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


#: windows expire their items when read (``snapshot``) and, to bound memory, every this many additions
TRIM_EVERY = 1024


class _Timeline:
    """Per-message times of a sliding window in a flat ``array`` (8 bytes a message, no Python object per
    message: a room at 10,000 messages/s keeps 600,000 of them in a one-minute window). Items leave from
    the front (``_head``); the expired prefix is cut off in bulk once it is most of the array."""

    _COMPACT_AT = 4096

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._times = array("d")
        self._head = 0

    def __len__(self) -> int:
        return len(self._times) - self._head

    def _expired_until(self, now: float) -> int:
        """The index of the first item still inside the window at ``now``."""
        times, head, horizon = self._times, self._head, now - self.span_s
        end = len(times)
        while head < end and times[head] < horizon:
            head += 1
        return head

    def _compact(self, *columns: array) -> int:  # type: ignore[type-arg]
        """Drop the expired prefix from the times and ``columns`` when it is most of them; the number of
        items dropped (absolute indices held elsewhere move down by it)."""
        head = self._head
        if head < self._COMPACT_AT or 2 * head < len(self._times):
            return 0
        for column in (self._times, *columns):
            del column[:head]
        self._head = 0
        return head


class _SumWindow(_Timeline):
    """Numbers seen in the last ``span_s``: count and sum kept as items arrive and expire.

    The sum is kept exactly in fixed point (integers of 2**-60), so it never drifts however many
    items come and go; the mean is as exact as ``sum(list) / len(list)`` over the window."""

    _SCALE = 2**60

    def __init__(self, span_s: float) -> None:
        super().__init__(span_s)
        self._values = array("q")  # |value| <= 1, so value * 2**60 fits in 64 bits
        self._total = 0

    def add(self, now: float, value: float) -> None:
        fixed = round(value * self._SCALE)
        self._times.append(now)
        self._values.append(fixed)
        self._total += fixed
        if not len(self._times) % TRIM_EVERY:
            self.trim(now)

    def trim(self, now: float) -> None:
        head = self._expired_until(now)
        if head != self._head:
            self._total -= sum(self._values[self._head : head])
            self._head = head
            self._compact(self._values)

    def mean(self) -> float:
        count = len(self)
        return self._total / self._SCALE / count if count else 0.0


class _CountWindow(_Timeline):
    """Keys seen in the last ``span_s`` with their counts, updated as items arrive and expire.

    Ties in ``most_common`` go to the key seen first within the window (what ``Counter`` over the
    window's items gives): each key's earliest occurrence in the window is kept, and moves forward to its
    next occurrence when it expires (a pointer that only moves forward: amortized O(1) per item). Keys are
    stored as small integer codes beside the times."""

    def __init__(self, span_s: float) -> None:
        super().__init__(span_s)
        self._codes = array("l")
        self._code_of: dict[str, int] = {}
        self._keys: list[str] = []
        self._counts: list[int] = []
        self._first: list[int] = []  # per code: index of its earliest occurrence in the window, or -1
        self._present = 0  # codes with a count in the window

    def add(self, now: float, key: str) -> None:
        code = self._code_of.get(key)
        if code is None:
            code = self._code_of[key] = len(self._keys)
            self._keys.append(key)
            self._counts.append(0)
            self._first.append(-1)
        if not self._counts[code]:
            self._first[code] = len(self._times)
            self._present += 1
        self._counts[code] += 1
        self._times.append(now)
        self._codes.append(code)
        if not len(self._times) % TRIM_EVERY:
            self.trim(now)

    def trim(self, now: float) -> None:
        head = self._expired_until(now)
        codes, counts, first = self._codes, self._counts, self._first
        for index in range(self._head, head):
            code = codes[index]
            counts[code] -= 1
            if not counts[code]:
                first[code] = -1
                self._present -= 1
            elif first[code] == index:
                later = index + 1
                while codes[later] != code:
                    later += 1
                first[code] = later
        if head != self._head:
            self._head = head
            dropped = self._compact(self._codes)
            if dropped:
                for code, at in enumerate(first):
                    if at >= 0:
                        first[code] = at - dropped

    def distinct(self) -> int:
        return self._present

    def most_common(self, n: int) -> list[tuple[str, int]]:
        """Like ``Counter(window).most_common(n)``; O(keys ever seen)."""
        present = [code for code, count in enumerate(self._counts) if count]
        ranked = heapq.nsmallest(n, present, key=lambda code: (-self._counts[code], self._first[code]))
        return [(self._keys[code], self._counts[code]) for code in ranked]


class _LastSeen:
    """Distinct keys seen in the last ``span_s``: each key's latest time, oldest first (a key moves to the
    end when seen again), so a viewer costs one entry however often they write."""

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._latest: dict[str, float] = {}
        self._adds = 0

    def add(self, now: float, key: str) -> None:
        latest = self._latest
        latest.pop(key, None)
        latest[key] = now
        self._adds += 1
        if not self._adds % TRIM_EVERY:
            self.trim(now)

    def trim(self, now: float) -> None:
        latest, horizon = self._latest, now - self.span_s
        while latest:
            oldest = next(iter(latest))
            if latest[oldest] >= horizon:
                break
            del latest[oldest]

    def distinct(self) -> int:
        return len(self._latest)


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
        self._viewers = _LastSeen(viewer_window_s)
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
