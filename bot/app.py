"""The gateway's aiohttp application: the composition root.

``create_app`` builds what needs no event loop (config, connectors, metrics), mounts every HTTP surface
explicitly, and lists one cleanup context per resource in :data:`resource order <create_app>`. aiohttp
enters them in that order and leaves them in reverse, so shutdown mirrors startup; each context cleans
up in ``finally``, so a start that fails part-way stops what it started, and the contexts already
entered are left by the app's cleanup as usual. A context reads what it needs from the app's typed
state (bot/services.py), set by a context before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot.adapters.catalog_refresh import refresh_catalog_names
from bot.adapters.encoder_warmup import EncoderWarmup, WarmupConfig
from bot.adapters.graph_answers import faq_answerer, graph_commands
from bot.adapters.health import Upstream, UpstreamMonitor
from bot.adapters.qa_lane import QALane
from bot.adapters.rasa import RasaClient
from bot.admin import setup_admin
from bot.assembly import build_gateway
from bot.core.commands import CommandConfig
from bot.core.config import GatewayConfig
from bot.core.moderation import ModerationPolicy, Moderator
from bot.core.reply_quota import QuotaPolicy
from bot.core.rooms import RoomLimits
from bot.core.thanks import Thanks, ThanksConfig
from bot.core.triage import Triage
from bot.http import catalog_names, health, rate_limit, vision
from bot.http.catalog_names import NamesCache
from bot.http.health import MetricsAccess
from bot.metrics import GatewayMetrics
from bot.mood import MoodConfig, RoomMoods
from bot.outbound.shards import ShardConfig
from bot.services import (
    CONFIG,
    CONNECTORS,
    ENCODER_WARMUP,
    GATEWAY,
    GRAPH,
    HTTP_SESSION,
    METRICS,
    METRICS_ACCESS,
    MOODS,
    NAMES_CACHE,
    RASA,
    SHARD,
    THANKS,
    UPSTREAMS,
)
from bot.web import dashboard, recorder, report, setup_web
from bot.web.auth import current_user
from connectors import load_connector
from connectors.tasks import cancel_and_wait
from knowledge_graph import GraphConfig, open_store

log = logging.getLogger(__name__)

CleanupCtx = Callable[[web.Application], AsyncIterator[None]]


def create_app(
    config: GatewayConfig,
    connector_names: tuple[str, ...] | None = None,
    graph_config: GraphConfig | None = None,
) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    app[SHARD] = ShardConfig.from_env()  # LIVEROOM_SHARD / LIVEROOM_REDIS_URL (bot/outbound/shards.py)
    names = connector_names if connector_names is not None else config.connectors
    app[CONNECTORS] = {name: load_connector(name, bot_name=config.bot_name) for name in names}
    app[METRICS] = GatewayMetrics(lambda: app[CONNECTORS].values())
    app[METRICS_ACCESS] = MetricsAccess.from_env()  # LIVEROOM_METRICS_TOKEN: bearer auth on /metrics
    app[NAMES_CACHE] = NamesCache()  # one body per catalog generation (bot/http/catalog_names.py)
    # FAQ encoders load in the background, not on the first FAQ write (LIVEROOM_WARM_ENCODERS)
    app[ENCODER_WARMUP] = EncoderWarmup(WarmupConfig.from_env(), app[METRICS].encoders_loaded)
    rate_limit.install(app)  # per-address limit of the anonymous endpoints (LIVEROOM_ANON_RATE/_BURST)

    # --- HTTP surfaces; routes under /api/v1 mounted before the admin API keep precedence over it
    for connector in app[CONNECTORS].values():
        app.router.add_routes(connector.web_routes())
    health.setup(app)  # /healthz, /metrics
    catalog_names.setup(app)  # /api/v1/catalog/names (anonymous, for Rasa's product extractor)
    setup_admin(app)  # /api/v1/...: streamer editing (bot/admin), on the store in app[GRAPH]
    vision.setup(app)  # /api/vision/audience (camera sidecar) -> room mood -> external intents
    setup_web(app)  # /login, /editor, /simulator, /static, sessions (bot/web)
    recorder.setup(app)  # the dashboard's seconds on disk (the dashboard's sampler feeds it)
    dashboard.setup(app)  # /dashboard
    report.setup(app)  # /report
    for connector in app[CONNECTORS].values():
        if hasattr(connector, "session_role"):  # the simulator: roles and replay mode from the web session
            connector.session_role = _session_role

    # --- one cleanup context per resource, in start order (stopped in reverse)
    app.cleanup_ctx.extend(
        [
            graph_ctx(graph_config or GraphConfig.from_env()),  # GRAPH: opened without I/O, closed last
            http_session_ctx,  # HTTP_SESSION: Rasa calls and health probes
            rasa_ctx,  # RASA: the replicas' client
            upstreams_ctx,  # UPSTREAMS: the health monitor of Rasa and the action server (not polling yet)
            gateway_ctx,  # GATEWAY: the pipeline and its housekeeping
            upstream_probes_ctx,  # the monitor's polling, which tells the gateway about changes
            catalog_names_refresher_ctx,  # triage's product and streamer names follow catalog edits
            moods_ctx(MoodConfig.from_env()),  # MOODS: vision + chat -> sustained room mood -> intents
            thanks_ctx(ThanksConfig.from_env()),  # THANKS: merged thank-yous for gifts, super chats, subs
            recorder.recorder_ctx,  # the session recorder's database
            dashboard.sampler_ctx,  # the dashboard's tap and sampler (feeds the recorder)
            encoder_warmup_ctx,  # the background encoder load
            *(connector_ctx(name) for name in app[CONNECTORS]),  # chat in, last: everything is listening
            _log_ready,
        ]
    )
    return app


def graph_ctx(graph_config: GraphConfig) -> CleanupCtx:
    """The gateway's one graph store: opened without I/O (the DB may still be starting), closed last."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[GRAPH] = store = open_store(graph_config)
        try:
            yield
        finally:
            await store.close()

    return ctx


async def http_session_ctx(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session:
        app[HTTP_SESSION] = session
        yield


async def rasa_ctx(app: web.Application) -> AsyncIterator[None]:
    """The Rasa client over the app's session; nothing of its own to close."""
    config, metrics = app[CONFIG], app[METRICS]
    app[RASA] = rasa = RasaClient(
        app[HTTP_SESSION],
        config.rasa_replicas,
        timeout_s=config.rasa_timeout_s,
        channel=config.rasa_channel,
        token=config.rasa_token,
        on_failover=lambda owner, _taken_by: metrics.rasa_failovers.labels(owner).inc(),
    )
    for replica in rasa.replicas:  # exported from 0, so a first failover shows as an increase
        metrics.rasa_failovers.labels(replica)
    yield


async def upstreams_ctx(app: web.Application) -> AsyncIterator[None]:
    """The upstream monitor (the gateway asks it, and marks upstreams down); it polls from
    ``upstream_probes_ctx`` on, once the gateway that hears its changes exists."""
    config = app[CONFIG]

    async def on_change(name: str, up: bool) -> None:
        gateway = app.get(GATEWAY)
        if gateway is not None:
            await gateway.on_upstream_change(name, up)

    app[UPSTREAMS] = UpstreamMonitor(
        app[HTTP_SESSION],
        [
            Upstream("rasa", f"{config.rasa_url}/", probe=app[RASA].healthy),  # up while any replica is
            Upstream("actions", config.action_health_url),
        ],
        on_change,
    )
    yield


async def gateway_ctx(app: web.Application) -> AsyncIterator[None]:
    config, shard = app[CONFIG], app[SHARD]
    store_of = lambda: app[GRAPH]  # noqa: E731 - the store is created by the graph context
    gateway = build_gateway(
        config,
        app[RASA],
        app[CONNECTORS],
        app[METRICS],
        moderator=Moderator(ModerationPolicy.from_env()),
        triage=Triage(config.bot_name),
        commands=CommandConfig.from_env(),
        graph_commands=graph_commands(store_of),
        faq_answer=faq_answerer(store_of),
        monitor=app[UPSTREAMS],
        qa_lane=QALane(store_of, app[RASA]) if config.qa_lane else None,
        shard=shard if shard.sharded else None,
        budgets=shard.budget_factory(),
        quotas=QuotaPolicy.from_env(),
        room_limits=RoomLimits.from_env(),
    )
    app[GATEWAY] = gateway
    try:
        gateway.start()
        yield
    finally:
        await gateway.stop()


async def upstream_probes_ctx(app: web.Application) -> AsyncIterator[None]:
    monitor = app[UPSTREAMS]
    for name in monitor.upstreams:
        app[METRICS].upstream_up.labels(name).set(1)
    monitor.start()
    try:
        yield
    finally:
        await monitor.stop()


async def catalog_names_refresher_ctx(app: web.Application) -> AsyncIterator[None]:
    store_of = lambda: app[GRAPH]  # noqa: E731 - read on each refresh, like the gateway's
    task = asyncio.create_task(refresh_catalog_names(store_of, app[GATEWAY].triage), name="catalog-names")
    try:
        yield
    finally:
        await cancel_and_wait(task)


def moods_ctx(config: MoodConfig) -> CleanupCtx:
    """Room moods beside the gateway: its reply tap tells which conversations are active."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        gateway = app[GATEWAY]
        app[MOODS] = moods = RoomMoods(gateway, config)
        gateway.observers.append(moods)  # which conversations had a Rasa turn lately
        task = asyncio.create_task(moods.run(), name="room-moods")
        try:
            yield
        finally:
            await cancel_and_wait(task)
            with contextlib.suppress(ValueError):
                gateway.observers.remove(moods)

    return ctx


def thanks_ctx(config: ThanksConfig) -> CleanupCtx:
    """Paid events from the gateway, merged thank-yous posted to the room once a second."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        gateway = app[GATEWAY]
        thanks = app[THANKS] = Thanks(
            config,
            gateway.post_to_room,
            backlog=gateway.pending_replies,
            viewer_lang=gateway.language_of,
            max_chars=gateway.max_chars,
            outcomes=app[METRICS].thanks,
        )
        gateway.event_handlers.append(thanks.on_event)

        async def run() -> None:
            while True:
                await asyncio.sleep(1.0)
                try:
                    thanks.tick()
                except Exception:
                    log.exception("thank-you tick failed")

        task = asyncio.create_task(run(), name="thanks")
        try:
            yield
        finally:
            await cancel_and_wait(task)
            with contextlib.suppress(ValueError):
                gateway.event_handlers.remove(thanks.on_event)

    return ctx


async def encoder_warmup_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[ENCODER_WARMUP].run(), name="encoder-warmup")
    try:
        yield
    finally:
        # the daemon thread, if still loading, is left to finish or die with the process
        await cancel_and_wait(task)


def connector_ctx(name: str) -> CleanupCtx:
    """One platform connector: events into the gateway from start to stop. A start that raises part-way
    is stopped too (its own tasks and connections), before the error goes on to the app."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        connector = app[CONNECTORS][name]
        try:
            await connector.start(app[GATEWAY].ingest)
        except BaseException:
            try:
                await connector.stop()
            except Exception:  # the start's error is the one to report
                log.exception("connector %s: stop after a failed start failed too", name)
            raise
        try:
            yield
        finally:
            await connector.stop()

    return ctx


async def _log_ready(app: web.Application) -> AsyncIterator[None]:
    log.info("gateway up with connectors: %s", ", ".join(app[CONNECTORS]))
    yield


def _session_role(request: web.Request) -> str | None:
    user = current_user(request)
    return user.role if user is not None else None
