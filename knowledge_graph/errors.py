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

import re


class KnowledgeGraphError(Exception):
    """Root of every error this package raises on purpose."""


class GraphUnavailable(KnowledgeGraphError):
    """The graph database cannot be reached or used right now.

    The message says which server was tried and what to do about it, because the
    person reading it is usually an operator looking at a log line mid-stream.
    """


class ServerStartError(GraphUnavailable):
    """A local FalkorDB server process (see ``store.server``) failed to start."""


class PortInUse(ServerStartError):
    """The port a local FalkorDB server should listen on is already taken."""

    def __init__(self, message: str, *, port: int) -> None:
        super().__init__(message)
        self.port = port


class QueryFailed(KnowledgeGraphError):
    """The database rejected a statement (syntax, type or constraint error)."""


class NotFound(KnowledgeGraphError):
    """The thing the caller asked for (by SKU, id, ...) does not exist."""


# (code, pattern of the English problem): a problem raised without an explicit code gets the first code
# whose pattern matches, with the pattern's named groups as params; "invalid" (no params) otherwise.
# Codes and params are stable API (the editor translates them); the English text may change.
_PROBLEM_CODES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.S))
    for code, pattern in (
        ("required", r"is required"),
        ("negative", r"must not be negative, got (?P<got>.*)"),
        ("not_integer", r"must be an integer, got (?P<got>.*)"),
        (
            "too_long",
            r"must be (?:a string )?(?:of )?at most (?P<max>\d+) char(?:acter)?s(?:, got (?P<got>\d+))?",
        ),
        ("too_small", r"must be at least (?P<min>-?\d+), got (?P<got>.*)"),
        ("too_large", r"must be at most (?P<max>-?\d+), got (?P<got>.*)"),
        ("greater_than_zero", r"must be greater than 0"),
        ("blank", r"must not be blank.*"),
        ("nul", r"must not contain NUL characters"),
        ("bad_id", r"must be 1-(?P<max>\d+) characters of .*"),
        ("bad_url", r"must be an http\(s\) URL.*"),
        ("not_a_number", r"(?:not a number: (?P<got>.*)|must be a (?:finite amount|Decimal).*)"),
        ("too_precise", r"(?P<got>\S+) has more than (?P<places>\d+) decimal places for (?P<currency>\w+)"),
        ("float_price", r"send prices as strings.*"),
        ("too_big", r"is too large: (?P<got>.*)"),
        ("one_of", r"must be one of (?P<allowed>.*?), got (?P<got>.*)"),
        ("unknown_field", r"unknown field \(allowed: (?P<allowed>.*)\)"),
        ("bad_time", r"must be an ISO 8601 time.*"),
        ("needs_utc_offset", r"needs a UTC offset.*"),
        ("after", r"must be after (?P<other>\w+)"),
        ("one_discount", r"set exactly one of discount_percent and discount_amount"),
        ("currency_needs_amount", r"only goes with discount_amount"),
        ("unknown_product", r"unknown product (?P<got>.*)"),
        ("unknown_category", r"unknown category (?P<got>.*?); create it first"),
        ("cannot_change", r"(?:a variant )?cannot (?:be changed|move to another product).*"),
        ("name_needed", r"a \w+ needs a name in at least one language"),
        ("list_of_strings", r"(?:must be a list of (?:strings|SKUs)|\w+ must be non-blank strings.*)"),
        ("too_many", r"at most (?P<max>\d+) (?:tags|SKUs).*"),
        ("must_match_url", r"must match the product in the URL"),
        ("version_required", r"is required \(the version you read.*"),
    )
)


class ValidationError(KnowledgeGraphError, ValueError):
    """Input or configuration is invalid; ``field`` names the offending field.

    Also a ``ValueError`` so generic callers that validate input keep working. ``code`` and ``params``
    say the same as ``problem`` for machines (e.g. ``"negative", {"got": "-3"}``), so a page can show the
    error in its reader's language; without an explicit code one is derived from the English problem.
    """

    def __init__(
        self, field: str, problem: str, *, code: str | None = None, params: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        if code is None:
            code, params = problem_code(problem)
        self.code = code
        self.params = dict(params or {})


def problem_code(problem: str) -> tuple[str, dict[str, str]]:
    """The stable code and params of an English validation problem (``"invalid", {}`` when unknown)."""
    for code, pattern in _PROBLEM_CODES:
        match = pattern.fullmatch(problem)
        if match:
            return code, {k: v for k, v in match.groupdict().items() if v is not None}
    return "invalid", {}


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
