"""Product names typed with a sound-alike character (the pinyin input method's wrong candidate)."""

from __future__ import annotations

import pytest

from knowledge_graph.catalog.homophones import build_sound_index, common_reading, sound_alikes, units
from knowledge_graph.model.text import normalize_key

KEYS = [
    "防晒",
    "防晒霜",
    "气垫",
    "睫毛膏",
    "洗面奶",
    "粉底液",
    "蜡烛",
    "唇釉",
    "发圈",
    "洁面",
    "蜜粉",
    "杯子",
    "刷具",
]


def slips(text: str) -> list[tuple[str, tuple[str, ...]]]:
    parts = units(normalize_key(text))
    return [("".join(parts[s.start : s.end]), s.keys) for s in sound_alikes(build_sound_index(KEYS), parts)]


@pytest.mark.parametrize(
    ("text", "typed", "meant"),
    [
        ("黄黑皮最怕防嗮涂完脸惨白", "防嗮", "防晒"),  # sài typed for shài: the flat-tongue "fuzzy pinyin"
        ("汽垫选21还是23", "汽垫", "气垫"),
        ("睫毛糕晚上拿清水冲能掉不", "睫毛糕", "睫毛膏"),
        ("粉底夜持妆多久", "粉底夜", "粉底液"),
        ("那个腊烛能点多久", "腊烛", "蜡烛"),
        ("直接用这个洗面nai能洗干净吗", "洗面nai", "洗面奶"),  # the syllable left in Latin letters
    ],
)
def test_a_name_typed_with_one_sound_alike_character_is_found(text, typed, meant) -> None:
    assert (typed, (meant,)) in slips(text)


@pytest.mark.parametrize(
    "text",
    [
        "主播什么时候发券",  # fā quàn, coupons: not 发圈 fà quān (the tone differs)
        "有唇油吗",  # lip oil, chún yóu: not 唇釉 chún yòu
        "直播间界面卡了",  # jiè miàn is not 洁面 jié miàn
        "米粉好吃",  # mǐ is not 蜜 mì
        "这辈子没用过",  # bèi is not 杯 bēi
        "刷剧的时候涂",  # an everyday word that sounds exactly like 刷具
        "头发全粘嘴上",  # 全 quán is not 圈 quān, whatever rare readings 圈 has
        "防晒霜好用吗",  # spelled right: the exact lookup's job, not a slip
        "洗面呢能卸妆吗",  # ne is not nǎi
    ],
)
def test_words_that_only_nearly_sound_like_a_name_are_not_it(text) -> None:
    assert slips(text) == []


def test_characters_count_by_their_commonest_reading() -> None:
    assert common_reading("油") == "yóu" and common_reading("液") == "yè"
    assert common_reading("a") == ""
