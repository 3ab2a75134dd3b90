"""Toxicity-model checks of chatter nobody will answer, scored in one batch per event-loop tick.

Why: the model is the most expensive part of moderating a message, and most chat is chatter the bot
does not answer, so its verdict is not needed before ``Gateway.ingest`` returns; it is needed before
the warning or delete. ``ModelChecks.add`` queues a check; the first one of a batch schedules
``flush`` with ``loop.call_soon`` (it runs once the messages already on the loop have been ingested),
and a batch reaching ``cap`` is flushed at once so a burst never waits long. ``settle`` receives every
queued item exactly once: with the model's severity, or with None when scoring failed (logged, never
raised into the loop). Nothing is lost on a room close or a stop: the gateway flushes first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from bot.core.moderation import ModelCheck

log = logging.getLogger("bot.core.gateway")  # the pipeline logs as one: the gateway

DEFAULT_CAP = 256


class HasCheck(Protocol):
    @property
    def check(self) -> ModelCheck: ...


Item = TypeVar("Item", bound=HasCheck)


class ModelChecks(Generic[Item]):
    """The pending checks of one gateway (``score``: a batch of checks -> their severities)."""

    def __init__(
        self,
        score: Callable[[Sequence[ModelCheck]], list[int]],
        score_one: Callable[[ModelCheck], int],
        settle: Callable[[Item, int | None], None],
        cap: int = DEFAULT_CAP,
    ) -> None:
        if cap < 1:
            raise ValueError("the batch cap must be >= 1")
        self._score = score
        self._score_one = score_one
        self._settle = settle
        self.cap = cap
        self._items: list[Item] = []
        self._scheduled: asyncio.Handle | None = None
        self.batches = 0  # scored batches (tests and benchmarks read it)
        self.failures = 0  # items whose check could not be scored

    @property
    def pending(self) -> int:
        return len(self._items)

    def add(self, item: Item) -> None:
        """Queue a check: scored at the end of this tick, or now when the batch is full."""
        self._items.append(item)
        if len(self._items) >= self.cap:
            self.flush()
        elif self._scheduled is None:
            self._scheduled = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Score every pending check and settle each item (safe to call at any time, even empty)."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        items, self._items = self._items, []
        if not items:
            return
        self.batches += 1
        for item, severity in zip(items, self._severities(items), strict=True):
            try:
                self._settle(item, severity)
            except Exception:
                log.exception("settling a model check failed")

    def _severities(self, items: Sequence[Item]) -> list[int | None]:
        """The batch's severities; when the batch fails, each item alone (None: that one failed)."""
        checks = [item.check for item in items]
        try:
            if len(checks) == 1:
                return [self._score_one(checks[0])]
            return list(self._score(checks))
        except Exception:
            log.exception("scoring a batch of %d model checks failed: scoring them one by one", len(checks))
        out: list[int | None] = []
        for check in checks:
            try:
                out.append(self._score_one(check))
            except Exception:
                log.exception("a model check failed")
                self.failures += 1
                out.append(None)
        return out
