"""The issue-4 answer actions through the real action server, against FalkorDB with the demo catalog:
follow-ups use the product of an earlier turn, replies follow the viewer's language, and the fallback
chain hands unanswered questions (and complaints) to the moderators' open-question list."""

from __future__ import annotations

from typing import Any

import aiohttp

from knowledge_graph.answers.replies import complaint_reply, handoff_reply
from knowledge_graph.editing.open_questions import list_open_questions
from knowledge_graph.store import GraphStore
from tests.actions.helpers import ActionServer, call_action, price_request, slot_events

SERUM = "LR-SKN-001"


def request(action: str, text: str, lang: str, **kwargs: Any) -> dict[str, Any]:
    payload = price_request(text, lang=lang, **kwargs)
    payload["next_action"] = action
    return payload


def texts(result: dict[str, Any]) -> list[str]:
    return [r["text"] for r in result["responses"] if r.get("text")]


async def test_stock_follow_up_refers_to_the_product_of_the_earlier_turn(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    result = await call_action(
        http,
        action_server,
        request("action_answer_stock", "and is it in stock?", "en", slots={"product": SERUM}),
    )
    [reply] = texts(result)
    assert reply.startswith("Hydrating Serum is in stock")
    assert slot_events(result) == {"product": SERUM}

    result = await call_action(
        http, action_server, request("action_answer_stock", "那还有货吗", "zh", slots={"product": SERUM})
    )
    [reply] = texts(result)
    assert reply.startswith("补水精华有货")


async def test_product_question_without_any_product_asks_which_one(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    result = await call_action(
        http, action_server, request("action_answer_product_info", "what is it?", "en")
    )
    assert texts(result) == ["Which product do you want to know about? Tell me its name."]


async def test_variant_question_on_a_product_without_variants(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    result = await call_action(
        http,
        action_server,
        request("action_answer_variant", "is the mascara in black", "en", products=(("mascara", 7),)),
    )
    [reply] = texts(result)
    assert reply == "Waterproof Mascara comes in one version only, and it's in stock."


async def test_discount_schedule_streamer_answers(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    [reply] = texts(
        await call_action(http, action_server, request("action_answer_discount", "any discount", "en"))
    )
    assert "promo" in reply.lower() or "deal" in reply.lower()
    [reply] = texts(
        await call_action(http, action_server, request("action_answer_schedule", "几点开播", "zh"))
    )
    assert "直播" in reply
    [reply] = texts(
        await call_action(http, action_server, request("action_answer_streamer", "主播叫什么", "zh"))
    )
    assert reply.startswith("主播是露露")


async def test_recommendation_names_products(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    [reply] = texts(
        await call_action(
            http,
            action_server,
            request("action_recommend", "what goes with the serum", "en", products=(("serum", 19),)),
        )
    )
    # products that go with the serum: its category, never the serum itself
    assert reply.startswith("For Skin care, try the ") and "Serum" not in reply


async def test_unanswerable_question_is_handed_off_and_recorded(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    question = "does lulu have a cat at home?"
    result = await call_action(
        http,
        action_server,
        request(
            "action_faq_or_handoff",
            question,
            "en",
            metadata={"platform": "simulator", "room": "r1", "viewer_id": "ann", "lang": "en"},
        ),
    )
    assert texts(result) == [
        "Good question! I've passed it to the moderators; someone will answer in chat shortly."
    ]
    recorded = [q for q in await list_open_questions(store, 100) if q.text == question]
    assert len(recorded) == 1
    assert (recorded[0].platform, recorded[0].room, recorded[0].viewer_id, recorded[0].lang) == (
        "simulator",
        "r1",
        "ann",
        "en",
    )


async def test_unsure_chatter_gets_no_reply(http: aiohttp.ClientSession, action_server: ActionServer) -> None:
    result = await call_action(http, action_server, request("action_faq_or_handoff", "lol ok", "en"))
    assert texts(result) == []


async def test_chatter_an_answer_intent_matched_gets_no_guess(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    """The QA layer reads no question in these, so the intent's own stock or deals answer stays unsaid;
    a real question with the same intent is still answered."""
    for action, text, lang in (
        ("action_answer_stock", "买的睫毛膏刷完像苍蝇腿😂", "zh"),
        ("action_answer_discount", "got my serum yesterday, love it", "en"),
    ):
        result = await call_action(http, action_server, request(action, text, lang))
        assert texts(result) == [], text
    said = await call_action(
        http, action_server, request("action_answer_discount", "got my serum yesterday, love it", "en")
    )
    assert slot_events(said).get("product") == SERUM  # a remark names the product talked about next
    asked = await call_action(http, action_server, request("action_answer_stock", "睫毛膏还有货吗", "zh"))
    assert any("有货" in reply for reply in texts(asked))


async def test_complaint_is_recorded_for_moderators(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    text = "my package arrived damaged!!"
    result = await call_action(http, action_server, request("action_flag_complaint", text, "en"))
    assert texts(result) == [complaint_reply("en", recorded=True)]
    kinds = [q.kind for q in await list_open_questions(store, 100) if q.text == text]
    assert kinds == ["complaint"]


async def test_a_complaint_not_about_the_shop_gets_an_apology_and_no_record(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    """Nobody follows up "the music is too loud", so the bot must not say a moderator will."""
    text = "ugh the music is way too loud today"
    result = await call_action(http, action_server, request("action_flag_complaint", text, "en"))
    assert texts(result) == [complaint_reply("en", recorded=False)]
    assert [q for q in await list_open_questions(store, 100) if q.text == text] == []


async def test_a_reaction_with_a_question_mark_is_not_handed_off(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    for text in ("YEA?", "WAYTOODANK ??", "???"):
        result = await call_action(http, action_server, request("action_faq_or_handoff", text, "en"))
        assert texts(result) == [], text
        assert [q for q in await list_open_questions(store, 100) if q.text == text] == []


def unsure(text: str, guesses: list[tuple[str, float]]) -> dict[str, Any]:
    """A fallback request for ``text`` whose intent ranking puts ``guesses`` under the fallback."""
    payload = request("action_faq_or_handoff", text, "en")
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}] + [
        {"name": n, "confidence": c} for n, c in guesses
    ]
    payload["tracker"]["latest_message"]["intent_ranking"] = ranking
    return payload


async def test_unsure_greeting_still_gets_a_greeting(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    payload = unsure("hi bot", [("greet", 0.45), ("bot_challenge", 0.4)])
    result = await call_action(http, action_server, payload)
    assert [r.get("response") for r in result["responses"]] == ["utter_greet"]


async def test_an_unsure_goodbye_without_a_farewells_words_gets_no_goodbye(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    result = await call_action(http, action_server, unsure("link pls", [("goodbye", 0.3)]))
    assert result["responses"] == []


async def test_faq_answers_follow_the_domain_guard(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    """Issue 14: an in-domain question gets the FAQ at the in-domain similarity; an off-topic one (the
    NLU domain guard's verdict) never gets an FAQ, even when it is worded like one."""
    faq = "Tap the link in chat; Alipay, WeChat Pay and cards all work."
    asked = request("action_faq_or_handoff", "how do I pay?", "en")
    asked["tracker"]["latest_message"]["domain"] = {"score": 0.9, "in_domain": True}
    assert texts(await call_action(http, action_server, asked)) == [faq]
    off_topic = request("action_faq_or_handoff", "how do I pay?", "en")
    off_topic["tracker"]["latest_message"]["domain"] = {"score": 0.1, "in_domain": False}
    assert faq not in texts(await call_action(http, action_server, off_topic))
    # a slang paraphrase reaches the shop's FAQ through the question-answering layer (its shop-topic
    # words), unless the domain guard says the message is off-topic
    paraphrase = "can I send it back if I don't like it"
    guarded = request("action_faq_or_handoff", paraphrase, "en")
    guarded["tracker"]["latest_message"]["domain"] = {"score": 0.95, "in_domain": True}
    returns = "Unopened items can be returned within 7 days, no reason needed."
    outside = request("action_faq_or_handoff", paraphrase, "en")
    outside["tracker"]["latest_message"]["domain"] = {"score": 0.1, "in_domain": False}
    assert returns not in texts(await call_action(http, action_server, outside))
    assert texts(await call_action(http, action_server, guarded)) == [returns]


async def test_a_subject_that_is_not_the_shops_gets_no_deals_from_the_discount_action(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    """The layer says the question is off the shop's subject: the action does not list its codes instead."""
    result = await call_action(
        http, action_server, request("action_answer_discount", "anyone got a promo code for genshin 🎮", "en")
    )
    assert [r.get("response") for r in result["responses"]] == ["utter_out_of_scope"]
    assert not [t for t in texts(result) if "LIVE10" in t]


async def test_a_question_the_layer_could_not_read_is_handed_off_not_answered_by_the_template(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    question = "is the lipstick the same one the streamer is wearing"
    payload = request(
        "action_answer_stock",
        question,
        "en",
        products=(("lipstick", question.index("lipstick")),),
        metadata={"platform": "simulator", "room": "r1", "viewer_id": "bea", "lang": "en"},
    )
    result = await call_action(http, action_server, payload)
    assert texts(result) == [handoff_reply("en")]  # not the lipstick's stock, which nobody asked for
    assert [q for q in await list_open_questions(store, 100) if q.text == question]


async def test_the_first_one_is_a_product_the_viewer_asked_about_in_an_earlier_turn(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    payload = request("action_answer_variant", "第一个有几个色号啊", "zh", slots={"product": "LR-LIP-002"})
    events = payload["tracker"]["events"]
    latest = max(i for i, e in enumerate(events) if e["event"] == "user")
    for text in reversed(("口红多少钱呀", "那唇釉呢")):
        events.insert(latest, {**events[latest], "text": text, "parse_data": {"text": text}})
    result = await call_action(http, action_server, payload)
    [reply] = texts(result)
    assert reply.startswith("哑光口红一共6款"), reply
    assert slot_events(result) == {"product": "LR-LIP-001"}
