"""The editor's other tabs in real Chromium against the real stack: a variant, a promotion and a schedule
entry are created, edited and deleted through the forms (checked in the graph each time), a deletion
asks first and a cancelled one keeps the item, and the API's field errors read in Chinese on the
Chinese page (the API keeps its English text plus a stable code and params)."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge_graph.editing import catalog_items as editing
from tests.conftest import Stack

pytestmark = pytest.mark.e2e

BLUSH = "LR-MKP-006"


def unexpected_errors(page: Any) -> list[str]:
    """Console errors except the 422 the browser logs for a field error the test provoked."""
    return [e for e in page.console_errors if "status of 422" not in e]


async def open_tab(page: Any, tab: str) -> None:
    await page.click(f'button[data-tab="{tab}"]')
    await page.wait_for_selector("#list .count")


async def fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        await page.fill(f"#f-{name}", value)


async def save_and_wait_version(page: Any, version: int) -> None:
    await page.click("#save")
    await page.wait_for_function(
        "v => document.querySelector('#f-version')?.textContent === String(v)", arg=version
    )


async def delete_with_confirmation(page: Any, key: str) -> None:
    """First the confirmation is cancelled (nothing happens), then accepted."""
    asked: list[str] = []

    async def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", lambda d: answer(d, False))
    await page.click("#delete")
    await page.wait_for_timeout(300)
    assert await page.locator(f'#list tr[data-key="{key}"]').count() == 1
    page.once("dialog", lambda d: answer(d, True))
    await page.click("#delete")
    await page.locator(f'#list tr[data-key="{key}"]').wait_for(state="detached")
    assert len(asked) == 2 and all(key in message for message in asked)


async def cleanup(page: Any, url: str) -> None:
    """Delete what a failed test left behind (through the API, with the page's session)."""
    await page.evaluate(
        """async ([url, csrf]) => {
            const r = await fetch(url);
            if (!r.ok) return;
            const v = (await r.json()).version;
            await fetch(url + '?version=' + v, {method: 'DELETE', headers: {'X-CSRF-Token': csrf}});
        }""",
        [url, await page.get_attribute('meta[name="csrf-token"]', "content")],
    )


async def test_variant_is_created_edited_and_deleted(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    key = "LR-MKP-006-WEB-M"
    try:
        await open_tab(page, "variants")
        await page.select_option("#product-pick", BLUSH)
        await page.wait_for_function(
            "() => document.querySelector('#product-pick').value === 'LR-MKP-006'"
            " && document.querySelector('#list .count')"
        )
        await page.click("#new-item")
        await fill(page, {"id": key, "size": "M", "colour": "coral", "stock": "5", "price": "59.00"})
        await save_and_wait_version(page, 1)
        await page.locator(f'#list tr[data-key="{key}"]').wait_for()
        created = await editing.get_variant(graph, key)
        assert (
            created is not None and created.sku == BLUSH and created.stock == 5 and created.colour == "coral"
        )
        await fill(page, {"stock": "9", "colour": "rose"})
        await save_and_wait_version(page, 2)
        edited = await editing.get_variant(graph, key)
        assert edited is not None and (edited.stock, edited.colour, edited.size) == (9, "rose", "M")
        await screenshot(page, "editor-variant-edited")
        await delete_with_confirmation(page, key)
        assert await editing.get_variant(graph, key) is None
        assert not page.console_errors, page.console_errors
    finally:
        await cleanup(page, f"/api/v1/variants/{key}")


async def test_promotion_is_created_edited_and_deleted(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    code = "WEB-SALE-15"
    try:
        await open_tab(page, "promotions")
        await page.click("#new-item")
        await fill(
            page,
            {
                "code": code,
                "title_en": "Web test sale",
                "title_zh": "网页测试促销",
                "discount_percent": "15",
                "valid_from": "2030-01-01T00:00:00Z",
                "valid_to": "2030-01-02T00:00:00+08:00",
                "skus": f"{BLUSH}, LR-MKP-004",
            },
        )
        await save_and_wait_version(page, 1)
        await page.locator(f'#list tr[data-key="{code}"]').wait_for()
        created = await editing.get_promotion(graph, code)
        assert created is not None and created.discount_percent == 15
        assert set(created.skus) == {BLUSH, "LR-MKP-004"}
        # an end before the start is refused next to the field, and nothing changes
        await fill(page, {"valid_to": "2029-12-31T00:00:00Z"})
        await page.click("#save")
        error = page.locator("#f-valid_to-error")
        await page.wait_for_function("() => document.querySelector('#f-valid_to-error').textContent")
        assert "after" in (await error.inner_text()).lower()
        await fill(page, {"valid_to": "2030-01-03T00:00:00Z", "discount_percent": "20"})
        await save_and_wait_version(page, 2)
        edited = await editing.get_promotion(graph, code)
        assert edited is not None and edited.discount_percent == 20
        await screenshot(page, "editor-promotion-edited")
        await delete_with_confirmation(page, code)
        assert await editing.get_promotion(graph, code) is None
        assert not unexpected_errors(page), page.console_errors
    finally:
        await cleanup(page, f"/api/v1/promotions/{code}")


async def test_schedule_entry_is_created_edited_and_deleted(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    key = "web-stream-1"
    try:
        await open_tab(page, "schedule")
        await page.click("#new-item")
        await fill(
            page,
            {
                "id": key,
                "title_en": "Web test stream",
                "starts_at": "2031-05-01T12:00:00Z",
                "ends_at": "2031-05-01T14:00:00Z",
            },
        )
        await save_and_wait_version(page, 1)
        await page.locator(f'#list tr[data-key="{key}"]').wait_for()
        created = await editing.get_session(graph, key)
        assert created is not None and created.title_en == "Web test stream"
        await fill(page, {"title_zh": "网页测试直播", "ends_at": "2031-05-01T15:30:00Z"})
        await save_and_wait_version(page, 2)
        edited = await editing.get_session(graph, key)
        assert edited is not None and edited.title_zh == "网页测试直播"
        assert edited.ends_at - edited.starts_at == int(3.5 * 3600 * 1000)
        await screenshot(page, "editor-schedule-edited")
        await delete_with_confirmation(page, key)
        assert await editing.get_session(graph, key) is None
        assert not page.console_errors, page.console_errors
    finally:
        await cleanup(page, f"/api/v1/schedule/{key}")


async def test_category_edits_show_in_the_history_tab(web_stack: Stack, graph, new_page, login) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    key = "web-cat"
    try:
        await open_tab(page, "categories")
        await page.click("#new-item")
        await fill(page, {"id": key, "name_en": "Web category"})
        await save_and_wait_version(page, 1)
        await fill(page, {"name_zh": "网页分类"})
        await save_and_wait_version(page, 2)
        category = await editing.get_category(graph, key)
        assert category is not None and category.name_zh == "网页分类"
        await delete_with_confirmation(page, key)
        assert await editing.get_category(graph, key) is None
        # the history tab shows all three edits, newest first, by alice
        await page.click('button[data-tab="audit"]')
        rows = page.locator("#audit tbody tr", has_text=key)
        await rows.first.wait_for()
        texts = [await rows.nth(i).inner_text() for i in range(3)]
        assert [t.split("\t")[2].split()[0] for t in texts] == ["delete", "update", "create"], texts
        assert all("alice" in t for t in texts)
        assert not page.console_errors, page.console_errors
    finally:
        await cleanup(page, f"/api/v1/categories/{key}")


async def test_field_errors_are_translated_on_the_chinese_page(
    web_stack: Stack, new_page, login, screenshot
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    try:
        await page.click('.lang-switch button[value="zh"]')
        await page.wait_for_selector('html[lang="zh-CN"]')
        await page.fill("#search", BLUSH)
        await page.click(f'#list tr[data-key="{BLUSH}"]')
        await page.fill("#f-stock", "-3")
        await page.click("#save")
        await page.wait_for_function("() => document.querySelector('#f-stock-error').textContent.length > 0")
        assert await page.locator("#f-stock-error").inner_text() == "库存不能为负数（你输入的是 -3）。"
        await screenshot(page, "editor-field-error-zh")
        # the API itself: English text for scripts, a stable code + params for pages
        body = await page.evaluate(
            """async ([sku, csrf]) => {
                const p = await (await fetch('/api/v1/products/' + sku)).json();
                const r = await fetch('/api/v1/products/' + sku, {method: 'PATCH',
                    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                    body: JSON.stringify({stock: -3, version: p.version})});
                return {status: r.status, ...(await r.json())};
            }""",
            [BLUSH, await page.get_attribute('meta[name="csrf-token"]', "content")],
        )
        assert body["status"] == 422 and body["field"] == "stock"
        assert body["code"] == "negative" and body["params"] == {"got": "-3"}
        assert body["error"] == "must not be negative, got -3"
        # a bad time on a promotion: another code, also in Chinese
        await page.click('button[data-tab="promotions"]')
        await page.wait_for_selector("#list .count")
        await page.click("#new-item")
        await fill(page, {"code": "WEB-BAD", "discount_percent": "10", "valid_from": "tomorrow"})
        await page.fill("#f-valid_to", "2030-01-01T00:00:00Z")
        await page.click("#save")
        await page.wait_for_function(
            "() => document.querySelector('#f-valid_from-error').textContent.length > 0"
        )
        assert "2026-11-23T20:00:00Z" in await page.locator("#f-valid_from-error").inner_text()
        assert "时间" in await page.locator("#f-valid_from-error").inner_text()
        assert not unexpected_errors(page), page.console_errors
    finally:
        await page.click('.lang-switch button[value="en"]')  # alice's choice is remembered: restore it
        await page.wait_for_selector('html[lang="en"]')
