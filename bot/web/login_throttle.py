"""Login throttling: a bounded number of failed logins per user name and per client address.

Every login attempt with a name and a password costs ~50 ms of scrypt on the shared default executor
(bot/web/auth.py), so unthrottled posts are both online password guessing and a way to starve the
gateway's other thread-pool work. :class:`LoginThrottle` is asked *before* scrypt runs: a name or an
address with ``limit`` failed attempts inside the last ``window_s`` seconds is answered 429 with
``Retry-After`` (the seconds until its oldest counted failure leaves the window) and costs no hash.

An attempt counts as failed from the moment it starts (``begin``) until it is known to have succeeded
(``succeeded`` takes it back), so a burst of parallel posts cannot all pass the check while the first
hashes are still running.

Memory is bounded: each table keeps at most ``max_keys`` names or addresses (least recently failed
forgotten first), each with at most ``limit`` timestamps. Forgetting only ever lets an attempt through
early; it never locks anyone out.
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from connectors.settings import load, setting

__all__ = ["LoginThrottle", "ThrottleConfig"]


@dataclass(frozen=True)
class ThrottleConfig:
    #: failed logins of one user name per window
    per_user: int = setting("LIVEROOM_LOGIN_MAX_FAILURES_USER", default=10)
    #: failed logins from one client address per window (NAT, offices: higher)
    per_address: int = setting("LIVEROOM_LOGIN_MAX_FAILURES_ADDRESS", default=30)
    window_s: float = setting("LIVEROOM_LOGIN_WINDOW_S", default=600.0)
    max_keys: int = setting(None, default=10_000)  # names and addresses remembered per table (bounded memory)

    def __post_init__(self) -> None:
        if min(self.per_user, self.per_address, self.max_keys) < 1 or self.window_s <= 0:
            raise ValueError("login throttle limits and window must be positive")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ThrottleConfig:
        """``LIVEROOM_LOGIN_MAX_FAILURES_USER`` / ``_ADDRESS`` and ``LIVEROOM_LOGIN_WINDOW_S``."""
        try:
            return load(cls, env)
        except ValueError as err:
            raise ValueError(f"login throttle settings: {err}") from None


class _Window:
    """Failure timestamps per key inside a sliding window; at most ``max_keys`` keys."""

    def __init__(self, limit: int, window_s: float, max_keys: int) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        times = self._failures.get(key)
        if times is None:
            return 0.0
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0.0
        return times[0] + self.window_s - now if len(times) >= self.limit else 0.0

    def add(self, key: str, now: float) -> None:
        times = self._failures.pop(key, None) or deque(maxlen=self.limit)
        times.append(now)
        self._failures[key] = times  # most recently failed last
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def take_back(self, key: str, stamp: float) -> None:
        times = self._failures.get(key)
        if times is not None and stamp in times:
            times.remove(stamp)


class LoginThrottle:
    """Counts failed logins per user name and per client address (see the module docstring)."""

    def __init__(
        self,
        config: ThrottleConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_throttled: Callable[[str], None] | None = None,
    ) -> None:
        """``on_throttled(reason)`` is called for every refused attempt, reason ``user`` or ``address``
        (the gateway counts it as ``liveroom_web_logins_throttled_total``)."""
        self.config = config or ThrottleConfig()
        self._clock = clock
        self._on_throttled = on_throttled
        self._users = _Window(self.config.per_user, self.config.window_s, self.config.max_keys)
        self._addresses = _Window(self.config.per_address, self.config.window_s, self.config.max_keys)

    def __len__(self) -> int:
        """Names and addresses currently remembered (bounded by twice ``max_keys``)."""
        return len(self._users) + len(self._addresses)

    def begin(self, name: str, address: str) -> tuple[int, float]:
        """Start an attempt: ``(retry_after_s, 0.0)`` when throttled (nothing counted), else
        ``(0, stamp)`` with the attempt counted as a failure until ``succeeded(name, address, stamp)``."""
        now = self._clock()
        for reason, table, key in (("user", self._users, name), ("address", self._addresses, address)):
            wait = table.retry_after(key, now)
            if wait > 0:
                if self._on_throttled is not None:
                    self._on_throttled(reason)
                return max(1, math.ceil(wait)), 0.0
        self._users.add(name, now)
        self._addresses.add(address, now)
        return 0, now

    def succeeded(self, name: str, address: str, stamp: float) -> None:
        """The attempt begun at ``stamp`` was a correct login: it no longer counts as a failure."""
        self._users.take_back(name, stamp)
        self._addresses.take_back(address, stamp)
