"""The gateway's aiohttp application: connectors, Rasa client and gateway wired by ``cleanup_ctx``.

Everything with a lifetime (HTTP session, connectors, workers) is set up and torn down in one
cleanup context each, in order, so shutdown mirrors startup.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.catalog_names import GRAPH, catalog_names
from bot.config import GatewayConfig
from bot.gateway import Gateway
from bot.metrics import GatewayMetrics
from bot.rasa_client import RasaClient
from connectors import load_connector
from connectors.base import Connector
from knowledge_graph.config import GraphConfig
from knowledge_graph.store import open_store

log = logging.getLogger(__name__)

CONFIG = web.AppKey("config", GatewayConfig)
METRICS = web.AppKey("metrics", GatewayMetrics)
CONNECTORS = web.AppKey("connectors", dict[str, Connector])
GATEWAY = web.AppKey("gateway", Gateway)


def create_app(
    config: GatewayConfig,
    connector_names: tuple[str, ...] = ("simulator",),
    graph_config: GraphConfig | None = None,
) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    app[METRICS] = GatewayMetrics()
    app[CONNECTORS] = {name: load_connector(name, bot_name=config.bot_name) for name in connector_names}
    for connector in app[CONNECTORS].values():
        app.router.add_routes(connector.web_routes())
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/api/v1/catalog/names", catalog_names)
    app.cleanup_ctx.append(_graph_ctx(graph_config or GraphConfig.from_env()))
    app.cleanup_ctx.append(_gateway_ctx)
    return app


def _graph_ctx(graph_config: GraphConfig):
    """The gateway's one graph store: opened without I/O (the DB may still be starting), closed last."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[GRAPH] = open_store(graph_config)
        yield
        await app[GRAPH].close()

    return ctx


async def _gateway_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    async with aiohttp.ClientSession() as session:
        rasa = RasaClient(session, config.rasa_url, timeout_s=config.rasa_timeout_s)
        gateway = Gateway(config, rasa, app[CONNECTORS], app[METRICS])
        app[GATEWAY] = gateway
        for connector in app[CONNECTORS].values():
            await connector.start(gateway.ingest)
        log.info("gateway up with connectors: %s", ", ".join(app[CONNECTORS]))
        yield
        for connector in app[CONNECTORS].values():
            await connector.stop()
        await gateway.stop()


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "connectors": sorted(request.app[CONNECTORS])})


async def _metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
