"""The streamer's editor in real Chromium against the real stack: a price edit reaches the bot's answer
in the simulator page, field errors show next to the field, a stale edit gets the conflict message, and
an import is previewed (diff) before it runs with a progress bar."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from knowledge_graph.answers.replies import format_price
from knowledge_graph.catalog.products import get_product
from knowledge_graph.editing.products import set_price
from tests.conftest import Stack

pytestmark = pytest.mark.e2e

MASCARA = "LR-MKP-004"
BLUSH = "LR-MKP-006"


async def open_product(page, sku: str) -> None:
    await page.fill("#search", sku)
    await page.click(f'#list tr[data-key="{sku}"]')
    await page.wait_for_selector("#f-price")


async def test_streamer_edits_a_price_and_a_viewer_gets_it_from_the_bot(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    before = await get_product(graph, MASCARA)
    assert before is not None
    new_price = before.price + Decimal("7.77")
    editor = await new_page()
    await login(editor, web_stack, "alice")
    assert editor.url.endswith("/editor")
    await open_product(editor, MASCARA)
    await editor.fill("#f-price", str(new_price))
    await editor.click("#save")
    await editor.wait_for_selector(".toast.ok")
    await editor.wait_for_function(
        "v => document.querySelector('#f-version')?.textContent === String(v)", arg=before.version + 1
    )
    await screenshot(editor, "editor-price-saved")
    try:
        after = await get_product(graph, MASCARA)
        assert after is not None and after.price == new_price
        viewer = await new_page()
        await viewer.goto(f"{web_stack.gateway_url}/simulator?room=web-price")
        await viewer.fill(".viewer .name", "mia")
        await viewer.wait_for_selector("#status.ok")
        await viewer.fill(".viewer input.text", "how much is the mascara?")
        await viewer.click('.viewer form.say button[type="submit"]')
        answer = viewer.locator(".viewer .msg.bot.to-me").filter(has_text=format_price(new_price, "CNY"))
        await answer.first.wait_for(timeout=30_000)
        await screenshot(viewer, "simulator-new-price")
        assert format_price(before.price, "CNY") not in await answer.first.inner_text()
        assert not viewer.console_errors and not editor.console_errors
    finally:
        await set_price(graph, MASCARA, before.price)


async def test_invalid_field_is_named_next_to_the_field(
    web_stack: Stack, new_page, login, screenshot
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    await open_product(page, BLUSH)
    await page.fill("#f-stock", "-3")
    await page.click("#save")
    error = page.locator('.field[data-field="stock"] .field-error')
    await error.wait_for()
    await page.wait_for_function("() => document.querySelector('#f-stock-error').textContent.length > 0")
    assert await page.get_attribute("#f-stock", "aria-invalid") == "true"
    await screenshot(page, "editor-field-error")


async def test_stale_edit_shows_the_conflict_message(
    web_stack: Stack, graph, new_page, login, screenshot
) -> None:
    before = await get_product(graph, BLUSH)
    assert before is not None
    page = await new_page()
    await login(page, web_stack, "alice")
    await open_product(page, BLUSH)
    try:
        await set_price(graph, BLUSH, before.price + Decimal("1.00"))  # someone else, meanwhile
        await page.fill("#f-price", str(before.price + Decimal("2.00")))
        await page.click("#save")
        conflict = page.locator(".conflict")
        await conflict.wait_for()
        assert str(before.version + 1) in await conflict.inner_text()
        await screenshot(page, "editor-conflict")
        now = await get_product(graph, BLUSH)
        assert now is not None and now.price == before.price + Decimal("1.00")  # not overwritten
    finally:
        await set_price(graph, BLUSH, before.price)


async def test_import_is_previewed_then_applied_with_progress(
    web_stack: Stack, graph, new_page, login, screenshot, tmp_path
) -> None:
    page = await new_page()
    await login(page, web_stack, "alice")
    exported = await page.evaluate("async () => (await fetch('/api/v1/export?format=json')).text()")
    bundle = json.loads(exported)
    blush = next(p for p in bundle["products"] if p["sku"] == BLUSH)
    old_price = blush["price"]
    blush["price"] = str(Decimal(old_price) + Decimal("3.00"))
    new = {**blush, "sku": "LR-WEB-NEW", "name_en": "Web Test Blush", "name_zh": "网页测试腮红"}
    new["aliases_en"], new["aliases_zh"], new["variants"] = [], [], []
    bundle["products"].append(new)
    upload = tmp_path / "catalog.json"
    upload.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    try:
        await page.click('button[data-tab="import"]')
        await page.set_input_files("#import-file", str(upload))
        await page.click("#import-preview")
        changed = page.locator(f'#import-diff tr.changed[data-key="{BLUSH}"]')
        await changed.wait_for()
        assert old_price in await changed.inner_text() and blush["price"] in await changed.inner_text()
        assert "LR-WEB-NEW" in await page.locator("#import-diff tr.added").first.inner_text()
        product = await get_product(graph, BLUSH)
        assert product is not None and str(product.price) == old_price  # preview wrote nothing
        await screenshot(page, "editor-import-preview")
        await page.click("#import-apply")
        await page.wait_for_function(
            "() => { const p = document.querySelector('#import-progress');"
            " return p.value === p.max && p.max > 1; }"
        )
        # the import re-embeds every FAQ in the file (semantic index): allow the encoders to load
        await page.wait_for_selector("#import-status.alert.info", timeout=240_000)
        await screenshot(page, "editor-import-done")
        product = await get_product(graph, BLUSH)
        assert product is not None and product.price == Decimal(blush["price"])
        assert await get_product(graph, "LR-WEB-NEW") is not None
    finally:
        await set_price(graph, BLUSH, Decimal(old_price))
        await page.evaluate(
            """async (csrf) => {
                const r = await fetch('/api/v1/products/LR-WEB-NEW');
                if (!r.ok) return;
                const v = (await r.json()).version;
                await fetch('/api/v1/products/LR-WEB-NEW?version=' + v,
                            {method: 'DELETE', headers: {'X-CSRF-Token': csrf}});
            }""",
            await page.get_attribute('meta[name="csrf-token"]', "content"),
        )
