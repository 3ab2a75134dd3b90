"""Where the knowledge graph lives, read from the environment.

FalkorDB is the default backend: the supervisor starts it locally and CI uses it.
Setting ``NEO4J_URI`` switches to a Neo4j 5 server instead, so the choice is made by
deployment, not by code. An empty variable counts as unset, which keeps ``.env``
templates with blank lines harmless.

The Neo4j password is kept out of ``repr`` (and therefore out of logs and tracebacks);
``describe()`` is the one-line, secret-free description to log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal
from urllib.parse import urlsplit

from connectors.settings import env_name, load, setting
from knowledge_graph.errors import ValidationError

Backend = Literal["falkordb", "neo4j"]

BACKENDS: tuple[str, ...] = ("falkordb", "neo4j")
DEFAULT_FALKORDB_HOST = "127.0.0.1"
DEFAULT_FALKORDB_PORT = 6479  # not 6379: keeps clear of any system Redis
DEFAULT_GRAPH_NAME = "liveroom"
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")

# A FalkorDB graph name is a Redis key; keep it to characters that need no quoting
# anywhere (shell, logs, file names of exports).
_GRAPH_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

_FALKORDB_FIELDS = ("falkordb_host", "falkordb_port", "graph_name")
_NEO4J_FIELDS = ("neo4j_uri", "neo4j_user", "neo4j_password", "neo4j_database")


def _invalid(name: str, problem: str) -> ValidationError:
    """An error naming the field and the environment variable that feeds it, if any."""
    env = env_name(GraphConfig, name)
    return ValidationError(f"{name} ({env})" if env else name, problem)


def _port(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _invalid("falkordb_port", f"must be an integer, got {raw!r}") from None


@dataclass(frozen=True, kw_only=True)
class GraphConfig:
    """Connection settings for one graph; validated on construction."""

    #: neo4j exactly when NEO4J_URI is set (from_env decides; no variable of its own)
    backend: Backend = setting(None, default="falkordb")
    falkordb_host: str = DEFAULT_FALKORDB_HOST
    falkordb_port: int = setting(parse=_port, default=DEFAULT_FALKORDB_PORT)
    graph_name: str = setting("LIVEROOM_GRAPH_NAME", default=DEFAULT_GRAPH_NAME)
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="", repr=False)
    neo4j_database: str = "neo4j"
    connect_timeout: float = setting(None, default=3.0)
    """Seconds to wait for a TCP connection before calling the server unavailable."""
    query_timeout: float = setting(None, default=15.0)
    """Seconds to wait for one statement's answer; chat answers must not hang."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise _invalid("backend", f"must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if not self.falkordb_host:
            raise _invalid("falkordb_host", "must not be empty")
        if isinstance(self.falkordb_port, bool) or not isinstance(self.falkordb_port, int):
            raise _invalid("falkordb_port", f"must be an integer, got {self.falkordb_port!r}")
        if not 1 <= self.falkordb_port <= 65535:
            raise _invalid("falkordb_port", f"must be between 1 and 65535, got {self.falkordb_port}")
        if not _GRAPH_NAME.fullmatch(self.graph_name):
            raise _invalid(
                "graph_name", f"must be 1-64 characters of A-Z a-z 0-9 _ . : -, got {self.graph_name!r}"
            )
        for name in ("connect_timeout", "query_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise _invalid(name, f"must be a positive number of seconds, got {value!r}")
        if self.backend == "neo4j":
            self._validate_neo4j()

    def _validate_neo4j(self) -> None:
        if not self.neo4j_uri:
            raise _invalid("neo4j_uri", "is required for the neo4j backend")
        parts = urlsplit(self.neo4j_uri)
        if parts.scheme not in NEO4J_SCHEMES:
            raise _invalid(
                "neo4j_uri",
                f"scheme must be one of {', '.join(NEO4J_SCHEMES)}, got {parts.scheme or 'none'!r}",
            )
        if not parts.hostname:
            raise _invalid("neo4j_uri", "must name a host, e.g. bolt://127.0.0.1:7687")
        if parts.username or parts.password:
            raise _invalid("neo4j_uri", "must not contain credentials; use NEO4J_USER and NEO4J_PASSWORD")
        if not self.neo4j_user:
            raise _invalid("neo4j_user", "must not be empty")
        if not self.neo4j_database:
            raise _invalid("neo4j_database", "must not be empty")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> GraphConfig:
        """Build a config from environment variables (see the module docstring): ``FALKORDB_<FIELD>``,
        ``NEO4J_<FIELD>`` and ``LIVEROOM_GRAPH_NAME``; the other backend's variables are ignored."""
        values = {k: v.strip() for k, v in env.items() if v.strip()}  # an empty variable counts as unset
        if "NEO4J_PASSWORD" in env:
            values["NEO4J_PASSWORD"] = env["NEO4J_PASSWORD"]  # passwords may have surrounding spaces
        neo4j = bool(values.get("NEO4J_URI"))
        unused = {
            f.name: f.default for f in fields(cls) if f.name in (_FALKORDB_FIELDS if neo4j else _NEO4J_FIELDS)
        }
        return load(cls, values, "", backend="neo4j" if neo4j else "falkordb", **unused)

    def describe(self) -> str:
        """One secret-free line naming the server, for logs and error messages."""
        if self.backend == "neo4j":
            return f"Neo4j at {self.neo4j_uri} (database {self.neo4j_database!r})"
        return f"FalkorDB at {self.falkordb_host}:{self.falkordb_port} (graph {self.graph_name!r})"
