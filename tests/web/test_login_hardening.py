"""The login form against open redirects and password guessing (review findings M1 and M2).

Plain aiohttp servers with the real login pages and the real scrypt check, no browser: the redirect
after a correct login only ever goes to a path on this site, and failed logins are throttled per user
name and per client address with 429 + ``Retry-After`` before any password hash is computed.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.metrics import GatewayMetrics
from bot.services import METRICS, SESSIONS
from bot.web import setup_web
from bot.web.auth import UserDirectory
from bot.web.login_throttle import LoginThrottle, ThrottleConfig
from bot.web.pages import _safe_next

USERS = "alice:streamer:alice-streams-42,bob:moderator:bob-moderates-42"

# Values of ``next`` that must not leave the site. TAB/CR/LF are dropped by URL parsers (yarl builds
# aiohttp's Location header), so "/\t/evil.example" used to become "//evil.example".
OFF_SITE = [
    "/\t/evil.example/login",
    "/\n/evil.example/login",
    "/\r/evil.example/login",
    "/\r\n/evil.example",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/x\\..\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    "/\x00/evil.example",
    "/\u2028/evil.example",
    "/\u00a0/evil.example",
    "",
    None,
]


async def _client(tmp_path: Path, app: web.Application | None = None, **env: str) -> TestClient:
    app = app or web.Application()
    setup_web(app, {"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_WEB_USERS": USERS, **env})
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.mark.parametrize("evil", OFF_SITE, ids=repr)
def test_next_is_only_ever_a_path_on_this_site(evil: str | None) -> None:
    assert _safe_next(evil) == "/"


def test_next_keeps_same_site_paths() -> None:
    for path in ("/editor", "/editor?x=1&y=%2F%2Fz", "/report/current.png", "/dashboard#questions", "/"):
        assert _safe_next(path) == path


async def test_login_redirect_with_a_tab_in_next_stays_on_site(tmp_path: Path) -> None:
    client = await _client(tmp_path)
    try:
        for evil in ("/\t/evil.example/login", "/\n/evil.example/login", "/\r/evil.example/login"):
            response = await client.post(
                "/login",
                data={"user": "alice", "password": "alice-streams-42", "next": evil},
                allow_redirects=False,
            )
            assert response.status == 303
            assert response.headers["Location"] == "/editor", evil  # the streamer's default page
        # the same vector through the login page's hidden field (what a phishing link would use)
        page = await client.get("/login", params={"next": "/\t/evil.example/login"})
        assert 'name="next" value="/"' in await page.text()
        ok = await client.post(
            "/login",
            data={"user": "alice", "password": "alice-streams-42", "next": "/dashboard?x=1"},
            allow_redirects=False,
        )
        assert ok.headers["Location"] == "/dashboard?x=1"
    finally:
        await client.close()


class CountingUsers(UserDirectory):
    """The real user directory, counting how often the scrypt check runs."""

    def __init__(self, users: UserDirectory) -> None:
        self.__dict__.update(users.__dict__)
        self.checks = 0

    def verify(self, name: str, password: str):  # type: ignore[no-untyped-def]
        self.checks += 1
        return super().verify(name, password)


async def test_failed_logins_are_throttled_per_user_before_any_hash(tmp_path: Path) -> None:
    metrics = GatewayMetrics()
    app = web.Application()
    app[METRICS] = metrics
    client = await _client(tmp_path, app, LIVEROOM_LOGIN_MAX_FAILURES_USER="3")
    users = app[SESSIONS].users = CountingUsers(app[SESSIONS].users)
    try:
        statuses = []
        for i in range(3):
            r = await client.post("/login", data={"user": "alice", "password": f"guess-{i}-xxxx"})
            statuses.append(r.status)
        assert statuses == [401, 401, 401] and users.checks == 3
        throttled = await client.post("/login", data={"user": "alice", "password": "alice-streams-42"})
        assert throttled.status == 429  # even the right password: the name is locked for the window
        assert 0 < int(throttled.headers["Retry-After"]) <= 600
        assert "Too many failed logins" in await throttled.text()
        assert users.checks == 3, "a throttled attempt must not cost a password hash"
        throttled_total = "liveroom_web_logins_throttled_total"
        assert metrics.registry.get_sample_value(throttled_total, {"reason": "user"}) == 1
        # another user from the same address is not locked by alice's failures
        bob = await client.post(
            "/login", data={"user": "bob", "password": "bob-moderates-42"}, allow_redirects=False
        )
        assert bob.status == 303
    finally:
        await client.close()


async def test_parallel_guesses_from_one_address_are_throttled(tmp_path: Path) -> None:
    app = web.Application()
    client = await _client(tmp_path, app, LIVEROOM_LOGIN_MAX_FAILURES_ADDRESS="5")
    users = app[SESSIONS].users = CountingUsers(app[SESSIONS].users)
    try:
        # 20 different names at once: the per-name limit never triggers, the per-address one must,
        # and attempts still hashing count already (no burst slips through before the first 401)
        responses = await asyncio.gather(
            *(client.post("/login", data={"user": f"u{i}", "password": "guess-xxxx"}) for i in range(20))
        )
        statuses = sorted(r.status for r in responses)
        assert statuses == [401] * 5 + [429] * 15
        assert users.checks == 5
    finally:
        await client.close()


def test_a_successful_login_does_not_count_and_failures_leave_the_window() -> None:
    now = [1000.0]
    throttle = LoginThrottle(ThrottleConfig(per_user=2, per_address=100, window_s=60), clock=lambda: now[0])
    for _ in range(5):  # correct logins never lock anyone out
        wait, stamp = throttle.begin("alice", "10.0.0.1")
        assert wait == 0
        throttle.succeeded("alice", "10.0.0.1", stamp)
    assert throttle.begin("alice", "10.0.0.1")[0] == 0
    assert throttle.begin("alice", "10.0.0.1")[0] == 0
    now[0] += 10
    assert throttle.begin("alice", "10.0.0.2")[0] == 50  # two failures; the first leaves in 50 s
    now[0] += 50
    assert throttle.begin("alice", "10.0.0.2")[0] == 0


def test_throttle_memory_is_bounded() -> None:
    throttle = LoginThrottle(ThrottleConfig(max_keys=100), clock=time.monotonic)
    for i in range(5000):
        throttle.begin(f"name-{i}", f"10.{i // 256 % 256}.{i % 256}.1")
    assert len(throttle) <= 200
