"""The one settings loader: environment, ``.env`` file, ``*.secret`` files and ``*_FILE`` credential lists.

Every component declares its settings as a frozen dataclass and builds it with :func:`load`, which
derives each field's environment variable from the field: ``PREFIX + FIELD.upper()`` (``load(Policy,
env, "LIVEROOM_MOD_")`` reads ``flood_messages`` from ``LIVEROOM_MOD_FLOOD_MESSAGES``). A field whose
variable does not follow the rule names it with :func:`setting` (``setting("LIVEROOM_RASA_TIMEOUT",
default=10.0)``), or ``setting(None, ...)`` when it is no setting at all. Values are parsed once, by
the field's type, with an error naming the variable:

- ``int`` / ``float`` / ``bool`` / ``Path``: an empty value means the default; bools accept
  1/0, true/false, yes/no, on/off.
- ``str``: the value as it is (an empty value is the empty string).
- ``tuple[str, ...]`` / ``tuple[int, ...]``: comma-separated, blanks dropped (empty value: ``()``).
- ``X | None``: an empty value is ``None``.

Sources, the first that has the variable wins: the environment; a ``KEY=VALUE`` secrets file such as
``twitch.secret`` (``*.secret`` is git-ignored; :func:`layered`); the ``.env`` file, which the
process entry points copy into the environment for unset variables (:func:`load_dotenv`); the field's
default. Credential lists (admin tokens, web logins) come from a variable and the file a ``*_FILE``
variable names (:func:`list_sources`). Values are never logged and never part of a parse error of a
file; config classes hide secrets from ``repr``. This module imports only the standard library.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")

#: ``setting()`` without a name: the variable is derived from the field (prefix + FIELD.upper())
DERIVE = "<derive>"
_ENV = "env"
_PARSE = "parse"
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


# --- KEY=VALUE files (.env and *.secret) -----------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, ``export``, optional quotes); a missing file is empty.

    A malformed line is an error naming the file and line, never the line's text (it may be a secret)."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
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
        values[key] = value
    return values


#: the secrets-file reader's name where connectors read ``*.secret`` files
read_secret_file = read_env_file


def load_dotenv(path: Path, environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Set unset variables from ``path`` (a ``.env`` file); the names that were set. Missing file: no-op.

    Real environment variables win over the file, so CI and shells can override it."""
    env = os.environ if environ is None else environ
    loaded = []
    for key, value in read_env_file(path).items():
        if key not in env:
            env[key] = value
            loaded.append(key)
    return loaded


def layered(env: Mapping[str, str], file_var: str, default_file: str) -> dict[str, str]:
    """The secrets file named by ``env[file_var]`` (or the default), overridden by non-empty ``env``."""
    merged = read_env_file(Path(env.get(file_var) or default_file))
    merged.update({k: v for k, v in env.items() if v != ""})
    return merged


# --- credential lists (VAR and VAR_FILE) -------------------------------------------------------------------


def list_entries(text: str) -> list[str]:
    """The non-empty entries of ``text`` (commas or newlines); a comment line is skipped whole."""
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return [e.strip() for line in lines for e in line.split(",") if e.strip()]


def list_sources(env: Mapping[str, str], var: str, file_var: str) -> list[tuple[str, str]]:
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


def merge_lists(groups: list[list[T]], name: Callable[[T], str], what: str) -> list[T]:
    """The groups' items in order; a name defined in two sources is an error naming it (``what``)."""
    items: list[T] = []
    for group in groups:
        clash = {name(item) for item in items} & {name(item) for item in group}
        if clash:
            raise ValueError(f"{what} {sorted(clash)[0]!r} is defined twice")
        items += group
    return items


# --- single values ---------------------------------------------------------------------------------------


def parse_int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def parse_float(name: str, raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def parse_bool(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValueError(f"{name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")


def parse_csv(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def blank(raw: str) -> bool:
    """Empty or only spaces: a number or a switch then keeps its default (``VAR= `` in a .env file or
    an orchestrator's empty value means "not set", not "invalid")."""
    return not raw.strip()


def get_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name, "")
    return default if blank(raw) else parse_int(name, raw)


def get_float(values: Mapping[str, str], name: str, default: float) -> float:
    raw = values.get(name, "")
    return default if blank(raw) else parse_float(name, raw)


def get_bool(values: Mapping[str, str], name: str, default: bool) -> bool:
    raw = values.get(name, "")
    return default if blank(raw) else parse_bool(name, raw)


# --- typed dataclasses ------------------------------------------------------------------------------------


def setting(env: str | None = DERIVE, *, parse: Callable[[str], Any] | None = None, **kwargs: Any) -> Any:
    """A dataclass field with its variable's name (``None``: not read from the environment) and an
    optional parser of the raw text, used instead of the type's (also for an empty string field)."""
    return dataclasses.field(metadata={_ENV: env, _PARSE: parse}, **kwargs)


def _variable(f: dataclasses.Field[Any], prefix: str) -> str | None:
    """The variable a field is read from: its declared name, else PREFIX + FIELD (None: not read)."""
    name = f.metadata.get(_ENV, DERIVE)
    return prefix + f.name.upper() if name == DERIVE else name


def env_name(cls: type, field_name: str, prefix: str = "") -> str | None:
    """The variable ``load(cls, prefix=prefix)`` reads for ``field_name`` (None: none)."""
    for f in dataclasses.fields(cls):
        if f.name == field_name:
            return _variable(f, prefix)
    raise KeyError(field_name)


def _convert(name: str, raw: str, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return None if not raw.strip() else _convert(name, raw, inner[0])
    if hint is str:
        return raw
    if hint is bool:
        return parse_bool(name, raw)
    if hint is int:
        return parse_int(name, raw)
    if hint is float:
        return parse_float(name, raw)
    if hint is Path:
        return Path(raw)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return tuple(_convert(name, item, args[0]) for item in parse_csv(raw))
    raise TypeError(f"{name}: no parser for {hint!r}; give the field setting(parse=...)")


def _required(name: str, hint: Any) -> Any:
    """The empty value of a required field that is not set: "" / () / None, for ``__post_init__`` to
    reject with its own message; a required number has no empty value."""
    if _empty_is_default(hint):
        raise ValueError(f"{name} is required")
    return _convert(name, "", hint)


def _empty_is_default(hint: Any) -> bool:
    return hint in (int, float, bool, Path)


def load(cls: type[D], env: Mapping[str, str] = os.environ, prefix: str = "", **given: Any) -> D:
    """``cls`` with every field read from ``env`` (derived or declared name), else its default.

    ``given`` values are used as they are (arguments that are not settings, or command-line options)."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = dict(given)
    for f in dataclasses.fields(cls):
        if f.name in values or not f.init:
            continue
        name = _variable(f, prefix)
        if name is None:
            continue
        raw = env.get(name)
        if raw is None:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                values[f.name] = _required(name, hints[f.name])  # the class's own check names it
            continue
        hint = hints[f.name]
        if blank(raw) and _empty_is_default(hint):
            continue
        parse = f.metadata.get(_PARSE)
        values[f.name] = parse(raw) if parse is not None else _convert(name, raw, hint)
    return cls(**values)
