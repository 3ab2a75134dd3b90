"""python -m knowledge_graph, run as the Makefile and supervisor would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from knowledge_graph.store.server import FalkorDBServer, free_port

from .conftest import fresh_graph_name

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, port: int, graph: str = "cli") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env |= {"FALKORDB_PORT": str(port), "LIVEROOM_GRAPH_NAME": graph}
    return subprocess.run(
        [sys.executable, "-m", "knowledge_graph", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_seed_then_stats(falkordb_server: FalkorDBServer) -> None:
    graph = fresh_graph_name()
    seeded = run_cli("seed", port=falkordb_server.port, graph=graph)
    assert seeded.returncode == 0, seeded.stderr
    assert "loaded 24 products" in seeded.stdout
    again = run_cli("seed", port=falkordb_server.port, graph=graph)
    assert "already has 24 products; nothing loaded" in again.stdout
    stats = run_cli("stats", port=falkordb_server.port, graph=graph)
    assert stats.returncode == 0, stats.stderr
    assert "products: 24" in stats.stdout
    for line in ("Category:      6", "Variant:       18", "Promotion:     3", "StreamSession:"):
        assert line in stats.stdout, stats.stdout
    assert "Alias.key" in stats.stdout
    migrated = run_cli("migrate", port=falkordb_server.port, graph=graph)
    assert "none (all present)" in migrated.stdout


def test_unreachable_database_is_one_line_and_exit_1() -> None:
    port = free_port()
    result = run_cli("stats", port=port)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: cannot reach FalkorDB at 127.0.0.1:{port}")
