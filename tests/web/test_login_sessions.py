"""Web sessions survive a gateway app restart (persisted under var/web/, only a hash of the id), expire,
and forget users that left the config; plain aiohttp servers, no browser needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web import setup_web
from bot.web.auth import COOKIE

USERS = "alice:streamer:alice-streams-42,bob:moderator:bob-moderates-42"


def _env(var_dir: Path, users: str = USERS) -> dict[str, str]:
    return {"LIVEROOM_VAR": str(var_dir), "LIVEROOM_WEB_USERS": users}


async def _client(env: dict[str, str], cookies: dict[str, str] | None = None) -> TestClient:
    app = web.Application()
    setup_web(app, env)  # no gateway here: only login, sessions and the pages
    client = TestClient(TestServer(app))
    await client.start_server()
    if cookies:
        client.session.cookie_jar.update_cookies(cookies)
    return client


async def _login(client: TestClient, user: str, password: str) -> str:
    response = await client.post(
        "/login", data={"user": user, "password": password, "next": "/editor"}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    cookie = response.cookies[COOKIE].value
    assert cookie
    return cookie


def _csrf(page: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]*)">', page)
    assert match and match.group(1)
    return match.group(1)


async def test_a_session_survives_a_gateway_restart(tmp_path: Path) -> None:
    first = await _client(_env(tmp_path))
    try:
        sid = await _login(first, "bob", "bob-moderates-42")
        before = await first.get("/editor", headers={"Accept": "text/html"}, allow_redirects=False)
        assert before.status == 200
        csrf = _csrf(await before.text())
    finally:
        await first.close()  # the gateway stops: memory is gone

    stored = (tmp_path / "web" / "sessions.json").read_text(encoding="utf-8")
    assert sid not in stored and "bob-moderates-42" not in stored  # only a hash of the id, no password
    assert (tmp_path / "web" / "sessions.json").stat().st_mode & 0o777 == 0o600
    [row] = json.loads(stored)["sessions"].values()
    assert row["user"] == "bob" and row["role"] == "moderator"

    second = await _client(_env(tmp_path), cookies={COOKIE: sid})
    try:
        after = await second.get("/editor", headers={"Accept": "text/html"}, allow_redirects=False)
        assert after.status == 200, "restart logged the moderator out"
        assert _csrf(await after.text()) == csrf and "bob" in await after.text()
        # the CSRF token still works for an unsafe request, a wrong one still does not
        ok = await second.post(
            "/lang", data={"lang": "zh", "csrf": csrf}, headers={"Accept": "application/json"}
        )
        assert ok.status == 200
        bad = await second.post(
            "/lang", data={"lang": "en", "csrf": "nope"}, headers={"Accept": "application/json"}
        )
        assert bad.status == 403
        # logout ends it for good, also across the next restart
        out = await second.post("/logout", data={"csrf": csrf}, allow_redirects=False)
        assert out.status == 303
    finally:
        await second.close()
    third = await _client(_env(tmp_path), cookies={COOKIE: sid})
    try:
        gone = await third.get("/editor", headers={"Accept": "text/html"}, allow_redirects=False)
        assert gone.status == 302 and gone.headers["Location"].startswith("/login")
    finally:
        await third.close()


async def test_restored_sessions_expire_and_follow_the_user_config(tmp_path: Path) -> None:
    first = await _client({**_env(tmp_path), "LIVEROOM_WEB_SESSION_TTL_S": "3600"})
    try:
        alice = await _login(first, "alice", "alice-streams-42")
        bob = await _login(first, "bob", "bob-moderates-42")
    finally:
        await first.close()
    path = tmp_path / "web" / "sessions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["sessions"].values():
        if row["user"] == "alice":
            row["expires"] = 1.0  # long past
    path.write_text(json.dumps(data), encoding="utf-8")
    # bob left the team: removed from the config while the gateway was down
    second = await _client(_env(tmp_path, users="alice:streamer:alice-streams-42"))
    try:
        for sid in (alice, bob):
            second.session.cookie_jar.clear()
            second.session.cookie_jar.update_cookies({COOKIE: sid})
            response = await second.get("/editor", headers={"Accept": "text/html"}, allow_redirects=False)
            assert response.status == 302, sid
    finally:
        await second.close()


async def test_an_unreadable_sessions_file_means_logged_out_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "sessions.json").write_text("{not json", encoding="utf-8")
    client = await _client(_env(tmp_path))
    try:
        sid = await _login(client, "alice", "alice-streams-42")
        page = await client.get("/editor", headers={"Accept": "text/html"}, allow_redirects=False)
        assert page.status == 200 and sid
        assert json.loads((tmp_path / "web" / "sessions.json").read_text(encoding="utf-8"))["sessions"]
    finally:
        await client.close()


async def test_the_demo_users_file_logs_in_and_the_tab_icon_is_served(tmp_path: Path) -> None:
    from bot.web.users import ensure_demo_users_file

    users_file = tmp_path / "web-users"
    assert ensure_demo_users_file(users_file) == ["streamer", "moderator"]
    logins = dict(
        (line.split(":")[0], line.split(":")[2])
        for line in users_file.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    client = await _client({"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_WEB_USERS_FILE": str(users_file)})
    try:
        assert await _login(client, "streamer", logins["streamer"])
        assert await _login(client, "moderator", logins["moderator"])
        icon = await client.get("/favicon.ico")
        assert icon.status == 200 and icon.content_type == "image/svg+xml"
        assert (await icon.text()).startswith("<svg")
    finally:
        await client.close()
