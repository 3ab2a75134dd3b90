"""The gateway's aiohttp application: connectors, Rasa client and gateway wired by ``cleanup_ctx``.

Everything with a lifetime (HTTP session, connectors, workers) is set up and torn down in one
cleanup context each, in order, so shutdown mirrors startup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.admin import setup_admin
from bot.catalog_names import GRAPH, catalog_names
from bot.commands import CommandConfig
from bot.config import GatewayConfig, send_limits_from_env
from bot.fast_path import FastPath
from bot.gateway import Gateway
from bot.graph_answers import faq_answerer, graph_commands
from bot.metrics import GatewayMetrics
from bot.moderation import ModerationPolicy, Moderator
from bot.pacing import SendLimit
from bot.rasa_client import RasaClient
from bot.triage import Triage
from bot.upstreams import Upstream, UpstreamMonitor
from connectors import load_connector
from connectors.base import Connector
from knowledge_graph.catalog import list_products
from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import KnowledgeGraphError
from knowledge_graph.store import open_store

log = logging.getLogger(__name__)

CONFIG = web.AppKey("config", GatewayConfig)
METRICS = web.AppKey("metrics", GatewayMetrics)
CONNECTORS = web.AppKey("connectors", dict[str, Connector])
GATEWAY = web.AppKey("gateway", Gateway)


def create_app(
    config: GatewayConfig,
    connector_names: tuple[str, ...] | None = None,
    graph_config: GraphConfig | None = None,
) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    names = connector_names if connector_names is not None else config.connectors
    app[CONNECTORS] = {name: load_connector(name, bot_name=config.bot_name) for name in names}
    app[METRICS] = GatewayMetrics(lambda: app[CONNECTORS].values())
    for connector in app[CONNECTORS].values():
        app.router.add_routes(connector.web_routes())
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/api/v1/catalog/names", catalog_names)
    app.cleanup_ctx.append(_graph_ctx(graph_config or GraphConfig.from_env()))
    app.cleanup_ctx.append(_gateway_ctx)
    setup_admin(app)  # /api/v1/...: streamer editing (bot/admin), on the store in app[GRAPH]
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
    store_of = lambda: app[GRAPH]  # noqa: E731 - the store is created by the graph context
    async with aiohttp.ClientSession() as session:
        rasa = RasaClient(
            session, config.rasa_url, timeout_s=config.rasa_timeout_s, channel=config.rasa_channel
        )
        gateway: Gateway | None = None

        async def on_change(name: str, up: bool) -> None:
            if gateway is not None:
                await gateway.on_upstream_change(name, up)

        monitor = UpstreamMonitor(
            session,
            [Upstream("rasa", f"{config.rasa_url}/"), Upstream("actions", config.action_health_url)],
            on_change,
        )
        gateway = Gateway(
            config,
            rasa,
            app[CONNECTORS],
            app[METRICS],
            moderator=Moderator(ModerationPolicy.from_env()),
            triage=Triage(config.bot_name),
            commands=CommandConfig.from_env(),
            graph_commands=graph_commands(store_of),
            faq_answer=faq_answerer(store_of),
            monitor=monitor,
            send_limits={p: SendLimit(*limit) for p, limit in send_limits_from_env().items()},
            fast_path=FastPath(store_of, rasa) if config.fast_path else None,
        )
        app[GATEWAY] = gateway
        for name in monitor.upstreams:
            app[METRICS].upstream_up.labels(name).set(1)
        monitor.start()
        gateway.start()
        refresher = asyncio.create_task(_refresh_catalog_names(app, gateway.triage), name="catalog-names")
        for connector in app[CONNECTORS].values():
            await connector.start(gateway.ingest)
        log.info("gateway up with connectors: %s", ", ".join(app[CONNECTORS]))
        yield
        for connector in app[CONNECTORS].values():
            await connector.stop()
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher
        await monitor.stop()
        await gateway.stop()


async def _refresh_catalog_names(app: web.Application, triage: Triage, interval_s: float = 15.0) -> None:
    """Keep triage's product names in step with the streamer's catalog edits."""
    while True:
        try:
            products = await list_products(app[GRAPH])
            triage.set_product_names(
                name
                for p in products
                for name in (p.sku, p.name_en, p.name_zh, *p.aliases_en, *p.aliases_zh)
                if name
            )
        except KnowledgeGraphError as err:
            log.info("catalog names not refreshed (graph unavailable): %s", err)
        await asyncio.sleep(interval_s)


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "connectors": sorted(request.app[CONNECTORS])})


async def _metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
