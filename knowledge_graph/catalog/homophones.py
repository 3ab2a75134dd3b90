"""Chinese product names typed with a sound-alike character, found so the question can be respelled
before the product resolver reads it (``fuzzy.respell_sound_alikes``).

Danmaku is typed with a pinyin input method, and a hurried viewer takes the wrong candidate of the same
syllable: 防嗮 for 防晒, 汽垫 for 气垫, 睫毛糕 for 睫毛膏, 粉底夜 for 粉底液, or leaves the syllable
in Latin letters (洗面nai). The edit-distance index (``fuzzy``) cannot tell such a slip from another
word (润唇油 is lip oil, not 润唇膏), and it only sees space-separated words; this one accepts a name
whose characters all match but one, and that one has the same pronunciation, tone included.

Why the tone: it keeps real words out that sound nearly alike. 发券 (fā quàn, "hands out coupons") is
not 发圈 (fà quān, scrunchies), 唇油 (chún yóu, lip oil) is not 唇釉 (chún yòu, lip gloss), 界面 is not
洁面, 米粉 is not 蜜粉. A Latin syllable carries no tone, so it must spell the reading exactly. The few
everyday words that sound exactly like a catalog name (``SAME_SOUND_WORDS``) are never read as it.

How: each CJK match key of two or more characters is filed under every form with one character masked
("防?", "?晒"); a chat window is probed under its own masked forms, so a lookup costs (windows x key
lengths x characters) dict probes whatever the catalog size. Readings come from pypinyin's character
table (``pinyin_dict``, ~42,000 characters, loaded once on the first lookup).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from knowledge_graph.model.text import is_cjk

__all__ = [
    "SAME_SOUND_WORDS",
    "Slip",
    "SoundIndex",
    "build_sound_index",
    "common_reading",
    "respell",
    "sound_alikes",
    "units",
]

MASK = "\0"
"""Stands for the one character a name may be typed with by sound (never in normalized text)."""

SAME_SOUND_WORDS = frozenset({"刷剧", "京华", "定装", "粉低"})
"""Everyday words that sound exactly like a catalog name (刷具, 精华, 定妆) and mean something else."""

PARTICLES = frozenset("的地得了着过吗嘛呢吧啊呀哦哈么")
"""Function characters: a name is never recognised by sounding one of them ("洗脸得" is not 洗脸的)."""

_RETROFLEX = re.compile(r"^([zcs])h")
_UNIT = re.compile(r"[a-z]+|.", re.DOTALL)


@cache
def _table() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict  # ~0.1 s; only chats with a sound-alike name pay it

    return pinyin_dict


def _toneless(syllable: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))


@cache
def common_reading(ch: str) -> str:
    """The commonest toned pinyin reading of one Han character ("长" -> "cháng"; pypinyin lists it
    first); empty if unknown."""
    return _table().get(ord(ch), "").split(",")[0]


def _loose(syllable: str) -> str:
    """A toned syllable with the retroflex initials flattened (shài -> sài): the input methods' "fuzzy
    pinyin" that many southern viewers type with, so 防嗮 (sài) still names 防晒 (shài)."""
    return _RETROFLEX.sub(r"\1", syllable)


def _sounds_like(typed: str, meant: str) -> bool:
    """``typed`` (a Han character or a Latin syllable) is pronounced as the key character ``meant``.

    Characters count by their commonest reading only: 油 is yóu, not the rare yòu of 釉, and the 液 of
    精华液 is yè, not the shì that 是 shares with it."""
    if typed in PARTICLES or meant in PARTICLES:
        return False
    said = common_reading(meant)
    if typed.isascii():
        return bool(said) and typed == _toneless(said)
    return bool(said) and _loose(common_reading(typed)) == _loose(said)


@dataclass
class SoundIndex:
    """Match keys by their masked forms (``{"防\\0": ["防晒"], "\\0晒": ["防晒"]}``) and the key lengths."""

    masked: dict[str, list[str]] = field(default_factory=dict)
    lengths: tuple[int, ...] = ()


def build_sound_index(keys: Iterable[str]) -> SoundIndex:
    """The index of the all-CJK ``keys`` of two characters or more."""
    index = SoundIndex()
    lengths = set()
    for key in sorted(set(keys)):
        if len(key) < 2 or not all(is_cjk(ch) for ch in key):
            continue
        lengths.add(len(key))
        for ch in key:
            common_reading(ch)  # loads the reading table here (off the event loop), not on a lookup
        for i in range(len(key)):
            index.masked.setdefault(key[:i] + MASK + key[i + 1 :], []).append(key)
    index.lengths = tuple(sorted(lengths))
    return index


def units(text: str) -> list[str]:
    """``text`` as characters, with each run of Latin letters as one unit (a syllable typed as such)."""
    return _UNIT.findall(text)


@dataclass(frozen=True)
class Slip:
    """Units ``start:end`` of a message that sound like the keys ``keys`` (one character off)."""

    start: int
    end: int
    keys: tuple[str, ...]


def sound_alikes(index: SoundIndex, parts: list[str]) -> list[Slip]:
    """The windows of ``parts`` (``units`` of normalized text) that name a key of ``index`` with one
    character by its sound, in text order. Windows spelled exactly are not slips, and neither are
    ``SAME_SOUND_WORDS``."""
    slips: list[Slip] = []
    for start in range(len(parts)):
        for length in index.lengths:
            window = parts[start : start + length]
            if len(window) < length:
                break
            if "".join(window) in SAME_SOUND_WORDS:
                continue
            odd = [i for i, unit in enumerate(window) if len(unit) != 1 or not is_cjk(unit)]
            if len(odd) > 1 or (odd and not window[odd[0]].isalpha()):
                continue  # every character but the one typed by its sound is a CJK character of the name
            keys: dict[str, None] = {}
            for i in odd or range(length):
                masked = "".join(window[:i]) + MASK + "".join(window[i + 1 :])
                for key in index.masked.get(masked, ()):
                    if key[i] != window[i] and _sounds_like(window[i], key[i]):
                        keys[key] = None
            if keys:
                slips.append(Slip(start, start + length, tuple(keys)))
    return slips


def respell(parts: list[str], slips: list[Slip], accept: Callable[[Slip], bool]) -> str | None:
    """``parts`` joined, each accepted slip replaced by its first key: at each start the longest
    accepted, none overlapping one taken before; None when no slip is accepted."""
    taken = 0
    respelled: list[str] = []
    for slip in sorted(slips, key=lambda s: (s.start, s.start - s.end)):
        if slip.start < taken or not accept(slip):
            continue
        respelled += [*parts[taken : slip.start], slip.keys[0]]
        taken = slip.end
    return "".join([*respelled, *parts[taken:]]) if respelled else None
