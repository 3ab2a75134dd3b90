"""One local server process: start it, wait until it answers, stop it.

The subclasses (Redis, PostgreSQL, Neo4j) only say how to run their binary and how to tell it is ready;
the process handling (own process group, log file, SIGTERM then SIGKILL, clear errors naming the binary
and the log) lives here once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class ServiceUnavailable(RuntimeError):
    """A server cannot be had: the message is one line naming what is missing and how to get it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_answers(port: int, host: str = HOST) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def require_binary(name: str, package: str, *, search: Sequence[str] = ()) -> str:
    """The path of ``name`` (on PATH or in ``search`` globs), or ServiceUnavailable naming the package."""
    found = shutil.which(name)
    if found:
        return found
    for pattern in search:
        matches = sorted(Path("/").glob(pattern.lstrip("/")), reverse=True)
        if matches:
            return str(matches[0])
    raise ServiceUnavailable(
        f"{name} not found: install the Debian package {package} (`make system-deps` does, as root)"
    )


def terminate_group(proc: subprocess.Popen[bytes], grace_s: float = 15.0) -> None:
    """SIGTERM a child's process group, then SIGKILL it if it has not exited after ``grace_s``."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class LoopbackServer:
    """A server process bound to 127.0.0.1:``port`` with its files under ``data_dir``."""

    name = "server"

    def __init__(self, port: int, data_dir: Path | str, log_file: Path | str | None = None) -> None:
        if not 1 <= port <= 65535:
            raise ValueError(f"{self.name} port must be 1-65535, got {port}")
        self.port = port
        self.data_dir = Path(data_dir).resolve()
        self.log_file = Path(log_file).resolve() if log_file else self.data_dir / f"{self.name}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    # -- what subclasses say -------------------------------------------------------------------------
    def command_line(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Create what the server needs before its first start (folders, a cluster, a build)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def data_paths(self) -> list[Path]:
        """Every folder the server keeps files in (what a throw-away server's owner removes)."""
        return [self.data_dir]

    def answers(self) -> bool:
        """True once the server accepts real requests (not merely TCP connections)."""
        return port_answers(self.port)

    def preexec_user(self) -> str | None:
        """A system user to run the server as (PostgreSQL refuses root), or None for the caller's."""
        return None

    # -- lifecycle ------------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Spawn the server and return at once (``wait_ready`` next)."""
        if self.running:
            return
        if port_answers(self.port):
            raise ServiceUnavailable(f"port {self.port} is already taken; {self.name} needs a free port")
        self.prepare()
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        argv = self.command_line()
        user = self.preexec_user()
        if user is not None:
            argv = ["runuser", "-u", user, "--", *argv]
        with self.log_file.open("ab") as out:
            try:
                self._proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=self.data_paths()[-1],  # a folder the server's own user can enter
                    start_new_session=True,
                )
            except OSError as err:
                raise ServiceUnavailable(f"could not run {argv[0]} for {self.name}: {err}") from err
        log.info("started %s (pid %d) on %s:%d", self.name, self._proc.pid, HOST, self.port)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until ``answers()``; ServiceUnavailable quoting the log if it exits or times out."""
        if self._proc is None:
            raise ServiceUnavailable(f"{self.name} was not started")
        deadline = time.monotonic() + timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                raise ServiceUnavailable(
                    f"{self.name} exited with code {code} while starting; "
                    f"log {self.log_file}: {self.log_tail()}"
                )
            if self.answers():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceUnavailable(
                    f"{self.name} not ready on port {self.port} after {timeout:g}s; log {self.log_file}: "
                    f"{self.log_tail()}"
                )
            time.sleep(0.1)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after ``timeout``; the exit code, None if never started."""
        if self._proc is None:
            return None
        terminate_group(self._proc, timeout)
        return self._proc.returncode

    def wait(self) -> int | None:
        """Block until the server exits by itself; its exit code (None if never started)."""
        return self._proc.wait() if self._proc else None

    def log_tail(self, lines: int = 5) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return "(no log)"
        return " | ".join(tail) or "(empty log)"

    def __enter__(self) -> LoopbackServer:
        self.start()
        self.wait_ready()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
