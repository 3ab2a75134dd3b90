"""The one seam between liveroom and a graph database: the contract, its backends, a local FalkorDB.

``open_store(config)`` picks the backend; the backend modules load lazily, so importing this package
does not import the Neo4j or FalkorDB driver.
"""

from __future__ import annotations

from knowledge_graph.config import GraphConfig
from knowledge_graph.store.base import GraphStore, Params, Row, check_params, write_lock

__all__ = ["GraphStore", "Params", "Row", "check_params", "open_store", "write_lock"]


def open_store(config: GraphConfig) -> GraphStore:
    """Create the store for ``config.backend``. Does no I/O; see ``GraphStore.ping``."""
    if config.backend == "neo4j":
        from knowledge_graph.store.neo4j import Neo4jStore

        return Neo4jStore(config)
    from knowledge_graph.store.falkordb import FalkorDBStore

    return FalkorDBStore(config)
