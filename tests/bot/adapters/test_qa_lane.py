"""The QA lane on a real FalkorDB: shop questions answered from the graph, the rest left to Rasa."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.qa_lane import QALane
from bot.core.jobs import Job, takes_qa_lane
from bot.core.triage import Triage
from connectors.base import ChatEvent
from knowledge_graph.answers import replies
from knowledge_graph.answers.answerer import Asker
from knowledge_graph.catalog.faqs import list_faqs
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.catalog.products import list_products
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.open_questions import list_open_questions
from knowledge_graph.queries import variants_of
from knowledge_graph.store import open_store
from nlu.text.reply_policy import Addressing
from tests.conftest import free_port


@pytest.fixture
def store(seeded_store):
    return seeded_store


def _job(text: str, *, addressed: bool = False, follow_up: bool = False, context: str | None = None) -> Job:
    triage = Triage("liveroom", ["matte lipstick", "lipstick", "serum"]).classify(text)
    event = ChatEvent("sim", "room", "m1", "v1", "Viewer", text)
    addressing = Addressing(
        addressed=addressed or triage.addressed,
        follow_up=follow_up,
        shop_question=triage.shop_question,
        question=triage.question,
        to_streamer=triage.to_streamer,
    )
    return Job(1, 1, event, triage, "en", addressing=addressing, context=context)


@pytest.mark.parametrize(
    ("text", "kwargs", "takes"),
    [
        ("how much is the matte lipstick?", {}, True),  # a shop question, not addressed
        ("what's good for oily skin?", {"addressed": True}, True),
        ("lol this stream", {}, False),  # chatter
        ("and in red?", {"follow_up": True, "context": "LR-LIP-001"}, True),
        ("and in red?", {"follow_up": True}, False),  # a follow-up on nothing
        ("!price lipstick", {}, False),  # commands have their own handler
    ],
)
def test_which_messages_try_the_qa_lane(text: str, kwargs: dict, takes: bool) -> None:
    assert takes_qa_lane(_job(text, **kwargs)) is takes


async def test_a_complaint_gets_only_the_shop_faq_that_answers_it_and_is_recorded(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "upset-viewer")
    smashed = await lane.answer(
        "my parcel came smashed, what now?", "en", asker=asker, conversation_id="c1", upset=True
    )
    assert smashed is not None and smashed.strategy == "shop_faq"
    # an upset message the shop's FAQs do not answer is left to Rasa's complaint handling
    angry = await lane.answer(
        "the lipstick is awful, worst buy ever", "en", asker=asker, conversation_id="c2", upset=True
    )
    assert angry is None or angry.silent
    await asyncio.sleep(0.2)  # recorded off the critical path
    rows = await store.read("MATCH (q:OpenQuestion {kind: 'complaint'}) RETURN q.text AS text")
    assert [r["text"] for r in rows] == ["my parcel came smashed, what now?"]


async def test_a_worried_question_about_a_product_is_answered_and_is_no_complaint(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "worried-viewer")
    toner = await find_product(store, "toner")
    assert toner is not None
    alcohol = next(f for f in await list_faqs(store, toner.sku) if "酒精" in (f.question_zh or ""))
    found = await lane.answer(
        "爽肤水有没有酒精 我酒精过敏", "zh", asker=asker, conversation_id="c3", upset=True
    )
    assert found is not None and found.strategy == "product_faq"
    assert alcohol.answer_zh and alcohol.answer_zh in found.text
    await asyncio.sleep(0.2)
    rows = await store.read("MATCH (q:OpenQuestion {kind: 'complaint'}) RETURN q.text AS text")
    assert rows == []


async def test_a_yes_no_question_with_a_negative_word_is_answered_not_a_complaint(store) -> None:
    lane = QALane(lambda: store)
    gloss = await find_product(store, "lip gloss")
    assert gloss is not None
    sticky = next(f for f in await list_faqs(store, gloss.sku) if "sticky" in (f.question_en or ""))
    found = await lane.answer(
        "is the lip gloss one of those gross sticky ones where ur hair gets glued to ur face in the wind",
        "en",
        asker=Asker("sim", "r", "windy-viewer"),
        conversation_id="c5",
        upset=True,
    )
    assert found is not None and sticky.answer_en and sticky.answer_en in found.text
    scrunchies = await find_product(store, "scrunchie")
    assert scrunchies is not None
    silk = await lane.answer(  # chat's "r" for "are": a question, not a complaint about fakes
        "r the scrunchies real silk or fake lol",
        "en",
        asker=Asker("sim", "r", "v"),
        conversation_id="c6",
        upset=True,
    )
    assert silk is not None and silk.product == scrunchies.sku


async def test_a_follow_up_on_stock_keeps_the_shade_the_previous_question_named(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "shade-viewer")
    lipstick = await find_product(store, "matte lipstick")
    assert lipstick is not None
    brick = next(v for v in await variants_of(store, lipstick.sku) if v.colour == "brick red")
    await lane.answer("the matte lipstick in brick red is gorgeous", "en", asker=asker, conversation_id="c6")
    found = await lane.answer("how many left", "en", asker=asker, conversation_id="c6", context=lipstick.sku)
    assert found is not None and f"brick red ({brick.stock} left)" in found.text
    assert "cherry red" not in found.text


async def recommended_when_upset(store, text: str, conversation_id: str, tag: str) -> None:
    """``text``, sent by an upset viewer, is answered with a recommendation of products tagged ``tag``."""
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", f"viewer-{conversation_id}")
    found = await lane.answer(text, "en", asker=asker, conversation_id=conversation_id, upset=True)
    assert found is not None and found.strategy == "recommend", text
    tagged = {p.sku for p in await list_products(store) if tag in p.tags}
    assert found.skus and set(found.skus) <= tagged, text
    await lane.settle(conversation_id)


async def test_an_upset_request_said_politely_is_answered_not_a_complaint(store) -> None:
    await recommended_when_upset(
        store, "something for dry skin pls, the cold is killing me", "c4", "skin:dry"
    )


async def test_an_upset_question_asked_after_a_clause_or_a_wish_is_answered(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "teary-viewer")
    eyes = {p.sku for p in await list_products(store) if p.category == "eyes"}
    for n, text in enumerate(
        (
            "going to my sister's wedding and i WILL cry, what mascara",
            "wanna try eyeshadow but im scared of messing it up",
        )
    ):
        found = await lane.answer(text, "en", asker=asker, conversation_id=f"c-upset-{n}", upset=True)
        assert found is not None and found.strategy in ("recommend", "product_faq", "description"), text
        assert found.skus and set(found.skus) <= eyes, text


async def test_an_upset_problem_of_the_viewers_own_gets_a_recommendation_not_a_complaint(store) -> None:
    await recommended_when_upset(store, "puffy eyes every single morning 😩", "c-puffy", "benefit:depuffing")
    complaints = [q for q in await list_open_questions(store) if q.kind == "complaint"]
    assert not [q for q in complaints if "puffy" in q.text]


async def test_answers_come_from_the_graph_in_the_viewers_language(store) -> None:
    lane = QALane(lambda: store)
    lipstick = await find_product(store, "lipstick")
    assert lipstick is not None
    en = await lane.answer(
        "how much is the matte lipstick?", "en", asker=Asker("sim", "r", "ann"), conversation_id="sim:r:ann"
    )
    zh = await lane.answer(
        "这个口红多少钱", "zh", asker=Asker("sim", "r", "ming"), conversation_id="sim:r:ming"
    )
    assert en is not None and en.strategy == "price" and en.product == lipstick.sku
    assert en.text.startswith(replies.price_reply(lipstick, "en")[:20])
    assert zh is not None and lipstick.name("zh") in zh.text
    # a follow-up on nothing is not answered about some product
    assert (
        await lane.answer("how much is it?", "en", asker=Asker("sim", "r", "x"), conversation_id="c") is None
    )
    # ... and with the conversation's product it is
    follow = await lane.answer(
        "how much is it?", "en", asker=Asker("sim", "r", "x"), conversation_id="c", context=lipstick.sku
    )
    assert follow is not None and follow.product == lipstick.sku
    await asyncio.sleep(0.2)  # the interaction is recorded off the critical path
    rows = await store.read(
        "MATCH (v:Viewer)-[a:ASKED_ABOUT]->(p:Product {sku: $sku}) RETURN v.id AS viewer, a.count AS n",
        {"sku": lipstick.sku},
    )
    assert {(r["viewer"], r["n"]) for r in rows} >= {("ann", 1), ("ming", 1)}


async def test_graph_down_leaves_the_question_to_rasa() -> None:
    dead = open_store(GraphConfig.from_env({"FALKORDB_PORT": str(free_port())}))
    try:
        found = await QALane(lambda: dead).answer(
            "how much is the serum?", "en", asker=Asker("sim", "r", "v"), conversation_id="c"
        )
        assert found is None
    finally:
        await dead.close()


async def test_what_about_another_product_asks_the_previous_question_again(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "what-about-viewer")
    gloss = await find_product(store, "唇釉")
    assert gloss is not None
    first = await lane.answer("口红多少钱", "zh", asker=asker, conversation_id="wa")
    assert first is not None and first.strategy == "price"
    again = await lane.answer("那唇釉呢", "zh", asker=asker, conversation_id="wa")
    assert again is not None and again.strategy == "price" and again.product == gloss.sku
    # another viewer's conversation has no previous question: a bare "what about" is not a price question
    other = await lane.answer("那唇釉呢", "zh", asker=Asker("sim", "r", "other"), conversation_id="other")
    assert other is None or other.strategy != "price"


async def test_an_upset_remark_followed_by_a_question_is_answered(store) -> None:
    found = await QALane(lambda: store).answer(
        "i hate when gloss makes my hair stick to my lips in the wind 😩 is urs like that",
        "en",
        asker=Asker("sim", "r", "upset-then-asks"),
        conversation_id="upset-then-asks",
        upset=True,
    )
    assert found is not None and found.strategy == "product_faq"


async def test_the_first_one_and_the_cheaper_one_are_products_the_viewer_asked_about_before(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "refers-back")
    lipstick, gloss = await find_product(store, "口红"), await find_product(store, "唇釉")
    assert lipstick is not None and gloss is not None
    lipstick_shades = await variants_of(store, lipstick.sku)
    await lane.answer("口红多少钱呀", "zh", asker=asker, conversation_id="rb")
    said = await lane.answer("那唇釉呢", "zh", asker=asker, conversation_id="rb", context=lipstick.sku)
    assert said is not None and said.product == gloss.sku
    first = await lane.answer(
        "第一个有几个色号啊", "zh", asker=asker, conversation_id="rb", context=gloss.sku
    )
    assert first is not None and first.product == lipstick.sku and str(len(lipstick_shades)) in first.text
    liner, mascara = await find_product(store, "eyeliner"), await find_product(store, "mascara")
    assert liner is not None and mascara is not None and liner.price < mascara.price
    await lane.answer("eyeliner price?", "en", asker=asker, conversation_id="en")
    await lane.answer("mascara price?", "en", asker=asker, conversation_id="en", context=liner.sku)
    cheaper = await lane.answer(
        "the cheaper one, what colours does it come in",
        "en",
        asker=asker,
        conversation_id="en",
        context=mascara.sku,
    )
    assert cheaper is not None and cheaper.product == liner.sku
    both = await lane.answer(
        "这俩哪个便宜 差多少钱", "zh", asker=asker, conversation_id="rb", context=lipstick.sku
    )
    assert both is not None and both.strategy == "compare" and both.product == gloss.sku
    # one product said before is the conversation's own: "the cheaper one" picks from nothing
    alone = QALane(lambda: store)
    await alone.answer("口红多少钱呀", "zh", asker=asker, conversation_id="one")
    unpicked = await alone.answer(
        "便宜的那个有货吗", "zh", asker=asker, conversation_id="one", context=lipstick.sku
    )
    assert unpicked is None or unpicked.product in (None, lipstick.sku)


async def test_an_upset_question_addressed_with_a_mention_is_answered_not_a_complaint(store) -> None:
    cheapest = min(await list_products(store), key=lambda p: p.price)
    found = await QALane(lambda: store).answer(
        "@liveroom whats ur cheapest thing lol im broke 😭",
        "en",
        asker=Asker("sim", "r", "broke-viewer"),
        conversation_id="broke-viewer",
        upset=True,
    )
    assert found is not None and found.product == cheapest.sku


async def test_that_shade_is_the_one_a_question_before_the_last_named(store) -> None:
    lane = QALane(lambda: store)
    asker = Asker("sim", "r", "shade-back")
    lipstick = await find_product(store, "口红")
    assert lipstick is not None
    brick = next(v for v in await variants_of(store, lipstick.sku) if v.colour == "brick red")
    await lane.answer("砖红色口红还有吗", "zh", asker=asker, conversation_id="sb")
    await lane.answer("那它会拔干吗", "zh", asker=asker, conversation_id="sb", context=lipstick.sku)
    found = await lane.answer(
        "ok那刚才那个色还剩几支 我冲了", "zh", asker=asker, conversation_id="sb", context=lipstick.sku
    )
    assert found is not None and "砖红" in found.text and str(brick.stock) in found.text
    assert "浆果" not in found.text
