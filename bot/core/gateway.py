"""The gateway core: every chat event in, the right answers out, nothing lost.

Per event (``ingest``, never blocking the connector): de-duplicate, read language and sentiment, triage,
moderate, feed the room's audience state, then either absorb it (poll vote, giveaway entry), queue it
for an answer (commands and bot-directed questions always; chatter only while Rasa has spare capacity),
or count it as dropped with a reason. Workers answer from the room's priority queue through the lanes
(bot/core/lanes.py); replies go to the platform's pacer (the ``Outbound`` port). Every event ends in
exactly one outcome (see bot/metrics.py).

The jobs live in their own modules: ingress filtering (ingress.py), rooms and queues (rooms.py), the
answer lanes (lanes.py, coalescing.py), moderation execution (enforcement.py). ``Gateway`` wires them and
is what the rest of the process talks to: ``ingest``, ``start``/``stop``/``idle``, ``post_to_room``,
``language_of``, the observer taps and the ``snapshot()`` read model.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from bot.core.audience import MOODS, AudienceSnapshot, AudienceState
from bot.core.coalescing import Coalescer
from bot.core.commands import CommandConfig, GraphCommand, RoomFeatures
from bot.core.config import GatewayConfig
from bot.core.enforcement import Enforcer, ModerationRecord, action_label
from bot.core.ingress import Ingress
from bot.core.jobs import PRIORITY_ORDER, Job, addressing, loggable, remember, takes_qa_lane
from bot.core.lanes import Lanes
from bot.core.model_checks import DEFAULT_CAP, ModelChecks
from bot.core.moderation import ModelCheck, Moderator
from bot.core.observers import GatewayObserver
from bot.core.ports import (
    FaqAnswer,
    Health,
    MetricsSink,
    Outbound,
    PendingReply,
    QALanePort,
    RasaPort,
    ReplyWords,
    SendView,
    ShardFilter,
)
from bot.core.reply_quota import QuotaPolicy
from bot.core.rooms import Room, RoomLimits, Rooms
from bot.core.triage import Priority, Triage, TriageResult
from connectors.base import ChatEvent, Connector, EventKind, SendLimit
from connectors.tasks import cancel_and_wait
from nlu.text.language import detect_language
from nlu.text.sentiment import sentiment as message_sentiment

__all__ = [
    "Gateway",
    "GatewayObserver",
    "GatewaySnapshot",
    "Job",
    "ModerationRecord",
    "Room",
    "RoomView",
    "action_label",
    "loggable",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoomView:
    platform: str
    name: str
    audience: AudienceSnapshot
    queue: int
    deferred: int
    in_flight: int


class _WaitingCheck(NamedTuple):
    """A message whose toxicity-model check waits for the end of the tick, and what ``ingest`` would
    have done with it had the model been silent (``fate``: the outcome and its reason)."""

    event: ChatEvent
    room: Room
    lang: str
    check: ModelCheck
    fate: tuple[str, str] | None  # None: a rule blocks it whatever the model says


@dataclass(frozen=True)
class GatewaySnapshot:
    """What the dashboard reads: rooms, send budgets, upstream health, the bot's moderation log."""

    rooms: tuple[RoomView, ...]
    sends: tuple[SendView, ...]
    upstreams: dict[str, bool]
    moderation: tuple[ModerationRecord, ...]
    moderation_timeout_s: float


class Gateway:
    def __init__(
        self,
        config: GatewayConfig,
        rasa: RasaPort,
        connectors: dict[str, Connector],
        metrics: MetricsSink,
        *,
        outbound: Outbound,
        words: ReplyWords,
        source_errors: tuple[type[Exception], ...] = (),
        moderator: Moderator | None = None,
        triage: Triage | None = None,
        commands: CommandConfig | None = None,
        graph_commands: dict[str, GraphCommand] | None = None,
        faq_answer: FaqAnswer | None = None,
        monitor: Health | None = None,
        qa_lane: QALanePort | None = None,
        shard: ShardFilter | None = None,
        quotas: QuotaPolicy | None = None,
        room_limits: RoomLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        model_batch_cap: int = DEFAULT_CAP,
    ) -> None:
        self.config = config
        self.rasa = rasa
        self.connectors = connectors
        self.metrics = metrics
        self.moderator = moderator or Moderator()
        self.triage = triage or Triage(config.bot_name)
        self.outbound = outbound
        self.shard = shard  # rooms of other gateway shards are dropped (reason other_shard)
        self.observers: list[GatewayObserver] = []
        #: Called inline, once per distinct event, for every event that is not plain chat (paid events,
        #: moderators' notices, room status, follows, raids...): thanks, revenue, the moderation log.
        #: O(1) each, like the observers; they must not raise.
        self.event_handlers: list[Callable[[ChatEvent], None]] = []
        self._seq = itertools.count()
        self._tasks: list[asyncio.Task[None]] = []
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._ingress = Ingress(config.bot_name)
        limits = room_limits or RoomLimits()
        commands, graph_commands = commands or CommandConfig(), graph_commands or {}
        self._rooms = Rooms(
            config,
            limits,
            lambda: RoomFeatures(commands, graph_commands),
            quotas or QuotaPolicy(),
            metrics,
            worker=lambda room: self.lanes.work(room),
            on_close=self.moderator.forget_room,
            clock=clock,
        )
        settle = qa_lane.settle if qa_lane is not None else None
        coalescer = Coalescer(rasa, metrics, config.coalesce_s, config.rasa_concurrency, settle)
        self.lanes = Lanes(
            config,
            self._rooms,
            coalescer,
            outbound,
            metrics,
            self.observers,
            words,
            source_errors,
            self._spawn,
            health=monitor,
            faq_answer=faq_answer,
            qa_lane=qa_lane,
            max_qa_lane=limits.max_qa_lane,
        )
        self._enforcer = Enforcer(self.moderator, connectors, outbound, metrics, self._spawn)
        #: toxicity-model checks of chatter nobody will answer, scored once per loop tick
        self.model_checks: ModelChecks[_WaitingCheck] = ModelChecks(
            self.moderator.model_severities,
            self.moderator.model_severity,
            self._settle_model_check,
            cap=model_batch_cap,
        )

    # --- what others read ----------------------------------------------------------------------------
    @property
    def monitor(self) -> Health | None:
        """The upstream health the lanes consult (None: always up)."""
        return self.lanes.health

    @monitor.setter
    def monitor(self, monitor: Health | None) -> None:
        self.lanes.health = monitor

    @property
    def rooms(self) -> dict[tuple[str, str], Room]:
        return self._rooms.rooms

    @property
    def moderation_log(self) -> list[ModerationRecord]:
        """The bot's moderation decisions, oldest first (bounded); the dashboard marks undone ones."""
        return list(self._enforcer.log)

    @property
    def _qa_lane_running(self) -> int:  # the tests read how many QA-lane answers run
        return self.lanes.qa_running

    def snapshot(self) -> GatewaySnapshot:
        return GatewaySnapshot(
            self.room_views(),
            self.send_views(),
            self.upstreams(),
            tuple(self._enforcer.log),
            self.moderation_timeout_s,
        )

    def room_views(self) -> tuple[RoomView, ...]:
        return tuple(
            RoomView(r.platform, r.name, r.audience.snapshot(), r.queue.qsize(), len(r.deferred), r.in_flight)
            for r in list(self.rooms.values())
        )

    def send_views(self) -> tuple[SendView, ...]:
        return tuple(self.outbound.views())

    def upstreams(self) -> dict[str, bool]:
        """Each upstream's health as the monitor last saw it (empty without a monitor)."""
        monitor = self.monitor
        return {} if monitor is None else {name: u.up for name, u in monitor.upstreams.items()}

    @property
    def moderation_timeout_s(self) -> float:
        """How long the bot's timeouts last (a timeout older than this has nothing left to lift)."""
        return self.moderator.policy.timeout_s

    def platforms(self) -> Mapping[str, Connector]:
        """The connectors by platform name (read-only)."""
        return MappingProxyType(self.connectors)

    def audiences(self) -> dict[tuple[str, str], AudienceState]:
        """Each open room's audience state (the mood loop feeds vision reports into it)."""
        return {key: room.audience for key, room in self.rooms.items()}

    def connector(self, platform: str) -> Connector | None:
        return self.connectors.get(platform)

    @property
    def send_limits(self) -> dict[str, SendLimit]:
        """Each platform's send limit, as its connector declares it."""
        return {platform: connector.send_limit for platform, connector in self.connectors.items()}

    def pending_replies(self, platform: str) -> int:
        return self.outbound.pending(platform)

    def max_chars(self, platform: str) -> int:
        """The longest message the platform takes (what a merged thank-you must fit in)."""
        return self.outbound.max_chars(platform)

    def product_of(self, text: str) -> str | None:
        """The catalog product ``text`` names, as triage reads it."""
        return self.triage.classify(text).product

    def language_of(self, platform: str, room: str, viewer_id: str) -> str:
        """The language of the viewer's latest line in the room, else the room's most used one lately
        ("en" for a room the gateway does not know)."""
        known = self.rooms.get((platform, room))
        if known is None:
            return "en"
        return known.viewer_langs.get(viewer_id) or known.audience.snapshot().lang

    # --- ingress -------------------------------------------------------------------------------------
    async def ingest(self, event: ChatEvent) -> None:
        """The connectors' sink: decide in microseconds, never block the connector."""
        platform = event.platform
        self.metrics.event_in(platform, event.kind.value)
        if self.shard is not None and not self.shard.owns(platform, event.room):
            self.metrics.outcome(platform, "dropped", "other_shard")
            return
        seen = False
        if event.kind is not EventKind.CHAT:  # paid or not text: the event handlers see it first
            if not self._ingress.first_sighting(event):
                self.metrics.outcome(platform, "dropped", "duplicate")
                return
            seen = True
            for handler in self.event_handlers:
                handler(event)
        reason = self._ingress.reason_to_skip(event, seen)
        if reason:
            self.metrics.outcome(platform, "dropped", reason)
            return
        room = self._rooms.open(event)
        if room is None:  # refused: a bad room name or the platform's room limit (bot/core/rooms.py)
            return
        lang = detect_language(event.text)
        score = message_sentiment(event.text, lang)
        self.metrics.message_scored(platform, score)
        triage = self.triage.classify(event.text)
        self.metrics.triaged(platform, triage.priority.value)
        room.audience.observe(event.viewer_id, score, (triage.product,) if triage.product else (), lang)
        remember(room.viewer_langs, event.viewer_id, lang)
        context = room.viewer_products.get(event.viewer_id)
        if triage.product:
            room.note_product(event.viewer_id, triage.product)
        for observer in self.observers:
            observer.on_message(event, triage, lang, score)
        decision, check = self.moderator.screen(event)
        job: Job | None = None
        if check is not None:
            # Blocked by a rule already (the model may only change which rule is named), or chatter
            # nobody will answer: the verdict waits for the tick's batch. Else it is needed now.
            fate = None
            if not decision.blocks_answer:
                job = self._job(room, event, triage, lang, context, score)
                fate = self._unanswered_fate(room, job)
            if decision.blocks_answer or fate is not None:
                self.model_checks.add(_WaitingCheck(event, room, lang, check, fate))
                return
            decision = self.moderator.conclude(check, self.moderator.model_severity(check))
        if decision.blocks_answer:
            self._enforcer.enforce(event, decision, lang)
            self.metrics.outcome(platform, "moderated")
            return
        if room.features.absorb(event):
            self.metrics.outcome(platform, "silent", "poll_or_giveaway")
            return
        job = job or self._job(room, event, triage, lang, context, score)
        if self.lanes.qa_lane is not None and takes_qa_lane(job):
            self.lanes.start_qa_lane(room, job)
        else:
            self.lanes.route(room, job)

    def _job(
        self, room: Room, event: ChatEvent, triage: TriageResult, lang: str, context: str | None, score: float
    ) -> Job:
        return Job(
            PRIORITY_ORDER[triage.priority],
            next(self._seq),
            event,
            triage,
            lang,
            addressing=addressing(
                event, triage, self.config.bot_name, follow_up=room.in_conversation(event.viewer_id)
            ),
            context=context,
            sentiment=score,
        )

    def _unanswered_fate(self, room: Room, job: Job) -> tuple[str, str] | None:
        """The outcome a message will have without an answer (it only chats, is no poll vote or
        giveaway entry, takes no QA lane and gets no Rasa turn now), or None when it may be answered
        or absorbed: then its toxicity verdict is needed before ``ingest`` goes on."""
        if job.triage.priority is not Priority.CHATTER:
            return None
        if self.lanes.qa_lane is not None and takes_qa_lane(job):
            return None
        if room.features.takes(job.event) is not None:
            return None
        return self._rooms.chatter_fate(room, self.lanes.upstreams_up())

    def _settle_model_check(self, waiting: _WaitingCheck, severity: int | None) -> None:
        """The end of ``ingest`` for a message whose model check waited: moderated as ``ingest`` would
        have moderated it (same decision, enforcement, metrics and log), else counted for the room's
        timers and given the outcome it was bound for. ``severity`` None: the check failed (a message
        a rule blocks is still moderated by that rule)."""
        event, platform = waiting.event, waiting.event.platform
        if severity is None and not waiting.check.rules.blocks_answer:
            self.metrics.outcome(platform, "dropped", "moderation_error")
            return
        decision = self.moderator.conclude(waiting.check, severity or 0)
        if decision.blocks_answer:
            self._enforcer.enforce(event, decision, waiting.lang)
            self.metrics.outcome(platform, "moderated")
        elif waiting.fate is None:  # cannot happen: conclude() keeps the rules' block
            log.error("a model check lifted a rule's block on %s", event.message_id)
            self.metrics.outcome(platform, "dropped", "internal_error")
        elif waiting.room.features.absorb(event):  # a poll or giveaway opened meanwhile
            self.metrics.outcome(platform, "silent", "poll_or_giveaway")
        else:
            self.metrics.outcome(platform, *waiting.fate)

    # --- recovery ------------------------------------------------------------------------------------
    async def on_upstream_change(self, name: str, up: bool) -> None:
        self.metrics.upstream_is(name, up)
        if up and (self.monitor is None or self.monitor.all_up):
            self.drain_deferred()

    def drain_deferred(self) -> None:
        """Back into the answer queues, oldest first; too old to be useful -> dropped with a reason."""
        self.lanes.drain_all()

    def close_idle_rooms(self) -> list[tuple[str, str]]:
        """Close every room quiet for ``idle_s`` (bot/core/rooms.py); returns the closed keys. Waiting
        model checks are settled first: none may outlive its room's moderation memory."""
        self.model_checks.flush()
        return self._rooms.close_idle()

    # --- out -----------------------------------------------------------------------------------------
    def post_to_room(self, platform: str, room: str, text: str, lang: str = "en") -> None:
        """A message to the whole room (no mention), through the platform's pacer and send budget:
        the bot acting on its own, e.g. a check-in when the room mood turns (bot/mood.py)."""
        self.outbound.submit(
            platform, PendingReply(room=room, text=text, mention=None, reply_to=None, lang=lang)
        )

    # --- timers and tasks ----------------------------------------------------------------------------
    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="gateway-housekeeping"))

    async def _housekeeping(self, interval_s: float = 2.0) -> None:
        """Timed announcements and the gauges that describe rooms and send budgets."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                self.tick()
            except Exception:
                log.exception("gateway housekeeping failed")

    def tick(self) -> None:
        self.close_idle_rooms()
        self.metrics.clear_hot_products()  # only the rooms' current top products stay exported
        for room in list(self.rooms.values()):
            for text in room.features.due_announcements():
                self.outbound.submit(
                    room.platform, PendingReply(room=room.name, text=text, mention=None, reply_to=None)
                )
            snap = room.audience.snapshot()
            self.metrics.room_gauges(
                room.platform,
                room.name,
                snap.mood,
                MOODS,
                snap.sentiment,
                snap.active_viewers,
                snap.hot_products,
            )
        self.outbound.refresh_gauges()

    def _spawn(self, coro: Awaitable[object], what: str) -> None:
        """A fire-and-forget task that is tracked (cancelled on stop) and never fails silently."""

        async def run() -> None:
            try:
                await coro
            except Exception:
                log.exception("%s failed", what)

        task = asyncio.create_task(run())
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def idle(self, timeout_s: float = 30.0) -> None:
        """Wait until every queue and pacer is empty (tests, graceful shutdown)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            busy = (
                self._side_tasks
                or self.model_checks.pending
                or any(room.queue.qsize() or room.in_flight for room in self.rooms.values())
            )
            if not busy and not self.outbound.pending_total():
                return
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.model_checks.flush()  # every waiting check is settled: an outcome for each message
        tasks = (
            self._tasks + list(self._side_tasks) + [w for room in self.rooms.values() for w in room.workers]
        )
        await cancel_and_wait(*tasks)
        await self.outbound.stop()
        self._tasks.clear()
        for room in self.rooms.values():
            room.workers.clear()
