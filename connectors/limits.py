"""Send limits shared by every platform: a sliding-window budget, message splitting, backoff.

Twitch allows 20 messages per 30 s (100 as moderator) and 500 characters; Bilibili about one danmaku
per second and 20-40 characters. Exceeding either gets the bot locked out, so the connectors wait for
budget *before* sending instead of reacting to errors. The clock and sleep are injectable so tests of
a 500-message burst run in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_SPACE = re.compile(r"\s+")


def split_message(text: str, max_chars: int) -> list[str]:
    """Split ``text`` into parts of at most ``max_chars`` characters (code points).

    Whitespace runs collapse to one space (platforms do that too). Parts break at the last space that
    fits; a word longer than a whole part (URLs, Chinese text without spaces) is cut hard.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be >= 1")
    text = _SPACE.sub(" ", text).strip()
    parts: list[str] = []
    while len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        if cut <= 0:
            parts.append(text[:max_chars])
            text = text[max_chars:].lstrip()
        else:
            parts.append(text[:cut])
            text = text[cut + 1 :].lstrip()
    if text:
        parts.append(text)
    return parts


class SendBudget:
    """At most ``limit`` sends in any ``window_s`` seconds, plus an externally imposed pause (429).

    The platform counts a message when it *arrives*, which is some time after we started sending it.
    So a send occupies its slot from the start until ``window_s`` after its *completion*: whatever the
    network jitter, the server never sees more than ``limit`` messages in one window. Use::

        async with budget.slot():
            await post(...)
    """

    def __init__(
        self, *, limit: int, window_s: float, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._sleep = sleep
        self._slots: list[list[float]] = []  # [completion time]; inf while in flight
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.total_wait_s = 0.0

    def remaining(self) -> int:
        """Sends allowed right now without waiting (for metrics)."""
        now = self._clock()
        self._expire(now)
        if now < self._paused_until:
            return 0
        return self.limit - len(self._slots)

    def pause_until(self, when: float) -> None:
        """The platform said "too many" (HTTP 429 / code 10031): send nothing before ``when``."""
        self._paused_until = max(self._paused_until, when)

    def pause_for(self, seconds: float) -> None:
        self.pause_until(self._clock() + seconds)

    async def wait_unpaused(self) -> float:
        """Wait out a pause without taking a slot; returns the wait.

        For calls that share the platform's rate-limit bucket but are not messages (moderation on
        Twitch: every Helix call of the bot's token draws from one bucket, so after a 429 on anything
        nothing should go out before the reset), and must not use up the message budget.
        """
        waited = 0.0
        while (delay := self._paused_until - self._clock()) > 0:
            await self._sleep(delay)
            waited += delay
        return waited

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Wait for budget and hold one slot while sending; yields how long it waited."""
        entry = await self._take()
        try:
            yield entry[1]
        finally:
            entry[0][0] = self._clock()

    async def acquire(self) -> float:
        """Take a slot for a send that completes now (no in-flight time); returns the wait."""
        (slot, waited) = await self._take()
        slot[0] = self._clock()
        return waited

    async def _take(self) -> tuple[list[float], float]:
        async with self._lock:
            waited = 0.0
            while True:
                now = self._clock()
                self._expire(now)
                delay = max(0.0, self._paused_until - now)
                if len(self._slots) >= self.limit:
                    earliest = min(s[0] for s in self._slots) + self.window_s - now
                    delay = max(delay, earliest if earliest != float("inf") else 0.005)
                if delay <= 0:
                    slot = [float("inf")]
                    self._slots.append(slot)
                    self.total_wait_s += waited
                    return slot, waited
                await self._sleep(delay)
                waited += delay

    def _expire(self, now: float) -> None:
        self._slots = [s for s in self._slots if s[0] + self.window_s > now]


class Backoff:
    """Capped exponential backoff with full jitter, reset after a healthy connection (auth/welcome)."""

    def __init__(self, *, base_s: float = 1.0, cap_s: float = 60.0, rng: random.Random | None = None) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self._attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """Full jitter in [0, min(cap, base * 2**attempt)]: the first retry after a healthy connection
        is quick (0-base s) and many clients reconnecting at once spread out."""
        ceiling = min(self.cap_s, self.base_s * 2**self._attempt)
        self._attempt = min(self._attempt + 1, 30)
        return self._rng.uniform(0, ceiling)

    def reset(self) -> None:
        self._attempt = 0
