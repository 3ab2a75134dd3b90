"""Chat sentiment (nlu/text/sentiment.py) on what it must not misread: a question that weighs prices."""

from __future__ import annotations

import pytest

from nlu.text.sentiment import sentiment


@pytest.mark.parametrize(
    "text", ["睫毛膏和眼线笔哪个贵", "保温杯贵还是香薰蜡烛贵", "最贵的唇膏多少钱", "气垫跟粉底液哪个贵点"]
)
def test_a_question_that_weighs_prices_is_not_a_complaint(text: str) -> None:
    assert sentiment(text, "zh") >= 0


@pytest.mark.parametrize("text", ["太贵了吧", "好贵啊", "贵死了", "太贵了 哪个便宜点"])
def test_saying_it_costs_too_much_still_is(text: str) -> None:
    assert sentiment(text, "zh") < 0
