"""Fixtures shared by the whole suite. The e2e stack runs every real process via the supervisor."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ops.loopback_server import LoopbackServer, ServiceUnavailable
from ops.loopback_server import free_port as _free_port
from ops.neo4j_server import Neo4jServer
from ops.postgres_server import PostgresServer
from ops.redis_server import RedisServer

REPO = Path(__file__).resolve().parent.parent
# Simulator replay sockets (many viewers on one socket): every gateway a test starts inherits this token
# from os.environ, and the tests' clients send it (connectors.simulator.replay.replay_headers). The Rasa
# runtime (Python 3.10) runs only tests/rasa_runtime, which starts no gateway and cannot import the app's
# 3.11 code.
if sys.version_info >= (3, 11):
    from connectors.simulator.replay import ensure_replay_token

    ensure_replay_token()
# Training (only when inputs changed) + Rasa's ~90 s cold start on 2 cores.
STACK_READY_TIMEOUT_S = float(os.environ.get("LIVEROOM_TEST_STACK_TIMEOUT", "900"))


# Web users of every test stack (name -> (role, password)); tests/web logs in with them.
WEB_USERS = {"alice": ("streamer", "alice-streams-42"), "bob": ("moderator", "bob-moderates-42")}

VISION_TOKEN = "e2e-vision-token"

# In-process test apps never write FAQs: spare them the ~14 s CPU of loading the sentence encoders in the
# background (bot/adapters/encoder_warmup.py). Stacks started below turn it back on, as in production.
os.environ.setdefault("LIVEROOM_WARM_ENCODERS", "0")

FIGURES: list[str] = []
"""Measurements tests report (stack start time, reply latency); printed at the end of the run."""


def record_figure(line: str) -> None:
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("liveroom figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def free_port() -> int:
    return _free_port()


# -- servers the suite starts for itself ---------------------------------------------------------------
# Each is started on first use, on a free loopback port with its data under var/test-services/<pid>/, and
# stopped (its data removed) when the session ends. A server that cannot be had fails the tests that need
# it with one line naming what is missing: nothing is skipped silently.
SERVICES_DIR = REPO / "var" / "test-services" / str(os.getpid())


def _serve(server: LoopbackServer, timeout: float) -> Iterator[LoopbackServer]:
    started = time.monotonic()
    try:
        server.start()
        server.wait_ready(timeout)
    except ServiceUnavailable as err:
        server.stop()
        pytest.fail(str(err), pytrace=False)
    record_figure(f"services: {server.name} ready on port {server.port} in {time.monotonic() - started:.1f}s")
    try:
        yield server
    finally:
        server.stop()
        for path in server.data_paths():
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throw-away Redis (Debian's redis-server) for locks and shared send budgets."""
    yield from _serve(RedisServer(free_port(), SERVICES_DIR / "redis"), 30)  # type: ignore[misc]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL cluster (initdb) for Rasa's tracker store."""
    yield from _serve(PostgresServer(free_port(), SERVICES_DIR / "postgresql"), 120)  # type: ignore[misc]


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    """A real Neo4j 5 Community server (ops/neo4j, built from Maven Central on first use)."""
    yield from _serve(Neo4jServer(free_port(), SERVICES_DIR / "neo4j"), 180)  # type: ignore[misc]


@pytest.fixture(scope="session")
def second_neo4j_server() -> Iterator[Neo4jServer]:
    """Another Neo4j 5 server, for tests that copy a catalog into a second empty graph (Neo4j Community
    serves one user database per server, so a second graph is a second server)."""
    yield from _serve(Neo4jServer(free_port(), SERVICES_DIR / "neo4j-2"), 180)  # type: ignore[misc]


@dataclass(frozen=True)
class Stack:
    gateway_url: str
    ws_url: str
    falkordb_port: int
    rasa_url: str
    var_dir: Path
    output: list[str]


def bot_up_env(var_dir: Path) -> dict[str, str]:
    """The environment for a `python -m ops up` of a test: free ports, its own var dir, no Neo4j."""
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    ports = ("FALKORDB_PORT", "LIVEROOM_ACTIONS_PORT", "LIVEROOM_RASA_PORT", "LIVEROOM_GATEWAY_PORT")
    env.update({name: str(free_port()) for name in ports}, LIVEROOM_VAR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`python -m ops up` on free ports with its own var dir: FalkorDB, actions, Rasa, gateway."""
    var_dir = Path(os.environ.get("LIVEROOM_TEST_VAR") or tmp_path_factory.mktemp("stack-var"))
    env = bot_up_env(var_dir)
    env["LIVEROOM_WEB_USERS"] = ",".join(f"{name}:{role}:{pw}" for name, (role, pw) in WEB_USERS.items())
    # camera sidecar reports (tests/e2e/test_vision_e2e.py); a mood change acts after 3 s, not 15
    env.update(LIVEROOM_VISION_TOKEN=VISION_TOKEN, LIVEROOM_MOOD_SUSTAIN_S="3", LIVEROOM_WARM_ENCODERS="1")
    # one social reply per room every 5 s, not 20: the mood tests greet the bot again within 20 s
    env.update(LIVEROOM_REPLY_SOCIAL_INTERVAL_S="5")
    # rooms quiet for 30 s are closed, not after 10 min: the abuse test (tests/e2e/test_abuse_e2e.py) fills
    # the platform's room limit and waits for its rooms to be reaped so later tests can open rooms again
    env.update(LIVEROOM_ROOM_IDLE_S="30")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops", "up"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line.rstrip())
            sys.stderr.write(f"[stack] {line}")
            if "liveroom is ready" in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    launched = time.monotonic()
    deadline = launched + STACK_READY_TIMEOUT_S
    while not ready.is_set():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("stack did not start:\n" + "\n".join(output[-40:]))
        time.sleep(0.5)
    record_figure(f"stack: `python -m ops up` to a ready room in {time.monotonic() - launched:.1f}s")
    record_figure(
        "stack: " + "; ".join(line for line in output if " ready in " in line or "rasa model" in line)
    )
    gateway = f"http://127.0.0.1:{env['LIVEROOM_GATEWAY_PORT']}"
    yield Stack(
        gateway_url=gateway,
        ws_url=gateway.replace("http://", "ws://"),
        falkordb_port=int(env["FALKORDB_PORT"]),
        rasa_url=f"http://127.0.0.1:{env['LIVEROOM_RASA_PORT']}",
        var_dir=var_dir,
        output=output,
    )
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
