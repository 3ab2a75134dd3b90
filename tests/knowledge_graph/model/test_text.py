"""normalize_key and word-boundary matching: the rules every lookup relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge_graph.model.text import find_word, normalize_key, pick_language


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Matte Lipstick", "matte lipstick"),
        ("  MATTE \t\n lipstick ", "matte lipstick"),
        ("ＭＡＴＴＥ　ＬＩＰＳＴＩＣＫ", "matte lipstick"),  # full-width letters and ideographic space
        ("口红", "口红"),
        ("气垫ＢＢ", "气垫bb"),
        ("Straße", "strasse"),
        ("a\x00b", "a b"),
        ("", ""),
    ],
)
def test_normalize_key(raw: str, key: str) -> None:
    assert normalize_key(raw) == key


@given(st.text())
def test_normalize_key_is_idempotent(text: str) -> None:
    once = normalize_key(text)
    assert normalize_key(once) == once
    assert "\x00" not in once


@pytest.mark.parametrize(
    ("key", "text", "pos"),
    [
        ("lipstick", "how much is the lipstick?", 16),
        ("lip", "how much is the lipstick?", -1),
        ("lip", "lip, lipstick", 0),
        ("stick", "lipstick", -1),
        ("lipstick", "lipsticks", -1),
        ("lipstick", "lipstick lipsticks", 0),
        ("lipstick", "lipsticks and lipstick", 14),
        ("口红", "这个口红多少钱", 2),
        ("lipstick", "这个lipstick多少钱", 2),
        ("spf50", "is spf50 enough", 3),
        ("matte lip", "matte lipstick", -1),
        ("", "anything", -1),
    ],
)
def test_find_word(key: str, text: str, pos: int) -> None:
    assert find_word(key, text) == pos


def test_pick_language_falls_back() -> None:
    assert pick_language("zh", "Lipstick", "口红") == "口红"
    assert pick_language("zh-CN", "Lipstick", "口红") == "口红"
    assert pick_language("en", "Lipstick", "口红") == "Lipstick"
    assert pick_language("fr", "Lipstick", "口红") == "Lipstick"
    assert pick_language("zh", "Lipstick", "") == "Lipstick"
    assert pick_language("en", "", "口红") == "口红"
    assert pick_language("en", None, "") is None
