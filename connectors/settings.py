"""Reading connector settings: environment first, then a git-ignored ``KEY=VALUE`` secrets file.

Platform credentials (Twitch tokens, Bilibili cookies) live in the environment or in a file such as
``twitch.secret`` / ``bilibili.secret`` (``*.secret`` is in .gitignore). Real environment variables win.
Values are never logged; config classes hide them from ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def read_secret_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, optional quotes); a missing file is empty."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"{path}:{number}: expected KEY=VALUE")  # no value in the message: secret
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def layered(env: Mapping[str, str], file_var: str, default_file: str) -> dict[str, str]:
    """The secrets file named by ``env[file_var]`` (or the default), overridden by ``env``."""
    merged = read_secret_file(Path(env.get(file_var) or default_file))
    merged.update({k: v for k, v in env.items() if v != ""})
    return merged


def get_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def get_float(values: Mapping[str, str], name: str, default: float) -> float:
    raw = values.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def get_bool(values: Mapping[str, str], name: str, default: bool) -> bool:
    raw = values.get(name)
    if not raw:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")
