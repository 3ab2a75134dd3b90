"""Shop words typed with one syllable in Latin letters are spelled in Chinese; nothing else changes."""

from __future__ import annotations

import pytest

from knowledge_graph.answers.pinyin_words import respell_shop_words


@pytest.mark.parametrize(
    ("typed", "spelled"),
    [
        ("退huo要几天", "退货要几天"),
        ("发piao能开吗", "发票能开吗"),
        ("tui款多久到账", "退款多久到账"),
        ("WU流到哪了", "物流到哪了"),  # normalized: case folded
    ],
)
def test_a_syllable_in_latin_letters_becomes_its_character(typed: str, spelled: str) -> None:
    assert respell_shop_words(typed) == spelled


def test_words_of_one_topic_that_sound_alike_still_respell() -> None:
    """包邮 and the common slip 包油 are cue words of the same topic: "包you" is spelled as one of them."""
    assert respell_shop_words("还包you嘛") in ("还包邮嘛", "还包油嘛")


@pytest.mark.parametrize(
    "text",
    [
        "包邮吗",  # already Chinese
        "how much is shipping",  # all Latin: nothing to respell
        "退hou要几天",  # hou is not the reading of 货
        "你好you在吗",  # no shop word
        "洗面nai好用吗",  # a product name: fuzzy.respell_sound_alikes' job, not this one's
    ],
)
def test_other_text_is_left_as_typed(text: str) -> None:
    assert respell_shop_words(text) == text


@pytest.mark.parametrize(
    ("typed", "spelled"),
    [
        ("是zp不 姐妹们", "是正品不 姐妹们"),
        ("by不亲", "包邮不亲"),
        ("kf在哪找", "客服在哪找"),
        ("能开fp不", "能开发票不"),
    ],
)
def test_shop_words_typed_as_their_initials_are_spelled_out(typed: str, spelled: str) -> None:
    assert respell_shop_words(typed) == spelled


@pytest.mark.parametrize("text", ["买了口红 by the way 好看", "i love it by the way 😀", "hhh笑死 kfc好吃"])
def test_initials_inside_english_words_or_phrases_stay(text: str) -> None:
    assert respell_shop_words(text) == text
