"""Gifts and super chats end to end in-process: the real gateway app with the simulator connector, the
real pacer, the dashboard's sampler and the recorder's SQLite file (Rasa is not running: nothing here
needs it; the super chat's question gets the degraded answer).

Viewers send gifts and a Chinese super chat; a redelivered gift (same message id) counts once. The room
gets one merged English thank-you and one Chinese one, the dashboard frame totals the revenue per
platform and currency with the top supporters, and the stream report shows the same figures.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import RECORDER
from tests.conftest import WEB_USERS
from tests.polling import eventually


def gift(viewer: str, message_id: str, value: float, count: int = 1) -> dict[str, Any]:
    return {
        "type": "gift",
        "viewer": viewer,
        "viewer_id": viewer,
        "message_id": message_id,
        "gift": "Rocket",
        "count": count,
        "value": value,
    }


async def test_gifts_get_a_merged_thank_you_and_show_on_the_dashboard_and_in_the_report(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    monkeypatch.setenv("LIVEROOM_THANKS_WINDOW_S", "1")
    monkeypatch.setenv("LIVEROOM_THANKS_INTERVAL_S", "0")
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        login = await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        assert login.status == 200
        room = await client.ws_connect("/ws/rooms/shop?replay=1")
        await room.receive_json()  # welcome
        for frame in (
            gift("ann", "g1", 20.0, count=2),
            gift("bo", "g2", 5.0),
            gift("ann", "g1", 20.0, count=2),  # redelivered after a reconnect: the same message id
            gift("ann", "g3", 1.0),
            {
                "type": "super_chat",
                "viewer": "mei",
                "viewer_id": "mei",
                "message_id": "s1",
                "text": "主播今天的口红是什么色号呀",
                "amount": 30,
            },
        ):
            await room.send_json(frame)

        bot_lines: list[str] = []

        async def thanked() -> bool:
            try:
                while True:
                    frame = await room.receive_json(timeout=0.3)
                    if frame.get("bot"):
                        bot_lines.append(frame["text"])
            except (asyncio.TimeoutError, TimeoutError):
                pass
            return any("Thank" in line for line in bot_lines) and any("感谢" in line for line in bot_lines)

        assert await eventually(thanked), f"no thank-yous among {bot_lines}"
        thanks = [line for line in bot_lines if "Thank" in line or "感谢" in line]
        assert sorted(thanks) == ["Thank you @ann @bo for the gifts!", "感谢 @mei 的醒目留言！"]

        async def frame_with_revenue() -> dict | None:
            frame = json.loads(await (await client.get("/dashboard/frame.json")).text())
            return frame if frame.get("revenue", {}).get("totals") else None

        frame = await eventually(frame_with_revenue)
        assert frame, "the dashboard frame carries the revenue"
        assert frame["revenue"]["totals"] == [
            {"platform": "simulator", "currency": "CNY", "amount": 56.0, "text": "¥56.00", "events": 4}
        ]
        assert [(s["name"], s["text"]) for s in frame["revenue"]["top"]] == [
            ("mei", "¥30.00"),
            ("ann", "¥21.00"),
            ("bo", "¥5.00"),
        ]
        assert [p["name"] for p in frame["revenue"]["recent"]] == ["mei", "ann", "bo", "ann"]  # newest first
        page = await (await client.get("/dashboard")).text()
        assert 'id="card-revenue"' in page

        recorder = app[RECORDER]

        async def report_with_revenue() -> dict | None:
            if recorder.session is None:
                return None
            data = await (await client.get("/report/current.json")).json()
            return data if data["totals"].get("paid_events") == 4 else None

        report = await eventually(report_with_revenue)
        assert report, "the recorder stored the paid events"
        assert [(r["currency"], r["amount"], r["events"]) for r in report["revenue"]["totals"]] == [
            ("CNY", 56.0, 4)
        ]
        assert [(s["name"], s["amount"], s["share"]) for s in report["revenue"]["top"]] == [
            ("mei", 30.0, 0.5357),
            ("ann", 21.0, 0.375),
            ("bo", 5.0, 0.0893),
        ]
        html = await (await client.get(f"/report/{report['id']}.html")).text()
        assert 'id="supporters"' in html and "¥56.00" in html
        png = await client.get(f"/report/{report['id']}.png")
        assert png.status == 200 and (await png.read())[:8] == b"\x89PNG\r\n\x1a\n"
        await room.close()


@pytest.fixture(autouse=True)
def _quiet(caplog) -> None:
    caplog.set_level("ERROR")
