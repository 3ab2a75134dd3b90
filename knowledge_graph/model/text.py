"""Text normalization shared by everything that matches names against chat.

Viewers type "ＬＩＰＳＴＩＣＫ", "Lipstick ", "lip\u3000stick" or "口红"; the catalog stores
"Matte Lipstick" and "口红". Both sides go through ``normalize_key`` -- the one and only
normalizer -- so a key written by ``upsert_products`` and a key looked up from a chat
message can be compared with plain equality / substring tests, in Python or in Cypher.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Unicode category Cc is exactly these 65 code points; a regex is ~10x faster than asking
# unicodedata.category per character (normalize_key runs for every key of every import).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def normalize_key(text: str) -> str:
    """Return the matching form of ``text``: NFKC, case-folded, whitespace collapsed.

    NFKC folds full-width Latin and compatibility forms ("ＳＰＦ５０" -> "SPF50"); it runs
    again after case folding because folding can produce sequences NFKC would change
    (so the function is idempotent). Control characters become spaces: they never
    belong in a name, and NUL cannot even be sent to FalkorDB.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _SPACE.sub(" ", _CONTROL.sub(" ", folded)).strip()


def is_cjk(ch: str) -> bool:
    """True for Han, kana and Hangul characters, whose words are not space-delimited."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x3134F  # CJK extensions B-G
    )


def _is_word_char(ch: str) -> bool:
    """Letters/digits of space-delimited scripts: a key must not start or end inside a run of them."""
    return ch.isalnum() and not is_cjk(ch)


def plural_tail(text: str, end: int) -> int:
    """The length of the "s"/"es" of an English plural of the word ending at ``end`` ("candle|s",
    "brush|es", "gloss|es") when nothing of the word follows it; 0 when there is none."""
    last = text[end - 1] if end else ""
    if not ("a" <= last <= "z"):
        return 0
    sibilant = last in "sxz" or text[end - 2 : end] in ("sh", "ch")
    tail = (
        2
        if sibilant and text.startswith("es", end)
        else 1
        if not sibilant and text.startswith("s", end)
        else 0
    )
    return tail if tail and (end + tail == len(text) or not _is_word_char(text[end + tail])) else 0


def plural_ending(text: str, end: int) -> bool:
    return plural_tail(text, end) > 0


def singular(word: str) -> str:
    """An English plural's singular by the same rule ("candles", "brushes", "glosses" -> "candle",
    "brush", "gloss"); a word that is no such plural ("glass") stays."""
    for tail in (2, 1):
        if len(word) - tail > 2 and plural_tail(word, len(word) - tail) == tail:
            return word[:-tail]
    return word


def find_word(key: str, text: str, *, plurals: bool = False) -> int:
    """Index of the first occurrence of normalized ``key`` in normalized ``text`` at word boundaries, or -1.

    Boundaries only matter between two letters/digits of space-delimited scripts, so
    "lip" is not found inside "lipstick", while "口红" is found inside "这个口红多少钱"
    and "lipstick" inside "这个lipstick多少钱". With ``plurals`` an English plural ending is a boundary too:
    "bank card" is found in "do you take bank cards", "brush" in "brushes".
    """
    if not key:
        return -1
    start = text.find(key)
    while start != -1:
        end = start + len(key)
        left_ok = start == 0 or not (_is_word_char(text[start - 1]) and _is_word_char(key[0]))
        right_ok = (
            end == len(text)
            or not (_is_word_char(text[end]) and _is_word_char(key[-1]))
            or (plurals and plural_ending(text, end))
        )
        if left_ok and right_ok:
            return start
        start = text.find(key, start + 1)
    return -1


def pick_language(lang: str, en: str | None, zh: str | None) -> str | None:
    """The ``zh`` text for "zh", "zh-CN", "zh-Hant"..., else the ``en`` one; falls back to
    the other language when the preferred one is empty, and to None when both are."""
    first, second = (zh, en) if lang.lower().startswith("zh") else (en, zh)
    return first or second or None
