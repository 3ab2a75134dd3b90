"""``/metrics`` behind ``LIVEROOM_METRICS_TOKEN`` (open when unset), scraped by a real Prometheus with the
deploy config's ``authorization`` block, and Rasa failovers exported as ``liveroom_rasa_failovers_total``.

The gateway app is created and started in-process (simulator connector). The failover test's live
"replica" is a small aiohttp server answering like the liveroom channel (a real Rasa takes minutes to
start; tests/scaleout/test_rasa_replicas.py kills a real replica): it checks the gateway's token header.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.http.health import METRICS_TOKEN_ENV, MetricsAccess
from bot.services import GATEWAY
from tests.conftest import REPO, free_port

TOKEN = "metrics-test-token-3f9c2a7e"
WRONG = "metrics-wrong-token-81d0"
PROMETHEUS = shutil.which("prometheus")


def sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def make_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None, **config: Any
) -> web.Application:
    """The gateway app with ``LIVEROOM_METRICS_TOKEN`` = ``token`` (None: unset)."""
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "0")
    if token is None:
        monkeypatch.delenv(METRICS_TOKEN_ENV, raising=False)
    else:
        monkeypatch.setenv(METRICS_TOKEN_ENV, token)
    config = {"rasa_url": f"http://127.0.0.1:{free_port()}", **config}
    return create_app(GatewayConfig(**config), ("simulator",))


@pytest.fixture
def gateway_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> web.Application:
    return make_app(tmp_path, monkeypatch, TOKEN)


async def test_metrics_need_the_bearer_token_when_one_is_set(
    gateway_app: web.Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.http.health")
    async with TestClient(TestServer(gateway_app)) as client:
        for headers in ({}, {"Authorization": f"Bearer {WRONG}"}, {"Authorization": f"Basic {TOKEN}"}):
            resp = await client.get("/metrics", headers=headers)
            assert resp.status == 401, headers
            assert "token" in (await resp.json())["error"]
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        resp = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert resp.status == 200
        assert "liveroom_events_in_total" in await resp.text()
        assert (await client.get("/healthz")).status == 200  # only /metrics is behind the token
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/metrics refused" in logged
    assert TOKEN not in logged and WRONG not in logged


async def test_metrics_stay_open_without_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with TestClient(TestServer(make_app(tmp_path, monkeypatch, None))) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200 and "liveroom_events_in_total" in await resp.text()


def test_a_short_metrics_token_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        MetricsAccess.from_env({METRICS_TOKEN_ENV: "short"})
    assert MetricsAccess.from_env({}).allows(None)
    access = MetricsAccess.from_env({METRICS_TOKEN_ENV: TOKEN})
    assert TOKEN not in repr(access)
    assert (
        access.allows(f"bearer {TOKEN}")
        and not access.allows(f"Bearer {TOKEN[:-1]}")
        and not access.allows("")
    )


def deploy_job() -> dict[str, Any]:
    """The gateway job of ops/deploy/prometheus.yml (what docker-compose's Prometheus runs)."""
    config = yaml.safe_load((REPO / "ops" / "deploy" / "prometheus.yml").read_text())
    (job,) = (j for j in config["scrape_configs"] if j["job_name"] == "liveroom-gateway")
    return job


def test_the_deploy_prometheus_reads_the_token_compose_mounts() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    auth = deploy_job()["authorization"]
    assert auth["type"] == "Bearer"
    secret = Path(auth["credentials_file"])
    assert secret.parent == Path("/run/secrets")  # where compose mounts a service's secrets
    assert secret.name in compose["services"]["prometheus"]["secrets"]
    assert compose["secrets"][secret.name]["environment"] == METRICS_TOKEN_ENV
    for name, service in compose["services"].items():
        if name.startswith("gateway-"):
            assert METRICS_TOKEN_ENV in service["environment"], name


@pytest.mark.skipif(PROMETHEUS is None, reason="Debian package prometheus not installed (make system-deps)")
async def test_a_real_prometheus_scrapes_with_the_deploy_authorization(
    gateway_app: web.Application, tmp_path: Path
) -> None:
    runner = web.AppRunner(gateway_app)
    await runner.setup()
    gateway_port, prometheus_port = free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", gateway_port).start()
    token_file = tmp_path / "metrics-token"
    token_file.write_text(TOKEN + "\n")  # a trailing newline, as `echo` or an editor leaves it
    with_token = dict(deploy_job(), job_name="with-token", scrape_interval="1s")
    with_token["authorization"] = dict(with_token["authorization"], credentials_file=str(token_file))
    with_token["static_configs"] = [{"targets": [f"127.0.0.1:{gateway_port}"]}]
    without = {
        "job_name": "without-token",
        "scrape_interval": "1s",
        "static_configs": with_token["static_configs"],
    }
    config = tmp_path / "prometheus.yml"
    config.write_text(yaml.safe_dump({"scrape_configs": [with_token, without]}))
    log_path = tmp_path / "prometheus.log"
    with log_path.open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            str(PROMETHEUS),
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prometheus_port}",
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        up = await wait_for_up(f"http://127.0.0.1:{prometheus_port}", ("with-token", "without-token"))
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 20)
        await runner.cleanup()
    assert up == {"with-token": "1", "without-token": "0"}, up
    assert TOKEN not in log_path.read_text(errors="replace")


async def wait_for_up(prometheus: str, jobs: tuple[str, ...], timeout_s: float = 90) -> dict[str, str]:
    """``up`` per job once every job has been scraped at least once."""
    deadline = time.monotonic() + timeout_s
    up: dict[str, str] = {}
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{prometheus}/api/v1/query", params={"query": "up"}) as resp:
                    if resp.status == 200:
                        rows = (await resp.json())["data"]["result"]
                        up = {row["metric"]["job"]: row["value"][1] for row in rows}
                        if set(jobs) <= set(up):
                            return up
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"Prometheus did not scrape every job: {up}")


RASA_TOKEN = "rasa-channel-token-6e0d"


async def liveroom_channel_stand_in() -> tuple[web.AppRunner, str, list[str | None]]:
    """Answers ``/webhooks/liveroom/webhook`` like nlu/rasa/channel.py does, 401 without its token."""
    seen: list[str | None] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != f"Bearer {RASA_TOKEN}":
            return web.json_response({"error": "missing or wrong token"}, status=401)
        body = await request.json()
        return web.json_response(
            {"messages": [{"text": f"hi {body['sender']}"}], "parse": {"intent": "greet"}}
        )

    app = web.Application()
    app.router.add_post("/webhooks/liveroom/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}", seen


@pytest.fixture
async def live_replica() -> AsyncIterator[tuple[str, list[str | None]]]:
    runner, url, seen = await liveroom_channel_stand_in()
    yield url, seen
    await runner.cleanup()


async def test_rasa_failovers_are_exported_per_replica_that_was_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_replica: tuple[str, list[str | None]]
) -> None:
    live, seen = live_replica
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: connection refused
    app = make_app(tmp_path, monkeypatch, TOKEN, rasa_url=dead, rasa_urls=(dead, live), rasa_token=RASA_TOKEN)
    async with TestClient(TestServer(app)) as client:
        rasa = app[GATEWAY].rasa
        owned_by_dead = [
            f"simulator:room:v{i}" for i in range(50) if rasa.replica_for(f"simulator:room:v{i}") == dead
        ]
        owned_by_live = next(
            f"simulator:room:w{i}" for i in range(50) if rasa.replica_for(f"simulator:room:w{i}") == live
        )
        for sender in owned_by_dead[:3]:
            assert (await rasa.send(sender, "hello", {})).replies[0].text == f"hi {sender}"
        await rasa.send(owned_by_live, "hello", {})  # its own replica: no failover
        resp = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        text = await resp.text()
    assert sample(text, "liveroom_rasa_failovers_total", replica=dead) == 3
    assert sample(text, "liveroom_rasa_failovers_total", replica=live) == 0
    assert rasa.failovers == 3
    assert seen == [f"Bearer {RASA_TOKEN}"] * 4  # the gateway sends the channel its token
