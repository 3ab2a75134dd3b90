"""The reply policy through the running stack (gateway, Rasa with the liveroom channel, actions, graph):
chatter, hype and talk to the streamer get no reply, while questions to the bot still do; social replies
need the bot to be addressed and are paced per room; identical questions share an answer only when the
askers' context is the same."""

from __future__ import annotations

import asyncio
import re

import pytest

from ops.metrics_text import total
from tests.conftest import Stack
from tests.e2e.test_gateway_e2e import scrape
from tests.e2e.test_price_e2e import ask
from tests.security.test_slash_commands_e2e import room_replies

pytestmark = pytest.mark.e2e

# Real-room chatter of our own writing: none of it is for the bot (each line from its own viewer).
NOT_FOR_THE_BOT = [
    "W stream",
    "LETSGO MY STREAMER",
    "KEKW KEKW KEKW",
    "hard not to like her",
    "take a rest, you deserve it",
    "YEA?",
    "wait what chatter?",
    "thanks for the stream!!",
    "hi everyone",
    "good night chat",
    "this song is so bad lol",
    "主播好美",
    "哈哈哈哈哈哈",
    "来了来了",
    "主播辛苦了，早点休息",
    "？？？",
    "谢谢主播",
    "晚安",
]


async def test_chatter_and_talk_to_the_streamer_get_no_reply_but_questions_do(stack: Stack) -> None:
    before = await scrape(stack)
    lines = [(f"fan{i}", text) for i, text in enumerate(NOT_FOR_THE_BOT)]
    lines.append(("asker", "@liveroom how much is the serum?"))
    replies = await room_replies(stack, "policy-chatter", lines, listen_s=12)
    mentioned = {m for r in replies for m in re.findall(r"@(\S+)", r)}
    assert mentioned == {"asker"}, replies
    after = await scrape(stack)
    silent = total(after, "liveroom_events_silent_total") - total(before, "liveroom_events_silent_total")
    shed = total(after, "liveroom_events_dropped_total", reason="chatter_shed") - total(
        before, "liveroom_events_dropped_total", reason="chatter_shed"
    )
    # every chatter line ends as a counted outcome with a reason: silent (policy) or shed (capacity)
    assert silent + shed >= len(NOT_FOR_THE_BOT)


async def test_greetings_need_the_bot_addressed_and_are_paced_per_room(stack: Stack) -> None:
    before = await scrape(stack)
    reply, _ = await ask(stack, "policy-social", "ann", "@liveroom hi!")
    assert "@ann" in reply
    lines = [("bo", "@liveroom hello there"), ("cy", "hello everyone")]
    replies = await room_replies(stack, "policy-social", lines, listen_s=8)
    assert replies == [], replies  # bo: too soon after ann; cy: not to the bot
    after = await scrape(stack)
    paced = total(after, "liveroom_events_silent_total", reason="social_rate") - total(
        before, "liveroom_events_silent_total", reason="social_rate"
    )
    assert paced == 1


async def test_the_same_words_about_different_products_are_not_shared(stack: Stack) -> None:
    """Two viewers ask "price?" within seconds, each after talking about another product: each gets the
    price of their own product (an answer shared by text alone gave the second the first's product)."""
    await ask(stack, "policy-share", "ann", "is the serum good for dry skin?")
    await ask(stack, "policy-share", "bob", "does the matte lipstick last long?")
    (ann_reply, _), (bob_reply, _) = await asyncio.gather(
        ask(stack, "policy-share", "ann", "price?"), ask(stack, "policy-share", "bob", "price?")
    )
    assert "serum" in ann_reply.lower() and "lipstick" not in ann_reply.lower(), ann_reply
    assert "lipstick" in bob_reply.lower() and "serum" not in bob_reply.lower(), bob_reply
