"""Asks for products the shop does not sell (issue 15), through the real gateway app in-process with a
real FalkorDB graph and the recorder's real SQLite file (no Rasa: nothing here needs it).

A ``not_carried`` OpenQuestion is demand, not a hand-off: the dashboard's frame lists it in its own
``not_carried`` list (most asked first, with its count) and never among the moderators' open questions;
the recorder stores each ask apart, so the report counts the demand by normalized text while the
hand-offs count only the real question.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import RECORDER, SAMPLER
from knowledge_graph.editing.open_questions import record_open_question
from knowledge_graph.store import open_store
from knowledge_graph.store.falkordb import FalkorDBStore
from knowledge_graph.store.server import FalkorDBServer
from tests.conftest import WEB_USERS
from tests.polling import eventually

STRAIGHTENER = "Do you sell hair straighteners?"


@pytest.fixture
async def graph(falkordb: FalkorDBServer) -> AsyncIterator[FalkorDBStore]:
    store = open_store(falkordb.graph_config(f"demand-{time.time_ns()}"))
    assert isinstance(store, FalkorDBStore)
    yield store
    await store.drop_graph()
    await store.close()


async def test_not_carried_asks_are_demand_on_the_dashboard_and_in_the_report_never_handoffs(
    tmp_path, monkeypatch, graph: FalkorDBStore
) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    # asked in an earlier stream (before this gateway started): only its ask during this stream counts
    old = int(time.time() * 1000) - 3_600_000
    await record_open_question(
        graph, "simulator", "shop", "v0", "有卷发棒吗", "zh", at=old, kind="not_carried"
    )
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",), graph_config=graph.config)
    async with TestClient(TestServer(app)) as client:
        assert (
            await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        ).status == 200
        room = await client.ws_connect("/ws/rooms/shop")
        await room.receive_json()  # welcome
        await room.send_json({"type": "chat", "viewer": "ann", "text": "hi everyone"})
        recorder = app[RECORDER]

        async def session() -> str | None:
            return recorder.session

        assert await eventually(session), "chat starts a recorded session"

        await record_open_question(graph, "simulator", "shop", "v1", "do you ship to Canada?", "en")
        for viewer, text in (
            ("v2", STRAIGHTENER),
            ("v3", "do you sell HAIR straighteners"),
            ("v4", "do you sell hair straighteners!!"),
        ):
            await record_open_question(graph, "simulator", "shop", viewer, text, "en", kind="not_carried")
        await record_open_question(graph, "simulator", "shop", "v5", "有卷发棒吗?", "zh", kind="not_carried")
        await record_open_question(  # another room, its own record: the report groups them by key
            graph, "simulator", "shop2", "v6", "do you sell hair straighteners", "en", kind="not_carried"
        )
        await app[SAMPLER].refresh_open_questions()

        async def frame_with_demand() -> dict | None:
            frame = json.loads(await (await client.get("/dashboard/frame.json")).text())
            return frame if frame.get("open_questions") else None  # the frame after that read

        frame = await eventually(frame_with_demand)
        assert frame, "the dashboard frame lists the not-carried asks"
        assert [(q["text"], q["count"]) for q in frame["open_questions"]] == [("do you ship to Canada?", 1)]
        assert [(q["text"], q["count"]) for q in frame["not_carried"]] == [
            (STRAIGHTENER, 3),  # the most asked first
            ("有卷发棒吗", 2),
            ("do you sell hair straighteners", 1),
        ]
        page = await (await client.get("/dashboard")).text()
        assert 'id="card-not_carried"' in page and "Asked for, not in the catalog" in page

        async def report_with_demand() -> dict | None:
            data = await (await client.get("/report/current.json")).json()
            return data if data.get("demand") and data["handoffs"] else None

        report = await eventually(report_with_demand)
        assert report, "the recorder stored the asks"
        await room.close()
    assert report["demand"] == [[STRAIGHTENER, 4], ["有卷发棒吗", 1]]  # grouped by normalized text
    assert report["totals"]["not_carried_asks"] == 5
    assert [h["text"] for h in report["handoffs"]] == ["do you ship to Canada?"]
    assert report["totals"]["handed_off"] == 1
    assert frame["totals"]["handoffs"] == 1 and frame["totals"]["not_carried"] == 5


@pytest.fixture(autouse=True)
def _quiet(caplog) -> None:
    caplog.set_level("ERROR")
