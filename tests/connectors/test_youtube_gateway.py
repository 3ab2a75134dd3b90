"""The gateway runs the YouTube connector by name, configured from the environment (as in production),
next to the simulator: events reach the gateway and the connector's quota and state are on /metrics."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import CONNECTORS, METRICS
from tests.connectors.fakes.youtube import FakeYouTube, text


async def test_the_gateway_runs_youtube_from_the_environment(
    fake_youtube: FakeYouTube, monkeypatch, tmp_path
) -> None:
    env = {
        "LIVEROOM_VAR": str(tmp_path),
        "LIVEROOM_WARM_ENCODERS": "0",
        "YOUTUBE_CREDENTIALS_FILE": str(tmp_path / "none.secret"),
        "YOUTUBE_CLIENT_ID": fake_youtube.client_id,
        "YOUTUBE_CLIENT_SECRET": fake_youtube.client_secret,
        "YOUTUBE_REFRESH_TOKEN": fake_youtube.refresh_token,
        "YOUTUBE_CHANNEL_ID": "UCroom",
        "YOUTUBE_API_BASE": fake_youtube.base_url + "/youtube/v3",
        "YOUTUBE_TOKEN_URL": fake_youtube.base_url + "/token",
        "YOUTUBE_STREAM_HOURS": "0.001",
        "YOUTUBE_MIN_POLL": "0.05",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator", "youtube"))
    async with TestClient(TestServer(app)):
        connector = app[CONNECTORS]["youtube"]
        fake_youtube.push(text("hello from youtube"))
        deadline = asyncio.get_running_loop().time() + 5
        while connector.stats.frames.get(("delivered", "")) != 1:
            assert asyncio.get_running_loop().time() < deadline, connector.stats.frames
            await asyncio.sleep(0.02)
        metrics = app[METRICS].render().decode()
    assert 'liveroom_events_in_total{kind="chat",platform="youtube"} 1.0' in metrics
    assert 'liveroom_connector_quota_units{kind="limit",platform="youtube"} 10000.0' in metrics
    assert 'liveroom_connector_state{platform="youtube",room="UCroom",state="connected"} 2.0' in metrics
