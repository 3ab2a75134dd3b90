"""bot/mood.py and bot/http/vision.py with a real Gateway (Rasa on a closed port): the endpoint's auth and
validation, and sustained mood changes without flapping."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.rasa import RasaClient
from bot.app import moods_ctx
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.http import vision
from bot.metrics import GatewayMetrics
from bot.mood import MoodConfig, RoomMoods, SustainedMood
from bot.services import GATEWAY, MOODS
from connectors.base import ChatEvent
from connectors.simulator.connector import SimulatorConnector
from tests.conftest import free_port

UPSET = {"schema": "liveroom.vision.v1", "platform": "simulator", "room": "r", "faces": 3}


def test_a_flickering_mood_never_settles_and_a_steady_one_settles_once() -> None:
    mood = SustainedMood(sustain_s=5)
    flicker = [(t, "upset" if t % 2 else "neutral") for t in range(20)]
    assert [mood.update(m, t) for t, m in flicker] == [None] * 20
    changes = [mood.update("bored", t) for t in range(20, 30)]
    assert changes == [None] * 5 + ["bored"] + [None] * 4
    assert mood.stable == "bored"


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIVEROOM_VISION_TOKEN", "t0ken")
    monkeypatch.setenv("LIVEROOM_MOOD_SUSTAIN_S", "0")
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}")
    async with aiohttp.ClientSession() as session:
        gateway = build_gateway(
            config,
            RasaClient(session, config.rasa_url, timeout_s=2),
            {"simulator": SimulatorConnector()},
            GatewayMetrics(),
        )
        app = web.Application()
        app[GATEWAY] = gateway
        app.cleanup_ctx.append(moods_ctx(MoodConfig.from_env()))
        vision.setup(app)
        async with TestClient(TestServer(app)) as test_client:
            yield test_client, gateway
        await gateway.stop()


async def test_reports_need_the_token_and_the_schema(client) -> None:
    http, gateway = client
    auth = {"Authorization": "Bearer t0ken"}
    body = {**UPSET, "distribution": {"angry": 0.6, "sad": 0.4}}
    assert (await http.post("/api/vision/audience", json=body)).status == 401
    bad = await http.post("/api/vision/audience", json={**body, "faces": "3"}, headers=auth)
    assert bad.status == 400 and "faces must be an integer" in (await bad.json())["error"]
    big = await http.post("/api/vision/audience", data=b"x" * 5000, headers=auth)
    assert big.status == 413
    ok = await http.post("/api/vision/audience", json=body, headers=auth)
    assert ok.status == 200 and (await ok.json())["mood"] is None  # no chat in that room yet
    metrics = gateway.metrics.render().decode()
    for outcome, count in (("unauthorized", 1), ("invalid", 1), ("too_large", 1), ("accepted", 1)):
        assert f'liveroom_vision_reports_total{{outcome="{outcome}"}} {count}.0' in metrics


async def test_upset_faces_turn_the_room_upset_and_a_rasa_failure_is_counted(client) -> None:
    http, gateway = client
    await gateway.ingest(
        ChatEvent(platform="simulator", room="r", message_id="1", viewer_id="v", display_name="v", text="hi")
    )
    auth = {"Authorization": "Bearer t0ken"}
    body = {**UPSET, "distribution": {"angry": 0.6, "sad": 0.4}}
    resp = await http.post("/api/vision/audience", json=body, headers=auth)
    assert (await resp.json())["mood"] == "upset"
    # the mood loop (1 s ticks) triggers EXTERNAL_room_upset; Rasa is down: counted, nothing raised
    failed = 'intent="EXTERNAL_room_upset",outcome="failed",platform="simulator"'
    for _ in range(50):
        if f"liveroom_external_intents_total{{{failed}}}" in gateway.metrics.render().decode():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(2.5)  # settled: no second trigger
    moods = http.app[MOODS]
    assert moods.step() == [] and moods._moods[("simulator", "r")].stable == "upset"
    metrics = gateway.metrics.render().decode()
    assert f"liveroom_external_intents_total{{{failed}}} 1.0" in metrics
    assert 'liveroom_room_mood_changes_total{mood="upset",platform="simulator"} 1.0' in metrics


def test_mood_config_validation() -> None:
    with pytest.raises(ValueError, match="LIVEROOM_MOOD_ACTIONS"):
        MoodConfig.from_env({"LIVEROOM_MOOD_ACTIONS": "sometimes"})
    assert MoodConfig.from_env({}).sustain_s == 15.0


async def test_a_sustained_change_goes_to_recent_conversations_only_capped_and_failures_counted() -> None:
    """Rasa on a closed port: every push fails, is counted, and nothing raises."""
    now = [0.0]
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}")
    async with aiohttp.ClientSession() as session:
        gateway = build_gateway(
            config,
            RasaClient(session, config.rasa_url, timeout_s=2),
            {"simulator": SimulatorConnector()},
            GatewayMetrics(),
        )
        moods = RoomMoods(gateway, MoodConfig(sustain_s=0, active_s=60, slot_max=2), clock=lambda: now[0])

        def turn(viewer: str, at: float, path: str = "rasa") -> None:
            now[0] = at
            event = ChatEvent(
                platform="simulator",
                room="r",
                message_id=viewer,
                viewer_id=viewer,
                display_name=viewer,
                text="hi",
            )
            moods.on_reply(event, "hello", path, "greet", 0.1)

        turn("old", 0)
        turn("stale", 50)
        turn("shared", 60, path="coalesced")  # another viewer's Rasa turn answered it: no tracker of its own
        turn("a", 70)
        turn("b", 80)
        turn("c", 100)
        now[0] = 115
        key = ("simulator", "r")
        assert moods.active_conversations(key, now[0]) == ["simulator:r:c", "simulator:r:b", "simulator:r:a"]
        moods._slot_changes.append((key, "upset"))
        moods.start_slot_pushes()
        await asyncio.wait_for(moods._slot_tasks[key], timeout=20)
        metrics = gateway.metrics.render().decode()
        assert 'liveroom_mood_slot_updates_total{outcome="failed",platform="simulator"} 2.0' in metrics
        assert 'liveroom_mood_slot_updates_total{outcome="over_cap",platform="simulator"} 1.0' in metrics
        assert 'liveroom_mood_slot_updates_total{outcome="set",platform="simulator"} 0.0' in metrics
        now[0] = 500  # nobody active any more: no push at all
        moods._slot_changes.append((key, "happy"))
        moods.start_slot_pushes()
        assert key not in moods._slot_tasks
        await gateway.stop()


def test_slot_push_bounds_are_validated() -> None:
    with pytest.raises(ValueError, match="LIVEROOM_MOOD_SLOT_MAX"):
        MoodConfig.from_env({"LIVEROOM_MOOD_SLOT_MAX": "-1"})
    config = MoodConfig.from_env({"LIVEROOM_MOOD_ACTIVE_S": "120", "LIVEROOM_MOOD_SLOT_MAX": "10"})
    assert (config.active_s, config.slot_max) == (120.0, 10)


async def test_a_room_looking_away_is_bored_and_attention_is_validated(client) -> None:
    http, gateway = client
    await gateway.ingest(
        ChatEvent(platform="simulator", room="r", message_id="1", viewer_id="v", display_name="v", text="hi")
    )
    auth = {"Authorization": "Bearer t0ken"}
    calm = {**UPSET, "distribution": {"happy": 0.2, "neutral": 0.8}}
    bad = await http.post("/api/vision/audience", json={**calm, "attention": 1.5}, headers=auth)
    assert bad.status == 400 and "attention must be between" in (await bad.json())["error"]
    away = await http.post("/api/vision/audience", json={**calm, "attention": 0.2}, headers=auth)
    assert (await away.json())["mood"] == "bored"
    snap = gateway.rooms[("simulator", "r")].audience.snapshot()
    assert snap.attention == 0.2
    angry = {**UPSET, "distribution": {"angry": 0.7, "sad": 0.3}, "attention": 0.1}
    resp = await http.post("/api/vision/audience", json=angry, headers=auth)
    assert (await resp.json())["mood"] == "upset", "an upset room stays upset, looking or not"


async def test_the_dashboard_frame_carries_the_attention_share(client) -> None:
    from bot.web.dashboard_hub import FrameHub
    from bot.web.dashboard_sampler import LiveSampler
    from bot.web.dashboard_tap import ChatTap

    _, gateway = client
    await gateway.ingest(
        ChatEvent(platform="simulator", room="r", message_id="1", viewer_id="v", display_name="v", text="hi")
    )
    gateway.rooms[("simulator", "r")].audience.observe_vision({"happy": 1.0}, attention=0.25)
    frame = LiveSampler(gateway, ChatTap(), FrameHub(), lambda: None).sample()
    assert frame["point"]["vision_attention"] == 0.25  # the mood chart's attention line
    assert frame["mood"]["attention"] == 0.25 and frame["rooms"][0]["attention"] == 0.25
    assert frame["mood"]["mood"] == "bored"
