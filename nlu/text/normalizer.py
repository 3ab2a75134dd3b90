"""Chat normalizer: live-chat text -> the text the NLU models see, with an offset map back.

Pure Python (3.10+, standard library only) so the Rasa runtime, its tests and the gateway can all
use it. What it does, in order, per source character range:

* full-width forms and compatibility characters -> NFKC (``ＸＬ`` -> ``XL``, ``？`` -> ``?``);
* lower case;
* URLs -> ``url``; ``@mentions`` -> removed (``@bot is it in stock`` reads ``is it in stock``);
* emote codes (Twitch ``PogChamp``/``KEKW``/``LUL``, Bilibili ``[doge]``/``[笑哭]``, ``:)``) -> one
  token per emotion class (``emotelaugh``, ``emotehype`` ...) so every laugh emote looks alike;
* runs of 3+ identical characters -> 2 (``priceeee`` -> ``pricee``, ``??????`` -> ``??``,
  ``哈哈哈哈哈`` -> ``哈哈``, ``66666`` -> ``66``).

``normalize(text)`` returns a :class:`Normalized` with the new text and, for every character of
it, the ``[start, end)`` range of the source text it came from, so tokens of the normalized text
map to spans of what the viewer typed (entity offsets stay valid).

Every chat message passes here, so the work is kept per message, not per character: NFKC and lower
case are applied to the whole string when each character maps to exactly one character (then the
offsets are the identity), and one compiled pattern finds the next place where a URL, mention or
emote can start; the text in between is copied as slices. The result is the same as reading the
text one character at a time (``tests/nlu/text/reference_text.py`` keeps that reading as the
reference the tests compare with).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Emote code -> emotion class token. Lower-cased keys; Twitch codes are matched as whole words.
EMOTE_CLASSES: dict[str, str] = {
    # laughing
    "lul": "emotelaugh",
    "lulw": "emotelaugh",
    "kekw": "emotelaugh",
    "omegalul": "emotelaugh",
    "lmao": "emotelaugh",
    "lmfao": "emotelaugh",
    "lol": "emotelaugh",
    "rofl": "emotelaugh",
    "xd": "emotelaugh",
    "haha": "emotelaugh",
    "hahaha": "emotelaugh",
    "[笑哭]": "emotelaugh",
    "[doge]": "emotelaugh",
    "[滑稽]": "emotelaugh",
    "[大笑]": "emotelaugh",
    "😂": "emotelaugh",
    "🤣": "emotelaugh",
    # hype / amazed
    "pogchamp": "emotehype",
    "pog": "emotehype",
    "poggers": "emotehype",
    "pogu": "emotehype",
    "hypers": "emotehype",
    "kreygasm": "emotehype",
    "🔥": "emotehype",
    "[喜欢]": "emotehype",
    "[打call]": "emotehype",
    # love / happy
    "<3": "emotelove",
    "❤": "emotelove",
    "❤️": "emotelove",
    "😍": "emotelove",
    "🥰": "emotelove",
    "[爱心]": "emotelove",
    "[星星眼]": "emotelove",
    ":)": "emotelove",
    ":d": "emotelove",
    "😊": "emotelove",
    "ez": "emotehype",
    # sad / bored / angry
    "biblethump": "emotesad",
    "sadge": "emotesad",
    "pepehands": "emotesad",
    "residentsleeper": "emotebored",
    "zzz": "emotebored",
    "zz": "emotebored",
    ":(": "emotesad",
    "😭": "emotesad",
    "😢": "emotesad",
    "😡": "emoteangry",
    "🤬": "emoteangry",
    "[哭]": "emotesad",
    "[生气]": "emoteangry",
    "[无语]": "emotebored",
    "[打哈欠]": "emotebored",
    "wutface": "emoteangry",
    "dansgame": "emoteangry",
    "notlikethis": "emotesad",
    "monkas": "emotesad",
    "kappa": "emotelaugh",
}

_WORD_EMOTES = {k for k in EMOTE_CLASSES if re.fullmatch(r"[a-z]+", k)}
_SYMBOL_EMOTES = sorted((k for k in EMOTE_CLASSES if k not in _WORD_EMOTES), key=len, reverse=True)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@[\w.\-]+")
_BRACKET_EMOTE = re.compile(r"\[[^\[\]\s]{1,16}\]")
_WORD = re.compile(r"[a-z]+")
_SYMBOL = re.compile("|".join(re.escape(s) for s in _SYMBOL_EMOTES))
_LAUGH = re.compile(r"(?:ha){2,}h?|(?:he){2,}|(?:hi){3,}")
_RUN = re.compile(r"(.)\1+", re.DOTALL)
_LONG_RUN = re.compile(r"(.)\1\1+", re.DOTALL)
_SIGMA = "\u03a3"  # the one letter str.lower() maps by context (final sigma), so per character != whole


def _squeezed_patterns(emote: str) -> list[tuple[str, str]]:
    """The words whose squeezed forms (runs cut to 1, or to at most 2) are ``emote``.

    As (first letter, regex for the rest): a pattern that starts with a plain character lets ``re``
    skip ahead to the characters that can start a match instead of trying every position."""
    runs = [m.group() for m in re.finditer(r"(.)\1*", emote)]
    patterns = []
    if all(len(r) == 1 for r in runs):  # runs cut to 1: each letter once or more
        patterns.append((emote[0], f"{emote[0]}*" + "".join(f"{r}+" for r in runs[1:])))
    if all(len(r) <= 2 for r in runs):  # runs cut to 2: a single letter stays single, a double grows
        rest = "".join(r if len(r) == 1 else f"{r}+" for r in runs)
        patterns.append((emote[0], rest[1:]))
    return patterns


_LAUGH_PATTERNS = [("h", "a(?:ha)+h?"), ("h", "e(?:he)+"), ("h", "i(?:hi){2,}")]  # = _LAUGH


def _by_first_letter(patterns: list[tuple[str, str]]) -> str:
    """One alternative per first letter, its look-behind checked once before the rests are tried."""
    rests: dict[str, list[str]] = {}
    for first, rest in patterns:
        rests.setdefault(first, []).append(rest)
    return "|".join(
        rf"{first}(?<![^\W_]{first})(?:{'|'.join(rests[first])})(?![a-z])" for first in sorted(rests)
    )


_CANDIDATE_WORDS = _by_first_letter(
    [*_LAUGH_PATTERNS, *(p for e in sorted(_WORD_EMOTES) for p in _squeezed_patterns(e))]
)
r"""Every a-z word, at a word start, that the word-emote or laugh rule can replace (a superset; the
rule itself decides). ``[^\W_]`` is exactly what ``str.isalnum`` accepts: the look-behind after the
first letter is the "not after a letter or digit" check."""


def _trigger(symbols: list[str]) -> re.Pattern[str]:
    """Where something other than copying (runs squeezed) may happen: a URL (``_URL`` ignores case;
    the lower-cased text has no upper case left), an @mention (not inside an e-mail address), a bracket
    emote, a symbol emote, a word emote or a laugh. Every alternative starts with a plain character,
    so ``re`` only tries a match where one of those first characters is."""
    return re.compile(
        r"https?://\S|www\.\S"
        r"|@(?<![^\W_]@)[\w.\-]"
        r"|\["
        f"|{'|'.join(map(re.escape, symbols))}"
        f"|{_CANDIDATE_WORDS}"
    )


_SYMBOL_TRIGGERS = [s for s in _SYMBOL_EMOTES if not s.startswith("[")]
_TRIGGER = _trigger(_SYMBOL_TRIGGERS)
_TRIGGER_BMP = _trigger([s for s in _SYMBOL_TRIGGERS if s[0] <= "\uffff"])
"""For text without characters beyond U+FFFF (most chat): a first character above it makes ``re``'s
skip-ahead test slower."""


def _fold_table() -> dict[int, str]:
    """Characters of the common compatibility blocks whose NFKC form is one other character."""
    blocks = [(0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2190), (0x2460, 0x2500), (0x3000, 0x3040)]
    blocks += [(0xFE30, 0xFE70), (0xFF00, 0xFFF0)]  # CJK compatibility, small, full/half-width forms
    table = {}
    for lo, hi in blocks:
        for cp in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded != chr(cp):
                table[cp] = folded
    return table


_FOLD = _fold_table()


@dataclass(frozen=True)
class Normalized:
    """Normalized text plus, per character, the source span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[start, end)`` of the normalized range ``[start, end)`` (end > start)."""
        if end <= start or not self.starts:
            return (0, 0)
        return self.starts[start], self.ends[end - 1]


def _nfkc_lower(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """``NFKC(ch).lower()`` of every character, with each output character's source ``[i, i + 1)``.

    Per character, not per string: a character's output must not depend on its neighbours (the
    offsets say which character it came from). When every character maps to exactly one character,
    the whole string is mapped at once and the offsets are the identity: ASCII; text already in NFKC
    (``is_normalized`` is only true when no character changes under NFKC on its own); and text that
    is, after the one-character compatibility folds of ``_FOLD`` (full-width forms, U+3000 ...).
    ``str.lower`` works per character except for final sigma, so text with a capital sigma takes the
    per-character path, as does text where lower-casing changes the length (``İ``).
    """
    n = len(text)
    if text.isascii():
        return text.lower(), range(n), range(1, n + 1)
    lowered = _lower_if_one_to_one(text)
    if lowered is None:
        lowered = _lower_if_one_to_one(text.translate(_FOLD))
    if lowered is None:
        return _nfkc_lower_per_char(text)
    return lowered, range(n), range(1, n + 1)


def _lower_if_one_to_one(text: str) -> str | None:
    """``text.lower()`` if that is each character's ``NFKC(ch).lower()``, one character each; else None."""
    if _SIGMA in text or not unicodedata.is_normalized("NFKC", text):
        return None
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


def _nfkc_lower_per_char(text: str) -> tuple[str, list[int], list[int]]:
    """The general case of :func:`_nfkc_lower`: one character at a time."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        out = " " if ch == "\u3000" else unicodedata.normalize("NFKC", ch).lower()
        chars.append(out)
        if len(out) == 1:
            starts.append(i)
            ends.append(i + 1)
        else:
            starts.extend([i] * len(out))
            ends.extend([i + 1] * len(out))
    return "".join(chars), starts, ends


class _Output:
    """The normalized text being built, and (when ``track``) each character's source span."""

    __slots__ = ("ends", "pieces", "starts", "track")

    def __init__(self, track: bool) -> None:
        self.pieces: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.track = track

    def copy(self, piece: str, starts: Sequence[int], ends: Sequence[int]) -> None:
        """Source text kept as is (``starts``/``ends``: its characters' spans)."""
        self.pieces.append(piece)
        if self.track:
            self.starts.extend(starts)
            self.ends.extend(ends)

    def token(self, token: str, start: int, end: int) -> None:
        """A replacement for source ``[start, end)``, spaced so it is a token of its own."""
        if self.pieces and self.pieces[-1][-1] != " ":
            self.copy(" ", (start,), (start,))
        self.copy(token, (start,) * len(token), (end,) * len(token))
        self.copy(" ", (end,), (end,))


def _trigger_search(base: str) -> Callable[..., re.Match[str] | None]:
    """``search`` of the trigger pattern that fits ``base`` (see ``_TRIGGER_BMP``)."""
    return _TRIGGER_BMP.search if base.isascii() or max(base) <= "\uffff" else _TRIGGER.search


class _Scan:
    """One left-to-right pass over the NFKC-lower-cased text (see :func:`normalize`)."""

    __slots__ = ("base", "bends", "bstarts", "has_runs", "n", "out")

    def __init__(self, base: str, bstarts: Sequence[int], bends: Sequence[int], track: bool) -> None:
        self.base, self.bstarts, self.bends = base, bstarts, bends
        self.n = len(base)
        self.has_runs = _LONG_RUN.search(self.base) is not None
        self.out = _Output(track)

    def run(self, first: re.Match[str] | None) -> _Output:
        """Copy the stretches between triggers in bulk; take each trigger position in turn.

        ``first`` is the first trigger (the caller has looked for it already). Between triggers
        every position is a plain run of one character. The last run before a trigger may reach
        past it (``a@@@`` is one run), so it is followed to its end first.
        """
        base, n = self.base, self.n
        search = _trigger_search(base)
        pos, m = 0, first
        while pos < n:
            if pos:
                m = search(base, pos)
            trigger = m.start() if m else n
            if trigger > pos:
                end, last = trigger, base[trigger - 1]
                while end < n and base[end] == last:
                    end += 1
                self._plain(pos, end)
                pos = end
                if end > trigger:
                    continue
            if pos < n:
                pos = self._step(pos)
        return self.out

    def _plain(self, i: int, j: int) -> None:
        """Copy ``base[i:j]`` with runs of 3+ identical characters cut to 2."""
        base, bstarts, bends, out = self.base, self.bstarts, self.bends, self.out
        if self.has_runs:
            for m in _LONG_RUN.finditer(base, i, j):
                a, b = m.span()
                if a > i:
                    out.copy(base[i:a], bstarts[i:a], bends[i:a])
                # The two kept characters stand for the whole run in the source.
                out.copy(base[a : a + 2], bstarts[a : a + 2], (bends[a], bends[b - 1]))
                i = b
        if i < j:
            out.copy(base[i:j], bstarts[i:j], bends[i:j])

    def _step(self, i: int) -> int:
        """What the text at position ``i`` becomes, in order of precedence; returns the next position."""
        base, out = self.base, self.out
        m = _URL.match(base, i)
        if m:
            out.token("url", self.bstarts[i], self.bends[m.end() - 1])
            return m.end()
        ch = base[i]
        if ch == "@" and (i == 0 or not base[i - 1].isalnum()):
            m = _MENTION.match(base, i)
            if m:
                return m.end()
        if ch == "[":
            m = _BRACKET_EMOTE.match(base, i)
            if m:
                out.token(EMOTE_CLASSES.get(m.group(), "emote"), self.bstarts[i], self.bends[m.end() - 1])
                return m.end()
        m = _SYMBOL.match(base, i)
        if m:
            out.token(EMOTE_CLASSES[m.group()], self.bstarts[i], self.bends[m.end() - 1])
            return m.end()
        if "a" <= ch <= "z" and (i == 0 or not base[i - 1].isalnum()):
            end = self._word(i)
            if end:
                return end
        j = i + 1
        while j < self.n and base[j] == ch:
            j += 1
        self._plain(i, j)
        return j

    def _word(self, i: int) -> int:
        """An emote code or a laugh starting at word start ``i``: its end, or 0 if it is neither."""
        base, n = self.base, self.n
        m = _WORD.match(base, i)
        assert m is not None
        word, end = m.group(), m.end()
        key = _emote_key(word)
        if key is not None and (end >= n or not base[end].isalnum()):
            self.out.token(EMOTE_CLASSES[key], self.bstarts[i], self.bends[end - 1])
            return end
        if _LAUGH.fullmatch(word):
            self.out.token("emotelaugh", self.bstarts[i], self.bends[end - 1])
            return end
        return 0


def _emote_key(word: str) -> str | None:
    """The word emote ``word`` spells, stretched (``looool``, ``poggggers``), or None."""
    once = _RUN.sub(r"\1", word)
    if once in _WORD_EMOTES:
        return once
    twice = _RUN.sub(r"\1\1", word)
    return twice if twice in _WORD_EMOTES else None


def normalize(text: str | None) -> Normalized:
    """Normalize one chat message (see the module docstring)."""
    if not text:
        return Normalized("", (), ())
    base, bstarts, bends = _nfkc_lower(text)
    first = _trigger_search(base)(base)
    if first is None and _LONG_RUN.search(base) is None:
        return Normalized(base, tuple(bstarts), tuple(bends))
    out = _Scan(base, bstarts, bends, track=True).run(first)
    return Normalized("".join(out.pieces), tuple(out.starts), tuple(out.ends))


def normalize_text(text: str | None) -> str:
    """Only the normalized text, whitespace collapsed (for matching and featurizing)."""
    if not text:
        return ""
    base, bstarts, bends = _nfkc_lower(text)
    first = _trigger_search(base)(base)
    if first is None:  # one plain stretch
        if _LONG_RUN.search(base) is not None:
            base = _LONG_RUN.sub(r"\1\1", base)
        return " ".join(base.split())
    return " ".join("".join(_Scan(base, bstarts, bends, track=False).run(first).pieces).split())
