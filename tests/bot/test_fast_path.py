"""The fast path on a real FalkorDB: plain price questions answered from the graph, the rest left to Rasa."""

from __future__ import annotations

import asyncio

import pytest

from actions import replies
from bot.fast_path import FastPath
from knowledge_graph.catalog import find_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.store import open_store
from tests.conftest import free_port


@pytest.fixture
def store(seeded_store):
    return seeded_store


@pytest.mark.parametrize(
    ("text", "applies"),
    [
        ("how much is the matte lipstick?", True),
        ("price of the serum pls", True),
        ("这个口红多少钱", True),
        ("精华什么价", True),
        ("is there a discount code for the serum price?", False),
        ("how much is shipping", False),
        ("口红和精华一共多少钱", False),
        ("is the serum in stock", True),
        ("精华还有货吗", True),
        ("is the serum in stock and how much is it", False),
        ("what sizes are in stock?", False),
        ("hi bot", False),
    ],
)
def test_only_plain_price_questions_take_the_fast_path(text: str, applies: bool) -> None:
    assert FastPath.applies(text) is applies


async def test_price_answers_come_from_the_graph_in_the_viewers_language(store) -> None:
    fast = FastPath(lambda: store)
    lipstick = await find_product(store, "lipstick")
    en = await fast.answer(
        "how much is the matte lipstick?", "en", platform="sim", viewer_id="ann", conversation_id="sim:r:ann"
    )
    zh = await fast.answer(
        "这个口红多少钱", "zh", platform="sim", viewer_id="ming", conversation_id="sim:r:ming"
    )
    assert en is not None and en.text == replies.price_reply(lipstick, "en")
    assert zh is not None and zh.text == replies.price_reply(lipstick, "zh")
    assert (
        await fast.answer("how much is it?", "en", platform="sim", viewer_id="x", conversation_id="c") is None
    )
    await asyncio.sleep(0.2)  # the interaction is recorded off the critical path
    rows = await store.read(
        "MATCH (v:Viewer)-[a:ASKED_ABOUT]->(p:Product {sku: $sku}) RETURN v.id AS viewer, a.count AS n",
        {"sku": lipstick.sku},
    )
    assert {(r["viewer"], r["n"]) for r in rows} == {("ann", 1), ("ming", 1)}


async def test_graph_down_leaves_the_question_to_rasa() -> None:
    dead = open_store(GraphConfig.from_env({"FALKORDB_PORT": str(free_port())}))
    try:
        assert (
            await FastPath(lambda: dead).answer(
                "how much is the serum?", "en", platform="sim", viewer_id="v", conversation_id="c"
            )
            is None
        )
    finally:
        await dead.close()
