"""The local FalkorDB server wrapper: start, persistence, stop, port conflicts."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from knowledge_graph.catalog.products import count_products, get_product
from knowledge_graph.errors import PortInUse, ServerStartError
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import open_store
from knowledge_graph.store.server import FalkorDBServer, free_port
from tests.knowledge_graph.conftest import start_falkordb


def test_command_line_is_loopback_persistent_and_loads_the_module(tmp_path: Path) -> None:
    server = FalkorDBServer(6999, tmp_path / "data", tmp_path / "log" / "falkordb.log")
    argv = server.command_line()
    joined = server.display_command()
    assert argv[0].endswith("redis-server")
    for pair in (
        ["--bind", "127.0.0.1"],
        ["--port", "6999"],
        ["--appendonly", "yes"],
        ["--save", ""],
        ["--dir", str((tmp_path / "data").resolve())],
    ):
        i = argv.index(pair[0])
        assert argv[i : i + 2] == pair
    assert argv[argv.index("--loadmodule") + 1].endswith("falkordb.so")
    assert "--save ''" in joined


def test_taken_port_is_reported_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = FalkorDBServer(port, tmp_path)
        with pytest.raises(PortInUse) as info:
            server.start()
    message = str(info.value)
    assert message == f"port {port} is in use by another program; stop that process or set FALKORDB_PORT"
    assert info.value.port == port
    assert not server.running


def test_taken_by_falkordb_names_it_and_its_pid(falkordb_server: FalkorDBServer, tmp_path: Path) -> None:
    with pytest.raises(PortInUse, match=rf"a FalkorDB server \(pid {falkordb_server.pid}\)"):
        FalkorDBServer(falkordb_server.port, tmp_path).start()


def test_wait_ready_before_start_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ServerStartError, match="start"):
        FalkorDBServer(free_port(), tmp_path).wait_ready(timeout=1)


def test_bad_module_reports_the_log_line(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-module.so"
    bogus.write_bytes(b"nope")
    server = FalkorDBServer(free_port(), tmp_path / "data", module=str(bogus))
    server.start()
    try:
        with pytest.raises(ServerStartError, match="exited during startup"):
            server.wait_ready(timeout=10)
    finally:
        server.stop()


async def test_data_survives_a_restart_and_stop_is_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = await asyncio.to_thread(start_falkordb, data)
    store = open_store(server.graph_config("persist"))
    try:
        loaded = await seed_if_empty(store)
        await store.close()
        assert await asyncio.to_thread(server.stop) == 0
        assert server.stop() == 0  # already stopped: returns at once
        assert not server.running

        server = await asyncio.to_thread(start_falkordb, data)
        store = open_store(server.graph_config("persist"))
        assert await count_products(store) == loaded
        assert await get_product(store, "LR-LIP-001") is not None
    finally:
        await store.close()
        await asyncio.to_thread(server.stop)
