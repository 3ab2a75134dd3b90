"""The gateway's aiohttp application: connectors, Rasa client and gateway wired by ``cleanup_ctx``.

Everything with a lifetime (HTTP session, connectors, workers) is set up and torn down in one
cleanup context each, in order, so shutdown mirrors startup.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot import rate_limit
from bot.admin import setup_admin
from bot.catalog_names import GRAPH, NAMES_CACHE, NamesCache, catalog_names
from bot.commands import CommandConfig
from bot.config import GatewayConfig, send_limits_from_env
from bot.encoder_warmup import ENCODER_WARMUP, setup_encoder_warmup
from bot.gateway import Gateway
from bot.graph_answers import faq_answerer, graph_commands
from bot.metrics import GatewayMetrics, MetricsAccess
from bot.moderation import ModerationPolicy, Moderator
from bot.mood import setup_mood
from bot.pacing import SendLimit
from bot.qa_lane import QALane
from bot.rasa_client import RasaClient
from bot.reply_quota import QuotaPolicy
from bot.rooms import RoomLimits
from bot.shards import ShardConfig
from bot.thanks import setup_thanks
from bot.triage import Triage
from bot.upstreams import Upstream, UpstreamMonitor
from bot.web import setup_web
from bot.web.auth import current_user
from connectors import load_connector
from connectors.base import Connector
from connectors.tasks import cancel_and_wait
from knowledge_graph import GraphConfig, KnowledgeGraphError, get_streamer, list_products, open_store

log = logging.getLogger(__name__)

CONFIG = web.AppKey("config", GatewayConfig)
METRICS = web.AppKey("metrics", GatewayMetrics)
METRICS_ACCESS = web.AppKey("metrics_access", MetricsAccess)
CONNECTORS = web.AppKey("connectors", dict[str, Connector])
GATEWAY = web.AppKey("gateway", Gateway)
SHARD = web.AppKey("shard", ShardConfig)


def create_app(
    config: GatewayConfig,
    connector_names: tuple[str, ...] | None = None,
    graph_config: GraphConfig | None = None,
) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    app[SHARD] = ShardConfig.from_env()  # LIVEROOM_SHARD / LIVEROOM_REDIS_URL (bot/shards.py)
    names = connector_names if connector_names is not None else config.connectors
    app[CONNECTORS] = {name: load_connector(name, bot_name=config.bot_name) for name in names}
    app[METRICS] = GatewayMetrics(lambda: app[CONNECTORS].values())
    app[METRICS_ACCESS] = MetricsAccess.from_env()  # LIVEROOM_METRICS_TOKEN: bearer auth on /metrics
    for connector in app[CONNECTORS].values():
        app.router.add_routes(connector.web_routes())
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/api/v1/catalog/names", catalog_names)
    app[NAMES_CACHE] = NamesCache()  # one body per catalog generation (bot/catalog_names.py)
    rate_limit.install(app)  # per-address limit of the anonymous endpoints (LIVEROOM_ANON_RATE/_BURST)
    app.cleanup_ctx.append(_graph_ctx(graph_config or GraphConfig.from_env()))
    app.cleanup_ctx.append(_gateway_ctx)
    setup_admin(app)  # /api/v1/...: streamer editing (bot/admin), on the store in app[GRAPH]
    setup_mood(app, GATEWAY)  # /api/vision/audience (camera sidecar) -> room mood -> external intents
    setup_thanks(app, GATEWAY, app[METRICS].thanks)  # merged thank-yous for gifts, super chats, subs
    setup_web(app)  # /login, /editor, /simulator, /dashboard, /report, /static (bot/web)
    for connector in app[CONNECTORS].values():
        if hasattr(connector, "session_role"):  # the simulator: roles and replay mode from the web session
            connector.session_role = _session_role
    setup_encoder_warmup(app, app[METRICS].registry)  # FAQ encoders load in the background, not on 1st write
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
            session,
            config.rasa_replicas,
            timeout_s=config.rasa_timeout_s,
            channel=config.rasa_channel,
            token=config.rasa_token,
            on_failover=lambda owner, _taken_by: app[METRICS].rasa_failovers.labels(owner).inc(),
        )
        for replica in rasa.replicas:  # exported from 0, so a first failover shows as an increase
            app[METRICS].rasa_failovers.labels(replica)
        gateway: Gateway | None = None

        async def on_change(name: str, up: bool) -> None:
            if gateway is not None:
                await gateway.on_upstream_change(name, up)

        monitor = UpstreamMonitor(
            session,
            [
                Upstream("rasa", f"{config.rasa_url}/", probe=rasa.healthy),  # up while any replica is
                Upstream("actions", config.action_health_url),
            ],
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
            qa_lane=QALane(store_of, rasa) if config.qa_lane else None,
            shard=app[SHARD] if app[SHARD].sharded else None,
            budgets=app[SHARD].budget_factory(),
            quotas=QuotaPolicy.from_env(),
            room_limits=RoomLimits.from_env(),
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
        await cancel_and_wait(refresher)
        await monitor.stop()
        await gateway.stop()


async def _refresh_catalog_names(app: web.Application, triage: Triage, interval_s: float = 15.0) -> None:
    """Keep triage's product and streamer names in step with the streamer's catalog edits."""
    while True:
        try:
            products = await list_products(app[GRAPH])
            triage.set_product_names(
                name
                for p in products
                for name in (p.sku, p.name_en, p.name_zh, *p.aliases_en, *p.aliases_zh)
                if name
            )
            streamer = await get_streamer(app[GRAPH])
            if streamer is not None:
                triage.set_streamer_names(n for n in (streamer.name_en, streamer.name_zh) if n)
        except KnowledgeGraphError as err:
            log.info("catalog names not refreshed (graph unavailable): %s", err)
        await asyncio.sleep(interval_s)


def _session_role(request: web.Request) -> str | None:
    user = current_user(request)
    return user.role if user is not None else None


async def _healthz(request: web.Request) -> web.Response:
    warmup = request.app[ENCODER_WARMUP].state if ENCODER_WARMUP in request.app else "off"
    return web.json_response(
        {"status": "ok", "connectors": sorted(request.app[CONNECTORS]), "encoders": warmup}
    )


async def _metrics(request: web.Request) -> web.Response:
    if not request.app[METRICS_ACCESS].allows(request.headers.get("Authorization")):
        log.info("/metrics refused for %s: missing or wrong bearer token", request.remote)
        return web.json_response(
            {"error": "missing or wrong token: send 'Authorization: Bearer <LIVEROOM_METRICS_TOKEN>'"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
