"""action_answer_price through the real action server, against a real FalkorDB with the demo catalog."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from knowledge_graph.answers.replies import format_price, price_reply
from knowledge_graph.catalog.products import get_product
from knowledge_graph.editing.products import set_price
from knowledge_graph.store import GraphStore
from knowledge_graph.store.server import FalkorDBServer
from tests.actions.helpers import (
    ActionServer,
    call_action,
    price_request,
    recorded_payload,
    reply_text,
    slot_events,
)

LIPSTICK = "LR-LIP-001"


async def lipstick_price(store: GraphStore) -> str:
    product = await get_product(store, LIPSTICK)
    assert product is not None
    return format_price(product.price, product.currency)


async def test_recorded_english_question_gets_the_graph_price(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    result = await call_action(http, action_server, recorded_payload("webhook_ask_price_en"))
    text = reply_text(result)
    assert text.startswith("Matte Lipstick is ")
    assert await lipstick_price(store) in text
    assert "in stock" in text
    assert slot_events(result) == {"product": LIPSTICK}


async def test_recorded_chinese_question_is_answered_in_chinese(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    result = await call_action(http, action_server, recorded_payload("webhook_ask_price_zh"))
    text = reply_text(result)
    assert text.startswith("哑光口红")
    assert await lipstick_price(store) in text
    assert "库存" in text
    assert slot_events(result) == {"product": LIPSTICK}


async def test_mixed_language_message_answers_in_chinese(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    text = "这个lipstick多少钱"
    result = await call_action(
        http, action_server, price_request(text, products=(("lipstick", 2),), lang="zh")
    )
    assert reply_text(result).startswith("哑光口红现在 ")


async def test_product_found_in_text_when_nlu_tagged_none(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    mascara = await get_product(store, "LR-MKP-004")
    assert mascara is not None
    result = await call_action(http, action_server, price_request("yo what does the mascara cost", lang="en"))
    assert reply_text(result).startswith(price_reply(mascara, "en"))  # then the running deal
    assert slot_events(result) == {"product": "LR-MKP-004"}


async def test_follow_up_question_uses_the_product_of_an_earlier_turn(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    serum = await get_product(store, "LR-SKN-001")
    assert serum is not None
    payload = price_request("多少钱", lang="zh", slots={"product": "LR-SKN-001"})
    result = await call_action(http, action_server, payload)
    assert reply_text(result).startswith(price_reply(serum, "zh"))


async def test_unknown_product_asks_which_one_and_forgets_the_old_product(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    text = "how much are the moon boots"
    # NLU tagged a product we do not sell; an earlier product must not be quoted instead.
    payload = price_request(text, products=(("moon boots", 17),), lang="en")
    result = await call_action(http, action_server, payload)
    assert reply_text(result) == "Which product do you mean? Tell me its name and I'll look up the price."
    assert slot_events(result) == {"product": None}


async def test_no_product_at_all_asks_in_chinese(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    result = await call_action(http, action_server, price_request("多少钱啊主播", lang="zh"))
    assert "哪款产品" in reply_text(result)


async def test_language_falls_back_to_metadata_then_text(
    http: aiohttp.ClientSession, action_server: ActionServer
) -> None:
    # No lang entity/slot (e.g. a model without LanguageDetector): metadata decides ...
    by_metadata = price_request(
        "how much is the lipstick", products=(("lipstick", 16),), metadata={"lang": "zh-CN"}
    )
    assert reply_text(await call_action(http, action_server, by_metadata)).startswith("哑光口红现在")
    # ... and without metadata, the text itself.
    by_text = price_request("口红多少钱", products=(("口红", 0),))
    assert reply_text(await call_action(http, action_server, by_text)).startswith("哑光口红现在")
    english = price_request("lipstick price?", products=(("lipstick", 0),))
    assert reply_text(await call_action(http, action_server, english)).startswith("Matte Lipstick is")


async def test_price_changed_in_the_graph_changes_the_answer(
    http: aiohttp.ClientSession, action_server: ActionServer, store: GraphStore
) -> None:
    before = await get_product(store, LIPSTICK)
    assert before is not None
    payload = price_request("how much is the matte lipstick?", products=(("matte lipstick", 16),), lang="en")
    await set_price(store, LIPSTICK, Decimal("99.50"))
    try:
        assert "¥99.50" in reply_text(await call_action(http, action_server, payload))
    finally:
        await set_price(store, LIPSTICK, before.price)
    assert format_price(before.price, "CNY") in reply_text(await call_action(http, action_server, payload))


async def test_graph_down_gets_a_polite_answer_and_recovers(
    http: aiohttp.ClientSession, action_server: ActionServer, falkordb: FalkorDBServer, store: GraphStore
) -> None:
    en = price_request("how much is the lipstick", products=(("lipstick", 16),), lang="en")
    zh = price_request("口红多少钱", products=(("口红", 0),), lang="zh")
    assert "Matte Lipstick" in reply_text(await call_action(http, action_server, en))  # pool is warm

    await asyncio.to_thread(falkordb.stop)
    try:
        down_en = await call_action(http, action_server, en)
        assert (
            reply_text(down_en)
            == "Sorry, I can't reach the product list right now. Please ask me again in a moment."
        )
        assert down_en["events"] == []
        assert "商品信息暂时查不到" in reply_text(await call_action(http, action_server, zh))
        assert action_server.proc.poll() is None, "the action server must survive a graph outage"
    finally:
        await asyncio.to_thread(falkordb.start)
        await asyncio.to_thread(falkordb.wait_ready)

    # Same process, same store: it reconnects by itself once the graph is back (data kept on disk).
    assert "Matte Lipstick is" in reply_text(await call_action(http, action_server, en))
    assert "price lookup failed" in action_server.log()
