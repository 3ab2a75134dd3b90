"""Errors raised by the knowledge graph package.

Callers (actions/, bot/, the CLI) catch these and never a driver's own exception
types: every foreign error (redis, neo4j, OSError) is wrapped where it crosses into
this package, with ``raise ... from err`` so the original stays in the traceback.

    KnowledgeGraphError            root; catch this to handle "the graph failed" at all
    ├── GraphUnavailable           the server is down, unreachable or refuses us
    │   └── ServerStartError       a local FalkorDB server could not be started
    │       └── PortInUse          ... because its port is already taken
    ├── QueryFailed                the server rejected a statement (a bug in our Cypher)
    ├── NotFound                   a product/FAQ the caller named does not exist
    ├── ValidationError            bad input or config; ``field`` names the culprit
    ├── VersionConflict            optimistic-concurrency check failed; nothing written
    └── InUse                      a delete was refused because other data still points at it
"""

from __future__ import annotations


class KnowledgeGraphError(Exception):
    """Root of every error this package raises on purpose."""


class GraphUnavailable(KnowledgeGraphError):
    """The graph database cannot be reached or used right now.

    The message says which server was tried and what to do about it, because the
    person reading it is usually an operator looking at a log line mid-stream.
    """


class ServerStartError(GraphUnavailable):
    """A local FalkorDB server process (see ``falkordb_server``) failed to start."""


class PortInUse(ServerStartError):
    """The port a local FalkorDB server should listen on is already taken."""

    def __init__(self, message: str, *, port: int) -> None:
        super().__init__(message)
        self.port = port


class QueryFailed(KnowledgeGraphError):
    """The database rejected a statement (syntax, type or constraint error)."""


class NotFound(KnowledgeGraphError):
    """The thing the caller asked for (by SKU, id, ...) does not exist."""


class ValidationError(KnowledgeGraphError, ValueError):
    """Input or configuration is invalid; ``field`` names the offending field.

    Also a ``ValueError`` so generic callers that validate input keep working.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class VersionConflict(KnowledgeGraphError):
    """A write carried an ``expected_version`` that is no longer current.

    Nothing was written; re-read the entity and retry if the change still applies.
    ``expected`` 0 means "must not exist yet" (a create); ``actual`` None means it does
    not exist (any more). ``sku`` is kept as an alias of ``key`` for product callers.
    """

    def __init__(self, sku: str, expected: int, actual: int | None, *, entity: str = "product") -> None:
        if expected == 0 and actual is not None:
            message = f"{entity} {sku!r} already exists (version {actual})"
        else:
            message = f"{entity} {sku!r} is at version {actual}, not the expected {expected}"
        super().__init__(message)
        self.sku = sku
        self.key = sku
        self.entity = entity
        self.expected = expected
        self.actual = actual


class InUse(KnowledgeGraphError):
    """A delete was refused because other data still refers to the entity (nothing written)."""
