"""Highlight moments of a recorded stream: peaks of chat rate and of chat sentiment against the session's
own baseline.

Signals, one value per second of the session (seconds the recorder did not store were quiet: 0 messages):

* chat rate: messages in a centred ``window_s`` window;
* sentiment: the room's sentiment as recorded (already a 60 s mean, see bot/core/audience.py), held between
  samples.

Each is compared with a rolling baseline over the ``baseline_s`` seconds *before* the window (median and
MAD, so an earlier burst barely moves it): robust z = (x - median) / scale, where the scale is at least the
Poisson noise of a count (sqrt(median + 1)) for the rate and ``min_sentiment_scale`` for sentiment, so a
quiet stream's two extra messages are no "peak". A second is a candidate when z >= the threshold *and* the
absolute excess is large enough (``min_rate_excess`` messages and ``min_rate_ratio`` x the baseline; a
sentiment shift of ``min_sentiment_shift``). Candidates closer than ``merge_gap_s`` merge into one moment
(rate and sentiment peaks of the same moment too), moments closer than ``min_separation_s`` keep the
stronger, and each moment's time is its onset (the first candidate second): where a VOD chapter starts.

The moments :func:`detect` finds carry their timing, signals and rates; what chat said at each (terms,
emotes, the product asked about, the title's kind) is filled in by bot/content/chat_words.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["DEFAULT", "DetectorConfig", "Highlight", "detect"]


@dataclass(frozen=True)
class DetectorConfig:
    window_s: int = 10
    baseline_s: int = 300
    z_rate: float = 4.5
    min_rate_excess: float = 6.0
    min_rate_ratio: float = 1.8
    z_sentiment: float = 4.0
    min_sentiment_shift: float = 0.2
    min_sentiment_scale: float = 0.05
    min_sentiment_messages: int = 20
    """Messages in the minute before, at least, for a sentiment moment: a mean of a few messages is noise
    (the pre-show trickle of a real log gave one)."""
    merge_gap_s: int = 20
    min_separation_s: int = 60
    max_highlights: int = 30


DEFAULT = DetectorConfig()


@dataclass
class Highlight:
    t: float
    """Onset, epoch seconds."""
    peak_t: float
    end_t: float
    kinds: list[str]
    """"rate", "positive" (sentiment up), "negative" (sentiment down)."""
    score: float
    rate_per_min: float = 0.0
    baseline_per_min: float = 0.0
    terms: list[tuple[str, int]] = field(default_factory=list)
    emotes: list[tuple[str, int]] = field(default_factory=list)
    product: str | None = None
    kind: str = "hype"
    """What the title says: "hype", "funny", "positive" or "negative"."""

    def to_json(self) -> dict[str, object]:
        return {
            "t": self.t,
            "peak_t": self.peak_t,
            "end_t": self.end_t,
            "kind": self.kind,
            "signals": self.kinds,
            "score": round(self.score, 2),
            "rate_per_min": round(self.rate_per_min, 1),
            "baseline_per_min": round(self.baseline_per_min, 1),
            "terms": self.terms,
            "emotes": self.emotes,
            "product": self.product,
        }


def _rolling_baseline(
    x: np.ndarray, window: int, gap_before: int, gap_after: int
) -> tuple[np.ndarray, np.ndarray]:
    """Median and scale (MAD) of the baseline of every second: the ``window`` seconds before it (ending
    ``gap_before`` earlier) and the ``window`` seconds after it (starting ``gap_after`` later), whichever is
    higher — a peak stands out from both sides, so the audience growing (or leaving) for good is no moment.
    Near the ends, the nearest full window stands in."""
    n = len(x)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    if n <= window:
        med = float(np.median(x))
        mad = float(np.median(np.abs(x - med)))
        return np.full(n, med), np.full(n, mad)
    views = sliding_window_view(x, window)  # views[j] = x[j : j+window]
    meds = np.median(views, axis=1)
    mads = np.median(np.abs(views - meds[:, None]), axis=1)
    last = len(views) - 1
    before = np.clip(np.arange(n) - gap_before - window, 0, last)
    after = np.clip(np.arange(n) + gap_after, 0, last)
    return np.maximum(meds[before], meds[after]), np.maximum(mads[before], mads[after])


def _segments(mask: np.ndarray, merge_gap: int) -> list[tuple[int, int]]:
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    out: list[tuple[int, int]] = []
    start = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev > merge_gap:
            out.append((start, prev))
            start = i
        prev = i
    out.append((start, prev))
    return out


def detect(
    started: float,
    seconds: int,
    samples: Iterable[tuple[float, int, float | None]],
    config: DetectorConfig = DEFAULT,
) -> list[Highlight]:
    """Moments of a session of ``seconds`` from ``started``; ``samples`` are (t, messages, sentiment)."""
    n = max(0, int(seconds) + 1)
    if n == 0:
        return []
    messages = np.zeros(n)
    sentiment = np.full(n, np.nan)
    for t, count, sent in samples:
        i = int(t - started)
        if 0 <= i < n:
            messages[i] += count
            if sent is not None and count:
                sentiment[i] = sent
    if not messages.any():
        return []
    w = config.window_s
    kernel = np.ones(w)
    rate = np.convolve(messages, kernel, mode="same")
    med, mad = _rolling_baseline(rate, config.baseline_s, w, w)
    scale = np.maximum(1.4826 * mad, np.sqrt(med + 1.0))
    z_rate = (rate - med) / scale
    hot = (
        (z_rate >= config.z_rate)
        & (rate - med >= config.min_rate_excess)
        & (rate >= config.min_rate_ratio * np.maximum(med, 1.0))
    )
    raw: list[tuple[int, int, int, float, str]] = []  # onset, peak, end, score, kind
    for a, b in _segments(hot, config.merge_gap_s):
        peak = a + int(np.argmax(z_rate[a : b + 1]))
        raw.append((a, peak, b, float(z_rate[peak]), "rate"))

    have = ~np.isnan(sentiment)
    if have.sum() >= 2:
        idx = np.where(have, np.arange(n), 0)
        np.maximum.accumulate(idx, out=idx)
        first = int(np.argmax(have))
        held = sentiment[idx]
        held[:first] = sentiment[first]
        # the room's sentiment is a 60 s mean: it stays up for a minute after the moment
        s_med, s_mad = _rolling_baseline(held, config.baseline_s, w, w + 60)
        settled = np.arange(n) >= 120  # the first two minutes' mean rests on a handful of messages
        s_scale = np.maximum(1.4826 * s_mad, config.min_sentiment_scale)
        z_s = (held - s_med) / s_scale
        last_minute = np.convolve(messages, np.ones(60), mode="full")[:n]
        live = have_recent(have, w) & settled & (last_minute >= config.min_sentiment_messages)
        up = (z_s >= config.z_sentiment) & (held - s_med >= config.min_sentiment_shift) & live
        down = (z_s <= -config.z_sentiment) & (s_med - held >= config.min_sentiment_shift) & live
        for mask, kind, sign in ((up, "positive", 1.0), (down, "negative", -1.0)):
            for a, b in _segments(mask, config.merge_gap_s):
                peak = a + int(np.argmax(sign * z_s[a : b + 1]))
                # a mean crosses the line late: the moment began where the rise (fall) began
                onset = a
                while onset > max(0, a - 60) and sign * (held[onset] - held[onset - 1]) > 0:
                    onset -= 1
                raw.append((onset, peak, b, float(abs(z_s[peak])), kind))

    raw.sort()
    merged: list[list[object]] = []  # [onset, peak, end, score, kinds]
    for a, peak, b, score, kind in raw:
        if merged and a - int(merged[-1][2]) <= config.merge_gap_s:  # type: ignore[call-overload]
            last = merged[-1]
            if score > float(last[3]):  # type: ignore[arg-type]
                last[1], last[3] = peak, score
            last[2] = max(int(last[2]), b)  # type: ignore[call-overload]
            if kind not in last[4]:  # type: ignore[operator]
                last[4].append(kind)  # type: ignore[union-attr]
        else:
            merged.append([a, peak, b, score, [kind]])
    kept: list[list[object]] = []
    for item in sorted(merged, key=lambda m: (-float(m[3]), int(m[0]))):  # type: ignore[arg-type, call-overload]
        if all(abs(int(item[0]) - int(k[0])) >= config.min_separation_s for k in kept):  # type: ignore[call-overload]
            kept.append(item)
        if len(kept) >= config.max_highlights:
            break
    kept.sort(key=lambda m: int(m[0]))  # type: ignore[call-overload]
    per_min = 60.0 / w
    return [
        Highlight(
            t=started + int(a),  # type: ignore[call-overload]
            peak_t=started + int(p),  # type: ignore[call-overload]
            end_t=started + int(b),  # type: ignore[call-overload]
            kinds=list(kinds),  # type: ignore[call-overload]
            score=float(score),  # type: ignore[arg-type]
            rate_per_min=float(rate[int(p)]) * per_min,  # type: ignore[call-overload]
            baseline_per_min=float(med[int(p)]) * per_min,  # type: ignore[call-overload]
        )
        for a, p, b, score, kinds in kept
    ]


def have_recent(have: np.ndarray, window: int) -> np.ndarray:
    """True where a real sentiment sample lies within ``window`` seconds before (held values go stale)."""
    recent = np.convolve(have.astype(float), np.ones(window), mode="full")[: len(have)]
    return recent > 0
