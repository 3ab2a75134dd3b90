"""The gateway app's typed state: every ``web.AppKey`` in one place.

The composition root (bot/app.py) fills these keys; the HTTP surfaces (bot/http, bot/web, bot/admin)
and the resources' cleanup contexts read them from here, so no page imports the composition root.
A key's value type is imported for type checkers only: this module imports nothing of the gateway at
run time, and every module of the app may import it.

Which context sets a key is noted beside it; aiohttp runs the contexts in the order bot/app.py lists
them, so a context may read the keys of the contexts before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from bot.adapters.encoder_warmup import EncoderWarmup
    from bot.adapters.health import UpstreamMonitor
    from bot.adapters.rasa import RasaClient
    from bot.admin.auth import TokenSet
    from bot.admin.jobs import ImportJobs
    from bot.core.config import GatewayConfig
    from bot.core.gateway import Gateway
    from bot.core.thanks import Thanks
    from bot.http.catalog_names import NamesCache
    from bot.http.health import MetricsAccess
    from bot.http.rate_limit import ClientRateLimit
    from bot.metrics import GatewayMetrics
    from bot.mood import RoomMoods
    from bot.outbound.shards import ShardConfig
    from bot.web.auth import SessionStore
    from bot.web.dashboard_hub import FrameHub
    from bot.web.dashboard_notices import NoticeBoard
    from bot.web.dashboard_sampler import LiveSampler
    from bot.web.dashboard_tap import ChatTap
    from bot.web.login_throttle import LoginThrottle
    from bot.web.pages import SampleLogs
    from bot.web.recorder import SessionRecorder
    from connectors.base import Connector
    from knowledge_graph.store import GraphStore

# --- set by create_app before anything starts ----------------------------------------------------------
CONFIG: web.AppKey[GatewayConfig] = web.AppKey("config")
SHARD: web.AppKey[ShardConfig] = web.AppKey("shard")
CONNECTORS: web.AppKey[dict[str, Connector]] = web.AppKey("connectors")
METRICS: web.AppKey[GatewayMetrics] = web.AppKey("metrics")
METRICS_ACCESS: web.AppKey[MetricsAccess] = web.AppKey("metrics_access")
NAMES_CACHE: web.AppKey[NamesCache] = web.AppKey("catalog_names_cache")
ANON_LIMIT: web.AppKey[ClientRateLimit] = web.AppKey("anonymous_rate_limit")
ENCODER_WARMUP: web.AppKey[EncoderWarmup] = web.AppKey("encoder_warmup")

# --- set by the resources' cleanup contexts (bot/app.py, in this order) --------------------------------
GRAPH: web.AppKey[GraphStore] = web.AppKey("graph")
HTTP_SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("http_session")
RASA: web.AppKey[RasaClient] = web.AppKey("rasa")
UPSTREAMS: web.AppKey[UpstreamMonitor] = web.AppKey("upstreams")
GATEWAY: web.AppKey[Gateway] = web.AppKey("gateway")
MOODS: web.AppKey[RoomMoods] = web.AppKey("room_moods")
THANKS: web.AppKey[Thanks] = web.AppKey("thanks")

# --- the admin API (bot/admin): keys of the admin sub-application, and its link to the gateway app ------
ADMIN_APP: web.AppKey[web.Application] = web.AppKey("admin_app")
ADMIN_TOKENS: web.AppKey[TokenSet] = web.AppKey("admin_tokens")
ADMIN_STORE: web.AppKey[GraphStore] = web.AppKey("admin_store")
ADMIN_JOBS: web.AppKey[ImportJobs] = web.AppKey("admin_jobs")
OPENAPI_GATEWAY_APP: web.AppKey[web.Application] = web.AppKey("openapi_gateway_app")
# Set by bot.web: a request without a bearer token but with a web session gets its actor name (allowed),
# an error response (refused: role or CSRF), or None (no session -> 401 as usual).
SESSION_AUTH: web.AppKey[Callable[[web.Request], str | web.Response | None]] = web.AppKey(
    "admin_session_auth"
)

# --- the web pages (bot/web) ----------------------------------------------------------------------------
SESSIONS: web.AppKey[SessionStore] = web.AppKey("web_sessions")
THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("login_throttle")
SAMPLE_LOGS: web.AppKey[SampleLogs] = web.AppKey("sample_logs")
RECORDER: web.AppKey[SessionRecorder] = web.AppKey("session_recorder")
EXPORT_LOCK: web.AppKey[asyncio.Semaphore] = web.AppKey("report_export_lock")
SAMPLER: web.AppKey[LiveSampler] = web.AppKey("dashboard_sampler")
HUB: web.AppKey[FrameHub] = web.AppKey("dashboard_hub")
TAP: web.AppKey[ChatTap] = web.AppKey("dashboard_tap")
NOTICES: web.AppKey[NoticeBoard] = web.AppKey("dashboard_notices")
