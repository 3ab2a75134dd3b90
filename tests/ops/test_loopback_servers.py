"""The servers the suite and the demo start for themselves: loopback only, clear errors, data kept across
a restart where the server keeps data."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
import redis

from ops.loopback_server import ServiceUnavailable, require_binary
from ops.neo4j_server import Neo4jServer, launcher_dir
from ops.postgres_server import PostgresServer
from ops.redis_server import RedisServer
from tests.conftest import SERVICES_DIR, free_port


def test_a_missing_binary_names_its_debian_package() -> None:
    with pytest.raises(ServiceUnavailable, match=r"no-such-server-x not found: install the Debian package "):
        require_binary("no-such-server-x", "no-such-package")


def test_a_taken_port_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        server = RedisServer(sock.getsockname()[1], tmp_path / "redis")
        with pytest.raises(ServiceUnavailable, match="already taken"):
            server.start()
        assert not server.running


def test_redis_answers_on_loopback_only(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    assert client.ping()
    assert client.config_get("bind")["bind"] == "127.0.0.1"
    assert client.config_get("save")["save"] == ""


def test_postgres_listens_on_loopback_tcp_only(postgres_server: PostgresServer) -> None:
    assert postgres_server.psql("SHOW listen_addresses") == "127.0.0.1"
    assert postgres_server.psql("SHOW unix_socket_directories") == ""
    assert postgres_server.psql("SELECT current_user") == "postgres"


def test_a_postgres_cluster_keeps_its_data_across_a_restart() -> None:
    data_dir = SERVICES_DIR / "pg-restart"
    server = PostgresServer(free_port(), data_dir)
    try:
        with server:
            server.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
        assert not server.running
        with server:
            assert server.psql("SELECT n FROM kept") == "42"
    finally:
        server.stop()
        for path in server.data_paths():
            shutil.rmtree(path, ignore_errors=True)


def test_neo4j_is_a_real_neo4j_5_on_loopback(neo4j_server: Neo4jServer) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_server.uri) as driver:  # authentication is off
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition")
    component = records[0]
    assert component["name"] == "Neo4j Kernel" and component["edition"] == "community"
    assert component["versions"][0].startswith("5.26.")
    assert neo4j_server.uri.startswith("bolt://127.0.0.1:")
    assert (launcher_dir() / ".liveroom-complete").exists(), "the launcher is built once and cached"


def test_a_postgres_cluster_works_below_a_folder_its_user_cannot_enter(tmp_path: Path) -> None:
    """A clone under ``mktemp -d`` (mode 0700, as root) must still get its throw-away PostgreSQL."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    server = PostgresServer(free_port(), locked / "pg")
    try:
        with server:
            server.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
        with server:
            assert server.psql("SELECT n FROM kept") == "7"
    finally:
        server.stop()
        for path in server.data_paths():
            shutil.rmtree(path, ignore_errors=True)
    assert not any(path.exists() for path in server.data_paths())
