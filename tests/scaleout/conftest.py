"""Fixtures for the scale-out tests: the machine's Redis and PostgreSQL (started by .ci/run), a fresh
database per run, and processes started on free ports."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import REPO, free_port

REDIS_URL = os.environ.get("LIVEROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def _answers(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as err:
        pytest.fail(
            f"Redis at {REDIS_URL} does not answer ({err}); .ci/run starts it (see README Scaling out)"
        )
    return REDIS_URL


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", db, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A database of its own for this module (dropped afterwards): ``postgresql://...`` URL."""
    if not _answers(PG_HOST, PG_PORT):
        pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}; .ci/run starts it")
    name = f"liveroom_test_{os.getpid()}_{secrets.token_hex(3)}"
    psql(f"CREATE DATABASE {name}")
    yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port_pair() -> int:
    """A free port whose successor is free too (two Rasa replicas on consecutive ports)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


class Proc:
    """A child process group whose output is collected (and echoed to stderr for the test log)."""

    def __init__(self, argv: list[str], env: dict[str, str], tag: str) -> None:
        self.output: list[str] = []
        self.proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._pump, args=(tag,), daemon=True).start()

    def _pump(self, tag: str) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line.rstrip())
            sys.stderr.write(f"[{tag}] {line}")

    def wait_for(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.output):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"no {text!r} in time:\n" + "\n".join(self.output[-40:]))
            time.sleep(0.5)

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def base_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    env.update(LIVEROOM_VAR=str(var_dir), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env
