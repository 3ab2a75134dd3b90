"""Browser tests of the web pages: the real stack (tests/conftest.py ``stack``, web users ``WEB_USERS``)
and real headless Chromium (Debian's /usr/bin/chromium driven by playwright, never a downloaded one).

Fixtures:
    web_stack      the running stack, with ``make web`` built first (pages need their bundles)
    browser        one Chromium for the session (async playwright)
    new_page       factory: ``page = await new_page(viewport=PHONE)``; closed after the test
    login          ``await login(page, web_stack, "alice")`` -> the page after the login redirect
    screenshot     ``await screenshot(page, "editor-price")`` -> var/test-artifacts/web/<name>.png
    falkordb       a FalkorDB server of the module's own (in-process app tests that need no stack)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge_graph.config import GraphConfig
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.store.server import FalkorDBServer, free_port
from tests.conftest import REPO, WEB_USERS, Stack


@pytest.fixture(scope="module")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDBServer]:
    data_dir = tmp_path_factory.mktemp("falkordb")
    server = FalkorDBServer(free_port(), data_dir, data_dir / "falkordb.log")
    server.start()
    try:
        server.wait_ready(timeout=20)
        yield server
    finally:
        server.stop()


CHROMIUM = os.environ.get("LIVEROOM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "var" / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def web_built() -> Path:
    """``make web`` (npm ci only when the lock file changed, then esbuild); the pages' bundles exist after."""
    if shutil.which("npm") is None:
        pytest.fail("npm is needed to build the web pages (Node 20 + npm)")
    done = subprocess.run(["make", "-s", "web"], cwd=REPO, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"make web failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    dist = REPO / "bot" / "web" / "static" / "dist"
    assert (dist / "editor.js").exists() and (dist / "simulator.js").exists()
    return dist


@pytest.fixture(scope="session")
def web_stack(web_built: Path, stack: Stack) -> Stack:
    return stack


@pytest.fixture
async def graph(web_stack: Stack) -> AsyncIterator[GraphStore]:
    """The stack's graph, read directly: tests check what the pages wrote."""
    store = open_store(GraphConfig.from_env({"FALKORDB_PORT": str(web_stack.falkordb_port)}))
    yield store
    await store.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"Chromium not found at {CHROMIUM} (make system-deps installs Debian's chromium)")
    from playwright.async_api import async_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(browser: Any) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Each call opens a page in its own browser context (own cookies = own user)."""
    contexts: list[Any] = []

    async def make(viewport: dict[str, int] | None = None, locale: str = "en-US") -> Any:
        context = await browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []  # CSP violations and script errors show up here
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda err: page.console_errors.append(str(err)))
        return page

    yield make
    for context in contexts:
        await context.close()


@pytest.fixture
def login() -> Callable[..., Awaitable[Any]]:
    async def do(page: Any, stack: Stack, user: str, password: str | None = None, next_path: str = "") -> Any:
        await page.goto(f"{stack.gateway_url}/login" + (f"?next={next_path}" if next_path else ""))
        await page.fill('input[name="user"]', user)
        await page.fill('input[name="password"]', password if password is not None else WEB_USERS[user][1])
        async with page.expect_navigation():
            await page.click('.login-form button[type="submit"]')
        return page

    return do


@pytest.fixture
def screenshot() -> Callable[..., Awaitable[Path]]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    async def shoot(page: Any, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if full_page:  # a sticky header would be drawn mid-page in a scrolled full-page shot
            await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(path), full_page=full_page)
        return path

    return shoot
