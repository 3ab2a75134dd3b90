"""The moderator dashboard in real Chromium against the real stack: its charts grow while simulated
viewers chat, a logged-out viewer is sent to the login page, and an unanswered question becomes an FAQ
in one click for the streamer but not for a moderator (refused by the server, not just hidden)."""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import unquote, urlparse

import aiohttp
import pytest

from connectors.simulator.replay import replay_headers, replay_url
from knowledge_graph.catalog.faqs import get_faq
from knowledge_graph.editing.faq import delete_faq
from knowledge_graph.editing.open_questions import list_open_questions, record_open_question
from tests.conftest import Stack

pytestmark = pytest.mark.e2e

LINES = [
    "how much is the mascara?",
    "is the blush in stock?",
    "I love this stream, so fun!",
    "这个口红多少钱？",
    "lol",
    "what colours does the mascara come in?",
]


async def chat(stack: Stack, room: str, count: int, per_second: float = 20.0) -> None:
    """Real viewers in the simulator: ``count`` messages over the room's WebSocket."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            replay_url(f"{stack.ws_url}/ws/rooms/{room}"), headers=replay_headers()
        ) as ws:
            for i in range(count):
                text = LINES[i % len(LINES)]
                await ws.send_str(
                    json.dumps(
                        {"type": "chat", "viewer": f"fan{i % 7}", "viewer_id": f"fan{i % 7}", "text": text}
                    )
                )
                await asyncio.sleep(1 / per_second)


def real_errors(page) -> list[str]:
    """Console errors, where a 404 counts only for the page's own requests (tracked by URL): Chromium's
    request for /favicon.ico (the app serves none) is logged as a 404 without reaching page events."""
    missing = [url for url in page.missing if not url.endswith("/favicon.ico")]
    return [e for e in page.console_errors if "status of 404" not in e] + missing


async def track_missing(page):
    page.missing = []
    page.on("response", lambda r: r.status == 404 and page.missing.append(r.url))
    return page


async def chart_state(page) -> dict:
    return await page.evaluate(
        """() => ({
            frames: window.dashboardFrames.frames,
            points: window.dashboardCharts.rate.data[0].length,
            newest: window.dashboardCharts.rate.data[0][window.dashboardCharts.rate.data[0].length - 1],
            messages: window.dashboardFrames.messages,
        })"""
    )


async def test_dashboard_charts_update_while_viewers_chat(
    web_stack: Stack, new_page, login, screenshot
) -> None:
    page = await track_missing(await new_page())
    await login(page, web_stack, "bob", next_path="/dashboard")
    assert urlparse(page.url).path == "/dashboard"
    await page.wait_for_function("() => window.dashboardFrames && window.dashboardFrames.frames >= 1")
    before = await chart_state(page)
    await chat(web_stack, "web-dash", 60)
    await page.wait_for_function(
        "n => window.dashboardFrames.messages >= n + 60",
        arg=before["messages"],
        timeout=20_000,
    )
    await page.wait_for_selector("#top-products li:not(.muted)")
    after = await chart_state(page)
    # the rate chart keeps a rolling window: on a gateway up for longer than the window it is already
    # full, so it moves on (a newer last point) rather than growing
    assert after["newest"] > before["newest"] and after["frames"] > before["frames"]
    assert after["points"] >= before["points"]
    drawn = await page.get_attribute("#chart-rate", "data-points")
    assert drawn is not None and int(drawn) == after["points"]
    # the simulator's connection state is listed (the web-dash room itself is forgotten once its last
    # socket closed: idle rooms leave nothing behind, review H2)
    assert "frames received" in await page.inner_text("#connections")
    await screenshot(page, "dashboard-live")
    assert not real_errors(page), page.console_errors


async def test_logged_out_viewer_cannot_open_the_dashboard(web_stack: Stack, new_page) -> None:
    page = await new_page()
    await page.goto(f"{web_stack.gateway_url}/dashboard")
    assert urlparse(page.url).path == "/login" and unquote(urlparse(page.url).query) == "next=/dashboard"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{web_stack.gateway_url}/dashboard/frame.json") as response:
            assert response.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{web_stack.ws_url}/dashboard/stream")
        assert refused.value.status == 401


async def test_unanswered_question_becomes_an_faq_for_the_streamer_only(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    text = f"do you ship to the moon {uuid.uuid4().hex[:6]}?"
    question = await record_open_question(graph, "simulator", "web-faq", "fan1", text, "en")
    moderator = await track_missing(await new_page())
    await login(moderator, web_stack, "bob", next_path="/dashboard")
    item = f'#open-questions li[data-id="{question.id}"]'
    await moderator.wait_for_selector(item, timeout=20_000)
    assert await moderator.locator(f"{item} .make-faq").count() == 0  # the UI offers it to streamers only
    refused = await moderator.evaluate(
        """async (id) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch(`/dashboard/api/open-questions/${id}/faq`, {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                body: JSON.stringify({question: "q?", answer: "a", lang: "en"})});
            return r.status;
        }""",
        question.id,
    )
    assert refused == 403
    moderator.console_errors = [
        e for e in moderator.console_errors if "status of 403" not in e
    ]  # that refusal

    streamer = await track_missing(await new_page())
    await login(streamer, web_stack, "alice", next_path="/dashboard")
    await streamer.wait_for_selector(item, timeout=20_000)
    await streamer.click(f"{item} .make-faq")
    await streamer.fill(f'{item} textarea[name="answer"]', "Only to Earth, sorry!")
    await screenshot(streamer, "dashboard-faq-form")
    await streamer.click(f'{item} button[type="submit"]')
    toast = streamer.locator(".toast.ok")
    await toast.wait_for(timeout=90_000)  # the gateway's first FAQ write loads the sentence encoders
    faq_id = (await toast.inner_text()).split()[1]
    try:
        faq = await get_faq(graph, faq_id)
        assert faq is not None and faq.question_en == text and faq.answer_en == "Only to Earth, sorry!"
        assert faq.streamer_id is not None  # names no product: about the stream
        assert question.id not in {q.id for q in await list_open_questions(graph, 1000)}
        assert await streamer.locator(item).count() == 0
    finally:
        await delete_faq(graph, faq_id, actor="test")
    assert not real_errors(streamer) and not real_errors(moderator)


async def test_a_human_moderators_ban_shows_in_the_moderation_log(web_stack: Stack, new_page, login) -> None:
    """Another moderator bans a viewer (the simulator's replay socket speaks for the room's moderators):
    the log lists it "by @modname", next to the bot's rows, with the viewer's name as text."""
    page = await track_missing(await new_page())
    await login(page, web_stack, "bob", next_path="/dashboard")
    await page.wait_for_function("() => window.dashboardFrames && window.dashboardFrames.frames >= 1")
    target = f"<b>troll{uuid.uuid4().hex[:6]}</b>"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            replay_url(f"{web_stack.ws_url}/ws/rooms/web-mod"), headers=replay_headers()
        ) as ws:
            await ws.receive_json()  # welcome
            ban = {
                "type": "moderation",
                "viewer": "modname",
                "action": "ban",
                "target": target,
                "reason": "spam",
            }
            await ws.send_str(json.dumps(ban))
            row = page.locator("#modlog tr[data-source=moderator]", has_text=target)
            await row.wait_for(timeout=15_000)
    text = await row.inner_text()
    assert "by @modname" in text and "spam" in text
    assert await row.locator("td:nth-child(2) b").count() == 0  # the name's markup stayed text
    assert await row.locator("button").count() == 0  # another moderator's action cannot be undone here
    assert not real_errors(page), page.console_errors
