"""Content for the streamer on the report pages (issue 19), through the real gateway app in-process with a
real FalkorDB graph (the demo catalog) and the recorder's SQLite file holding a recorded demo stream.

The session page has the content section (highlights with the chart's mount point, chapters, suggested
title, gifts, mood runs) and links its Markdown/text exports; the list page links the next stream's
preview and run-of-show. Both languages, picked by ``?lang=``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bench.content_demo import graph_history, record_demo
from bot.app import create_app
from bot.core.config import GatewayConfig
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import open_store
from knowledge_graph.store.falkordb import FalkorDBStore
from knowledge_graph.store.server import FalkorDBServer
from tests.conftest import WEB_USERS


@pytest.fixture
async def graph(falkordb: FalkorDBServer) -> AsyncIterator[FalkorDBStore]:
    store = open_store(falkordb.graph_config(f"content-{time.time_ns()}"))
    assert isinstance(store, FalkorDBStore)
    await seed_if_empty(store)
    await graph_history(store)
    yield store
    await store.drop_graph()
    await store.close()


async def test_report_pages_show_and_export_the_content(
    tmp_path: Path, monkeypatch, graph: FalkorDBStore
) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    session = record_demo(tmp_path / "reports" / "sessions.sqlite", hours=1.0)
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",), graph_config=graph.config)
    async with TestClient(TestServer(app)) as client:
        anonymous = await client.get(f"/report/{session}.md", allow_redirects=False)
        assert anonymous.status != 200  # moderators only
        assert (
            await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        ).status == 200

        page = await (await client.get(f"/report/{session}.html")).text()
        assert 'id="chart-highlights"' in page and 'id="chapters"' in page and 'id="suggested-title"' in page
        assert "00:00 Stream start" in page and "Matte Lipstick · Chat hype" in page
        assert f'href="/report/{session}.md"' in page and f'href="/report/{session}.txt"' in page
        assert "¥30.00" in page and 'id="supporters"' in page  # top supporter

        data = await (await client.get(f"/report/{session}.json")).json()
        assert len(data["highlights"]) == 4 and data["series"]["highlights"]
        assert data["products"][0] == {"name_en": "Hydrating Serum", "name_zh": "补水精华", "n": 119}

        md = await client.get(f"/report/{session}.md")
        assert md.content_type == "text/markdown"
        assert (await md.text()).startswith(f"# Stream recap {session}")
        zh = await (await client.get(f"/report/{session}.txt?lang=zh")).text()
        assert zh.startswith(f"直播复盘 {session}") and "00:00 开场" in zh and "补水精华 ×119" in zh

        listing = await (await client.get("/report")).text()
        assert 'href="/report/next/preview.md"' in listing and 'href="/report/next/runofshow.txt"' in listing
        preview = await (await client.get("/report/next/preview.txt?lang=zh")).text()
        assert preview.startswith("直播预告") and "新品：丝绒唇釉" in preview
        plan = await (await client.get("/report/next/runofshow.md?minutes=90")).text()
        assert plan.startswith("# Run of show · 90 min stream") and "01:25–01:30 Outro" in plan
        assert (await client.get("/report/next/runofshow.md?minutes=5")).status == 400
        assert (await client.get("/report/next/runofshow.md?minutes=x")).status == 400


async def test_report_page_draws_the_highlights_on_the_chat_chart(
    tmp_path: Path, monkeypatch, graph: FalkorDBStore, web_built: Path, new_page, login, screenshot
) -> None:
    """In Chromium: the content section's chart has the chat line and one point per highlight."""
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    session = record_demo(tmp_path / "reports" / "sessions.sqlite", hours=1.0)
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",), graph_config=graph.config)
    async with TestServer(app) as server:
        base = SimpleNamespace(gateway_url=str(server.make_url("")).rstrip("/"))
        page = await login(await new_page(), base, "bob")
        await page.goto(f"{base.gateway_url}/report/{session}.html")
        chart = page.locator("#chart-highlights")
        await chart.locator("canvas").wait_for()
        assert int(await chart.get_attribute("data-nonzero") or 0) > 4  # the chat line + 4 moments
        assert await page.locator("#highlights li").count() == 4
        assert (await page.locator("#chapters").inner_text()).startswith("00:00 Stream start")
        await screenshot(page, "report-content")
        assert page.console_errors == []
