"""Start the whole liveroom stack (``python -m ops up``) on free ports for a benchmark, and stop it.

The supervisor trains the Rasa model only if its inputs changed, so a warm machine is ready in ~40 s.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO
from connectors.simulator.replay import ensure_replay_token
from knowledge_graph.store.server import free_port


@dataclass(frozen=True)
class RunningStack:
    gateway_url: str
    rasa_url: str
    falkordb_port: int
    var_dir: Path
    pids: dict[str, int]

    @property
    def ws_url(self) -> str:
        return self.gateway_url.replace("http://", "ws://")


@contextmanager
def running_stack(extra_env: dict[str, str] | None = None, timeout_s: float = 900) -> Iterator[RunningStack]:
    ports = {
        name: free_port()
        for name in ("FALKORDB_PORT", "LIVEROOM_ACTIONS_PORT", "LIVEROOM_RASA_PORT", "LIVEROOM_GATEWAY_PORT")
    }
    ensure_replay_token()  # the gateway and this process's replay sockets (bench/loadgen.py) share it
    with tempfile.TemporaryDirectory(prefix="liveroom-bench-stack-") as var_dir:
        env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
        env.update({k: str(v) for k, v in ports.items()}, LIVEROOM_VAR=var_dir, PYTHONUNBUFFERED="1")
        env.update(extra_env or {})
        proc = subprocess.Popen(
            [sys.executable, "-m", "ops", "up"],
            cwd=REPO,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        ready = threading.Event()
        lines: list[str] = []

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line.rstrip())
                if "liveroom is ready" in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        print("starting the stack (python -m ops up)…", flush=True)
        while not ready.wait(1):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("stack did not start:\n" + "\n".join(lines[-30:]))
        _wait_for_encoders(f"http://127.0.0.1:{ports['LIVEROOM_GATEWAY_PORT']}", deadline)
        run_dir = Path(var_dir) / "run"
        pids = {p.stem: int(p.read_text()) for p in run_dir.glob("*.pid")}
        try:
            yield RunningStack(
                gateway_url=f"http://127.0.0.1:{ports['LIVEROOM_GATEWAY_PORT']}",
                rasa_url=f"http://127.0.0.1:{ports['LIVEROOM_RASA_PORT']}",
                falkordb_port=ports["FALKORDB_PORT"],
                var_dir=Path(var_dir),
                pids=pids,
            )
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _wait_for_encoders(gateway_url: str, deadline: float) -> None:
    """Measure a settled stack: the gateway loads its sentence encoders in the background after start-up
    (~14 s of CPU, bot/adapters/encoder_warmup.py), which would otherwise land inside the first
    measurement."""
    state = "unknown"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{gateway_url}/healthz", timeout=5) as resp:
                state = json.load(resp).get("encoders", "off")
        except OSError:
            state = "unreachable"
        if state in ("ready", "failed", "off"):
            return
        time.sleep(0.5)
    raise RuntimeError(f"gateway encoders still {state!r} at the start deadline")


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        **machine_load(),
    }


def machine_load() -> dict[str, object]:
    """How busy the machine was besides the benchmark (other processes compete for the same cores):
    the load average and the share of time runnable tasks waited for a CPU (Linux PSI, 60 s average)."""
    load: dict[str, object] = {"load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]}
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0].split()
        load["cpu_pressure_some_avg60_pct"] = float(dict(f.split("=") for f in some[1:])["avg60"])
    except (OSError, IndexError, KeyError, ValueError):
        pass
    return load
