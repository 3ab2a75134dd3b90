"""Scale-out settings without processes: replica routing, the token's one code path, the supervisor's
replica configuration, the store URLs split for Rasa, and the launcher that keeps the token out of argv."""

from __future__ import annotations

import argparse

import aiohttp
import pytest
from aiohttp import web

from bot.adapters.rasa import RasaClient, RasaUnavailable
from bot.core.config import GatewayConfig
from nlu.rasa.launch import rasa_argv
from ops.rasa_replicas import RasaStores, replica_names
from ops.supervisor import SupervisorConfig
from tests.conftest import free_port


def test_conversations_are_spread_and_stay_on_their_replica() -> None:
    client = RasaClient(None, ["http://a:1", "http://b:2", "http://c:3"])  # type: ignore[arg-type]
    owners = [client.replica_for(f"twitch:room:viewer{i}") for i in range(300)]
    assert {owners.count(r) for r in client.replicas} <= set(range(70, 130))
    assert all(client.replica_for(f"twitch:room:viewer{i}") == owners[i] for i in range(300))
    assert client.replica_for("simulator:房间:小明") in client.replicas


async def test_token_goes_to_api_calls_only_and_failover_skips_a_dead_replica() -> None:
    """A live aiohttp server as the second replica records what it receives; the first replica's
    port has nothing listening, like a replica that just died."""
    seen: list[tuple[str, str | None]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((request.path, request.query.get("token")))
        if request.path == "/status":
            return web.json_response({"model_id": "m"})
        return web.json_response({"messages": [{"text": "hi"}], "parse": {"intent": "greet"}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    dead, live = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            client = RasaClient(session, [dead, live], token="s3cret-token", timeout_s=5)
            sender = next(f"v{i}" for i in range(100) if client.replica_for(f"v{i}") == dead)
            result = await client.send(sender, "hello", {})
            assert result.replies[0].text == "hi" and client.failovers == 1
            assert await client.set_slots(sender, {"product": "X"})
            assert (await client.status(live))["model_id"] == "m"
            assert await client.healthy()
            only_dead = RasaClient(session, dead, timeout_s=5)
            with pytest.raises(RasaUnavailable, match="cannot reach"):
                await only_dead.send("x", "hello", {})
    finally:
        await runner.cleanup()
    assert ("/webhooks/liveroom/webhook", None) in seen  # the webhook never carries the token
    assert ("/webhooks/liveroom/slots", None) in seen
    assert ("/status", "s3cret-token") in seen  # Rasa's HTTP API does
    assert ("/", None) in seen


def test_supervisor_starts_replicas_only_with_shared_stores() -> None:
    with pytest.raises(ValueError, match="LIVEROOM_TRACKER_STORE_URL"):
        SupervisorConfig.from_env({"LIVEROOM_RASA_REPLICAS": "2"})
    config = SupervisorConfig.from_env(
        {
            "LIVEROOM_RASA_REPLICAS": "2",
            "LIVEROOM_RASA_PORT": "7000",
            "LIVEROOM_TRACKER_STORE_URL": "postgresql://rasa:p%40ss@db:5433/conv",
            "LIVEROOM_LOCK_STORE_URL": "redis://cache:6380/3",
        }
    )
    env = config.child_env()
    assert env["LIVEROOM_RASA_URLS"] == "http://127.0.0.1:7000,http://127.0.0.1:7001"
    assert len(env["LIVEROOM_RASA_TOKEN"]) >= 24  # generated per run
    assert (env["LIVEROOM_TRACKER_HOST"], env["LIVEROOM_TRACKER_PORT"]) == ("db", "5433")
    assert (env["LIVEROOM_TRACKER_DB"], env["LIVEROOM_TRACKER_PASSWORD"]) == ("conv", "p@ss")
    assert (env["LIVEROOM_LOCK_HOST"], env["LIVEROOM_LOCK_PORT"], env["LIVEROOM_LOCK_DB"]) == (
        "cache",
        "6380",
        "3",
    )
    assert config.rasa_stores.endpoints_file == "endpoints-scaleout.yml"
    assert "p%40ss" not in repr(config) and config.rasa_token not in repr(config)
    assert replica_names(3) == ["rasa", "rasa-1", "rasa-2"]
    assert GatewayConfig.from_env({"LIVEROOM_RASA_URLS": env["LIVEROOM_RASA_URLS"]}).rasa_replicas == (
        "http://127.0.0.1:7000",
        "http://127.0.0.1:7001",
    )


def test_store_urls_are_validated() -> None:
    with pytest.raises(ValueError, match="both"):
        RasaStores(tracker_store_url="postgresql://x/db")
    with pytest.raises(ValueError, match="postgresql"):
        RasaStores(tracker_store_url="mysql://x/db", lock_store_url="redis://x")
    with pytest.raises(ValueError, match="alphanumeric"):
        RasaStores(lock_prefix="live-room")
    assert RasaStores().env() == {} and RasaStores().endpoints_file == "endpoints.yml"


def test_launcher_adds_the_token_for_rasa_run_only() -> None:
    assert rasa_argv(["run", "--port", "5005"], "tok") == [
        "rasa",
        "run",
        "--port",
        "5005",
        "--auth-token=tok",
    ]
    assert rasa_argv(["run"], None) == ["rasa", "run"]
    assert rasa_argv(["train"], "tok") == ["rasa", "train"]


def test_a_token_that_starts_with_a_dash_reaches_rasa() -> None:
    """secrets.token_urlsafe starts with "-" about once in 64 runs; Rasa's CLI is argparse, which reads a
    separate "-xyz" argument as an option and refused to start the stack."""
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--auth-token")
    argv = rasa_argv(["run"], "-Zx9_token")
    assert parser.parse_args(argv[2:]).auth_token == "-Zx9_token"
    with pytest.raises(argparse.ArgumentError):
        parser.parse_args(["--auth-token", "-Zx9_token"])
