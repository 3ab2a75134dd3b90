"""Secrets never reach a log: the whole stack (``python -m ops up``) runs with known test secrets —
admin tokens, the Rasa API token, web users' passwords, Twitch/Bilibili credentials, the tracker
store's database password — is used (admin API with good, wrong and read-only tokens, web logins that
succeed and fail (one with a password typed as the user name), Rasa's HTTP API and the liveroom
channel with and without their token, chat through Rasa), and then every
``var/log/*.log`` and the supervisor's own output are searched for each secret.

Also checked while it runs: the Rasa API token is in no process's command line (``ps`` shows argv to
every local user), and Rasa's HTTP API refuses calls without it.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.adapters.rasa import RasaClient, RasaUnavailable
from ops.postgres_server import PostgresServer
from ops.redis_server import RedisServer
from tests.conftest import Stack, free_port
from tests.e2e.test_price_e2e import ask
from tests.scaleout.conftest import Proc, base_env

pytestmark = pytest.mark.e2e


def secret(label: str) -> str:
    return f"{label}-{secrets.token_hex(10)}"


SECRETS = {
    "admin_token": secret("adm"),
    "reader_token": secret("rdr"),
    "rasa_token": secret("rasa"),
    "web_password_alice": secret("pwa"),
    "web_password_bob": secret("pwb"),
    "twitch_client_secret": secret("tcs"),
    "twitch_user_token": secret("tut"),
    "twitch_refresh_token": secret("trt"),
    "bilibili_sessdata": secret("sess"),
    "bilibili_bili_jct": secret("jct"),
    "neo4j_password": secret("neo"),
    "tracker_db_password": secret("pgpw"),  # PostgreSQL trusts loopback here, so any password works
    "wrong_rasa_token": secret("wrasa"),  # sent to the liveroom channel, which must not log it
}


@pytest.fixture(scope="module")
def secret_stack(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, redis_server: RedisServer
) -> Iterator[tuple[Stack, Proc]]:
    var_dir: Path = tmp_path_factory.mktemp("secrets")
    db = f"liveroom_sec_{os.getpid()}_{secrets.token_hex(3)}"
    postgres_server.psql(f"CREATE DATABASE {db}")
    s = SECRETS
    gateway_port, rasa_port = free_port(), free_port()
    env = base_env(
        var_dir,
        FALKORDB_PORT=str(free_port()),
        LIVEROOM_ACTIONS_PORT=str(free_port()),
        LIVEROOM_RASA_PORT=str(rasa_port),
        LIVEROOM_GATEWAY_PORT=str(gateway_port),
        LIVEROOM_ADMIN_TOKENS=f"sec-admin:{s['admin_token']},sec-reader:{s['reader_token']}:read",
        LIVEROOM_RASA_TOKEN=s["rasa_token"],
        LIVEROOM_WEB_USERS=f"alice:streamer:{s['web_password_alice']},bob:moderator:{s['web_password_bob']}",
        TWITCH_CLIENT_ID="fake-client-id",
        TWITCH_CLIENT_SECRET=s["twitch_client_secret"],
        TWITCH_USER_TOKEN=s["twitch_user_token"],
        TWITCH_REFRESH_TOKEN=s["twitch_refresh_token"],
        BILIBILI_SESSDATA=s["bilibili_sessdata"],
        BILIBILI_BILI_JCT=s["bilibili_bili_jct"],
        NEO4J_PASSWORD=s["neo4j_password"],
        LIVEROOM_TRACKER_STORE_URL=postgres_server.url(db, password=s["tracker_db_password"]),
        LIVEROOM_LOCK_STORE_URL=redis_server.url,
        LIVEROOM_LOCK_PREFIX=f"lrsec{secrets.token_hex(4)}",
    )
    proc = Proc([sys.executable, "-m", "ops", "up"], env, "secrets")
    try:
        proc.wait_for("liveroom is ready", float(os.environ.get("LIVEROOM_TEST_STACK_TIMEOUT", "900")))
        gateway = f"http://127.0.0.1:{gateway_port}"
        yield (
            Stack(
                gateway_url=gateway,
                ws_url=gateway.replace("http://", "ws://"),
                falkordb_port=int(env["FALKORDB_PORT"]),
                rasa_url=f"http://127.0.0.1:{rasa_port}",
                var_dir=var_dir,
                output=proc.output,
            ),
            proc,
        )
    finally:
        proc.stop()
        postgres_server.psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


async def test_rasa_api_needs_the_token_and_the_token_is_in_no_command_line(
    secret_stack: tuple[Stack, Proc],
) -> None:
    stack, _ = secret_stack
    async with aiohttp.ClientSession() as session:
        assert "model_id" in await RasaClient(session, stack.rasa_url, token=SECRETS["rasa_token"]).status()
        with pytest.raises(RasaUnavailable, match="401"):
            await RasaClient(session, stack.rasa_url).status()
        with pytest.raises(RasaUnavailable, match="401"):
            await RasaClient(session, stack.rasa_url, token="wrong-token").status()
    assert not processes_showing(SECRETS["rasa_token"])


def processes_showing(value: str) -> list[str]:
    """Pids whose command line contains ``value`` (what ``ps`` shows to every local user)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if value.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


async def test_secrets_are_in_no_log_after_a_session_that_uses_them(secret_stack: tuple[Stack, Proc]) -> None:
    stack, proc = secret_stack
    s = SECRETS
    api = f"{stack.gateway_url}/api/v1/products"
    async with aiohttp.ClientSession() as session:
        for token, expected in ((s["admin_token"], 200), (s["admin_token"] + "x", 401), ("", 401)):
            async with session.get(api, headers={"Authorization": f"Bearer {token}"}) as resp:
                assert resp.status == expected
        async with session.post(
            api, json={"sku": "X"}, headers={"Authorization": f"Bearer {s['reader_token']}"}
        ) as r:
            assert r.status == 403
        for user, password, ok in (
            ("alice", s["web_password_alice"], True),
            ("bob", s["web_password_alice"], False),  # a wrong password (someone else's)
            (s["web_password_bob"], "bob", False),  # the password typed into the user name field
        ):
            form = urlencode({"user": user, "password": password, "next": "/"})
            async with session.post(
                f"{stack.gateway_url}/login",
                data=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                allow_redirects=False,
            ) as resp:
                assert (resp.status in (302, 303)) is ok, (user, resp.status)
        hook = f"{stack.rasa_url}/webhooks/liveroom/webhook"
        for headers in ({}, {"Authorization": f"Bearer {s['wrong_rasa_token']}"}):
            async with session.post(hook, json={"sender": "x", "message": "hi"}, headers=headers) as resp:
                assert resp.status == 401
    reply, _ = await ask(stack, "secrets", "sam", "@liveroom what's the return policy?")
    assert reply

    proc.stop()  # flush and close every log before reading them
    logs = {p.name: p.read_text(errors="replace") for p in (stack.var_dir / "log").glob("*.log")}
    assert {"gateway.log", "rasa.log", "actions.log", "supervisor.log"} <= set(logs)
    logs["supervisor output"] = "\n".join(proc.output)
    leaks = [
        f"{name} in {where}" for name, value in s.items() for where, text in logs.items() if value in text
    ]
    assert not leaks, leaks
