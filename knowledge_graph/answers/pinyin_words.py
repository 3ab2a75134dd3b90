"""Shop words typed half in pinyin ("还包you嘛", "退huo有时间限制嘛"), spelled in Chinese before the
question is read.

A viewer whose input method offered the wrong candidate sometimes sends the syllable as typed. The shop
topics are found by their Chinese words (``lexicon.SHOP_TOPICS``), which such a message lacks, so it was
passed on unanswered. Product names get the same treatment from ``fuzzy.respell_sound_alikes``; this is
its counterpart for the shop's own words. Only a Latin syllable that spells the missing character's
reading exactly is taken, never a sound-alike Han character: "包油" may be a word of its own, "包you"
is not. Shop words typed as their pinyin initials ("是zp不", "kf在哪找": ``lexicon.SHOP_WORD_INITIALS``)
are spelled out too, when the message is otherwise Chinese.
"""

from __future__ import annotations

import re
from functools import cache

from knowledge_graph.answers.lexicon import SHOP_TOPICS, SHOP_WORD_INITIALS
from knowledge_graph.catalog.homophones import (
    Slip,
    SoundIndex,
    build_sound_index,
    respell,
    sound_alikes,
    units,
)
from knowledge_graph.model.text import is_cjk, normalize_key

__all__ = ["respell_shop_words"]


@cache
def _topic_of() -> dict[str, str]:
    """Each Chinese word of the shop topics (their cue words and the words of their labels) -> topic."""
    return {
        word: label
        for cues, label in SHOP_TOPICS
        for word in (*cues, *label.split())
        if len(word) >= 2 and all(is_cjk(ch) for ch in word)
    }


@cache
def _shop_words() -> SoundIndex:
    return build_sound_index(_topic_of())


_INITIALS = "|".join(SHOP_WORD_INITIALS)
INITIALS = re.compile(
    rf"(?<=[\u4e00-\u9fff])({_INITIALS})(?![a-z])|(?<![a-z])({_INITIALS})(?=[\u4e00-\u9fff])"
)
"""Initials written against a Chinese character ("是zp不"), not a word of an English phrase ("by the way")."""


def respell_shop_words(text: str) -> str:
    """``text`` (normalized) with each shop word that has one syllable in Latin letters, or is typed as
    its initials, spelled in Chinese; ``text`` itself when it has none."""
    normalized = normalize_key(text)[:500]
    if not any(is_cjk(ch) for ch in normalized) or not any(
        ch.isascii() and ch.isalpha() for ch in normalized
    ):
        return text
    spelled = INITIALS.sub(lambda m: SHOP_WORD_INITIALS[m.group(1) or m.group(2)], normalized)
    parts = units(spelled)

    def typed_in_latin_for_one_topic(slip: Slip) -> bool:  # "包you": 包邮, or its listed slip 包油
        typed = parts[slip.start : slip.end]
        latin = not all(len(unit) == 1 and is_cjk(unit) for unit in typed)
        return latin and len({_topic_of()[key] for key in slip.keys}) == 1

    respelled = respell(parts, sound_alikes(_shop_words(), parts), typed_in_latin_for_one_topic)
    return respelled or (spelled if spelled != normalized else text)
