"""A throw-away PostgreSQL cluster (Debian's server binaries, ``initdb``) on a loopback port of its own.

Trust authentication for loopback TCP only and no Unix socket, so nothing outside this machine and no
other cluster can be reached through it. PostgreSQL refuses to run as root: when the caller is root, the
cluster belongs to the ``postgres`` system user that Debian's package creates.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from ops.loopback_server import HOST, LoopbackServer, ServiceUnavailable, require_binary

SUPERUSER = "postgres"
_SERVER_BINARIES = "/usr/lib/postgresql/*/bin/{name}"


def server_binary(name: str) -> str:
    """``initdb``/``postgres`` from Debian's versioned folder (they are not on PATH there)."""
    return require_binary(name, "postgresql", search=[_SERVER_BINARIES.format(name=name)])


class PostgresServer(LoopbackServer):
    name = "postgresql"

    def preexec_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            raise ServiceUnavailable(
                "PostgreSQL cannot run as root and there is no 'postgres' user: install the Debian package "
                "postgresql (`make system-deps`)"
            ) from None
        return SUPERUSER

    @property
    def cluster_root(self) -> Path:
        """The folder that holds the cluster: ``data_dir``, unless the ``postgres`` user could not enter
        it (a clone under a 0700 folder such as ``mktemp -d``); then a folder of its own in the system's
        temporary folder, named after ``data_dir`` so a restart finds the same cluster."""
        user = self.preexec_user()
        if user is None or _reachable(self.data_dir, pwd.getpwnam(user).pw_uid):
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"liveroom-postgresql-{digest}"

    @property
    def cluster_dir(self) -> Path:
        return self.cluster_root / "cluster"

    def data_paths(self) -> list[Path]:
        return list(dict.fromkeys([self.data_dir, self.cluster_root]))

    def prepare(self) -> None:
        super().prepare()
        root = self.cluster_root
        root.mkdir(parents=True, exist_ok=True)
        user = self.preexec_user()
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        if (self.cluster_dir / "PG_VERSION").exists():
            return
        if self.cluster_dir.exists():
            shutil.rmtree(self.cluster_dir)  # a half-made cluster from an interrupted initdb
        argv = [server_binary("initdb"), "-D", str(self.cluster_dir), "-U", SUPERUSER, "-A", "trust"]
        argv += ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        if user is not None:
            argv = ["runuser", "-u", user, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=root, check=False)
        if done.returncode != 0:
            raise ServiceUnavailable(f"initdb failed ({done.returncode}): {done.stderr.strip()[-400:]}")

    def command_line(self) -> list[str]:
        return [
            server_binary("postgres"),
            "-D", str(self.cluster_dir),
            "-p", str(self.port),
            "-c", f"listen_addresses={HOST}",
            "-c", "unix_socket_directories=",
            "-c", "fsync=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=200",
        ]  # fmt: skip

    def answers(self) -> bool:
        return self.psql("SELECT 1", check=False) == "1"

    def psql(self, sql: str, db: str = "postgres", *, check: bool = True) -> str:
        """Run one statement as the superuser; its unaligned output."""
        psql = require_binary("psql", "postgresql-client")
        done = subprocess.run(
            [psql, "-h", HOST, "-p", str(self.port), "-U", SUPERUSER, "-d", db, "-tAc", sql],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def url(self, db: str, password: str | None = None) -> str:
        auth = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{auth}@{HOST}:{self.port}/{db}"


def _reachable(path: Path, uid: int) -> bool:
    """True if ``uid`` may enter every parent of ``path`` (others' execute bit, or it owns them)."""
    return all(p.stat().st_uid == uid or p.stat().st_mode & 0o001 for p in path.parents if p.exists())
