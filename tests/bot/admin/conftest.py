"""Admin API fixtures: the admin sub-application on a real FalkorDB graph, driven by aiohttp's TestClient."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.admin import setup_admin
from bot.admin.auth import TokenSet, parse_tokens
from knowledge_graph.schema import migrate
from knowledge_graph.store import open_store
from knowledge_graph.store.falkordb import FalkorDBStore
from knowledge_graph.store.server import FalkorDBServer
from tests.knowledge_graph.conftest import start_falkordb

ALICE = "alice-token-0123456789"
READER = "reader-token-0123456789"
TOKENS = f"alice:{ALICE},reader:{READER}:read"


def auth(token: str = ALICE) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def admin_falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDBServer]:
    server = start_falkordb(Path(tmp_path_factory.mktemp("admin-falkordb")))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def admin_graph(admin_falkordb: FalkorDBServer) -> AsyncIterator[FalkorDBStore]:
    """A fresh graph (migrated) and a store on it for the test's own checks."""
    store = open_store(admin_falkordb.graph_config(f"admin-{uuid.uuid4().hex[:12]}"))
    assert isinstance(store, FalkorDBStore)
    await migrate(store)
    try:
        yield store
    finally:
        await store.drop_graph()
        await store.close()


@pytest.fixture
async def client(admin_graph: FalkorDBStore) -> AsyncIterator[TestClient]:
    app = web.Application()
    setup_admin(app, lambda: open_store(admin_graph.config), TokenSet(parse_tokens(TOKENS, "test")))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
