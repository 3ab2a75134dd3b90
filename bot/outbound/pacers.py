"""One reply pacer per platform, created on the platform's first reply: the core's ``Outbound`` port.

Each pacer keeps to its connector's ``send_limit`` (the one owner of a platform's send limit)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from bot.core.ports import MetricsSink, PendingReply, SendView
from bot.outbound.budget import SendBudget
from bot.outbound.pacer import ReplyPacer
from connectors.base import Connector, SendLimit
from connectors.tasks import cancel_and_wait


class Pacers:
    def __init__(
        self,
        connectors: Mapping[str, Connector],
        metrics: MetricsSink,
        budgets: Callable[[str, SendLimit], SendBudget] | None = None,
    ) -> None:
        self.connectors = connectors
        self.metrics = metrics
        self.budgets = budgets  # per-account send budgets shared by the shards (Redis), else local
        self.pacers: dict[str, ReplyPacer] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def pacer(self, platform: str) -> ReplyPacer:
        pacer = self.pacers.get(platform)
        if pacer is None:
            connector = self.connectors[platform]
            limit = connector.send_limit

            def on_event(outcome: str, count: int, platform: str = platform) -> None:
                self.metrics.pacer_event(platform, outcome, count)

            budget = self.budgets(platform, limit) if self.budgets is not None else None
            pacer = self.pacers[platform] = ReplyPacer(
                connector.send, platform, limit, on_event=on_event, budget=budget
            )
            self._tasks.append(asyncio.create_task(pacer.run(), name=f"pacer-{platform}"))
            # read at scrape time, not copied by the once-a-second tick: "accounted for and nothing
            # pending" must never be seen between an answer's outcome and its reply reaching the pacer
            self.metrics.watch_pending(platform, lambda: pacer.pending)
        return pacer

    def submit(self, platform: str, reply: PendingReply) -> None:
        self.pacer(platform).submit(reply)

    def pending(self, platform: str) -> int:
        pacer = self.pacers.get(platform)
        return pacer.pending if pacer is not None else 0

    @property
    def send_limits(self) -> dict[str, SendLimit]:
        """Each platform's send limit, as its connector declares it."""
        return {platform: connector.send_limit for platform, connector in self.connectors.items()}

    def max_chars(self, platform: str) -> int:
        connector = self.connectors.get(platform)
        return connector.send_limit.max_chars if connector is not None else 500

    def pending_total(self) -> int:
        return sum(pacer.pending for pacer in self.pacers.values())

    def views(self) -> list[SendView]:
        return [
            SendView(platform, pacer.budget.limit, pacer.budget.remaining(), pacer.pending)
            for platform, pacer in self.pacers.items()
        ]

    def refresh_gauges(self) -> None:
        for platform, pacer in self.pacers.items():
            self.metrics.budget_left(platform, pacer.budget.remaining())

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks.clear()
