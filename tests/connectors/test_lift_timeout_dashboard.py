"""The dashboard's undo goes through :meth:`Connector.lift_timeout` on a real platform connector: the
gateway app runs in-process with the Twitch connector pointed at the fake Twitch, a flood earns a real
timeout (Helix Ban User), the moderator lifts it (Helix Unban User), and an undo the platform refuses
("user is not banned") is answered with the reason and counted in ``liveroom_moderation_calls_total``."""

from __future__ import annotations

import asyncio
import re

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from tests.conftest import WEB_USERS
from tests.connectors.fakes import twitch as fk
from tests.connectors.test_twitch_connector import chat_event, config_for


def _flood(fake: fk.FakeTwitch, chatter: str, start: int) -> None:
    """Eighteen messages in a second from one chatter: the flood rule times them out (more than 15
    in 10 s; more than 8 are only deleted)."""
    for i in range(start, start + 18):
        fake.notify(
            "channel.chat.message",
            chat_event(
                i,
                f"buy now {i}",
                chatter_user_id=chatter,
                chatter_user_login=f"spam{chatter}",
                chatter_user_name=f"Spam{chatter}",
            ),
        )


async def _executed_timeout(client: TestClient, viewer_id: str) -> str:
    """The dashboard id of the viewer's timeout once the platform confirmed it (offered for undo)."""
    for _ in range(100):
        frame = await (await client.get("/dashboard/frame.json")).json()
        for row in frame.get("moderation", []):
            undoable = row["action"] == "timeout" and row["why_not_undo"] is None
            if undoable and row["viewer"] == f"Spam{viewer_id}":
                return row["id"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no undoable timeout of {viewer_id} on the dashboard")


def _counted(metrics: str, outcome: str) -> float:
    labels = f'action="lift_timeout",outcome="{outcome}",platform="twitch"'
    found = re.search(r"liveroom_moderation_calls_total\{" + labels + r"\} (\S+)", metrics)
    return float(found.group(1)) if found else 0.0


async def test_dashboard_undo_lifts_a_twitch_timeout_and_counts_a_refusal(
    fake_twitch, tmp_path, monkeypatch
) -> None:
    config = config_for(fake_twitch)  # points twitchio at the fake
    env = {
        "LIVEROOM_VAR": str(tmp_path),
        "LIVEROOM_MOD_DRY_RUN": "0",
        "LIVEROOM_WEB_USERS": ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()),
        "TWITCH_CREDENTIALS_FILE": str(tmp_path / "no-such.secret"),
        "TWITCH_CLIENT_ID": config.client_id,
        "TWITCH_CLIENT_SECRET": config.client_secret,
        "TWITCH_BOT_ID": config.bot_id,
        "TWITCH_CHANNEL_IDS": fk.CHANNEL_ID,
        "TWITCH_USER_TOKEN": config.user_token,
        "TWITCH_REFRESH_TOKEN": config.refresh_token,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("twitch",))
    async with TestClient(TestServer(app)) as client:
        login = await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        assert login.status == 200
        page = await (await client.get("/dashboard")).text()
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert csrf is not None
        headers = {"X-CSRF-Token": csrf.group(1)}

        _flood(fake_twitch, "7001", 0)
        entry = await _executed_timeout(client, "7001")
        assert fake_twitch.active_ban(fk.CHANNEL_ID, "7001") is not None
        undone = await client.post(f"/dashboard/api/moderation/{entry}/undo", headers=headers)
        assert undone.status == 200, await undone.text()
        assert fake_twitch.active_ban(fk.CHANNEL_ID, "7001") is None
        assert fake_twitch.moderation_requests[-1]["method"] == "DELETE"

        _flood(fake_twitch, "7002", 100)
        entry = await _executed_timeout(client, "7002")
        fake_twitch.lift_by_hand("7002")  # a human moderator lifted it on Twitch first
        refused = await client.post(f"/dashboard/api/moderation/{entry}/undo", headers=headers)
        assert refused.status == 409
        body = await refused.json()
        assert body["reason"] == "expired" and "user is not banned" in body["detail"]
        assert fake_twitch.moderation_requests[-1]["status"] == 400

        metrics = await (await client.get("/metrics")).text()
        assert _counted(metrics, "executed") == 1 and _counted(metrics, "declined") == 1
        assert (await client.get("/healthz")).status == 200  # still serving
