"""The graph store contract: ``GraphStore`` and the parameter check every backend applies.

Everything above this module (schema, catalog, FAQ, seed) speaks openCypher through
``GraphStore.read`` / ``GraphStore.write`` and gets plain Python back: a list of rows,
each a dict keyed by the RETURN column names, with nodes and relationships already
turned into dicts of their properties. That keeps driver types out of actions/ and
bot/, and lets the same query code run on FalkorDB (default, CI) and Neo4j.

Rules every caller follows:

* values go in ``params`` and are referenced as ``$name`` -- never formatted into the
  query text (chat messages are attacker-controlled);
* one ``write`` call is one atomic statement; compose multi-step changes into a single
  statement (UNWIND, CASE) rather than several calls;
* writes are never retried automatically (a retried write could apply twice); reads are
  retried once on a dropped connection.

Parameters are checked before they are sent: only str, int (64-bit), float, bool, None,
lists and string-keyed dicts are allowed. A ``Decimal`` would otherwise be sent to
FalkorDB as a bare number literal and silently become a float.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import ValidationError

Row = dict[str, Any]
Params = Mapping[str, Any]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class GraphStore(ABC):
    """An open connection (pool) to one graph. Create with ``open_store``.

    Instances are cheap to create and connect lazily; call ``ping`` to find out early
    whether the server is there. Use one store per process and event loop.
    """

    dialect: ClassVar[str]
    """"falkordb" or "neo4j"; the few dialect-specific statements branch on this."""

    def __init__(self, config: GraphConfig) -> None:
        self.config = config

    @abstractmethod
    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Run a read-only statement and return its rows.

        Raises GraphUnavailable when the server cannot be reached, QueryFailed when it
        rejects the statement (including a write sent through ``read``).
        """

    @abstractmethod
    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one statement that may write, atomically, and return its rows."""

    @abstractmethod
    async def ping(self) -> None:
        """Return if the server answers; raise GraphUnavailable otherwise."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections. The store must not be used afterwards."""

    def describe(self) -> str:
        """Secret-free one-liner naming the server, for logs."""
        return self.config.describe()

    async def __aenter__(self) -> GraphStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


def write_lock(var: str) -> str:
    """Cypher that takes the write lock on node ``var`` before anything reads its properties.

    A check-and-set (``WHERE n.version = $expected SET n.version = n.version + 1``) is only atomic when
    the version is read under the lock. FalkorDB runs one write query at a time, so it always is; Neo4j
    reads committed data without locking, so six concurrent editors at the same version would all match
    and all "win". Setting (then clearing) a dummy property locks the node first, the idiom Neo4j's
    manual gives for lost updates; the ``WITH *`` that follows lets the caller filter on fresh values.
    """
    return f"SET {var}._lock = true SET {var}._lock = null WITH *"


def check_params(params: Params | None) -> dict[str, Any]:
    """Validate query parameters (see module docstring) and return them as a dict.

    NUL characters are refused on every backend: FalkorDB's query header cannot carry them, and a value
    one backend stores but the other refuses would make the backends answer differently.
    """
    if params is None:
        return {}
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationError("params", f"parameter name must be an identifier, got {name!r}")
        if not _plain_ok(value):  # fast pass; the slow one names the culprit
            _check_value(f"${name}", value)
        checked[name] = value
    return checked


def _plain_ok(value: Any) -> bool:
    """True if ``value`` certainly passes ``_check_value``: exact built-in types only, no
    path strings built. Bulk imports send ~500,000 values per statement, where building a
    path for each one cost more than the check; anything unusual falls back to the full check."""
    kind = type(value)
    if kind is str:
        return "\x00" not in value
    if value is None or kind is bool:
        return True
    if kind is int:
        in_range: bool = _INT64_MIN <= value <= _INT64_MAX
        return in_range
    if kind is float:
        return math.isfinite(value)
    if kind is list or kind is tuple:
        return all(_plain_ok(item) for item in value)
    if kind is dict:
        return all(
            type(key) is str and key and "`" not in key and _plain_ok(item) for key, item in value.items()
        )
    return False


def _check_value(path: str, value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(path, "must not contain NUL characters")
        return
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise ValidationError(path, f"integer {value} does not fit in 64 bits")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(path, f"must be a finite number, got {value}")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_value(f"{path}[{i}]", item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key or "`" in key:
                raise ValidationError(path, f"map keys must be non-empty strings without backticks: {key!r}")
            _check_value(f"{path}.{key}", item)
        return
    raise ValidationError(
        path, f"type {type(value).__name__} cannot be sent to the graph (use str, int, float, list, dict)"
    )
