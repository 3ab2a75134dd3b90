"""A token bucket: ``rate`` events per second with a burst allowance (chatter budget, client limits)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; starts full."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def available(self) -> bool:
        """Whether ``take`` would spend a token now (nothing spent)."""
        self._refill()
        return self._tokens >= 1

    def take(self) -> bool:
        """Spend one token if there is one."""
        return self.wait() == 0.0

    def wait(self) -> float:
        """Spend one token and return 0.0, or return the seconds until one is there (nothing spent)."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return math.inf if self.rate <= 0 else (1 - self._tokens) / self.rate
