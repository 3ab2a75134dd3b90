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
"""

from __future__ import annotations

import re
import unicodedata
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
    """Normalize one chat message (see the module docstring)."""
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
        # A replacement is surrounded by spaces so it becomes a token of its own.
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
        # Repeated characters: keep at most two of a run.
        j = i
        while j < n and base[j] == base[i]:
            j += 1
        keep = min(j - i, 2)
        for k in range(keep):
            emit(base[i], bstarts[i + k], bends[i + k])
        if j - i > keep:
            # The kept characters stand for the whole run in the source.
            oends[-1] = bends[j - 1]
        i = j
    return Normalized("".join(out), tuple(ostarts), tuple(oends))


def _squeeze(word: str, keep: int) -> str:
    return re.sub(r"(.)\1+", lambda m: m.group(1) * min(len(m.group()), keep), word)


def normalize_text(text: str | None) -> str:
    """Only the normalized text, whitespace collapsed (for matching and featurizing)."""
    return " ".join(normalize(text).text.split())
