"""What chat said at each highlight moment: its distinctive terms and emotes, the product asked about
then, and the kind of moment its title names ("hype", "funny", "positive", "negative").

The recorder keeps a uniform sample of message texts per second (``chat`` table, see bot/web/recorder.py).
For a moment, terms of the texts from its onset to its end (at least 20 s, at most 60 s) are counted once
per message and kept when they appear in several messages and clearly more often than over the whole
session (lift); emotes (bot's emote table, nlu/text/normalizer.py) are reported apart. Chinese has no
segmenter in the app runtime, so Chinese terms are the 2-4 character substrings of CJK runs, a substring
dropped when a longer one covers nearly all its messages ("太便宜了" over "便宜" and "太便").
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

from bot.content.highlights import Highlight
from bot.core.toxicity import lexicon_toxicity
from nlu.text.normalizer import EMOTE_CLASSES

__all__ = ["TermCounts", "chat_terms", "describe", "message_terms", "top_emotes", "top_terms"]


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
