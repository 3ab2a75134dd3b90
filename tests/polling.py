"""Waiting for something that happens in another task or process, without fixed sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 10.0, every: float = 0.2) -> T:
    """``await check()`` until it returns something truthy or ``timeout`` seconds pass; the last value
    either way (the caller asserts on it, so a timeout fails with what was seen)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every)
