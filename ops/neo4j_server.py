"""A real Neo4j 5 Community server for tests and the demo, built from Maven Central by name.

``ops/neo4j/`` is a small Maven project: Neo4j 5.26 LTS embedded (the last 5.x that runs on Java 17) with
its Bolt connector on 127.0.0.1 and authentication off. ``ensure_launcher()`` builds it once per content
hash of that project into the runtime cache (next to the Python venvs, pruned the same way), so later
runs start the JVM directly. Neo4j Community is GPL-3: it is a development and test dependency only and is
never shipped inside liveroom (``docker-compose.yml`` runs Neo4j's own image in production).

``python -m ops.neo4j_server build`` builds it; ``python -m ops.neo4j_server run --port 7687 --home DIR``
runs one in the foreground until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from ops.bootstrap import (
    COMPLETE_MARKER,
    BootstrapError,
    cache_dir,
    content_hash,
    prune_stale_venvs,
    run_logged,
)
from ops.loopback_server import HOST, LoopbackServer, ServiceUnavailable, free_port, require_binary

PROJECT = Path(__file__).resolve().parent / "neo4j"
LAUNCHER_CLASS = "liveroom.neo4j.Launcher"
READY_LINE = "liveroom-neo4j ready"
DEFAULT_HEAP = "1g"


def java_binary() -> str:
    home = os.environ.get("JAVA_HOME", "").strip()
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return require_binary("java", "openjdk-17-jre-headless")


def launcher_sources() -> list[Path]:
    return [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]


def launcher_dir() -> Path:
    """Where the built launcher for the current sources lives (built or not)."""
    return cache_dir() / f"neo4j-{content_hash(launcher_sources(), extra='neo4j-launcher')}"


def ensure_launcher(progress: bool = True) -> Path:
    """The cached launcher (``classes/`` + ``lib/``), building it with Maven the first time."""
    target = launcher_dir()
    marker = target / COMPLETE_MARKER
    if marker.exists():
        marker.touch()  # last use, for pruning
        return target
    mvn = require_binary("mvn", "maven")
    java_binary()
    if progress:
        print(f"neo4j: building the Neo4j 5 launcher into {target} (first time only; ~160 MB of jars)")
    if target.exists():
        shutil.rmtree(target)
    build = target / "build"
    shutil.copytree(PROJECT, build, ignore=shutil.ignore_patterns("target"))
    log = target.parent / f"{target.name}.build.log"
    log.unlink(missing_ok=True)
    repo = cache_dir() / "m2"
    try:
        run_logged(
            [mvn, "-B", "-q", f"-Dmaven.repo.local={repo}", "-f", str(build / "pom.xml"), "package"], log
        )
    except BootstrapError as err:
        raise ServiceUnavailable(f"could not build the Neo4j launcher: {err}") from err
    (build / "target" / "classes").rename(target / "classes")
    (build / "target" / "lib").rename(target / "lib")
    shutil.rmtree(build)
    marker.write_text(target.name + "\n")
    prune_stale_venvs(target)
    return target


class Neo4jServer(LoopbackServer):
    """One embedded Neo4j 5 database served over Bolt on ``127.0.0.1:port``; its store under ``data_dir``."""

    name = "neo4j"

    def __init__(
        self, port: int, data_dir: Path | str, log_file: Path | str | None = None, *, heap: str = DEFAULT_HEAP
    ) -> None:
        super().__init__(port, data_dir, log_file)
        self.heap = heap
        self._log_offset = 0

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.port}"

    def prepare(self) -> None:
        super().prepare()
        self._launcher = ensure_launcher()
        self._log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0

    def command_line(self) -> list[str]:
        launcher = self._launcher
        return [
            java_binary(),
            f"-Xmx{self.heap}",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dfile.encoding=UTF-8",
            "-cp", f"{launcher / 'classes'}{os.pathsep}{launcher / 'lib'}/*",
            LAUNCHER_CLASS,
            "--port", str(self.port),
            "--home", str(self.data_dir / "home"),
        ]  # fmt: skip

    def answers(self) -> bool:
        """The launcher prints its ready line only once the default database answers a query."""
        try:
            with self.log_file.open("rb") as fh:
                fh.seek(self._log_offset)
                seen = READY_LINE.encode() in fh.read()
        except OSError:
            return False
        return seen and super().answers()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.neo4j_server", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build (or find) the cached launcher")
    run = sub.add_parser("run", help="run a server in the foreground until Ctrl-C")
    run.add_argument("--port", type=int, default=0, help="Bolt port (default: a free one)")
    run.add_argument("--home", type=Path, default=Path("var/neo4j"), help="data folder")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(f"neo4j: launcher ready ({ensure_launcher()})")
            return 0
        server = Neo4jServer(args.port or free_port(), args.home)
        started = time.monotonic()
        with server:
            print(
                f"Neo4j ready at {server.uri} in {time.monotonic() - started:.1f}s (data: {server.data_dir})"
            )
            try:
                server.wait()
            except KeyboardInterrupt:
                pass
    except ServiceUnavailable as err:
        print(f"neo4j: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
