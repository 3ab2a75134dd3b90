"""What every platform connector shares for sending: message splitting, the "too many" pause, backoff.

Twitch allows 20 messages per 30 s (100 as moderator) and 500 characters; Bilibili about one danmaku
per few seconds and 20-40 characters. Each connector declares its limit (``Connector.send_limit``) and
the gateway's pacer keeps to it before sending; a connector splits a long message to ``max_chars`` and,
when the platform still answers "too many", pauses every send until the platform's reset. The clock
and sleep are injectable so tests run in milliseconds.
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


class SendPause:
    """The pause a platform imposes after "too many" (HTTP 429, Bilibili 10031): nothing is sent before
    it ends. The send *rate* is the gateway pacer's budget (one window per account, from the
    connector's :attr:`~connectors.base.Connector.send_limit`), not the connector's. Use::

        async with pause.slot() as waited:
            await post(...)
    """

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0
        self.total_wait_s = 0.0

    @property
    def paused(self) -> bool:
        return self._clock() < self._paused_until

    def pause_until(self, when: float) -> None:
        """The platform said "too many": send nothing before ``when``."""
        self._paused_until = max(self._paused_until, when)

    def pause_for(self, seconds: float) -> None:
        self.pause_until(self._clock() + seconds)

    async def wait_unpaused(self) -> float:
        """Wait out a pause; returns the wait. Also for calls that share the platform's rate-limit
        bucket but are not messages (moderation on Twitch: every Helix call of the bot's token draws
        from one bucket, so after a 429 on anything nothing should go out before the reset)."""
        waited = 0.0
        while (delay := self._paused_until - self._clock()) > 0:
            await self._sleep(delay)
            waited += delay
        self.total_wait_s += waited
        return waited

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Wait out a pause before one send; yields how long it waited."""
        yield await self.wait_unpaused()


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
