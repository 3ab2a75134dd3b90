"""Shared bits of the NLU evaluation and benchmark (run in the Rasa runtime, Python 3.10).

* ``in_rasa_runtime()``: re-executes the calling script with ``.venv-rasa/bin/python`` when
  started by another interpreter (``make bench`` runs every script with the app runtime).
* ``catalog_server()``: serves the demo catalog's names in the gateway's
  ``/api/v1/catalog/names`` format on a free port and points ``LIVEROOM_CATALOG_URL`` at it, so
  the product extractor sees the catalog as it does behind a running gateway.
* ``train_nlu(config)``: ``rasa train nlu`` on data/ into var/eval/models, reused by content hash.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"
EVAL_DIR = REPO / "var" / "eval"
MODELS = EVAL_DIR / "models"
HELDOUT = {"en": REPO / "tests" / "nlu" / "heldout_en.yml", "zh": REPO / "tests" / "nlu" / "heldout_zh.yml"}
# Model choices are made on this split (the previous held-out set), never on HELDOUT.
DEV = {"en": REPO / "tests" / "nlu" / "dev_en.yml", "zh": REPO / "tests" / "nlu" / "dev_zh.yml"}
CONFIGS = {"liveroom": REPO / "config.yml", "rasa_default": REPO / "bench" / "rasa_default_config.yml"}


def in_rasa_runtime() -> None:
    """Re-exec this script under the Rasa runtime unless ``rasa`` is importable here."""
    try:
        import rasa  # noqa: F401
    except ImportError:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        os.execve(str(RASA_PYTHON), [str(RASA_PYTHON), *sys.argv], env)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.chdir(REPO)


def demo_catalog_names() -> dict:
    catalog = json.loads((REPO / "knowledge_graph" / "demo_catalog.json").read_text(encoding="utf-8"))
    products = [
        {
            "sku": p["sku"],
            "names": {"en": p["name_en"], "zh": p["name_zh"]},
            "aliases": {"en": list(p.get("aliases_en", [])), "zh": list(p.get("aliases_zh", []))},
        }
        for p in sorted(catalog["products"], key=lambda p: p["sku"])
    ]
    return {"version": "demo", "products": products}


@contextmanager
def catalog_server(body: dict | None = None) -> Iterator[str]:
    """Serve ``body`` (default: the demo catalog) like the gateway; yields the URL."""
    payload = json.dumps(body or demo_catalog_names(), ensure_ascii=False).encode("utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", '"demo"')
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/api/v1/catalog/names"
    old = os.environ.get("LIVEROOM_CATALOG_URL")
    os.environ["LIVEROOM_CATALOG_URL"] = url
    try:
        yield url
    finally:
        server.shutdown()
        if old is None:
            os.environ.pop("LIVEROOM_CATALOG_URL", None)
        else:
            os.environ["LIVEROOM_CATALOG_URL"] = old


def nlu_hash(config: Path) -> str:
    digest = hashlib.sha256(config.read_bytes())
    files = sorted((REPO / "data").glob("nlu*.yml")) + sorted((REPO / "nlu").rglob("*.py"))
    files.append(REPO / "requirements-rasa.txt")
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def train_nlu(name: str, config: Path, *, reuse_latest: bool = False) -> tuple[Path, float | None]:
    """Train (or reuse) the NLU model of ``config``; returns its path and the training seconds
    (None when reused). ``reuse_latest``: take the newest model of that config even if its inputs
    changed since (latency benchmark right after an evaluation)."""
    import time

    MODELS.mkdir(parents=True, exist_ok=True)
    fixed = f"{name}-{nlu_hash(config)}"
    model = MODELS / f"{fixed}.tar.gz"
    if model.exists():
        return model, None
    if reuse_latest:
        older = sorted(MODELS.glob(f"{name}-*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if older:
            print(f"note: {older[-1].name} was trained from older inputs", flush=True)
            return older[-1], None
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    started = time.perf_counter()
    cmd = [str(REPO / ".venv-rasa" / "bin" / "rasa"), "train", "nlu", "--config", str(config)]
    cmd += ["--nlu", str(REPO / "data"), "--out", str(MODELS), "--fixed-model-name", fixed]
    log = EVAL_DIR / f"train-{name}.log"
    with log.open("wb") as fh:
        subprocess.run(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT, check=True)
    return model, time.perf_counter() - started
