"""Login, roles and CSRF in real Chromium against the real stack: a wrong password fails, a moderator
sees the editor read-only and the API refuses the moderator's catalog write even with a valid session
and CSRF token, a write without the CSRF token is refused, the language choice follows the user."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import WEB_USERS, Stack
from tests.web.conftest import PHONE

pytestmark = pytest.mark.e2e

PATCH_JS = """async ([sku, csrf]) => {
    const read = await fetch('/api/v1/products/' + sku);
    const product = await read.json();
    const headers = {'Content-Type': 'application/json'};
    if (csrf !== null) headers['X-CSRF-Token'] = csrf;
    const r = await fetch('/api/v1/products/' + sku, {method: 'PATCH', headers,
        body: JSON.stringify({price: '1.00', version: product.version})});
    return {status: r.status, body: await r.json(), readStatus: read.status};
}"""


async def test_wrong_password_fails(web_stack: Stack, new_page, login, screenshot) -> None:
    page = await new_page()
    await login(page, web_stack, "alice", password="not-alices-password")
    assert "/login" in page.url
    assert await page.locator(".alert.error").is_visible()
    assert not [c for c in await page.context.cookies() if c["name"] == "liveroom_session"]
    await page.goto(f"{web_stack.gateway_url}/editor")
    assert "/login?next=" in page.url  # still logged out: the editor sends us to log in
    await screenshot(page, "login-wrong-password")


async def test_session_cookie_flags(web_stack: Stack, new_page, login) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    cookie = next(c for c in await page.context.cookies() if c["name"] == "liveroom_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert await page.evaluate("document.cookie.includes('liveroom_session')") is False


async def test_moderator_cannot_edit_the_catalog(web_stack: Stack, new_page, login, screenshot) -> None:
    page = await new_page()
    await login(page, web_stack, "bob")
    await page.goto(f"{web_stack.gateway_url}/editor")
    await page.wait_for_selector("#read-only")
    await page.fill("#search", "LR-MKP-004")
    await page.click('#list tr[data-key="LR-MKP-004"]')
    await page.wait_for_selector("#f-price")
    assert await page.is_disabled("#f-price")
    assert await page.locator("#save").count() == 0 and await page.locator("#new-item").count() == 0
    await screenshot(page, "editor-moderator-read-only")
    csrf = await page.get_attribute('meta[name="csrf-token"]', "content")
    assert csrf
    result = await page.evaluate(PATCH_JS, ["LR-MKP-004", csrf])
    assert result["readStatus"] == 200  # moderators may read
    assert result["status"] == 403, result
    assert "moderator" in result["body"]["error"]


async def test_write_without_csrf_token_is_refused(web_stack: Stack, new_page, login) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    for token in (None, "forged-token"):
        result = await page.evaluate(PATCH_JS, ["LR-MKP-005", token])
        assert result["status"] == 403, result
        assert "CSRF" in result["body"]["error"]


async def test_language_choice_is_remembered_for_the_user(
    web_stack: Stack, new_page, login, screenshot
) -> None:
    page = await new_page(viewport=PHONE)
    await login(page, web_stack, "alice")
    await page.click('.lang-switch button[value="zh"]')
    await page.wait_for_selector('html[lang="zh-CN"]')
    assert "商品知识库编辑" in await page.locator("h1").inner_text()
    # a new browser (no cookies) logs in as alice: the page comes in Chinese again
    other = await new_page(viewport=PHONE)
    await login(other, web_stack, "alice")
    await other.wait_for_selector('html[lang="zh-CN"]')
    await other.wait_for_selector("#list tr")
    await screenshot(other, "editor-phone-zh")
    width = await other.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page scrolls sideways on a phone: {width}px"
    await other.click('.lang-switch button[value="en"]')
    await other.wait_for_selector('html[lang="en"]')


async def test_cross_site_login_post_is_refused(web_stack: Stack) -> None:
    form = {"user": "alice", "password": WEB_USERS["alice"][1]}
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{web_stack.gateway_url}/login",
            data=form,
            headers={"Origin": "http://evil.example"},
            allow_redirects=False,
        ) as response:
            assert response.status == 403
            assert "liveroom_session" not in response.cookies
        login = f"{web_stack.gateway_url}/login"
        async with session.post(login, data=form, allow_redirects=False) as response:
            assert response.status == 303 and "liveroom_session" in response.cookies


async def test_pages_load_without_any_failed_request_favicon_included(
    web_stack: Stack, new_page, login
) -> None:
    page = await new_page()
    failed: list[str] = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    await page.goto(f"{web_stack.gateway_url}/simulator")
    await page.wait_for_selector("#status.ok")
    await login(page, web_stack, "alice")
    await page.wait_for_selector("#list tr")
    await page.goto(f"{web_stack.gateway_url}/")  # the connector's standalone simulator
    await page.wait_for_selector("#status.ok")
    await page.wait_for_timeout(500)  # the browser asks for the icon after the load
    assert not failed, failed
    icons = await page.evaluate(
        """async () => Promise.all(['/favicon.ico', '/favicon.svg'].map(async (u) => {
            const r = await fetch(u);
            return [r.status, r.headers.get('content-type'), (await r.text()).slice(0, 4)];
        }))"""
    )
    assert icons == [[200, "image/svg+xml", "<svg"]] * 2
