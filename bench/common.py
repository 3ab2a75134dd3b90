"""Shared bits of the bench scripts: a private FalkorDB server, timing, result files.

Scripts are run as ``.venv/bin/python bench/<name>.py`` from the repository root; each
starts its own FalkorDB server on a free port with a temporary data directory, so a
benchmark never touches the demo graph (and never port 6379).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge_graph.store.server import FalkorDBServer, free_port  # noqa: E402

RESULTS = REPO / "bench" / "results"


@contextmanager
def falkordb() -> Iterator[FalkorDBServer]:
    """A throw-away FalkorDB server (stopped and deleted afterwards)."""
    with tempfile.TemporaryDirectory(prefix="liveroom-bench-") as data_dir:
        server = FalkorDBServer(free_port(), data_dir)
        server.start()
        try:
            server.wait_ready(timeout=30)
            yield server
        finally:
            server.stop()


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``samples``."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(
    samples_s: list[float], stats: tuple[str, ...] = ("p50", "p95", "max"), digits: int = 3
) -> dict[str, float]:
    """Count and the named statistics (``p<q>`` percentiles, ``max``) of durations in seconds, in ms."""
    ms = [s * 1000 for s in samples_s]
    out: dict[str, float] = {"n": len(ms)}
    for stat in stats:
        value = (max(ms) if ms else float("nan")) if stat == "max" else percentile(ms, float(stat[1:]))
        out[f"{stat}_ms"] = round(value, digits)
    return out


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
