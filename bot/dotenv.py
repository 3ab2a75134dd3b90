"""Load ``KEY=VALUE`` lines from the git-ignored ``.env`` into the environment.

Real environment variables win over the file, so CI and shells can override it. Values are never
logged: the file holds secrets (platform tokens, Neo4j password).
"""

from __future__ import annotations

import os
from pathlib import Path


def load_dotenv(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    """Set unset variables from ``path``; return the names that were set. Missing file: no-op."""
    env = os.environ if environ is None else environ
    if not path.is_file():
        return []
    loaded = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ValueError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key not in env:
            env[key] = value
            loaded.append(key)
    return loaded
