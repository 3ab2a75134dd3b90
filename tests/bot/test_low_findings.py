"""Low findings of the security review in the gateway (L3, L6, L7, L8), each on the real app or objects."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.rasa import RasaClient, RasaUnavailable
from bot.app import create_app
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.metrics import GatewayMetrics
from connectors.simulator.connector import SimulatorConnector
from knowledge_graph.config import GraphConfig
from tests.bot.core.test_gateway import event
from tests.conftest import free_port

RASA_TOKEN = "rasa-secret-0123456789"
ADMIN = "alice-token-0123456789"


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "0")
    monkeypatch.setenv("LIVEROOM_VISION_TOKEN", "vision-token-0123456789")
    monkeypatch.setenv("LIVEROOM_METRICS_TOKEN", "metrics-token-0123456789")
    monkeypatch.setenv("LIVEROOM_ADMIN_TOKENS", f"alice:{ADMIN}")
    return monkeypatch


def gateway_app(graph_config: GraphConfig | None = None) -> web.Application:
    dead = GraphConfig.from_env({"FALKORDB_PORT": str(free_port())})
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}")
    return create_app(config, ("simulator",), graph_config=graph_config or dead)


async def raw_status(client: TestClient, request: bytes) -> int:
    """Send raw HTTP bytes (header bytes no HTTP client library would send) and read the status."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def test_l6_header_bytes_that_are_not_utf8_are_refused_not_a_500(app_env) -> None:
    async with TestClient(TestServer(gateway_app())) as client:
        bad = b"Authorization: Bearer \xff\xfe\r\n"
        vision = (
            b"POST /api/vision/audience HTTP/1.1\r\nHost: t\r\n" + bad + b"Content-Length: 2\r\n"
            b"Connection: close\r\n\r\n{}"
        )
        assert await raw_status(client, vision) == 401
        metrics = b"GET /metrics HTTP/1.1\r\nHost: t\r\n" + bad + b"Connection: close\r\n\r\n"
        assert await raw_status(client, metrics) == 401


async def test_l7_deeply_nested_json_is_a_validation_error_not_a_500(app_env) -> None:
    nested = "[" * 5000
    async with TestClient(TestServer(gateway_app())) as client:
        vision = await client.post(
            "/api/vision/audience",
            data=nested[:2000],  # the vision endpoint reads at most 2 KiB
            headers={"Authorization": "Bearer vision-token-0123456789"},
        )
        assert vision.status == 400
        assert "nested too deeply" in (await vision.json())["error"]
        admin = await client.post(
            "/api/v1/products",
            data=nested,
            headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"},
        )
        assert admin.status == 400  # the admin API's validation error
        assert (await admin.json())["field"] == "body"


async def test_l7_a_deeply_nested_import_fails_instead_of_staying_validating(app_env, falkordb) -> None:
    nested = "[" * 5000
    async with TestClient(TestServer(gateway_app(falkordb.graph_config("imports")))) as client:
        started = await client.post(
            "/api/v1/imports?format=json", data=nested, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        assert started.status == 202
        job_url = f"/api/v1/imports/{(await started.json())['id']}"
        for _ in range(100):  # the import job ends (it used to stay "validating" forever)
            job = await (await client.get(job_url, headers={"Authorization": f"Bearer {ADMIN}"})).json()
            if job["status"] != "validating":
                break
            await asyncio.sleep(0.05)
        assert job["status"] == "failed"
        assert "nested too deeply" in job["error"]["error"]


async def test_l3_the_rasa_token_never_reaches_an_error_message() -> None:
    """An answer aiohttp cannot decode (HTML from a proxy, say) raises an error that quotes the URL,
    ``?token=`` included; RasaUnavailable redacts it."""

    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>proxy error</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/status", html)
    async with TestServer(app) as server, aiohttp.ClientSession() as session:
        rasa = RasaClient(session, str(server.make_url("")), token=RASA_TOKEN)
        with pytest.raises(RasaUnavailable) as raised:
            await rasa.status()
    assert "token=<redacted>" in str(raised.value)
    assert RASA_TOKEN not in str(raised.value)
    assert RASA_TOKEN not in str(RasaUnavailable(f"x url='http://h/status?token={RASA_TOKEN}&a=1'"))


async def test_l8_viewer_names_are_logged_quoted(caplog) -> None:
    """A name with a newline cannot forge a second log line."""
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", rasa_channel="rest")
    async with aiohttp.ClientSession() as session:
        gateway = build_gateway(
            config,
            RasaClient(session, config.rasa_url),
            {"simulator": SimulatorConnector()},
            GatewayMetrics(),
        )
        forged = "troll\nINFO bot.core.gateway: all good"
        with caplog.at_level(logging.INFO, logger="bot.core.gateway"):
            await gateway.ingest(event("1", text="you idiot", viewer=forged))
        await gateway.stop()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("moderation:")]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert repr(forged) in lines[0]  # quoted and escaped; plain names stay as they are
