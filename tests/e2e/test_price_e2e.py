"""The walking skeleton end to end: a viewer asks a price in a simulator room and the bot answers
from the knowledge graph, through the real gateway, Rasa, action server and FalkorDB."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
import uuid
from decimal import Decimal

import aiohttp
import pytest

from connectors.simulator.replay import replay_headers, replay_url
from knowledge_graph.answers.replies import format_price
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.products import set_price
from knowledge_graph.store import open_store
from tests.conftest import Stack, record_figure

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT_S = 30


async def ask(
    stack: Stack, room: str, viewer: str, text: str, timeout_s: float = REPLY_TIMEOUT_S
) -> tuple[str, float]:
    """Send one chat line as ``viewer``; return the bot's reply to it and the latency in seconds.

    The reply is the bot message that replies to ours, or (merged answers carry no reply id) the first
    bot message after ours that mentions the viewer."""
    # Replay mode: the viewer keeps its id across sockets, so its conversation (and its product context)
    # carries over from one question to the next, as a real viewer's does.
    url = replay_url(f"{stack.ws_url}/ws/rooms/{room}")
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, headers=replay_headers()) as ws:
            welcome = await ws.receive_json(timeout=5)
            assert welcome["type"] == "welcome"
            sent = time.perf_counter()
            frame = {
                "type": "chat",
                "viewer": viewer,
                "viewer_id": viewer,
                "message_id": uuid.uuid4().hex,
                "text": text,
            }
            await ws.send_str(json.dumps(frame))
            my_id = None
            # One deadline for the whole wait: aiohttp's receive timeout starts again at every control
            # frame (the gateway's heartbeat pings), so it alone could wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    while True:
                        msg = await ws.receive_json()
                        assert msg["type"] == "chat", msg
                        if not msg["bot"] and msg["viewer"] == viewer and msg["text"] == text:
                            my_id = msg["message_id"]
                        elif (
                            msg["bot"]
                            and my_id
                            and (msg["reply_to"] == my_id or f"@{viewer} " in msg["text"])
                        ):
                            return msg["text"], time.perf_counter() - sent
    raise AssertionError(f"no bot reply to {text!r} within {timeout_s}s")


@pytest.fixture
async def graph(stack: Stack):
    store = open_store(GraphConfig.from_env({"FALKORDB_PORT": str(stack.falkordb_port)}))
    yield store
    await store.close()


async def test_price_in_english_then_chinese_comes_from_the_graph(stack: Stack, graph) -> None:
    lipstick = await find_product(graph, "matte lipstick")
    assert lipstick is not None, "demo catalog should contain the matte lipstick"
    assert lipstick == await find_product(graph, "口红")

    reply_en, latency_en = await ask(stack, "e2e", "ann", "how much is the matte lipstick?")
    assert format_price(lipstick.price, lipstick.currency) in reply_en
    assert lipstick.name("en").lower() in reply_en.lower()
    assert "@ann" in reply_en

    reply_zh, latency_zh = await ask(stack, "e2e", "小明", "这个口红多少钱")
    assert format_price(lipstick.price, lipstick.currency) in reply_zh
    assert lipstick.name("zh") in reply_zh
    record_figure(f"e2e first reply latency: en {latency_en * 1000:.0f} ms, zh {latency_zh * 1000:.0f} ms")


async def test_changing_the_price_in_the_graph_changes_the_answer(stack: Stack, graph) -> None:
    serum = await find_product(graph, "serum")
    assert serum is not None
    new_price = serum.price + Decimal("11.10")
    updated = await set_price(graph, serum.sku, new_price)
    assert updated.price == new_price

    reply, _ = await ask(stack, "e2e-price", "bo", "how much is the serum")
    assert format_price(new_price, serum.currency) in reply
    assert format_price(serum.price, serum.currency) not in reply

    reply_zh, _ = await ask(stack, "e2e-price", "小红", "精华多少钱")
    assert format_price(new_price, serum.currency) in reply_zh


async def test_greeting_is_answered_in_the_viewers_language(stack: Stack) -> None:
    reply_en, _ = await ask(stack, "e2e-greet", "cat", "hi bot")
    # its own room: social replies are paced per room
    reply_zh, _ = await ask(stack, "e2e-greet-zh", "小猫", "小助手你好呀")
    assert any("a" <= ch.lower() <= "z" for ch in reply_en)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply_zh)


async def test_reply_latency_over_twenty_questions(stack: Stack) -> None:
    """Not a speed assertion (those live in bench/): every question is answered; figures are reported."""
    questions = ["how much is the matte lipstick?", "这个口红多少钱", "price of the serum?", "精华多少钱"]
    latencies = []
    for i in range(20):
        reply, latency = await ask(stack, "e2e-latency", f"viewer{i}", questions[i % len(questions)])
        assert "¥" in reply
        latencies.append(latency * 1000)
    latencies.sort()
    record_figure(
        f"e2e reply latency over 20 sequential questions: p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {latencies[18]:.0f} ms, max {latencies[-1]:.0f} ms"
    )


async def test_gateway_metrics_count_the_conversation(stack: Stack) -> None:
    await ask(stack, "e2e-metrics", "dee", "price of the lipstick?")
    await ask(stack, "e2e-metrics", "dee", "@bot tell me about the serum")  # a Rasa turn with a custom action
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.gateway_url}/metrics") as resp:
            body = await resp.text()
    assert 'liveroom_events_in_total{kind="chat",platform="simulator"}' in body
    assert 'liveroom_messages_out_total{kind="reply",platform="simulator"}' in body
    counts = {
        line.split()[0]: float(line.split()[1])
        for line in body.splitlines()
        if line.startswith(("liveroom_action_latency_seconds_count", "liveroom_rasa_latency_seconds_count"))
    }
    assert counts["liveroom_rasa_latency_seconds_count"] >= 1
    assert counts["liveroom_action_latency_seconds_count"] >= 1


async def test_every_process_logs_under_var_log(stack: Stack) -> None:
    logs = {p.name for p in (stack.var_dir / "log").iterdir()}
    assert {"falkordb.log", "actions.log", "rasa.log", "gateway.log"} <= logs
