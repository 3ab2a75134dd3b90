"""Triage of real-looking chat lines, English and Chinese."""

from __future__ import annotations

import pytest

from bot.core.triage import Priority, Triage

CATALOG = ["Matte Lipstick", "哑光口红", "lipstick", "口红", "serum", "精华", "Hydrating Serum"]


@pytest.fixture
def triage() -> Triage:
    return Triage("liveroom", CATALOG)


@pytest.mark.parametrize(
    "text",
    [
        "how much is the matte lipstick?",
        "这个口红多少钱",
        "price??",
        "link pls",
        "@bot is the red one in stock",
        "@liveroom hi",
        "hi bot",
        "主播这个有M码吗",
        "精华还有货吗",
        "多少钱啊主播",
        "when is the next stream",
        "is the serum good for dry skin",
        "SERUM",
    ],
)
def test_questions_for_the_bot_are_directed(triage: Triage, text: str) -> None:
    assert triage.classify(text).priority is Priority.DIRECTED, text


@pytest.mark.parametrize(
    "text", ["lol 666 PogChamp", "哈哈哈哈哈", "666666", "主播好美", "gg", "KEKW", "this song slaps", "前排"]
)
def test_chatter_is_chatter(triage: Triage, text: str) -> None:
    assert triage.classify(text).priority is Priority.CHATTER, text


def test_commands(triage: Triage) -> None:
    assert triage.classify("!price serum").priority is Priority.COMMAND
    assert triage.classify("!schedule").priority is Priority.COMMAND
    assert triage.classify("!!!").priority is Priority.CHATTER


def test_catalog_names_can_be_swapped(triage: Triage) -> None:
    assert triage.classify("new palette looks nice").priority is Priority.CHATTER
    triage.set_product_names(["palette"])
    assert triage.classify("new palette looks nice").priority is Priority.DIRECTED
    assert triage.classify("lipstick").priority is Priority.CHATTER  # no longer in the catalog


def test_product_names_match_on_word_boundaries(triage: Triage) -> None:
    triage.set_product_names(["lip"])
    assert triage.classify("flipping out lol").priority is Priority.CHATTER


def test_talk_to_the_streamer_is_hers_unless_it_asks_to_buy() -> None:
    triage = Triage("liveroom", ["matte lipstick", "口红"])
    triage.set_streamer_names(["Lulu", "露露"])
    for text in ("lulu what's your favorite shade", "露露今天涂的什么色号呀", "主播好美", "W stream lulu"):
        result = triage.classify(text)
        assert (result.priority, result.to_streamer) == (Priority.CHATTER, True), text
    for text in ("主播这个多少钱", "lulu link pls", "露露 口红还有吗", "lulu how much is the matte lipstick"):
        result = triage.classify(text)
        assert result.priority is Priority.DIRECTED and not result.to_streamer, text


@pytest.mark.parametrize(
    "text", ["乐府没钱了吗", "如何评价我被拉黑了", "舰长都什么成分啊", "这是录播吗", "草 一进来就直球要钱"]
)
def test_danmaku_slang_is_not_a_shop_question(text: str) -> None:
    assert not Triage("liveroom").classify(text).shop_question


@pytest.mark.parametrize("text", ["多少钱", "还有货吗", "M码有吗？", "可以退货吗", "怎么付款", "有链接吗"])
def test_chinese_shop_questions_still_are(text: str) -> None:
    assert Triage("liveroom").classify(text).shop_question
