"""Real processes for action tests: a private FalkorDB server with the demo catalog, and the real
rasa_sdk action server (``python -m rasa_sdk --actions actions``) pointed at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from knowledge_graph.schema import migrate
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.store.server import FalkorDBServer, free_port
from tests.actions.helpers import ActionServer

REPO = Path(__file__).resolve().parents[2]
GRAPH_NAME = "liveroom_actions_test"
ACTION_SERVER_READY_S = 60.0


@pytest.fixture(scope="session")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDBServer]:
    """A FalkorDB server of our own on a free port (never a developer's running one)."""
    data_dir = tmp_path_factory.mktemp("falkordb")
    server = FalkorDBServer(free_port(), data_dir, data_dir / "falkordb.log")
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture(scope="session")
async def store(falkordb: FalkorDBServer) -> AsyncIterator[GraphStore]:
    """The test graph, seeded with the demo catalog."""
    graph = open_store(falkordb.graph_config(GRAPH_NAME))
    await migrate(graph)
    loaded = await seed_if_empty(graph)
    assert loaded > 0, "the test graph should start empty"
    yield graph
    await graph.close()


@pytest.fixture(scope="session")
def action_server(
    falkordb: FalkorDBServer, store: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ActionServer]:
    """``python -m rasa_sdk --actions actions`` with FALKORDB_PORT pointing at the test server."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "FALKORDB_"))}
    env.update(
        FALKORDB_HOST="127.0.0.1",
        FALKORDB_PORT=str(falkordb.port),
        LIVEROOM_GRAPH_NAME=GRAPH_NAME,
        SANIC_HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    log_file = tmp_path_factory.mktemp("actions") / "actions.log"
    with log_file.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = ActionServer(f"http://127.0.0.1:{port}", proc, log_file)
    try:
        _wait_healthy(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(server: ActionServer) -> None:
    deadline = time.monotonic() + ACTION_SERVER_READY_S
    while True:
        if server.proc.poll() is not None:
            pytest.fail(f"action server exited with {server.proc.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=1) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"action server not healthy after {ACTION_SERVER_READY_S:g}s:\n{server.log()}")
        time.sleep(0.2)


@pytest_asyncio.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session
