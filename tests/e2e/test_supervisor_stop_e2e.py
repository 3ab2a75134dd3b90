"""`python -m ops up` stops every child on SIGTERM even when whoever read its output has gone away.

A benchmark or a shell pipeline that dies leaves the supervisor's stdout a closed pipe; printing its
"stopping" lines then raised BrokenPipeError halfway through shutdown and left FalkorDB, the action
server, Rasa and the gateway running (found after an interrupted room evaluation)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import bot_up_env

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_every_child_after_the_output_reader_went_away(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops", "up"],
        cwd=REPO,
        env=bot_up_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 600
        for line in proc.stdout:
            if "liveroom is ready" in line or time.monotonic() > deadline:
                break
        children = [int(p.read_text()) for p in (tmp_path / "run").glob("*.pid")]
        assert len(children) >= 4, children  # FalkorDB, actions, Rasa, gateway
        proc.stdout.close()  # the reader goes away
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) is not None
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid_file in (tmp_path / "run").glob("*.pid"):  # never leave a child behind, even on failure
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
