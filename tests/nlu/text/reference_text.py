"""The slow reference the fast ``nlu.text.normalizer`` and ``nlu.text.sentiment`` are checked against.

This is the straightforward implementation those modules had before they were made fast: a
character-by-character NFKC, a ``startswith`` scan over every emote and lexicon key at every position,
and VADER called on every English message. Its outputs define the expected behaviour; the tests in
``test_text_equivalence.py`` assert the production code returns identical values (same text, same
offsets, same floats). The data tables (emote classes, lexicons, negations, intensifiers) are imported
from the production modules so the two implementations always share them.
"""

from __future__ import annotations

import math
import re
import unicodedata

from nlu.text.language import detect_language
from nlu.text.normalizer import EMOTE_CLASSES, Normalized
from nlu.text.sentiment import (
    _INTENSIFIERS,
    _NEGATIONS,
    EMOTE_SCORES,
    EN_LEXICON,
    PLAIN_EXPENSIVE,
    PRICE_ASKED_ZH,
    ZH_LEXICON,
    _vader,
)

_WORD_EMOTES = {k for k in EMOTE_CLASSES if re.fullmatch(r"[a-z]+", k)}
_SYMBOL_EMOTES = sorted((k for k in EMOTE_CLASSES if k not in _WORD_EMOTES), key=len, reverse=True)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@[\w.\-]+")
_BRACKET_EMOTE = re.compile(r"\[[^\[\]\s]{1,16}\]")
_WORD = re.compile(r"[a-z]+")
_ZH_KEYS = sorted(ZH_LEXICON, key=len, reverse=True)
_EN_TOKEN = re.compile(r"[a-z0-9'\-]+")


def _nfkc_lower(text: str) -> tuple[str, list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        out = unicodedata.normalize("NFKC", ch).lower()
        if ch == "\u3000":
            out = " "
        for c in out:
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(chars), starts, ends


def normalize(text: str | None) -> Normalized:
    """Reference ``nlu.text.normalizer.normalize``."""
    if not text:
        return Normalized("", (), ())
    base, bstarts, bends = _nfkc_lower(text)
    out: list[str] = []
    ostarts: list[int] = []
    oends: list[int] = []

    def emit(piece: str, src_start: int, src_end: int) -> None:
        for c in piece:
            out.append(c)
            ostarts.append(src_start)
            oends.append(src_end)

    def emit_token(token: str, i: int, j: int) -> None:
        if out and out[-1] != " ":
            emit(" ", bstarts[i], bstarts[i])
        emit(token, bstarts[i], bends[j - 1])
        emit(" ", bends[j - 1], bends[j - 1])

    i, n = 0, len(base)
    while i < n:
        m = _URL.match(base, i)
        if m:
            emit_token("url", i, m.end())
            i = m.end()
            continue
        if base[i] == "@" and (i == 0 or not base[i - 1].isalnum()):
            m = _MENTION.match(base, i)
            if m:
                i = m.end()
                continue
        if base[i] == "[":
            m = _BRACKET_EMOTE.match(base, i)
            if m:
                emote = EMOTE_CLASSES.get(m.group(), "emote")
                emit_token(emote, i, m.end())
                i = m.end()
                continue
        symbol = next((s for s in _SYMBOL_EMOTES if base.startswith(s, i)), None)
        if symbol is not None:
            emit_token(EMOTE_CLASSES[symbol], i, i + len(symbol))
            i += len(symbol)
            continue
        if "a" <= base[i] <= "z" and (i == 0 or not base[i - 1].isalnum()):
            m = _WORD.match(base, i)
            assert m is not None
            word = _squeeze(m.group(), keep=1)
            if word in _WORD_EMOTES or _squeeze(m.group(), keep=2) in _WORD_EMOTES:
                key = word if word in _WORD_EMOTES else _squeeze(m.group(), keep=2)
                if m.end() >= n or not base[m.end()].isalnum():
                    emit_token(EMOTE_CLASSES[key], i, m.end())
                    i = m.end()
                    continue
            if re.fullmatch(r"(?:ha){2,}h?|(?:he){2,}|(?:hi){3,}", m.group()):
                emit_token("emotelaugh", i, m.end())
                i = m.end()
                continue
        j = i
        while j < n and base[j] == base[i]:
            j += 1
        keep = min(j - i, 2)
        for k in range(keep):
            emit(base[i], bstarts[i + k], bends[i + k])
        if j - i > keep:
            oends[-1] = bends[j - 1]
        i = j
    return Normalized("".join(out), tuple(ostarts), tuple(oends))


def _squeeze(word: str, keep: int) -> str:
    return re.sub(r"(.)\1+", lambda m: m.group(1) * min(len(m.group()), keep), word)


def normalize_text(text: str | None) -> str:
    """Reference ``nlu.text.normalizer.normalize_text``."""
    return " ".join(normalize(text).text.split())


def _squash(total: float, alpha: float = 4.0) -> float:
    if total == 0:
        return 0.0
    return max(-1.0, min(1.0, total / math.sqrt(total * total + alpha)))


def _emote_total(norm: str) -> float:
    return sum(EMOTE_SCORES.get(tok, 0.0) for tok in norm.split())


def sentiment_en(text: str) -> float:
    """Reference ``nlu.text.sentiment.sentiment_en``."""
    norm = normalize_text(text)
    total = _emote_total(norm)
    plain = " ".join(t for t in norm.split() if t not in EMOTE_SCORES)
    tokens = _EN_TOKEN.findall(plain)
    negated = False
    for tok in tokens:
        if tok in ("not", "no", "never", "dont", "don't", "isnt", "isn't", "aint", "ain't"):
            negated = True
            continue
        score = EN_LEXICON.get(tok)
        if score is not None:
            total += -0.7 * score if negated else score
            negated = False
    vader = _vader()
    if vader is not None and plain.strip():
        compound = vader.polarity_scores(plain)["compound"]
        if abs(compound) < 1:
            total += compound * 2.0 / math.sqrt(max(1e-9, 1 - compound * compound))
        else:
            total += math.copysign(8.0, compound)
    return round(_squash(total), 3)


def sentiment_zh(text: str) -> float:
    """Reference ``nlu.text.sentiment.sentiment_zh``."""
    norm = normalize_text(text)
    total = _emote_total(norm)
    hay = PLAIN_EXPENSIVE.sub(" ", norm) if PRICE_ASKED_ZH.search(norm) else norm
    i, n = 0, len(hay)
    scale, negate = 1.0, False
    while i < n:
        word = next((w for w in _ZH_KEYS if hay.startswith(w, i)), None)
        if word is not None:
            score = ZH_LEXICON[word] * scale
            total += -0.8 * score if negate else score
            scale, negate = 1.0, False
            i += len(word)
            continue
        neg = next((w for w in _NEGATIONS if hay.startswith(w, i)), None)
        if neg is not None:
            negate = not negate
            i += len(neg)
            continue
        inten = next((w for w in sorted(_INTENSIFIERS, key=len, reverse=True) if hay.startswith(w, i)), None)
        if inten is not None:
            scale *= _INTENSIFIERS[inten]
            i += len(inten)
            continue
        if hay[i] in "，。!！?？,. ":
            scale, negate = 1.0, False
        i += 1
    for tok in _EN_TOKEN.findall(hay):
        if tok not in ZH_LEXICON:
            total += EN_LEXICON.get(tok, 0.0)
    return round(_squash(total), 3)


def sentiment(text: str | None, lang: str | None = None) -> float:
    """Reference ``nlu.text.sentiment.sentiment``."""
    if not text or not text.strip():
        return 0.0
    lang = lang or detect_language(text)
    return sentiment_zh(text) if lang == "zh" else sentiment_en(text)
