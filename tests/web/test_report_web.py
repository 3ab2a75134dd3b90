"""The stream report in real Chromium against the real stack: after simulated chat the current session's
report page draws non-empty charts, and its PNG and PDF exports are real, non-trivial files."""

from __future__ import annotations

import io
import re
from urllib.parse import urlparse

import pytest
from PIL import Image

from tests.conftest import Stack
from tests.web.conftest import ARTIFACTS
from tests.web.test_dashboard_web import chat, real_errors, track_missing

pytestmark = pytest.mark.e2e


async def test_report_renders_charts_and_exports_png_and_pdf(
    web_stack: Stack, new_page, login, screenshot
) -> None:
    await chat(web_stack, "web-report", 40)
    page = await track_missing(await new_page())
    await login(page, web_stack, "bob", next_path="/report")
    assert urlparse(page.url).path == "/report"
    link = page.locator("table.sessions a").first
    await link.wait_for()
    await screenshot(page, "report-list")

    # The recorder writes each second; wait until this chat is in the report's data.
    for _ in range(20):
        data = await (await page.request.get(f"{web_stack.gateway_url}/report/current.json")).json()
        if data["totals"]["messages"] >= 40:
            break
        await page.wait_for_timeout(500)
    assert data["totals"]["messages"] >= 40 and data["totals"]["questions"] > 0
    assert data["top_products"], "questions named products, so top asked products is not empty"

    await page.goto(f"{web_stack.gateway_url}/report/{data['id']}.html")
    await page.wait_for_selector("#chart-activity[data-nonzero]")
    for chart in ("#chart-activity", "#chart-mood"):
        assert int(await page.get_attribute(chart, "data-points") or 0) > 0
        assert int(await page.get_attribute(chart, "data-nonzero") or 0) > 0, chart
    assert await page.locator("#top-products li").count() > 0
    assert await page.locator("#chart-activity canvas").count() == 1
    await screenshot(page, "report-session")
    assert not real_errors(page), page.console_errors

    png = await page.request.get(f"{web_stack.gateway_url}/report/{data['id']}.png")
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    body = await png.body()
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG" and image.width >= 800 and image.height >= 1000
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 50, "a chart page, not a blank image"
    (ARTIFACTS / "report-export.png").write_bytes(body)

    pdf = await page.request.get(f"{web_stack.gateway_url}/report/{data['id']}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    document = await pdf.body()
    assert document.startswith(b"%PDF-") and document.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", document)) >= 1
    assert len(document) > 10_000
    (ARTIFACTS / "report-export.pdf").write_bytes(document)
