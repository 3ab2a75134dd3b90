"""Privacy by design and bad sources, with the sidecar as its own process (``python -m vision``).

Privacy: every byte the sidecar sends goes to a real local HTTP server that records raw requests; each
must be a small JSON report of numbers and expression labels (vision.schema), and the sidecar, run with
its working directory, HOME and TMPDIR in empty folders, must leave no file behind.
Bad sources: a missing file, an unreachable URL and a corrupt file each give a clear log line and
retries with growing (capped, jittered) delays; the process keeps running.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from tests.conftest import REPO, free_port
from tests.vision.media import write_video
from vision.schema import KEYS, LABELS
from vision.source import Backoff, FrameSource


class Recorder(BaseHTTPRequestHandler):
    raw: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.raw.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def sidecar(args: list[str], folder: Path, **env: str) -> subprocess.Popen[str]:
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEROOM_")}
    child_env.update(HOME=str(folder), TMPDIR=str(folder), PYTHONPATH=str(REPO), **env)
    return subprocess.Popen(
        [sys.executable, "-m", "vision", *args],
        cwd=folder,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_only_small_aggregate_reports_leave_and_nothing_is_written(tmp_path: Path) -> None:
    video = write_video(tmp_path / "multi.avi", [("multi", 30)])
    folder = tmp_path / "run"
    folder.mkdir()
    Recorder.raw = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    proc = sidecar(
        ["--source", str(video), "--gateway", url, "--interval", "1", "--room", "simulator:privacy"],
        folder,
        LIVEROOM_VISION_TOKEN="privacy-token",
    )
    deadline = time.monotonic() + 60
    while len(Recorder.raw) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    log = stop(proc)
    server.shutdown()
    assert len(Recorder.raw) >= 3, log
    for path, headers, body in Recorder.raw:
        assert path == "/api/vision/audience"
        assert headers["Authorization"] == "Bearer privacy-token"
        assert len(body) < 400, body  # a 640x480 frame is ~900 KB raw, a 64x64 crop 4 KB
        report = json.loads(body)
        assert set(report) <= KEYS
        assert set(report["distribution"]) <= set(LABELS)
        for key, value in report.items():
            if key == "distribution":
                assert all(isinstance(v, float) for v in value.values())
            elif key in ("schema", "platform", "room"):
                assert value in ("liveroom.vision.v1", "simulator", "privacy")
            else:
                assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, value)
    # five people in the photo: BlazeFace finds all five (the Haar cascade missed the one in sunglasses)
    assert json.loads(Recorder.raw[-1][2])["faces"] == 5
    assert sorted(p.name for p in folder.rglob("*")) == [], "the sidecar wrote files"


def test_backoff_is_capped_and_jittered() -> None:
    backoff, rng = Backoff(base_s=0.5, max_s=4.0, jitter=0.3), random.Random(1)
    delays = [backoff.delay(attempt, rng) for attempt in range(1, 9)]
    assert all(
        0.7 * min(4.0, 0.5 * 2 ** (n - 1)) <= d <= min(4.0, 0.5 * 2 ** (n - 1))
        for n, d in enumerate(delays, 1)
    )
    assert max(delays) <= 4.0 and delays[4:] != [4.0] * 4  # capped, and not all equal (jitter)


def test_bad_sources_are_logged_and_retried_with_growing_delays(tmp_path: Path, caplog) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(os.urandom(50_000))
    dead_url = f"http://127.0.0.1:{free_port()}/stream.mjpg"
    for source, reason in (
        (str(tmp_path / "missing.mp4"), "no such file"),
        (dead_url, "OpenCV could not open it"),
        (str(corrupt), "OpenCV could not open it"),
    ):
        caplog.clear()
        frames = FrameSource(source, backoff=Backoff(base_s=0.05, max_s=0.2))
        started = time.monotonic()
        assert all(frames.read() is None for _ in range(4))
        lines = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
        assert len(lines) == 4, lines
        assert f"vision source {source}: cannot open ({reason}" in lines[0]
        delays = [float(re.search(r"retrying in ([\d.]+)s", line).group(1)) for line in lines]
        assert delays[0] < delays[2] and max(delays) <= 0.2, delays
        assert frames.stats["open_failed"] == 4 and time.monotonic() - started < 5


def test_the_sidecar_process_survives_a_bad_source(tmp_path: Path) -> None:
    proc = sidecar(
        ["--source", str(tmp_path / "nope.mp4"), "--gateway", f"http://127.0.0.1:{free_port()}"],
        tmp_path,
        LIVEROOM_VISION_BACKOFF_MAX_S="0.5",
    )
    time.sleep(6)
    assert proc.poll() is None, "the sidecar exited on a missing source"
    log = stop(proc)
    assert log.count("cannot open (no such file)") >= 3, log
