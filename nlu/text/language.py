"""Which language a chat message is written in: ``"en"`` or ``"zh"``.

This module is the single place for that decision. The Rasa pipeline (``nlu.rasa.language_component``,
Python 3.10), the action server and the gateway (Python 3.11) all import it, so it is pure Python
with no third-party imports and no syntax newer than 3.10.

The rule (``detect_language``):

1. Noise is removed first: ``@mentions``, URLs and Bilibili-style bracket emotes (``[doge]``,
   ``[笑哭]``) say nothing about the viewer's language.
2. Evidence is counted in comparable units. A Han character carries roughly a word of meaning, so
   each Han ideograph counts 1 and each Latin word (``lipstick``, or a Twitch emote code such as
   ``LUL``) counts 1. Digits, punctuation, emoji, kaomoji and other scripts count 0.
3. If there is at least one Han character and Han characters >= Latin words, the message is
   Chinese; ties go to Chinese because viewers who do not read Chinese practically never type Han
   characters, while Chinese viewers often mix in English product names and emote codes.
   ``这个lipstick多少钱`` -> 5 vs 1 -> zh; ``how much is the 口红`` -> 2 vs 4 -> en.
4. With neither (``666``, ``???``, ``[doge]``), full-width CJK punctuation (``？？？``)
   means a Chinese input method, hence zh; otherwise the caller's ``default`` (en unless told).
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]

SUPPORTED_LANGUAGES: tuple[Language, ...] = ("en", "zh")
DEFAULT_LANGUAGE: Language = "en"

# Noise that carries no language signal; removed before counting.
_NOISE = re.compile(
    r"https?://\S+"  # links
    r"|www\.\S+"
    r"|@[\w.-]+"  # @mentions (@bot, @主播 would otherwise count as Chinese)
    r"|\[[^\[\]\s]{1,16}\]"  # Bilibili emote codes: [doge], [笑哭], [dog]
)

# Han ideographs: CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extension B+.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
# A Latin word (ASCII, accented and full-width Latin letters; "don't" is one word). Greek and
# Cyrillic are left out on purpose: in this chat they appear mostly inside kaomoji, (´･ω･`) (╯°Д°)╯.
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\uff21-\uff3a\uff41-\uff5a"
_LATIN_WORD = re.compile(rf"[{_LATIN}]+(?:['\u2019][{_LATIN}]+)*")
# Punctuation only a CJK input method types: 。，、！？：；「」『』【】（）～ and full-width forms.
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff5b-\uff60]")

# How the gateway or a platform may spell the two languages (lower-cased, "_" read as "-").
_ALIASES: dict[str, Language] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "zh": "zh",
    "zho": "zh",
    "chi": "zh",
    "cn": "zh",
    "chinese": "zh",
    "中文": "zh",
}


def detect_language(text: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """Return ``"zh"`` or ``"en"`` for a chat message, by the rule in the module docstring.

    ``default`` is the answer when the message has no language signal at all (emotes, digits,
    empty text); a Bilibili room may pass ``"zh"``.
    """
    if not text:
        return default
    cleaned = _NOISE.sub(" ", text)
    han = len(_HAN.findall(cleaned))
    words = len(_LATIN_WORD.findall(cleaned))
    if han and han >= words:
        return "zh"
    if words:
        return "en"
    if _CJK_PUNCTUATION.search(cleaned):
        return "zh"
    return default


def normalize_language(value: object) -> Language | None:
    """Map a language tag from metadata or a slot (``"zh-CN"``, ``"en_US"``, ``"ZH"``) to en/zh.

    Returns None for anything else (missing, not a string, another language), so callers can
    fall back to detection instead of trusting a malformed value.
    """
    if not isinstance(value, str):
        return None
    tag = value.strip().lower().replace("_", "-")
    if not tag:
        return None
    return _ALIASES.get(tag) or _ALIASES.get(tag.split("-", 1)[0])
