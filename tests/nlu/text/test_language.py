"""detect_language / normalize_language: the one rule every process uses to pick en or zh."""

from __future__ import annotations

import pytest

from nlu.text.language import detect_language, normalize_language


@pytest.mark.parametrize(
    "text",
    [
        "how much is the matte lipstick?",
        "price??",
        "@bot how much is the serum",
        "lol",
        "LUL LUL LUL",
        "how much is the 口红",  # 2 Han characters vs 4 English words
        "is it crème brûlée flavour",
        "don't know",
        "ＰＲＩＣＥ？",  # full-width Latin still reads as English
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "这个口红多少钱",
        "多少钱啊主播",
        "这个lipstick多少钱",  # mixed: 5 Han characters vs 1 English word
        "口红 price?",  # tie-ish: 2 vs 1
        "主播 KEKW",  # a Twitch emote code does not make it English
        "好 ok",  # a tie goes to Chinese
        "@liveroom_bot 多少钱",  # the mention is not counted
        "[doge] 哈哈哈",  # a Bilibili emote code is not counted
        "？？？",  # only a Chinese input method types full-width punctuation
        "66666 主播好帅",
    ],
)
def test_chinese(text: str) -> None:
    assert detect_language(text) == "zh"


@pytest.mark.parametrize(
    "text", ["666", "???", "!!!", "", "   ", "😂😂😂", "(´･ω･`)", "[doge]", "www.example.com"]
)
def test_no_signal_uses_the_default(text: str) -> None:
    assert detect_language(text) == "en"
    assert detect_language(text, default="zh") == "zh"


def test_none_is_treated_as_empty() -> None:
    assert detect_language(None) == "en"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("ZH", "zh"),
        ("cn", "zh"),
        ("en", "en"),
        ("en-US", "en"),
        (" English ", "en"),
        ("ja", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_normalize_language(value: object, expected: str | None) -> None:
    assert normalize_language(value) == expected
