"""!price and !schedule answered by the gateway from a real FalkorDB, in the actions' own words."""

from __future__ import annotations

import time

import pytest

from bot.adapters.graph_answers import graph_commands
from knowledge_graph.answers import replies
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.editing.catalog_items import create_session
from knowledge_graph.model.entities import StreamSession


@pytest.fixture
def store(seeded_store):
    return seeded_store


async def test_price_command(store) -> None:
    commands = graph_commands(lambda: store)
    serum = await find_product(store, "serum")
    assert (await commands["price"]("serum", "en")).startswith(replies.price_reply(serum, "en"))
    assert "SERUM30" in await commands["price"]("精华", "zh")  # the running deal on it
    assert await commands["price"]("unicorn", "en") == replies.which_product("en")
    assert await commands["price"]("", "zh") == replies.which_product("zh")


async def test_schedule_command_follows_the_schedule(store) -> None:
    commands = graph_commands(lambda: store)
    await store.write("MATCH (n:StreamSession) DETACH DELETE n")  # the demo's own schedule depends on today
    assert await commands["schedule"]("", "en") == replies.schedule_text(None, 0, "en")
    start = int(time.time() * 1000) + 3_600_000
    session = StreamSession(
        id="s1", title_en="Skincare night", title_zh="护肤专场", starts_at=start, ends_at=start + 7_200_000
    )
    await create_session(store, session, actor="test")
    answer = await commands["schedule"]("", "zh")
    assert "护肤专场" in answer and answer != replies.schedule_text(None, 0, "zh")


async def test_a_live_session_is_said_with_its_hours(store) -> None:
    commands = graph_commands(lambda: store)
    await store.write("MATCH (n:StreamSession) DETACH DELETE n")
    start = int(time.time() * 1000) - 600_000  # began ten minutes ago, runs two hours
    session = StreamSession(
        id="s2", title_en="Lip night", title_zh="唇妆专场", starts_at=start, ends_at=start + 7_200_000
    )
    await create_session(store, session, actor="test")
    answer = await commands["schedule"]("", "en")
    assert "live now" in answer and "Lip night" in answer and "Beijing time" in answer
    assert "–" in answer  # "what time tonight" is answered by the hours it runs
    assert "北京时间" in await commands["schedule"]("", "zh")
