"""Highlight moments of a recorded stream: peaks of chat rate and of chat sentiment against the session's
own baseline, and what chat said at each.

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

Words: the recorder keeps a uniform sample of message texts per second (``chat`` table, see
bot/web/recorder.py). For a moment, terms of the texts from its onset to its end (at least 20 s, at most
60 s) are counted once per message and kept when they appear in several messages and clearly more often
than over the whole session (lift); emotes (bot's emote table, nlu/text/normalizer.py) are reported
apart. Chinese has no segmenter in the app runtime, so Chinese terms are the 2-4 character substrings
of CJK runs, a substring dropped when a longer one covers nearly all its messages ("太便宜了" over "便宜"
and "太便").
Terms matched by the toxicity lexicon are never shown. Titles are fixed templates filled with those
terms, the moment's kind and the catalog product asked about at that moment, if any: no invented text.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bot.core.toxicity import lexicon_toxicity
from nlu.text.normalizer import EMOTE_CLASSES

__all__ = ["DetectorConfig", "Highlight", "chat_terms", "describe", "detect", "message_terms"]


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


# --- signals ----------------------------------------------------------------------------------------------
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


# --- words ------------------------------------------------------------------------------------------------
_LATIN = re.compile(r"[a-z][a-z0-9']*|\d{2,}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_REPEAT = re.compile(r"(.)\1{2,}")
_BRACKET = re.compile(r"\[[^\[\]\s]{1,16}\]")
_WORD_EMOTES = {k for k in EMOTE_CLASSES if re.fullmatch(r"[a-z]+", k)}
_SYMBOL_EMOTES = sorted((k for k in EMOTE_CLASSES if k not in _WORD_EMOTES), key=len, reverse=True)
_LAUGH = {k for k, v in EMOTE_CLASSES.items() if v == "emotelaugh"} | {"哈哈", "哈哈哈", "笑死", "hh", "233"}
_EN_STOP = frozenset(
    """a an the and or but if so to of in on at for with from by is are was were be been am it its it's this
    that these those i me my you your he she we they them our us do does did not no yes just very really too
    can could would should will what how when where who why which there here have has had get got im i'm u ur
    oh ok okay as all any some than then one two also more most much many about up out""".split()
)
_ZH_EDGE = set("的了吗呢吧啊呀哦嘛么是在有和也就都还我你他她它这那")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _REPEAT.sub(
        lambda m: m.group(1) * (2 if m.group(1).isascii() and m.group(1).isalpha() else 3), folded
    )


@functools.lru_cache(maxsize=65_536)
def message_terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(terms, emotes) of one message, each once. Emotes keep a canonical display form ("LUL", "[笑哭]").
    Cached: live chat repeats itself ("666", "哈哈哈哈", the same chant from hundreds of viewers)."""
    folded = _fold(text)
    emotes: set[str] = set()
    for symbol in _SYMBOL_EMOTES:
        if symbol in folded:
            emotes.add(symbol)
            folded = folded.replace(symbol, " ")
    folded = _BRACKET.sub(" ", folded)
    terms: set[str] = set()
    for word in _LATIN.findall(folded):
        if word in _WORD_EMOTES:
            emotes.add(_EMOTE_DISPLAY.get(word, word))
        elif word not in _EN_STOP and len(word) >= 2:
            terms.add(word)
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            continue
        if len(run) <= 6 and run[0] not in _ZH_EDGE:
            terms.add(run)  # the whole phrase, as typed ("太便宜了", "来了来了")
        for size in range(2, min(4, len(run)) + 1):
            for i in range(len(run) - size + 1):
                gram = run[i : i + size]
                if gram[0] in _ZH_EDGE or gram[-1] in _ZH_EDGE:
                    continue
                terms.add(gram)
    return frozenset(terms), frozenset(emotes)


_EMOTE_DISPLAY = {
    "lul": "LUL",
    "lulw": "LULW",
    "kekw": "KEKW",
    "omegalul": "OMEGALUL",
    "pogchamp": "PogChamp",
    "pog": "Pog",
    "poggers": "POGGERS",
    "pogu": "PogU",
    "kreygasm": "Kreygasm",
    "kappa": "Kappa",
    "biblethump": "BibleThump",
    "sadge": "Sadge",
    "residentsleeper": "ResidentSleeper",
    "wutface": "WutFace",
    "dansgame": "DansGame",
    "notlikethis": "NotLikeThis",
    "monkas": "monkaS",
    "hypers": "HYPERS",
    "pepehands": "PepeHands",
}


@dataclass
class TermCounts:
    messages: int = 0
    terms: Counter[str] = field(default_factory=Counter)
    emotes: Counter[str] = field(default_factory=Counter)

    def add(self, text: str) -> None:
        terms, emotes = message_terms(text)
        self.messages += 1
        self.terms.update(terms)
        self.emotes.update(emotes)


def chat_terms(texts: Iterable[str]) -> TermCounts:
    counts = TermCounts()
    for text in texts:
        counts.add(text)
    return counts


def _safe(term: str) -> bool:
    return lexicon_toxicity(term)[0] == 0


def top_terms(
    window: TermCounts, session: TermCounts, n: int = 3, min_messages: int = 3, min_lift: float = 1.5
) -> list[tuple[str, int]]:
    """The window's distinctive terms: in >= min_messages of its messages, at >= min_lift x their share over
    the session."""
    if not window.messages:
        return []
    floor = max(min_messages, math.ceil(0.05 * window.messages))
    scored: list[tuple[float, int, str]] = []
    for term, count in window.terms.items():
        if count < floor:
            continue
        share = count / window.messages
        base = (session.terms.get(term, 0) + 1) / (session.messages + 1)
        if share / base < min_lift or not _safe(term):
            continue
        scored.append((count * math.log(1 + share / base), count, term))
    scored.sort(key=lambda s: (-s[0], -len(s[2]), s[2]))
    chosen: list[tuple[str, int]] = []
    for _, count, term in scored:
        # a term inside a chosen longer one with nearly its count says nothing new ("太便" in "太便宜");
        # a longer one covering nearly all of a chosen shorter one's messages replaces it
        if any(term in c and cc >= 0.8 * count for c, cc in chosen):
            continue
        if any(len(term) == len(c) and term in c + c for c, _ in chosen):
            continue  # a rotation of a chant already chosen: "拉贝拉贝" of "贝拉贝拉"
        covered = [i for i, (c, cc) in enumerate(chosen) if c in term and count >= 0.8 * cc]
        if covered:
            chosen[covered[0]] = (term, count)
            chosen = [x for i, x in enumerate(chosen) if i not in covered[1:]]
            continue
        chosen.append((term, count))
        if len(chosen) >= n:
            break
    return chosen


def top_emotes(window: TermCounts, n: int = 3, min_messages: int = 2) -> list[tuple[str, int]]:
    return [
        (e, c) for e, c in sorted(window.emotes.items(), key=lambda x: (-x[1], x[0])) if c >= min_messages
    ][:n]


def _moment_product(
    questions: Sequence[tuple[float, str]], total: Counter[str], start: float, stop: float
) -> str | None:
    """The product asked about at the moment: asked clearly more than its share of the session's questions
    (binomial tail below 1 %; a product asked about all stream long is no reason to name it in a title)."""
    asked = Counter(p for t, p in questions if start <= t <= stop and p)
    n_window, n_all = sum(asked.values()), sum(total.values())
    for product, n in sorted(asked.items(), key=lambda x: (-x[1], x[0])):
        share = total[product] / n_all
        tail = sum(
            math.comb(n_window, k) * share**k * (1 - share) ** (n_window - k) for k in range(n, n_window + 1)
        )
        if n >= 2 and tail < 0.01:
            return product
    return None


def describe(
    highlights: Sequence[Highlight],
    texts: Sequence[tuple[float, str]],
    questions: Sequence[tuple[float, str]] = (),
) -> None:
    """Fill each highlight's terms, emotes, product and kind from the sampled ``texts`` (t, text, by t) and
    the ``questions`` naming a product (t, product)."""
    session = chat_terms(text for _, text in texts)
    asked_total = Counter(p for _, p in questions if p)
    times = np.array([t for t, _ in texts]) if texts else np.zeros(0)
    for h in highlights:
        start = h.t - 2
        stop = min(h.t + 60, max(h.end_t, h.t + 20))
        lo, hi = int(np.searchsorted(times, start)), int(np.searchsorted(times, stop, side="right"))
        window = chat_terms(text for _, text in texts[lo:hi])
        h.terms = top_terms(window, session)
        h.emotes = top_emotes(window)
        h.product = _moment_product(questions, asked_total, start, stop)
        laughs = sum(c for e, c in window.emotes.items() if e.lower() in _LAUGH or e in _LAUGH)
        laughs += sum(c for term, c in window.terms.items() if term in _LAUGH)
        if "negative" in h.kinds and "positive" not in h.kinds:
            h.kind = "negative"
        elif window.messages and laughs >= 0.25 * window.messages:
            h.kind = "funny"
        elif "rate" in h.kinds:
            h.kind = "hype"
        else:
            h.kind = "positive"
