"""Every question the load generator asks the bot is triaged as directed (chatter is shed when busy)."""

from __future__ import annotations

import pytest

from bot.core.triage import Triage
from connectors.simulator.chatlog import _QUESTIONS_EN, _QUESTIONS_ZH, CHATTER


@pytest.mark.parametrize("text", [*_QUESTIONS_EN, *_QUESTIONS_ZH, "does this suit oily skin?", "适合干皮吗"])
def test_shopping_questions_are_directed(text: str) -> None:
    triage = Triage("liveroom", ["matte lipstick", "serum", "hoodie", "口红", "精华", "卫衣"])
    assert triage.classify(text).for_bot, text


def test_chatter_stays_chatter() -> None:
    triage = Triage("liveroom")
    assert [c for c in CHATTER if triage.classify(c).for_bot] == []
