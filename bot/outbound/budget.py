"""Send budgets: at most N messages in any rolling window, per bot account.

``RollingBudget`` counts locally (one gateway process); ``RedisSendBudget`` keeps the window in Redis so
that several gateway shards together never post more than the platform allows (chosen when
``LIVEROOM_REDIS_URL`` is set; bot/outbound/shards.py), falling back to a local window while Redis is
unreachable.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

import redis

from connectors.base import SendLimit

log = logging.getLogger(__name__)


PacerEvent = Callable[[str, int], None]
"""Callback (outcome, count) for metrics: sent, merged, stale, varied, budget_wait."""


class RollingBudget:
    """At most ``messages`` sends in any ``window_s`` (the platforms count a sliding window)."""

    def __init__(self, limit: SendLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._sent: deque[float] = deque()

    def _expire(self) -> None:
        horizon = self._clock() - self.limit.window_s
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def remaining(self) -> int:
        self._expire()
        return self.limit.messages - len(self._sent)

    def wait_time(self) -> float:
        """Seconds until one more send is allowed (0 if now)."""
        self._expire()
        if len(self._sent) < self.limit.messages:
            return 0.0
        return max(0.0, self._sent[0] + self.limit.window_s - self._clock())

    def spend(self) -> None:
        self._expire()
        if len(self._sent) >= self.limit.messages:
            raise RuntimeError("send budget exceeded")  # a bug in the caller: never post over the limit
        self._sent.append(self._clock())

    def try_spend(self) -> bool:
        """Spend one send if the budget allows (what the pacer calls; shared budgets make it atomic)."""
        if self.remaining() <= 0:
            return False
        self.spend()
        return True

    def settle(self) -> None:
        """The last send completed now: it counts from here. The platform counts a message when it
        arrives, so a slow request must not let the next window's sends land inside this one."""
        if self._sent:
            self._sent[-1] = max(self._sent[-1], self._clock())


class SendBudget(Protocol):
    """What the pacer needs from a budget: local (``RollingBudget``) or shared (``RedisSendBudget``)."""

    limit: SendLimit

    def remaining(self) -> int: ...

    def wait_time(self) -> float: ...

    def try_spend(self) -> bool: ...

    def settle(self) -> None: ...


# Sliding-window log in one sorted set per account, checked and spent atomically on the Redis server
# (its clock, so shards on different machines agree). ARGV: window_s, limit, spend (1/0), member.
# Returns {spent (1/0), sends in window, seconds until the next send is allowed}.
_SLIDING_WINDOW_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if ARGV[3] == '1' and n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return {1, n + 1, '0'}
end
local wait = '0'
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = tostring(tonumber(oldest[2]) + window - now)
end
return {0, n, wait}
"""


class RedisSendBudget:
    """One platform account's send budget shared by every gateway shard through Redis.

    The calls are synchronous (a loopback round trip is ~0.1 ms and the pacer makes a few per send);
    the client's socket timeouts bound a hung Redis. When Redis fails, the budget falls back to a local
    window of ``messages // shards`` (so the shards together still stay under the platform's limit
    without talking to each other), logs the outage once, reports ``budget_fallback`` to the pacer's
    metrics and tries Redis again after ``retry_after_s``; sends made meanwhile are written to Redis
    when it is back, so the window stays honest.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        limit: SendLimit,
        *,
        shards: int = 1,
        retry_after_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.key = key
        self._client = client
        self._script = client.register_script(_SLIDING_WINDOW_LUA)
        local = SendLimit(max(1, limit.messages // max(1, shards)), limit.window_s, limit.max_chars)
        self.fallback = RollingBudget(local, clock)
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._down_until: float | None = None
        self._local_spends: deque[float] = deque()  # wall-clock times of sends made during an outage
        self._on_event: PacerEvent = lambda outcome, n: None

    def bind_events(self, on_event: PacerEvent) -> None:
        self._on_event = on_event

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    def _call(self, spend: bool) -> tuple[bool, int, float] | None:
        """Run the window script; None while Redis is unavailable (then the local fallback decides)."""
        if self._down_until is not None:
            if self._clock() < self._down_until:
                return None
        try:
            if self._down_until is not None:
                self._replay_local_spends()
            raw = self._script(
                keys=[self.key],
                args=[self.limit.window_s, self.limit.messages, 1 if spend else 0, uuid.uuid4().hex],
            )
        except redis.RedisError as err:
            if self._down_until is None:
                log.warning(
                    "shared send budget %s unavailable (%s): using a local budget of %d/%.0fs until Redis "
                    "answers",
                    self.key,
                    err,
                    self.fallback.limit.messages,
                    self.fallback.limit.window_s,
                )
                self._on_event("budget_fallback", 1)
            self._down_until = self._clock() + self._retry_after_s
            return None
        if self._down_until is not None:
            log.warning("shared send budget %s: Redis is back", self.key)
            self._down_until = None
        spent, count, wait = raw
        return bool(int(spent)), int(count), max(0.0, float(wait))

    def _replay_local_spends(self) -> None:
        """Sends made during the outage count against the shared window once Redis is back."""
        horizon = time.time() - self.limit.window_s
        recent = [t for t in self._local_spends if t > horizon]
        if recent:
            server_now = self._server_time()
            offset = server_now - time.time()
            self._client.zadd(self.key, {uuid.uuid4().hex: t + offset for t in recent})
        self._local_spends.clear()

    def _server_time(self) -> float:
        seconds, micros = self._client.time()
        return float(seconds) + micros / 1e6

    def remaining(self) -> int:
        result = self._call(spend=False)
        if result is None:
            return self.fallback.remaining()
        return max(0, self.limit.messages - result[1])

    def wait_time(self) -> float:
        result = self._call(spend=False)
        return self.fallback.wait_time() if result is None else result[2]

    def settle(self) -> None:
        """Sends count from when the script granted them: a platform window (30 s) dwarfs a send's time."""
        if self.degraded:
            self.fallback.settle()

    def try_spend(self) -> bool:
        result = self._call(spend=True)
        if result is None:
            if self.fallback.try_spend():
                self._local_spends.append(time.time())
                return True
            return False
        return result[0]


def shared_budgets(
    redis_url: str, account: str, *, shards: int = 1, prefix: str = "liveroom"
) -> Callable[[str, SendLimit], SendBudget]:
    """A factory of per-platform budgets for one bot account, shared in Redis at ``redis_url``.

    Keys: ``<prefix>:send-budget:<platform>:<account>``. Building it does no I/O: a Redis that is down
    at start is handled like one that fails later (local fallback, retried).
    """
    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)

    def make(platform: str, limit: SendLimit) -> SendBudget:
        return RedisSendBudget(client, f"{prefix}:send-budget:{platform}:{account}", limit, shards=shards)

    return make
