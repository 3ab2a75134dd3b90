"""Health of the gateway's upstreams (Rasa, the action server) and the answers that need no Rasa.

The gateway must stay useful when Rasa or the action server is down: a monitor polls their health
endpoints; while either is down, bot-directed questions are answered straight from the knowledge
graph's semantic FAQ search when it has a confident answer, and the rest wait in a deferred queue
that drains automatically when the upstreams are back. With the graph DB down too, viewers get a
polite canned answer instead of silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.core.wording import CANNED, canned_answer
from connectors.tasks import cancel_and_wait

__all__ = ["CANNED", "Upstream", "UpstreamMonitor", "canned_answer"]

log = logging.getLogger(__name__)


@dataclass
class Upstream:
    name: str
    health_url: str
    up: bool = True  # optimistic: the supervisor starts the gateway after both are ready
    #: custom health check instead of GET health_url (Rasa replicas: up while any replica answers)
    probe: Callable[[], Awaitable[bool]] | None = None


class UpstreamMonitor:
    """Polls health URLs; calls ``on_change(name, up)`` when an upstream goes down or comes back."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: list[Upstream],
        on_change: Callable[[str, bool], Awaitable[None]],
        interval_s: float = 1.0,
    ) -> None:
        self._session = session
        self.upstreams = {u.name: u for u in upstreams}
        self._on_change = on_change
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    @property
    def all_up(self) -> bool:
        return all(u.up for u in self.upstreams.values())

    def is_up(self, name: str) -> bool:
        return self.upstreams[name].up

    async def mark_down(self, name: str, reason: str) -> None:
        """A request failed: believe it at once rather than wait for the next poll."""
        upstream = self.upstreams.get(name)
        if upstream and upstream.up:
            upstream.up = False
            log.warning("%s is down (%s); degrading until it answers its health check", name, reason)
            await self._on_change(name, False)

    async def probe_now(self, name: str, reason: str) -> bool:
        """Check one upstream at once (a request hinted it is down); marks it down when it is."""
        upstream = self.upstreams[name]
        up = await (upstream.probe() if upstream.probe else self._probe(upstream.health_url))
        if not up:
            await self.mark_down(name, reason)
        return up

    async def check_once(self) -> None:
        for upstream in self.upstreams.values():
            up = await (upstream.probe() if upstream.probe else self._probe(upstream.health_url))
            if up != upstream.up:
                upstream.up = up
                if up:
                    log.warning("%s is back", upstream.name)
                else:
                    log.warning("%s is down (health check failed)", upstream.name)
                await self._on_change(upstream.name, up)

    async def _probe(self, url: str) -> bool:
        try:
            async with self._session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="upstream-monitor")

    async def _run(self) -> None:
        while True:
            try:
                await self.check_once()
            except Exception:  # the monitor must outlive any surprise
                log.exception("upstream health check failed")
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
