"""``GET /healthz`` (liveness, connectors, encoder warm-up) and ``GET /metrics`` (Prometheus text)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.http.bearer import presents
from bot.http.errors import json_error
from bot.services import CONNECTORS, ENCODER_WARMUP, METRICS, METRICS_ACCESS
from connectors.settings import load, setting

__all__ = ["METRICS_TOKEN_ENV", "MetricsAccess", "healthz", "metrics", "setup"]

log = logging.getLogger(__name__)

METRICS_TOKEN_ENV = "LIVEROOM_METRICS_TOKEN"


@dataclass(frozen=True)
class MetricsAccess:
    """Who may read ``/metrics``: anyone when no token is set (a Prometheus on loopback, as ``ops up``
    runs it), else only ``Authorization: Bearer <LIVEROOM_METRICS_TOKEN>`` — the gateway's port is
    published in docker-compose, and metrics name rooms, viewers' counts and upstream health."""

    token: str = setting(METRICS_TOKEN_ENV, parse=str.strip, default="", repr=False)

    def __post_init__(self) -> None:
        if self.token and len(self.token) < 16:
            raise ValueError(f"{METRICS_TOKEN_ENV} must be at least 16 characters (or unset: open /metrics)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MetricsAccess:
        return load(cls, os.environ if env is None else env)

    def allows(self, authorization: str | None) -> bool:
        """True for the right bearer token (bot/http/bearer.py), always when none is set."""
        if not self.token:
            return True
        return presents(authorization, self.token)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)


async def healthz(request: web.Request) -> web.Response:
    warmup = request.app[ENCODER_WARMUP].state if ENCODER_WARMUP in request.app else "off"
    connectors = request.app[CONNECTORS]
    return web.json_response({"status": "ok", "connectors": sorted(connectors), "encoders": warmup})


async def metrics(request: web.Request) -> web.Response:
    if not request.app[METRICS_ACCESS].allows(request.headers.get("Authorization")):
        log.info("/metrics refused for %s: missing or wrong bearer token", request.remote)
        return json_error(
            401,
            "missing or wrong token: send 'Authorization: Bearer <LIVEROOM_METRICS_TOKEN>'",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
