"""Size and colour mentions in chat ("is the red one in M", "主播这个有M码吗", "黑色还有吗").

A lexicon + patterns over the normalized text (``nlu.text.normalizer``), offsets in the raw text.
Deterministic on purpose: sizes and colours are a closed set, and a lexicon does not need the
catalog or retraining. Values are canonical (``"M"``, ``"XL"``, ``"red"``) so the action can
compare them with variant fields; Chinese colours map to the English name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.text.normalizer import normalize

COLOURS: dict[str, str] = {
    "red": "red",
    "blue": "blue",
    "black": "black",
    "white": "white",
    "pink": "pink",
    "green": "green",
    "yellow": "yellow",
    "purple": "purple",
    "grey": "grey",
    "gray": "grey",
    "brown": "brown",
    "beige": "beige",
    "nude": "nude",
    "coral": "coral",
    "orange": "orange",
    "navy": "navy",
    "gold": "gold",
    "silver": "silver",
    "burgundy": "burgundy",
    "peach": "peach",
    "红色": "red",
    "大红": "red",
    "正红": "red",
    "蓝色": "blue",
    "黑色": "black",
    "白色": "white",
    "粉色": "pink",
    "粉红": "pink",
    "绿色": "green",
    "黄色": "yellow",
    "紫色": "purple",
    "灰色": "grey",
    "棕色": "brown",
    "咖啡色": "brown",
    "米色": "beige",
    "裸色": "nude",
    "珊瑚色": "coral",
    "橘色": "orange",
    "橙色": "orange",
    "藏青": "navy",
    "金色": "gold",
    "银色": "silver",
    "酒红": "burgundy",
    "酒红色": "burgundy",
    "豆沙色": "rose",
    "蜜桃色": "peach",
    "黑的": "black",
    "白的": "white",
    "红的": "red",
    "粉的": "pink",
}

_SIZE_CANON = {
    "xs": "XS",
    "s": "S",
    "m": "M",
    "l": "L",
    "xl": "XL",
    "xxl": "XXL",
    "2xl": "XXL",
    "xxxl": "XXXL",
    "3xl": "XXXL",
    "small": "S",
    "medium": "M",
    "large": "L",
    "小码": "S",
    "中码": "M",
    "大码": "L",
    "加大码": "XL",
    "均码": "one size",
    "one size": "one size",
}

_LETTER = r"(?:xxxl|xxl|xl|xs|[23]xl|s|m|l)"
_SIZE_PATTERNS = [
    # "M码", "xl码", "l号"
    re.compile(rf"(?<![a-z0-9])({_LETTER})\s?[码号]"),
    re.compile(r"(加大码|大码|中码|小码|均码)"),
    # "size m", "size small", "in size 38"
    re.compile(rf"\bsize\s+({_LETTER}|small|medium|large|\d{{1,2}})\b"),
    re.compile(r"\b(small|medium|large|one size)\s+size\b"),
    # bare "xl", "xxl", "xs", "2xl"
    re.compile(r"(?<![a-z0-9])(xxxl|xxl|xl|xs|[23]xl)(?![a-z0-9])"),
    # "in m", "in l", "an m", "in small" (bare S/M/L only after these words)
    re.compile(r"\b(?:in|an|a|the|got|have|is|any|need|want)\s+(s|m|l|small|medium|large)(?![a-z0-9'])"),
]
# A bare capital S/M/L in the raw text ("is M still available") is a size too.
_BARE_CAPITAL = re.compile(r"(?<![A-Za-z0-9'])([SML])(?![A-Za-z0-9'])")


@dataclass(frozen=True)
class Attribute:
    entity: str  # "size" | "colour"
    value: str
    start: int
    end: int


def find_attributes(text: str) -> list[Attribute]:
    """Size and colour mentions in ``text`` (raw offsets), left to right, non-overlapping."""
    norm = normalize(text)
    hay = norm.text
    taken = [False] * len(hay)
    found: list[Attribute] = []

    def add(entity: str, value: str, start: int, end: int) -> None:
        if end <= start or any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        s, e = norm.source_span(start, end)
        found.append(Attribute(entity, value, s, e))

    for pattern in _SIZE_PATTERNS:
        for m in pattern.finditer(hay):
            raw = m.group(1)
            value = _SIZE_CANON.get(raw, raw.upper())
            add("size", value, *m.span(1))
    for m in _BARE_CAPITAL.finditer(text):
        # find the normalized position of this raw character
        for i, (s0, e0) in enumerate(zip(norm.starts, norm.ends, strict=True)):
            if s0 == m.start(1) and e0 == m.end(1):
                add("size", m.group(1), i, i + 1)
                break
    for word in sorted(COLOURS, key=len, reverse=True):
        start = hay.find(word)
        while start >= 0:
            end = start + len(word)
            latin = word.isascii()
            ok = not latin or (
                (start == 0 or not hay[start - 1].isalnum()) and (end >= len(hay) or not hay[end].isalnum())
            )
            if ok:
                add("colour", COLOURS[word], start, end)
            start = hay.find(word, start + 1)
    return sorted(found, key=lambda a: a.start)
