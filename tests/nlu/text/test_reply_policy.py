"""The reply policy: when the bot speaks, decided from the intent and how the message was addressed."""

from __future__ import annotations

import pytest

from nlu.text.reply_policy import Addressing, decide, is_real_question

CHATTER = Addressing()
ADDRESSED = Addressing(addressed=True, question=True)
SHOP = Addressing(shop_question=True, question=True)


def parse(intent: str, confidence: float = 0.9, in_domain: bool | None = None) -> dict:
    out: dict = {"intent": {"name": intent, "confidence": confidence}}
    if in_domain is not None:
        out["domain"] = {"score": 0.5, "in_domain": in_domain}
    return out


@pytest.mark.parametrize("intent", ["greet", "thanks", "praise", "goodbye", "bot_challenge"])
def test_social_intents_only_when_addressed(intent: str) -> None:
    assert not decide(parse(intent), CHATTER).run
    assert not decide(parse(intent), SHOP).run
    assert decide(parse(intent), ADDRESSED).run


def test_shop_intents_for_shop_questions_addressed_or_confident_questions() -> None:
    assert decide(parse("ask_price"), SHOP).run
    assert decide(parse("ask_price", 0.5), ADDRESSED).run
    assert not decide(parse("ask_price", 0.99), Addressing(question=True)).run  # "这是录播吗"
    assert not decide(parse("ask_price", 0.99), CHATTER).run  # not even a question: "love this serum"


def test_off_topic_gets_no_shop_content() -> None:
    verdict = decide(parse("ask_recommendation", in_domain=False), ADDRESSED)
    assert (verdict.run, verdict.intent) == (True, "out_of_scope")
    assert not decide(parse("ask_shipping", in_domain=False), SHOP).run
    assert decide(parse("ask_shipping", in_domain=True), SHOP).run


def test_fallback_and_out_of_scope_need_a_question_for_the_bot() -> None:
    assert decide(parse("nlu_fallback", 0.3), SHOP).run
    assert decide(parse("nlu_fallback", 0.3), ADDRESSED).run
    assert decide(parse("nlu_fallback", 0.3), Addressing(addressed=True)).run  # the action decides
    assert not decide(parse("nlu_fallback", 0.3), Addressing(question=True)).run  # "wait what chatter?"
    assert decide(parse("out_of_scope"), ADDRESSED).run
    assert not decide(parse("out_of_scope"), Addressing(question=True)).run


def test_chitchat_and_unaddressed_complaints_are_silent() -> None:
    assert not decide(parse("chitchat"), ADDRESSED).run
    assert not decide(parse("complain"), CHATTER).run  # "this song sucks" to the room
    assert decide(parse("complain"), SHOP).run


def test_addressing_travels_as_metadata() -> None:
    assert Addressing.from_metadata({"platform": "x"}) is None  # not from the gateway: no policy
    meta = Addressing(addressed=True, shop_question=False, question=True).as_metadata()
    assert Addressing.from_metadata(meta) == Addressing(addressed=True, question=True)
    assert Addressing.from_metadata({"addressed": "yes"}) == Addressing()  # only a real True counts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YEA?", False),
        ("WAYTOODANK ??", False),
        ("???", False),
        ("what?", False),
        ("@liveroom 啥", False),
        ("wait what is this?", True),
        ("is the serum in stock", True),
        ("有货吗", True),
        ("这个口红多少钱", True),
        ("do you ship to canada?", True),
        ("love this stream", False),
    ],
)
def test_real_questions(text: str, expected: bool) -> None:
    assert is_real_question(text) is expected


def test_a_follow_up_may_thank_the_bot_but_its_chatter_stays_chatter() -> None:
    follow_up = Addressing(follow_up=True)
    assert decide(parse("thanks"), follow_up).run
    for intent in ("goodbye", "complain", "nlu_fallback", "praise"):
        assert not decide(parse(intent), follow_up).run, intent


def test_questions_to_the_streamer_never_get_a_confident_shop_answer() -> None:
    to_her = Addressing(question=True, to_streamer=True)
    assert not decide(parse("ask_variant", 0.99), to_her).run
