"""GraphStore on FalkorDB, through its native (Redis protocol) async client.

Why not ``falkordb.asyncio.FalkorDB`` itself: its constructor makes a *blocking*
``INFO`` call to detect cluster mode and raises if the server is down at that moment.
We build the ``redis.asyncio`` client ourselves (lazy, non-blocking, our timeouts, no
automatic retries) and hand it to the library's ``AsyncGraph``, which does the query
protocol and result parsing. Cluster mode is therefore not supported (we never run it).

Never use FalkorDB's Bolt endpoint: new connections hang after a client disconnects.
"""

from __future__ import annotations

import logging
from typing import Any

import redis.asyncio as aioredis
import redis.exceptions as redis_errors
from falkordb.asyncio.graph import AsyncGraph
from falkordb.edge import Edge
from falkordb.exceptions import SchemaVersionMismatchException
from falkordb.node import Node
from falkordb.path import Path
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import GraphUnavailable, QueryFailed
from knowledge_graph.store.base import GraphStore, Params, Row, check_params

log = logging.getLogger(__name__)

# FalkorDB's error for reading a graph that has never been written to.
_EMPTY_KEY = "empty key"


class FalkorDBStore(GraphStore):
    """One FalkorDB graph (``config.graph_name``) on one server."""

    dialect = "falkordb"

    def __init__(self, config: GraphConfig) -> None:
        super().__init__(config)
        self._redis = aioredis.Redis(
            host=config.falkordb_host,
            port=config.falkordb_port,
            decode_responses=True,  # AsyncGraph's result parser expects str
            socket_connect_timeout=config.connect_timeout,
            socket_timeout=config.query_timeout,
            retry=Retry(NoBackoff(), 0),  # we decide what is safe to retry (reads only)
            client_name="liveroom-kg",
        )
        self._graph = AsyncGraph(self._redis, config.graph_name)

    @property
    def graph_name(self) -> str:
        return self.config.graph_name

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        return await self._run(query, params, read_only=True)

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        return await self._run(query, params, read_only=False)

    async def ping(self) -> None:
        try:
            await self._redis.ping()
            modules = await self._redis.module_list()
        except (redis_errors.RedisError, OSError) as err:
            raise self._unavailable(err) from err
        names = {str(m.get("name", "")).lower() for m in modules}
        if "graph" not in names:
            raise GraphUnavailable(
                f"{self.describe()} answers but has no FalkorDB module loaded; "
                "it must run with --loadmodule falkordb.so (knowledge_graph.store.server does that)"
            )

    async def close(self) -> None:
        await self._redis.aclose()

    async def graph_exists(self) -> bool:
        """Whether the graph key exists yet (FalkorDB creates graphs on first write)."""
        try:
            names = await self._redis.execute_command("GRAPH.LIST")
        except (redis_errors.RedisError, OSError) as err:
            raise self._unavailable(err) from err
        return self.graph_name in names

    async def drop_graph(self) -> None:
        """Delete the whole graph (nodes, edges, indexes). For tests and resets only."""
        try:
            if await self.graph_exists():
                await self._graph.delete()
        except redis_errors.ResponseError as err:
            raise QueryFailed(f"could not delete graph {self.graph_name!r}: {err}") from err
        except (redis_errors.RedisError, OSError) as err:
            raise self._unavailable(err) from err

    async def _run(self, query: str, params: Params | None, *, read_only: bool) -> list[Row]:
        checked = check_params(params)
        run = self._graph.ro_query if read_only else self._graph.query
        retried = False
        while True:
            try:
                result = await run(query, checked)
                break
            except SchemaVersionMismatchException as err:
                # The client refreshed its label/property-name cache. The server rejected
                # the query before running it, so one retry is safe even for a write.
                if retried:
                    raise QueryFailed("FalkorDB schema changed twice during one query") from err
                retried = True
            except redis_errors.ResponseError as err:
                if read_only and not retried and _EMPTY_KEY in str(err):
                    # FalkorDB only creates a graph on its first write and refuses reads
                    # before that; a read of a graph that does not exist yet should see
                    # an empty graph, so create it (empty) and read again.
                    retried = True
                    await self._create_empty_graph()
                    continue
                raise QueryFailed(f"FalkorDB rejected the query: {err}") from err
            except redis_errors.ConnectionError as err:
                # A read may be retried once when a pooled connection died (server
                # restart); a write never, because it may already have been applied.
                if read_only and not retried and not isinstance(err, redis_errors.BusyLoadingError):
                    retried = True
                    log.info("graph connection dropped (%s); retrying the read once", err)
                    continue
                raise self._unavailable(err) from err
            except (redis_errors.TimeoutError, OSError) as err:
                raise self._unavailable(err) from err
            except redis_errors.RedisError as err:
                raise QueryFailed(f"FalkorDB client error: {err}") from err
        names = [column[1] for column in result.header]
        return [
            {name: _plain(value) for name, value in zip(names, row, strict=True)} for row in result.result_set
        ]

    async def _create_empty_graph(self) -> None:
        try:
            await self._graph.query("RETURN 0")
        except redis_errors.ResponseError as err:
            raise QueryFailed(f"could not create graph {self.graph_name!r}: {err}") from err
        except (redis_errors.RedisError, OSError) as err:
            raise self._unavailable(err) from err
        log.info("created empty graph %r", self.graph_name)

    def _unavailable(self, err: BaseException) -> GraphUnavailable:
        if isinstance(err, redis_errors.TimeoutError):
            return GraphUnavailable(
                f"{self.describe()} did not answer within {self.config.query_timeout:g}s ({err}); "
                "if this was a write it may or may not have been applied"
            )
        if isinstance(err, redis_errors.BusyLoadingError):
            return GraphUnavailable(f"{self.describe()} is still loading its data; try again in a moment")
        if isinstance(err, redis_errors.AuthenticationError | redis_errors.AuthorizationError):
            return GraphUnavailable(f"{self.describe()} refused us: {err}")
        return GraphUnavailable(
            f"cannot reach {self.describe()}: {err}; start it (the supervisor does) "
            "or point FALKORDB_HOST/FALKORDB_PORT at a running server"
        )


def _plain(value: Any) -> Any:
    """Turn FalkorDB client values into plain Python (nodes/edges -> property dicts)."""
    if isinstance(value, Node | Edge):
        return {key: _plain(item) for key, item in value.properties.items()}
    if isinstance(value, Path):
        return [_plain(node) for node in value.nodes()]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):  # includes OrderedDict
        return {key: _plain(item) for key, item in value.items()}
    return value
