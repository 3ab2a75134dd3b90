"""Fixtures for gateway tests that need a real graph: a private FalkorDB server, optionally seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.store.server import FalkorDBServer
from tests.knowledge_graph.conftest import start_falkordb


@pytest.fixture
def falkordb(tmp_path: Path) -> Iterator[FalkorDBServer]:
    server = start_falkordb(tmp_path / "falkordb")
    yield server
    server.stop()


@pytest.fixture
async def seeded_store(falkordb: FalkorDBServer) -> AsyncIterator[GraphStore]:
    """A store on a fresh graph holding the demo catalog."""
    store = open_store(falkordb.graph_config("bot-tests"))
    await seed_if_empty(store)
    yield store
    await store.close()
