"""Fixtures for the scale-out tests: the suite's own Redis and PostgreSQL (tests/conftest.py starts them
on first use), a fresh database per module, and processes started on free ports."""

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

from ops.postgres_server import PostgresServer
from ops.redis_server import RedisServer
from tests.conftest import REPO, free_port


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture(scope="module")
def pg_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A database of its own for this module (dropped afterwards): ``postgresql://...`` URL."""
    name = f"liveroom_test_{os.getpid()}_{secrets.token_hex(3)}"
    postgres_server.psql(f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    postgres_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
