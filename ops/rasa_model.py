"""Train the Rasa model only when its inputs changed.

The model is named by a content hash of everything that shapes it (config, domain, training data, the
code under nlu/ -- the Rasa components in nlu/rasa and the nlu/text helpers they import -- and the pinned
Rasa runtime). ``models/<hash>.tar.gz`` is reused when present; a machine-wide cache
(``$LIVEROOM_CACHE/models``) lets a fresh clone (CI) skip training when the same inputs were trained
before on this machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ops.bootstrap import cache_dir, finished_within

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent


class TrainingFailed(RuntimeError):
    """``rasa train`` failed; the message carries the end of its log."""


# nlu/ modules Rasa loads only at serve time (the input channel named in credentials.yml, what only it
# imports, and the launcher that starts `rasa run`): they never shape a trained model, so editing them
# must not force a retrain.
SERVE_TIME_ONLY = frozenset({"nlu/rasa/channel.py", "nlu/rasa/launch.py", "nlu/text/viewer_text.py"})


def model_inputs(repo: Path = REPO) -> list[Path]:
    files = [repo / "config.yml", repo / "domain.yml", repo / "requirements-rasa.txt"]
    files += sorted(p for p in (repo / "data").rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml"})
    files += sorted(
        p
        for p in (repo / "nlu").rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".json", ".txt", ".yml"}
        and p.relative_to(repo).as_posix() not in SERVE_TIME_ONLY
    )
    return files


def model_hash(repo: Path = REPO) -> str:
    digest = hashlib.sha256()
    for path in model_inputs(repo):
        digest.update(str(path.relative_to(repo)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def rasa_env(repo: Path = REPO) -> dict[str, str]:
    """Environment for every process of the Rasa runtime: nlu/ importable, no hub downloads."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(repo) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def ensure_model(
    repo: Path = REPO,
    *,
    log_file: Path,
    progress: Callable[[str], None] = print,
) -> Path:
    """Return the path of a model trained on the current inputs, training it if needed."""
    key = model_hash(repo)
    models = repo / "models"
    model = models / f"{key}.tar.gz"
    if model.exists():
        progress(f"rasa model {key}: up to date")
        return model
    cached = cache_dir() / "models" / model.name
    cached.parent.mkdir(parents=True, exist_ok=True)
    # One trainer per model key on this machine: a second `ops up` (another test run, a benchmark) waits
    # for the first one's model instead of training the same inputs again beside it on 2 cores.
    with (cached.parent / f"{key}.lock").open("w") as lock:
        if not _try_lock(lock):
            progress(f"rasa model {key}: another process is training it; waiting")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if cached.exists():
            models.mkdir(exist_ok=True)
            shutil.copyfile(cached, f"{model}.part")
            os.replace(f"{model}.part", model)
            progress(f"rasa model {key}: taken from the machine cache {cached}")
            return model
        _train(repo, key, log_file, progress)
        shutil.copyfile(model, f"{cached}.part")
        os.replace(f"{cached}.part", cached)
    return model


def _try_lock(lock: IO[str]) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _train(repo: Path, key: str, log_file: Path, progress: Callable[[str], None]) -> None:
    rasa = repo / ".venv-rasa" / "bin" / "rasa"
    if not rasa.exists():
        raise TrainingFailed(f"{rasa} is missing: run `make setup` first")
    cmd = [
        str(rasa),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        "models",
        "--fixed-model-name",
        key,
    ]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    progress(f"rasa model {key}: inputs changed, training (log: {log_file})")
    started = time.monotonic()
    with log_file.open("ab") as fh:
        proc = subprocess.Popen(cmd, cwd=repo, env=rasa_env(repo), stdout=fh, stderr=subprocess.STDOUT)
        while not finished_within(proc, 10):
            progress(f"  training… {time.monotonic() - started:.0f}s  {_last_progress_line(log_file)}")
    if proc.returncode != 0:
        tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
        raise TrainingFailed(f"rasa train exited {proc.returncode}; end of {log_file}:\n{tail}")
    progress(f"rasa model {key}: trained in {time.monotonic() - started:.0f}s")


def _last_progress_line(log_file: Path) -> str:
    """The newest progress bar or step line of the training log, for a one-line status."""
    try:
        with log_file.open("rb") as fh:
            fh.seek(max(0, log_file.stat().st_size - 4096))
            tail = fh.read().decode(errors="replace")
    except OSError:
        return ""
    pieces = [p.strip() for chunk in tail.splitlines() for p in chunk.split("\r") if p.strip()]
    for piece in reversed(pieces):
        if "Epochs:" in piece or "Training" in piece or "Starting" in piece:
            return piece[-100:]
    return ""
