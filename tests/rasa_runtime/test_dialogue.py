"""`rasa data validate` passes and `rasa test core` passes on the test stories (core-only model:
the policies are rules and memoization, so it trains in seconds; NLU is measured by `make eval`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
STORIES = Path(__file__).with_name("stories")


def run_rasa(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false")
    return subprocess.run([RASA, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_rasa_data_validate_passes() -> None:
    result = run_rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_core_passes_on_the_test_stories(tmp_path: Path) -> None:
    trained = run_rasa("train", "core", "--out", str(tmp_path), "--fixed-model-name", "core")
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    out = tmp_path / "results"
    tested = run_rasa(
        "test",
        "core",
        "--model",
        str(tmp_path / "core.tar.gz"),
        "--stories",
        str(STORIES),
        "--out",
        str(out),
        "--fail-on-prediction-errors",
        "--no-plot",
    )
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    failed = out / "failed_test_stories.yml"
    assert "None of the test stories failed" in failed.read_text(), failed.read_text()
