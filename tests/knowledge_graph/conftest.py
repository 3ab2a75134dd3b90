"""Fixtures for the knowledge graph tests: a real FalkorDB server, no mocks.

One FalkorDB server per test session, on a free loopback port with a temporary data
directory; every test gets its own freshly named graph, deleted afterwards.

The ``store`` fixture also runs each test against a real Neo4j 5: the suite's own server
(``neo4j_server`` in tests/conftest.py, started on first use), or the one ``NEO4J_URI`` names.
Neo4j Community has one user database and no cheap throw-away ones, so those tests wipe it
(data, indexes and constraints) around each test; they refuse an external database that
already holds data unless ``LIVEROOM_TEST_WIPE_NEO4J=1`` says it may be wiped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import PortInUse
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.store.falkordb import FalkorDBStore
from knowledge_graph.store.server import FalkorDBServer, free_port
from ops.neo4j_server import Neo4jServer

WIPE_NEO4J = "LIVEROOM_TEST_WIPE_NEO4J"


def start_falkordb(data_dir: os.PathLike[str] | str) -> FalkorDBServer:
    """Start a FalkorDB server on a free port (retrying if another process grabs it)."""
    for _ in range(3):
        server = FalkorDBServer(free_port(), data_dir)
        try:
            server.start()
        except PortInUse:
            continue
        try:
            server.wait_ready(timeout=20)
        except BaseException:
            server.stop()
            raise
        return server
    raise RuntimeError("no free port for FalkorDB after 3 attempts")


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDBServer]:
    server = start_falkordb(tmp_path_factory.mktemp("falkordb"))
    try:
        yield server
    finally:
        server.stop()


def fresh_graph_name() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


async def _falkordb_store(server: FalkorDBServer) -> AsyncIterator[GraphStore]:
    store = open_store(server.graph_config(fresh_graph_name()))
    assert isinstance(store, FalkorDBStore)
    if await store.graph_exists():  # a uuid clash would be astonishing, but never reuse data
        pytest.fail(f"graph {store.graph_name!r} already exists; refusing to touch it", pytrace=False)
    try:
        yield store
    finally:
        await store.drop_graph()
        await store.close()


def neo4j_config(request: pytest.FixtureRequest) -> tuple[GraphConfig, bool]:
    """The Neo4j to test against, and whether it is the suite's own (wiped without asking)."""
    if os.environ.get("NEO4J_URI", "").strip():
        return GraphConfig.from_env(), False
    server: Neo4jServer = request.getfixturevalue("neo4j_server")
    return GraphConfig(backend="neo4j", neo4j_uri=server.uri), True


async def wipe_neo4j(store: GraphStore) -> None:
    """Remove every node, constraint and index (but the built-in token lookups): a fresh database."""
    await store.write("MATCH (n) DETACH DELETE n")
    for row in await store.read("SHOW CONSTRAINTS YIELD name RETURN name"):
        await store.write(f"DROP CONSTRAINT `{row['name']}` IF EXISTS")
    for row in await store.read("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"):
        await store.write(f"DROP INDEX `{row['name']}` IF EXISTS")


async def _neo4j_store(request: pytest.FixtureRequest) -> AsyncIterator[GraphStore]:
    config, own_server = neo4j_config(request)
    store = open_store(config)
    try:
        rows = await store.read("MATCH (n) RETURN count(n) AS n")
        if rows[0]["n"] and not own_server and os.environ.get(WIPE_NEO4J) != "1":
            pytest.fail(
                f"{store.describe()} already holds {rows[0]['n']} nodes; the tests wipe it. "
                f"Point NEO4J_URI at a scratch database or set {WIPE_NEO4J}=1",
                pytrace=False,
            )
        await wipe_neo4j(store)
        yield store
        await wipe_neo4j(store)
    finally:
        await store.close()


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
async def store(request: pytest.FixtureRequest, falkordb_server: FalkorDBServer) -> AsyncIterator[GraphStore]:
    """An empty graph on each backend."""
    stores = _falkordb_store(falkordb_server) if request.param == "falkordb" else _neo4j_store(request)
    async for item in stores:
        yield item


@pytest.fixture
async def seeded_store(store: GraphStore) -> GraphStore:
    """``store`` with the demo catalog loaded."""
    assert await seed_if_empty(store) > 0
    return store
