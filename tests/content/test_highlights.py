"""The highlight detector (bot/content/highlights.py) on per-second signals, and the words of a moment
(bot/content/chat_words.py)."""

from __future__ import annotations

import random

from bot.content.chat_words import describe, message_terms, top_terms
from bot.content.highlights import DetectorConfig, Highlight, detect
from bot.content.recap import chapters
from bot.content.text import highlight_title

START = 1_780_000_000.0


def _samples(seconds: int, rate: float, bursts: dict[int, tuple[int, float]], seed: int = 3) -> list:
    """(t, messages, sentiment) per second: Poisson-ish chat at ``rate``/s, ``bursts`` {start: (len, x)}."""
    rng = random.Random(seed)
    out = []
    for i in range(seconds):
        factor = next((x for s, (n, x) in bursts.items() if s <= i < s + n), 1.0)
        count = sum(1 for _ in range(int(rate * factor * 4)) if rng.random() < 0.25)
        out.append((START + i, count, 0.1))
    return out


def test_planted_bursts_are_found_at_their_onset_and_nothing_else() -> None:
    bursts = {900: (30, 5.0), 2400: (20, 4.0), 3300: (45, 3.5)}
    found = detect(START, 3600, _samples(3600, 1.5, bursts))
    onsets = [h.t - START for h in found]
    assert len(found) == 3, onsets
    for planted, got in zip(sorted(bursts), onsets, strict=True):
        assert abs(got - planted) <= 15
    assert all("rate" in h.kinds and h.rate_per_min > 3 * h.baseline_per_min for h in found)


def test_a_level_shift_is_no_moment_and_a_quiet_stream_has_none() -> None:
    steady = _samples(3600, 0.2, {})
    assert detect(START, 3600, steady) == []
    # the audience doubles for good at 30 min: no peak, it stays
    grown = [(t, n * (3 if t - START >= 1800 else 1), s) for t, n, s in _samples(3600, 1.0, {})]
    assert detect(START, 3600, grown) == []


def test_no_chat_at_all_gives_no_moments() -> None:
    assert detect(START, 0, []) == []
    assert detect(START, 600, [(START + i, 0, None) for i in range(0, 600, 10)]) == []


def test_a_sentiment_jump_alone_is_a_moment() -> None:
    samples = []
    for i in range(3600):
        mood = 0.8 if 2000 <= i < 2090 else 0.05 + 0.02 * ((i * 7919) % 5 - 2) / 2
        samples.append((START + i, 1, mood))
    found = detect(START, 3600, samples)
    assert len(found) == 1
    assert found[0].kinds == ["positive"]
    assert abs(found[0].t - START - 2000) <= 30


def test_min_separation_keeps_the_stronger_of_two_close_moments() -> None:
    bursts = {1000: (20, 3.0), 1040: (20, 6.0)}
    found = detect(
        START, 2400, _samples(2400, 1.5, bursts), DetectorConfig(merge_gap_s=5, min_separation_s=120)
    )
    assert len(found) == 1
    assert abs(found[0].t - START - 1040) <= 15


def test_terms_of_english_and_chinese_chat_with_emotes() -> None:
    terms, emotes = message_terms("哈哈哈哈哈 太便宜了 LUL 😂")
    assert "哈哈哈" in terms and "太便宜了" in terms and "便宜" in terms
    assert emotes == {"LUL", "😂"}
    terms, emotes = message_terms("Sooooo cheap, take my money KEKW")
    assert {"soo", "cheap", "take", "money"} <= terms and "my" not in terms
    assert emotes == {"KEKW"}


def test_top_terms_prefer_the_moment_over_the_session_and_drop_fragments() -> None:
    from bot.content.chat_words import chat_terms

    session = chat_terms(["hi everyone", "主播好", "来了来了", "wow"] * 200)
    window = chat_terms(
        ["太便宜了", "太便宜了！", "so cheap", "cheap!!", "太便宜了吧", "hi everyone", "wow"] * 3
    )
    words = [t for t, _ in top_terms(window, session)]
    assert "cheap" in words and any("便宜" in w for w in words)
    assert "hi" not in words and "wow" not in words  # as common all stream long
    assert "太便" not in words  # a fragment of 太便宜


def test_toxic_terms_are_never_shown() -> None:
    from bot.content.chat_words import chat_terms

    session = chat_terms(["hello"] * 100)
    window = chat_terms(["you idiot", "idiot lol", "idiot", "so idiot"] * 3)
    assert "idiot" not in [t for t, _ in top_terms(window, session)]


def _moment(kind_texts: list[str]) -> Highlight:
    h = Highlight(t=START + 600, peak_t=START + 610, end_t=START + 630, kinds=["rate"], score=9.0)
    texts = [(START + i, "hi everyone") for i in range(0, 1200, 3)]
    texts += [(START + 600 + i * 0.5, kind_texts[i % len(kind_texts)]) for i in range(40)]
    texts.sort()
    questions = [(START + i, "Matte Lipstick" if i % 2 else "Hydrating Serum") for i in range(0, 1200, 60)]
    questions += [(START + 601 + i, "Matte Lipstick") for i in range(8)]
    questions.sort()
    describe([h], texts, questions)
    return h


def test_funny_moment_title_in_both_languages_is_built_from_chat() -> None:
    h = _moment(["哈哈哈哈", "LUL", "笑死我了", "hahaha LUL"])
    assert h.kind == "funny"
    assert h.product == "Matte Lipstick"  # asked about right then, far above its share
    row = h.to_json()
    en, zh = highlight_title(row, "en"), highlight_title(row, "zh")
    assert en.startswith("Matte Lipstick · Funny moment: ")
    assert zh.startswith("Matte Lipstick · 笑点：")
    assert "LUL" in en
    assert "「笑死」" in zh or "「哈哈哈」" in zh


def test_price_drop_reaction_is_a_hype_moment() -> None:
    h = _moment(["太便宜了", "so cheap", "买买买", "cheap!!"])
    assert h.kind == "hype"
    words = [t for t, _ in h.terms]
    assert "cheap" in words and any("便宜" in w or "买买买" in w for w in words)


def test_chapters_start_at_zero_and_keep_ten_seconds_apart() -> None:
    hs = [
        Highlight(t=START + s, peak_t=START + s, end_t=START + s, kinds=["rate"], score=5.0)
        for s in (5, 400, 405)
    ]
    got = chapters(hs, START)
    assert [c["at"] for c in got] == ["00:00", "06:40"]  # 5 s and 405 s are too close to the previous one
    long = chapters([Highlight(t=START + 4000, peak_t=0, end_t=0, kinds=["rate"], score=1)], START)
    assert [c["at"] for c in long] == ["00:00:00", "01:06:40"]
