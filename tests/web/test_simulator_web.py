"""The viewer simulator page in real Chromium against the real stack: several viewers chat at once,
gifts reach the room, a chat log replays with progress, the page switches language and fits a phone."""

from __future__ import annotations

import pytest

from tests.conftest import Stack
from tests.web.conftest import PHONE

pytestmark = pytest.mark.e2e


async def test_two_viewers_chat_and_gift_in_one_room(web_stack: Stack, new_page, screenshot) -> None:
    page = await new_page()
    await page.goto(f"{web_stack.gateway_url}/simulator?room=web-sim")
    await page.fill(".viewer >> nth=0 >> .name", "ann")
    await page.click("#add-viewer")
    second = page.locator(".viewer").nth(1)
    await second.locator(".name").fill("小明")
    await page.wait_for_function("() => document.querySelector('#status').textContent.includes('2/2')")
    first = page.locator(".viewer").nth(0)
    await first.locator("input.text").fill("hi everyone")
    await first.locator("form.say button").click()
    await second.locator("input.text").fill("这个口红多少钱")
    await second.locator("form.say button").click()
    await second.locator(".gift-count").fill("3")
    await second.locator("form.gift button").click()
    # each viewer's screen shows the whole room: both messages and the gift
    for viewer in (first, second):
        await viewer.locator(".msg", has_text="hi everyone").first.wait_for()
        await viewer.locator(".msg", has_text="这个口红多少钱").first.wait_for()
        await viewer.locator(".msg.gift", has_text="3 × Rose").first.wait_for()
    await second.locator(".msg.bot.to-me", has_text="¥").first.wait_for(
        timeout=30_000
    )  # the bot answered 小明
    await screenshot(page, "simulator-two-viewers")
    assert not page.console_errors, page.console_errors


async def test_replay_of_a_chat_log(web_stack: Stack, new_page, login) -> None:
    anonymous = await new_page()
    await anonymous.goto(f"{web_stack.gateway_url}/simulator?room=web-replay")
    await anonymous.wait_for_selector("#status.ok")
    await anonymous.click("#replay summary")
    await anonymous.click("#replay-sample")
    await anonymous.wait_for_function(
        "() => document.querySelector('#replay-status').textContent.includes('✓')"
    )
    await anonymous.click("#replay-start")  # many viewers on one socket: refused without a moderator login
    await anonymous.wait_for_function(
        "() => document.querySelector('#replay-status').textContent.includes('moderator login')"
    )
    page = await new_page()
    await login(page, web_stack, "bob")  # a moderator (tests/conftest.py WEB_USERS)
    await page.goto(f"{web_stack.gateway_url}/simulator?room=web-replay")
    await page.wait_for_selector("#status.ok")
    await page.click("#replay summary")
    await page.click("#replay-sample")
    await page.wait_for_function("() => document.querySelector('#replay-status').textContent.includes('✓')")
    await page.fill("#replay-rate", "200")
    await page.click("#replay-start")
    await page.wait_for_function(
        "() => { const p = document.querySelector('#replay-progress');"
        " return p.max === 200 && p.value === 200; }",
        timeout=30_000,
    )
    # the progress bar counts frames sent; their echoes reach the page a moment later
    await page.wait_for_function(
        "() => document.querySelectorAll('.viewer .msg').length >= 100", timeout=15_000
    )
    assert await page.locator(".viewer .msg").count() >= 100


async def test_language_switch_and_phone_layout(web_stack: Stack, new_page, screenshot) -> None:
    page = await new_page(viewport=PHONE)
    await page.goto(f"{web_stack.gateway_url}/simulator")
    await page.click('.lang-switch button[value="zh"]')
    await page.wait_for_selector('html[lang="zh-CN"]')
    assert await page.locator("#add-viewer").inner_text() == "添加观众"
    await page.click("#add-viewer")
    # on a phone one viewer shows at a time, chosen by tabs
    assert await page.locator(".sim-tabs .tab").count() == 2
    assert await page.locator(".viewer.active").count() == 1
    assert await page.locator(".viewer").nth(0).is_hidden()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page scrolls sideways on a phone: {width}px"
    await screenshot(page, "simulator-phone-zh")
    # the connector's standalone page at "/" uses the remembered language too
    await page.goto(f"{web_stack.gateway_url}/")
    await page.wait_for_selector('html[lang="zh-CN"]')
    await page.locator(".viewer .name").first.wait_for()
    assert await page.locator("#add-viewer").inner_text() == "添加观众"


async def test_super_chat_is_pinned_for_everyone_and_answered(web_stack: Stack, new_page, screenshot) -> None:
    page = await new_page()
    await page.goto(f"{web_stack.gateway_url}/simulator?room=web-superchat")
    await page.fill(".viewer >> nth=0 >> .name", "lin")
    await page.click("#add-viewer")
    await page.locator(".viewer").nth(1).locator(".name").fill("kai")
    await page.wait_for_function("() => document.querySelector('#status').textContent.includes('2/2')")
    first, second = page.locator(".viewer").nth(0), page.locator(".viewer").nth(1)
    await first.locator(".sc-amount").select_option("50")
    await first.locator(".sc-text").fill("how much is the matte lipstick?")
    await first.locator("form.superchat button").click()
    await second.locator(".sc-amount").select_option("100")
    await second.locator(".sc-text").fill("love the stream")
    await second.locator("form.superchat button").click()
    for viewer in (first, second):
        pinned = viewer.locator(".pinned .pinned-sc")
        await pinned.nth(1).wait_for()
        # the larger amount is pinned first; each shows amount, name, text and the time left
        assert "¥100" in await pinned.nth(0).inner_text() and "kai" in await pinned.nth(0).inner_text()
        assert "¥50" in await pinned.nth(1).inner_text()
        assert "how much is the matte lipstick?" in await pinned.nth(1).inner_text()
        left = await pinned.nth(1).locator(".left").inner_text()
        assert 100 <= int(left.split()[0]) <= 120, left  # ¥50 stays pinned for two minutes
        await viewer.locator(".log .msg.super_chat", has_text="¥50").first.wait_for()
    # the gateway read the paid question like chat: the bot answers lin with the price
    await first.locator(".msg.bot.to-me", has_text="¥").first.wait_for(timeout=30_000)
    await screenshot(page, "simulator-super-chat")
    # a late joiner (history) sees the pins too, with the time that is left
    late = await new_page()
    await late.goto(f"{web_stack.gateway_url}/simulator?room=web-superchat")
    await late.locator(".viewer .pinned .pinned-sc").nth(1).wait_for()
    assert not page.console_errors and not late.console_errors, page.console_errors + late.console_errors
