"""One Rasa turn shared by identical context-free questions asked at about the same time.

In a live room many viewers type the same question within seconds ("when is the next stream?", "is the
serum in stock?"). A question that names its subject (a product, or nothing deictic like "it"/"这个")
gets the same answer whoever asks, so one Rasa turn serves all askers within ``coalesce_s``.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.core.jobs import Job, coalesce_key, shareable
from bot.core.ports import MetricsSink, RasaPort, RasaResult, RasaUnavailable

CACHE_SIZE = 2000
CACHE_TRIM = 500


class Coalescer:
    def __init__(
        self,
        rasa: RasaPort,
        metrics: MetricsSink,
        coalesce_s: float,
        concurrency: int,
        settle: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.rasa = rasa
        self.metrics = metrics
        self.coalesce_s = coalesce_s
        #: waits until the QA lane has told Rasa what it answered in this conversation (None: no lane)
        self.settle = settle
        self._slots = asyncio.Semaphore(concurrency)
        self._answers: OrderedDict[tuple[str, ...], tuple[float, RasaResult]] = OrderedDict()
        self._pending: dict[tuple[str, ...], asyncio.Future[RasaResult]] = {}

    async def ask(self, job: Job, metadata: dict[str, object]) -> tuple[RasaResult, bool]:
        """One Rasa turn for ``job``, or a share of an identical one; returns (result, shared)."""
        event = job.event
        key = coalesce_key(event, job)
        if key is not None:
            cached = self._answers.get(key)
            if cached is not None and time.monotonic() - cached[0] <= self.coalesce_s:
                if shareable(cached[1]):
                    return cached[1], True
            else:
                pending = self._pending.get(key)
                if pending is not None:
                    shared = await asyncio.shield(pending)
                    if shareable(shared):
                        return shared, True
                    key = None  # a turn of one's own, not racing the owner's cache entry
        if self.settle is not None:
            await self.settle(event.conversation_id)
        future: asyncio.Future[RasaResult] | None = None
        if key is not None:
            future = self._pending[key] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        try:
            async with self._slots:
                result = await self.rasa.send(event.conversation_id, event.text, metadata)
        except BaseException as err:
            if future is not None:
                future.set_exception(err if isinstance(err, Exception) else RasaUnavailable("cancelled"))
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            self.metrics.rasa_turn(time.perf_counter() - started)
            if key is not None:
                self._pending.pop(key, None)
        if future is not None and key is not None:
            future.set_result(result)
            self._answers[key] = (time.monotonic(), result)
            if len(self._answers) > CACHE_SIZE:
                for old in list(self._answers)[:CACHE_TRIM]:
                    del self._answers[old]
        return result, False
