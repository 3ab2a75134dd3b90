"""Credential lists from the environment plus an optional git-ignored file.

Admin API tokens (bot/admin/auth.py) and web logins (bot/web/auth.py) are both configured as
``name:...`` entries separated by commas or newlines, in a variable and/or in a file it names, with
``#`` comment lines. One reader for both keeps the entry syntax and the error messages the same; neither
a token nor a password is ever part of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def entries(text: str) -> list[str]:
    """The non-empty entries of ``text``; a comment line is skipped whole, even if it holds commas."""
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return [e.strip() for line in lines for e in line.split(",") if e.strip()]


def sources(env: Mapping[str, str], var: str, file_var: str) -> list[tuple[str, str]]:
    """(text, source name) of ``var`` and, when ``file_var`` is set, of the file it names."""
    found = [(env.get(var, ""), var)]
    path = env.get(file_var, "").strip()
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise ValueError(f"{file_var}: cannot read {path}: {err.strerror}") from None
        found.append((text, path))
    return found


def merged(groups: list[list[T]], name: Callable[[T], str], what: str) -> list[T]:
    """The groups' items in order; a name defined in two sources is an error naming it (``what``)."""
    items: list[T] = []
    for group in groups:
        clash = {name(item) for item in items} & {name(item) for item in group}
        if clash:
            raise ValueError(f"{what} {sorted(clash)[0]!r} is defined twice")
        items += group
    return items
