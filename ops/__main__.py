"""liveroom's operator commands: ``python -m ops up | train | setup | audit | hash-lock``.

- ``up [--vision SOURCE]``: the supervisor — graph DB, action server, Rasa and the gateway, in order
  (``make demo``; ops/supervisor.py).
- ``train``: train the Rasa model if its inputs changed (``make train``; ops/rasa_model.py).
- ``setup [app] [rasa]``: build or link the two cached runtimes (``make setup``; ops/bootstrap.py).
- ``audit [SERVICE]``: known vulnerabilities of both runtimes' pins (``make audit``; ops/dependency_audit.py).
- ``hash-lock``: hashed copies of both lock files (ops/hash_lock.py).

``setup`` runs under the system ``python3`` before any venv exists, so this module imports only the
standard library at import time; each command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _load_env() -> bool:
    """Load the repository's ``.env`` (real environment variables win); False after saying why not."""
    from connectors.settings import load_dotenv

    try:
        load_dotenv(REPO / ".env")
    except ValueError as err:
        print(f"liveroom: bad .env: {err}", file=sys.stderr)
        return False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return True


def _up(args: argparse.Namespace) -> int:
    if args.vision:
        os.environ["LIVEROOM_VISION_SOURCE"] = args.vision  # read by SupervisorConfig.from_env
    if not _load_env():
        return 2
    from ops.supervisor import main as up

    return up()


def _train(args: argparse.Namespace) -> int:
    if not _load_env():
        return 2
    from ops.rasa_model import TrainingFailed, ensure_model

    try:
        ensure_model(REPO, log_file=REPO / "var" / "log" / "rasa-train.log")
    except TrainingFailed as err:
        print(f"liveroom: {err}", file=sys.stderr)
        return 1
    return 0


def _setup(args: argparse.Namespace) -> int:
    from ops.bootstrap import main as setup

    return setup(args.which)


def _audit(args: argparse.Namespace) -> int:
    from ops.dependency_audit import main as audit

    return audit([args.service])


def _hash_lock(args: argparse.Namespace) -> int:
    from ops.hash_lock import main as hash_lock

    return hash_lock()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m ops", description="liveroom's processes and repository tools"
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("up", help="start graph DB, action server, Rasa and the gateway (make demo)")
    up.add_argument("--vision", metavar="SOURCE", help="also run the camera sidecar (vision/) on SOURCE")
    up.set_defaults(run=_up)
    commands.add_parser("train", help="train the Rasa model if its inputs changed").set_defaults(run=_train)
    setup = commands.add_parser("setup", help="build or link the cached runtimes .venv and .venv-rasa")
    setup.add_argument("which", nargs="*", metavar="app|rasa", help="runtimes to set up (default: both)")
    setup.set_defaults(run=_setup)
    audit = commands.add_parser("audit", help="known vulnerabilities of both runtimes' pinned dependencies")
    audit.add_argument("service", nargs="?", default="pypi", help="pypi (default) or osv")
    audit.set_defaults(run=_audit)
    hash_lock = commands.add_parser("hash-lock", help="write requirements-*.hashes.txt from the lock files")
    hash_lock.set_defaults(run=_hash_lock)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
