"""The action server's one connection to the knowledge graph.

The store is async (its connection pool belongs to an event loop), so it cannot be created at
import time: rasa_sdk imports every module of ``actions`` before its server loop runs. It is
created on first use, inside the running loop, and reused for the life of the process; its
pool reconnects by itself after the graph server restarts, so it is never rebuilt.
"""

from __future__ import annotations

import logging

from knowledge_graph import GraphConfig, GraphStore, open_store
from knowledge_graph.answers import QuestionAnswerer

log = logging.getLogger(__name__)

# The whole lookup must fit well inside the gateway's wait for Rasa (10 s by default); a slow
# graph gets the polite "can't reach the product list" answer instead of silence.
LOOKUP_TIMEOUT_S = 4.0

_store: GraphStore | None = None
_answerer: QuestionAnswerer | None = None


def get_store() -> GraphStore:
    """Return the process-wide store, creating it on first call (no I/O happens here).

    Synchronous on purpose: with no ``await`` between the check and the assignment, two
    concurrent actions cannot both create one. Raises ``knowledge_graph.errors.ValidationError``
    (a ``KnowledgeGraphError``) when the FALKORDB_* / NEO4J_* environment is invalid.
    """
    global _store
    if _store is None:
        config = GraphConfig.from_env()
        _store = open_store(config)
        log.info("action server uses the knowledge graph at %s", config.describe())
    return _store


def get_answerer() -> QuestionAnswerer:
    """The process-wide question-answering layer over ``get_store()`` (its encoder cache is shared by
    every action)."""
    global _answerer
    if _answerer is None:
        _answerer = QuestionAnswerer(get_store)
    return _answerer
