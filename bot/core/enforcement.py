"""Carrying out moderation decisions: a warning through the pacer, a delete or timeout through the
platform's ``Connector.moderate``, and the bounded log the dashboard shows (``ModerationRecord``)."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.core.jobs import loggable
from bot.core.moderation import Action, Decision, Moderator
from bot.core.ports import MetricsSink, Outbound, PendingReply
from bot.core.wording import warning
from connectors.base import ChatEvent, Connector

log = logging.getLogger("bot.core.gateway")  # the pipeline logs as one: the gateway

LOG_SIZE = 500


@dataclass
class ModerationRecord:
    at: float
    platform: str
    room: str
    viewer: str
    text: str
    decision: Decision
    #: the warning was queued / the platform confirmed the delete or timeout (set when its call ends)
    executed: bool
    viewer_id: str = ""
    #: set (epoch seconds) when a moderator undid it from the dashboard (a lifted timeout)
    undone_at: float | None = None
    #: decided in dry-run: nothing was carried out ("would delete")
    dry_run: bool = False


def action_label(action: Action, dry_run: bool) -> str:
    """What the log and the dashboard say: "would delete" in dry-run, where nothing is carried out
    (no warning posted, no message deleted, nobody timed out), "delete" when it is."""
    verb = action.value.replace("timeout", "time out")
    return f"would {verb}" if dry_run else verb


class Enforcer:
    def __init__(
        self,
        moderator: Moderator,
        connectors: Mapping[str, Connector],
        outbound: Outbound,
        metrics: MetricsSink,
        spawn: Callable[[Awaitable[object], str], None],
    ) -> None:
        self.moderator = moderator
        self.connectors = connectors
        self.outbound = outbound
        self.metrics = metrics
        self.spawn = spawn
        self.log: deque[ModerationRecord] = deque(maxlen=LOG_SIZE)

    def enforce(self, event: ChatEvent, decision: Decision, lang: str) -> None:
        dry_run = self.moderator.policy.dry_run
        executed = False
        call: Awaitable[bool] | None = None
        if decision.action is Action.WARN and not dry_run:
            self.outbound.submit(
                event.platform,
                PendingReply(
                    room=event.room,
                    text=warning(lang),
                    mention=event.display_name,
                    reply_to=event.message_id,
                    lang=lang,
                ),
            )
            executed = True
        elif decision.action in (Action.DELETE, Action.TIMEOUT) and not dry_run:
            connector = self.connectors.get(event.platform)
            if connector is not None:
                call = connector.moderate(event, decision.action.value, self.moderator.policy.timeout_s)
            else:
                self.metrics.moderation_call(event.platform, decision.action.value, "unsupported")
        mode = "dry_run" if dry_run else "live"
        self.metrics.moderation_decided(event.platform, decision.rule, decision.action.value, mode)
        record = ModerationRecord(
            time.time(),
            event.platform,
            event.room,
            event.display_name,
            event.text[:200],
            decision,
            executed,
            viewer_id=event.viewer_id,
            dry_run=dry_run,
        )
        self.log.append(record)
        log.info(
            "moderation: %s %s (%s) in %s:%s: %s",
            action_label(decision.action, dry_run),
            loggable(event.display_name),
            decision.rule,
            event.platform,
            event.room,
            decision.detail,
        )
        if call is not None:
            self.spawn(self._platform_call(call, record, event, decision.action.value), "moderation call")

    async def _platform_call(
        self, call: Awaitable[bool], record: ModerationRecord, event: ChatEvent, action: str
    ) -> None:
        """Await the connector's delete/timeout (fire-and-forget for ingest) and record its outcome:
        ``record.executed`` becomes True only when the platform confirmed the action."""
        try:
            done = bool(await call)
        except Exception:
            log.exception(
                "moderation %s on %s in %s:%s failed",
                action,
                loggable(event.display_name),
                event.platform,
                event.room,
            )
            outcome = "error"
        else:
            record.executed = done
            outcome = "executed" if done else "declined"
            log.log(
                logging.INFO if done else logging.WARNING,
                "moderation %s on %s in %s:%s: %s by the platform",
                action,
                loggable(event.display_name),
                event.platform,
                event.room,
                "carried out" if done else "not carried out (unsupported or refused, see connector log)",
            )
        self.metrics.moderation_call(event.platform, action, outcome)
