"""The sentence encoders load in the background at gateway start: /healthz answers at once (readiness is
not delayed), then says "ready" and the metrics show the load; a failed load is logged, not fatal; a
shutdown does not wait for a load in progress."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.encoder_warmup import FAILED, READY, EncoderWarmup, WarmupConfig
from bot.app import create_app, encoder_warmup_ctx
from bot.core.config import GatewayConfig
from bot.metrics import GatewayMetrics
from bot.services import ENCODER_WARMUP
from tests.conftest import Stack

LOAD_DEADLINE_S = 240  # generous: the machine is shared; the load itself is ~16 s there


def _gauge(metrics: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", metrics, re.MULTILINE)
    assert found is not None, f"{name} not exported"
    return float(found.group(1))


async def test_the_gateway_is_ready_at_once_and_its_encoders_load_in_the_background(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "1")
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS_DELAY_S", "0")
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        first = await client.get("/healthz")
        assert first.status == 200  # served while the encoders are (most likely) still loading
        assert (await first.json())["encoders"] in {"pending", "loading", "ready"}
        deadline = time.monotonic() + LOAD_DEADLINE_S
        state = ""
        while time.monotonic() < deadline:
            state = (await (await client.get("/healthz")).json())["encoders"]
            if state in (READY, FAILED):
                break
            await asyncio.sleep(0.5)
        assert state == READY, f"encoders not loaded: {state}"
        metrics = await (await client.get("/metrics")).text()
        assert _gauge(metrics, "liveroom_encoders_ready") == 1
        assert _gauge(metrics, "liveroom_encoder_warmup_seconds") > 0
        assert app[ENCODER_WARMUP].seconds == _gauge(metrics, "liveroom_encoder_warmup_seconds")
    from knowledge_graph.semantic import ENCODER_NAMES, encode

    for name in ENCODER_NAMES:  # loaded for real: they encode (and no second load is logged)
        assert encode(name, ["does it ship to Shanghai?"]).shape[0] == 1


async def test_a_failed_warm_up_is_logged_and_not_fatal(caplog) -> None:
    def broken() -> None:
        raise OSError("model files missing")

    caplog.set_level(logging.INFO, logger="bot.adapters.encoder_warmup")
    metrics = GatewayMetrics()
    registry = metrics.registry
    warmup = EncoderWarmup(WarmupConfig(delay_s=0), metrics.encoders_loaded, load=broken)
    await warmup.run()
    assert warmup.state == FAILED and warmup.seconds is None
    assert registry.get_sample_value("liveroom_encoders_ready") == 0
    assert any(
        "warm-up failed" in r.getMessage() and "model files missing" in r.getMessage() for r in caplog.records
    )


async def test_shutdown_does_not_wait_for_a_load_in_progress(monkeypatch) -> None:
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "1")
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS_DELAY_S", "0")
    release = threading.Event()
    app = web.Application()
    warmup = EncoderWarmup(
        WarmupConfig.from_env(), GatewayMetrics().encoders_loaded, lambda: release.wait(30)
    )
    app[ENCODER_WARMUP] = warmup
    app.cleanup_ctx.append(encoder_warmup_ctx)
    server = TestServer(app)
    try:
        await server.start_server()
        await asyncio.sleep(0.05)
        assert app[ENCODER_WARMUP].state == "loading"
        started = time.monotonic()
        await server.close()
        assert time.monotonic() - started < 5  # the 30 s "load" is left behind, not joined
    finally:
        release.set()


def test_config_from_env() -> None:
    assert WarmupConfig.from_env({}) == WarmupConfig(enabled=True, delay_s=1.0)
    assert WarmupConfig.from_env({"LIVEROOM_WARM_ENCODERS": "off"}).enabled is False
    assert WarmupConfig.from_env({"LIVEROOM_WARM_ENCODERS_DELAY_S": "0"}).delay_s == 0
    with pytest.raises(ValueError, match="DELAY_S"):
        WarmupConfig.from_env({"LIVEROOM_WARM_ENCODERS_DELAY_S": "soon"})
    with pytest.raises(ValueError, match="0-600"):
        WarmupConfig(delay_s=-1)


@pytest.mark.e2e
async def test_the_stack_has_its_encoders_loaded_soon_after_it_is_ready(stack: Stack) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + LOAD_DEADLINE_S
        state = ""
        while time.monotonic() < deadline:
            async with session.get(f"{stack.gateway_url}/healthz") as resp:
                state = (await resp.json())["encoders"]
            if state in (READY, FAILED):
                break
            await asyncio.sleep(1)
        assert state == READY, f"stack encoders: {state}"
        async with session.get(f"{stack.gateway_url}/metrics") as resp:
            metrics = await resp.text()
    assert _gauge(metrics, "liveroom_encoders_ready") == 1
