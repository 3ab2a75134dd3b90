"""Short multi-turn conversations through the running stack (gateway, Rasa, action server, FalkorDB):
a follow-up without a product name is answered about the product of the viewer's previous turn, in
the viewer's language; emote chatter gets no reply."""

from __future__ import annotations

import json

import aiohttp
import pytest

from knowledge_graph.answers.replies import format_price
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.store import open_store
from tests.conftest import Stack
from tests.e2e.test_price_e2e import ask
from tests.e2e.test_vision_e2e import rasa_token

pytestmark = pytest.mark.e2e


@pytest.fixture
async def graph(stack: Stack):
    store = open_store(GraphConfig.from_env({"FALKORDB_PORT": str(stack.falkordb_port)}))
    yield store
    await store.close()


async def test_english_follow_up_refers_to_the_serum(stack: Stack, graph) -> None:
    serum = await find_product(graph, "serum")
    assert serum is not None and serum.stock > 0
    first, _ = await ask(stack, "e2e-talk", "dana", "how much is the serum?")
    assert serum.name("en") in first
    second, _ = await ask(stack, "e2e-talk", "dana", "and is it in stock?")
    assert second.startswith(f"@dana {serum.name('en')} is in stock"), second
    thanks, _ = await ask(stack, "e2e-talk", "dana", "thanks!!")
    assert "welcome" in thanks.lower()


async def test_chinese_follow_ups_refer_to_the_serum(stack: Stack, graph) -> None:
    serum = await find_product(graph, "精华")
    assert serum is not None
    first, _ = await ask(stack, "e2e-talk", "小李", "主播精华怎么用啊")
    assert serum.name("zh") in first
    price, _ = await ask(stack, "e2e-talk", "小李", "那多少钱")
    assert serum.name("zh") in price and format_price(serum.price, serum.currency) in price, price
    stock, _ = await ask(stack, "e2e-talk", "小李", "还有货吗")
    assert serum.name("zh") in stock and "有货" in stock, stock


async def test_chinese_follow_up_after_a_fast_path_answer(stack: Stack, graph) -> None:
    serum = await find_product(graph, "精华")
    assert serum is not None
    first, _ = await ask(stack, "e2e-talk", "小周", "精华多少钱啊主播")
    assert serum.name("zh") in first
    second, _ = await ask(stack, "e2e-talk", "小周", "那还有货吗")
    assert serum.name("zh") in second and "有货" in second, second


async def test_slots_endpoint_sets_context_for_any_conversation_id(stack: Stack) -> None:
    sender = "simulator:e2e-talk:小吴"
    auth = {"Authorization": f"Bearer {rasa_token(stack)}"}  # the channel's token (nlu/rasa/channel.py)
    async with aiohttp.ClientSession(headers=auth) as session:
        async with session.post(
            f"{stack.rasa_url}/webhooks/liveroom/slots",
            json={"sender": sender, "slots": {"product": "LR-SKN-001"}},
        ) as resp:
            assert resp.status == 200, await resp.text()
        body = {"sender": sender, "message": "那还有货吗", "metadata": {"lang": "zh"}}
        async with session.post(f"{stack.rasa_url}/webhooks/liveroom/webhook", json=body) as resp:
            data = json.loads(await resp.text())
    assert data["parse"]["intent"] == "ask_stock"
    assert "补水精华" in data["messages"][0]["text"]


async def test_the_product_context_is_per_viewer(stack: Stack, graph) -> None:
    await ask(stack, "e2e-talk", "eve", "how much is the mascara")
    reply, _ = await ask(stack, "e2e-talk", "finn", "is it in stock?")
    assert "which product" in reply.lower(), reply


async def test_liveroom_channel_returns_the_parse_with_sentiment(stack: Stack) -> None:
    body = {"sender": "simulator:e2e-talk:gus", "message": "主播太强了 666", "metadata": {"lang": "zh"}}
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {rasa_token(stack)}"}) as session:
        async with session.post(f"{stack.rasa_url}/webhooks/liveroom/webhook", json=body) as resp:
            assert resp.status == 200
            data = json.loads(await resp.text())
    assert data["parse"]["intent"] in ("praise", "chitchat")  # hype; chitchat gets no reply
    assert data["parse"]["lang"] == "zh"
    assert data["parse"]["sentiment"] > 0.5


async def test_a_comparison_with_the_product_talked_about_compares_both(stack: Stack, graph) -> None:
    mist, perfume = await find_product(graph, "body mist"), await find_product(graph, "rose perfume")
    assert mist is not None and perfume is not None and mist.price != perfume.price
    cheaper = min((mist, perfume), key=lambda p: p.price)
    await ask(stack, "e2e-talk", "gwen", "how much is the body mist?")
    reply, _ = await ask(stack, "e2e-talk", "gwen", "which is cheaper, that or the rose perfume?")
    assert mist.name("en") in reply and perfume.name("en") in reply, reply
    assert reply.index(cheaper.name("en")) < reply.index(
        max((mist, perfume), key=lambda p: p.price).name("en")
    )
