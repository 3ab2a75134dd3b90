"""python -m knowledge_graph import|export|stats on a real FalkorDB, as an operator would run it."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge_graph.store.server import FalkorDBServer
from knowledge_graph.transfer.generate import generate_catalog

from .conftest import fresh_graph_name
from .test_cli import run_cli


def test_import_export_stats_round_trip(falkordb_server: FalkorDBServer, tmp_path: Path) -> None:
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(generate_catalog(300), ensure_ascii=False), encoding="utf-8")
    graph = fresh_graph_name()
    port = falkordb_server.port
    imported = run_cli("import", str(source), port=port, graph=graph)
    assert imported.returncode == 0, imported.stderr
    assert "imported 300 products, 450 variants" in imported.stdout
    assert "validate: 318/318" in imported.stderr and "write: 300/300" in imported.stderr
    exported = run_cli("export", str(tmp_path / "out.csv"), port=port, graph=graph)
    assert exported.returncode == 0, exported.stderr
    other = fresh_graph_name()
    again = run_cli("import", str(tmp_path / "out.csv"), port=port, graph=other)
    assert again.returncode == 0, again.stderr
    assert run_cli("export", "-", "--format", "csv", port=port, graph=other).stdout == (
        tmp_path / "out.csv"
    ).read_text(encoding="utf-8")
    stats = run_cli("stats", port=port, graph=graph)
    assert "Variant:" in stats.stdout and "450" in stats.stdout and "AuditEntry:" in stats.stdout


def test_bad_file_reports_the_first_bad_row_and_exit_1(
    falkordb_server: FalkorDBServer, tmp_path: Path
) -> None:
    doc = generate_catalog(50)
    doc["products"][49]["currency"] = "DOGE"
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    graph = fresh_graph_name()
    result = run_cli("import", str(source), port=falkordb_server.port, graph=graph)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: row products[49]: currency:")
    assert "products: 0" in run_cli("stats", port=falkordb_server.port, graph=graph).stdout
