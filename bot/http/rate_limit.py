"""The per-client limit of the anonymous HTTP endpoints, on the gateway's one rate-limit primitive.

:class:`TokenBucket` (bot/core/token_bucket.py, re-exported here) lets ``rate`` events per second through
on average, ``burst`` at once; the gateway's chatter budget is one too (bot/core/rooms.py
``ChatterBudget``). :class:`ClientRateLimit` keeps one bucket per client address for the anonymous HTTP
endpoints that cost real work (the simulator's sample log, the catalog names): past the bucket a request
gets 429 with ``Retry-After`` and costs nothing (:func:`refuse_if_limited`). Memory is bounded: at most
``max_keys`` addresses are remembered, least recently seen forgotten first (forgetting only ever lets a
client through early).

Behind a reverse proxy every client shares the proxy's address, so the limit is per proxy there: raise
``LIVEROOM_ANON_RATE`` / ``LIVEROOM_ANON_BURST`` accordingly.
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aiohttp import web

from bot.core.token_bucket import TokenBucket
from bot.http.errors import json_error
from bot.services import ANON_LIMIT
from connectors.settings import load, setting

__all__ = ["ANON_LIMIT", "AnonLimitConfig", "ClientRateLimit", "TokenBucket", "install", "refuse_if_limited"]


@dataclass(frozen=True)
class AnonLimitConfig:
    """``LIVEROOM_ANON_RATE`` (requests per second per client address) and ``LIVEROOM_ANON_BURST``."""

    rate: float = 2.0
    burst: int = 20
    max_keys: int = setting(None, default=10_000)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1 or self.max_keys < 1:
            raise ValueError("LIVEROOM_ANON_RATE must be > 0 and LIVEROOM_ANON_BURST >= 1")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AnonLimitConfig:
        return load(cls, env, "LIVEROOM_ANON_")


class ClientRateLimit:
    """One :class:`TokenBucket` per client key, at most ``max_keys`` of them."""

    def __init__(self, config: AnonLimitConfig | None = None, clock: Callable[[], float] = time.monotonic):
        self.config = config or AnonLimitConfig()
        self._clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def retry_after(self, key: str) -> int:
        """0 when ``key`` may go on (a token spent), else whole seconds to wait."""
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = TokenBucket(self.config.rate, self.config.burst, self._clock)
        self._buckets[key] = bucket  # most recently seen last
        while len(self._buckets) > self.config.max_keys:
            self._buckets.popitem(last=False)
        wait = bucket.wait()
        return 0 if wait == 0.0 else max(1, math.ceil(wait))


def install(app: web.Application, env: Mapping[str, str] = os.environ) -> None:
    """The app's limit for anonymous endpoints (once; every module that mounts one may call this)."""
    if ANON_LIMIT not in app:
        app[ANON_LIMIT] = ClientRateLimit(AnonLimitConfig.from_env(env))


def refuse_if_limited(request: web.Request) -> web.Response | None:
    """A 429 with ``Retry-After`` when the client spent its bucket, else None (go on)."""
    limit = request.app.get(ANON_LIMIT)
    if limit is None:
        return None
    wait = limit.retry_after(request.remote or "")
    if not wait:
        return None
    return json_error(429, "too many requests, try again later", headers={"Retry-After": str(wait)})
