"""Bounds on the gateway's per-room state: which room names it accepts, how many rooms, for how long.

Every room the gateway knows costs worker tasks, an audience window, moderation memory, Prometheus series
and work in every housekeeping tick and dashboard frame. Room names come from the connectors, and the
simulator's come from whoever opens a WebSocket, so without bounds anyone could make the gateway hold
state for any number of rooms (security review H2). Three limits keep it bounded:

- a closed name pattern and length (``ROOM_NAME``): a message for any other room name is dropped
  (``liveroom_events_dropped_total{reason="room_name"}``);
- at most ``max_rooms`` rooms per platform: a message for a new room past it is dropped
  (``reason="room_limit"``), never a crash;
- a room with no message for ``idle_s``, nothing queued, deferred or being answered, and no poll or
  giveaway running is closed by the housekeeping tick: its workers are cancelled, its state forgotten and
  its labelled metric series removed. Its next message opens it again, fresh.

The same settings bound the two other places a flood could pile up work (review M6): the deferred
questions of a room (``max_deferred``; past it the oldest is dropped with ``reason="deferred_full"``) and
the QA-lane tasks of the whole gateway (``max_qa_lane``; past it a question waits in the room's
answer queue instead, which is bounded in turn).

``Room`` is one room's state (answer queue, deferred questions, workers, audience, quotas, recent
viewers); ``Rooms`` opens, bounds and closes them and moves jobs between their queues.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field

from bot.core.audience import MOODS, AudienceSnapshot, AudienceState
from bot.core.commands import RoomFeatures
from bot.core.config import GatewayConfig
from bot.core.jobs import Job, remember
from bot.core.ports import MetricsSink
from bot.core.reply_quota import QuotaPolicy, RoomQuota
from bot.core.token_bucket import TokenBucket
from connectors.base import ChatEvent
from connectors.settings import load, setting

__all__ = ["ROOM_NAME", "ChatterBudget", "Room", "RoomLimits", "Rooms", "room_name_ok"]

log = logging.getLogger("bot.core.gateway")  # the pipeline logs as one: the gateway

FOLLOW_UP_S = 60.0  # a viewer's next message this soon after the bot answered them is addressed to it

#: what connectors produce: Twitch broadcaster ids and Bilibili room ids (digits), YouTube channel or
#: video ids and simulator names (letters, digits, ``-``, ``_``); ``.`` and ``:`` leave room for
#: namespaced ids. Nothing else.
ROOM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def room_name_ok(name: str) -> bool:
    return ROOM_NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class RoomLimits:
    """Every field has an env var: ``LIVEROOM_MAX_ROOMS``, ``LIVEROOM_ROOM_IDLE_S``,
    ``LIVEROOM_MAX_DEFERRED``, ``LIVEROOM_MAX_QA_LANE``."""

    max_rooms: int = 64  # rooms per platform at once
    #: a room quiet this long (and with nothing pending) is closed
    idle_s: float = setting("LIVEROOM_ROOM_IDLE_S", default=600.0)
    max_deferred: int = 500  # deferred questions per room; past it the oldest is dropped
    max_qa_lane: int = 256  # QA-lane answers running or waiting, gateway-wide

    def __post_init__(self) -> None:
        if min(self.max_rooms, self.max_deferred, self.max_qa_lane) < 1 or self.idle_s <= 0:
            raise ValueError(
                "LIVEROOM_MAX_ROOMS, LIVEROOM_MAX_DEFERRED, LIVEROOM_MAX_QA_LANE must be >= 1 "
                "and LIVEROOM_ROOM_IDLE_S > 0"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> RoomLimits:
        return load(cls, env, "LIVEROOM_")


class ChatterBudget(TokenBucket):
    """Chatter may use Rasa only up to ``per_second`` (Rasa parses ~45/s per process on 2 cores)."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(per_second, per_second, clock)
        self.per_second = per_second


@dataclass
class Room:
    platform: str
    name: str
    queue: asyncio.PriorityQueue[Job]
    features: RoomFeatures
    audience: AudienceState
    quota: RoomQuota
    deferred: deque[Job] = field(default_factory=deque)
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    #: jobs being answered by a worker or the QA lane
    in_flight: int = 0
    #: the gateway clock's time of the room's latest message (idle rooms are closed, see above)
    last_message: float = 0.0
    #: (when, snapshot): a snapshot scans minutes of chat, so Rasa turns share one per second
    recent_snapshot: tuple[float, AudienceSnapshot] | None = None
    #: viewer id -> the product they last named (bounded, least recent first): their conversation's
    #: context, which decides whether two identical questions may share one answer
    viewer_products: OrderedDict[str, str] = field(default_factory=OrderedDict)

    #: viewer id -> when the bot last answered them (bounded, least recent first)
    answered_at: OrderedDict[str, float] = field(default_factory=OrderedDict)
    #: viewer id -> the language of their latest line (bounded, least recent first): what a
    #: room-wide line addressed to them (a thank-you) is written in
    viewer_langs: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def note_answer(self, viewer_id: str) -> None:
        remember(self.answered_at, viewer_id, time.monotonic())

    def in_conversation(self, viewer_id: str) -> bool:
        """The bot answered this viewer moments ago: what they say next ("thanks!!") is for the bot."""
        at = self.answered_at.get(viewer_id)
        return at is not None and time.monotonic() - at <= FOLLOW_UP_S

    def note_product(self, viewer_id: str, product: str) -> None:
        remember(self.viewer_products, viewer_id, product)

    def quiet(self) -> bool:
        """Nothing queued, deferred or being answered, and no poll or giveaway running: closing the room
        loses nothing but its recent-chat windows."""
        busy = self.in_flight or self.deferred or not self.queue.empty()
        return not busy and self.features.poll is None and self.features.giveaway is None

    def audience_snapshot(self, max_age_s: float = 1.0) -> AudienceSnapshot:
        now = time.monotonic()
        if self.recent_snapshot is None or now - self.recent_snapshot[0] > max_age_s:
            self.recent_snapshot = (now, self.audience.snapshot())
        return self.recent_snapshot[1]


class Rooms:
    """The open rooms (``rooms``, keyed by (platform, room)), their answer queues and deferred queues."""

    def __init__(
        self,
        config: GatewayConfig,
        limits: RoomLimits,
        features: Callable[[], RoomFeatures],
        quotas: QuotaPolicy,
        metrics: MetricsSink,
        worker: Callable[[Room], Coroutine[object, object, None]],
        on_close: Callable[[str, str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.limits = limits
        self.metrics = metrics
        self.rooms: dict[tuple[str, str], Room] = {}
        self._features = features
        self._quotas = quotas
        self._worker = worker
        self._on_close = on_close
        self._clock = clock  # room activity (idle rooms are closed by the housekeeping tick)
        self._chatter = ChatterBudget(config.chatter_per_second)
        self._limit_logged: set[str] = set()

    def open(self, event: ChatEvent) -> Room | None:
        """The event's room, opened on its first message; None (the event counted as dropped) for a
        room name outside ``ROOM_NAME`` or a new room past the platform's ``max_rooms``."""
        key = (event.platform, event.room)
        room = self.rooms.get(key)
        if room is None:
            reason = self._refuse(event.platform, event.room)
            if reason is not None:
                self.metrics.outcome(event.platform, "dropped", reason)
                return None
            room = self.rooms[key] = Room(
                platform=event.platform,
                name=event.room,
                queue=asyncio.PriorityQueue(),
                features=self._features(),
                audience=AudienceState(),
                quota=RoomQuota(self._quotas),
            )
            for i in range(self.config.workers_per_room):
                room.workers.append(asyncio.create_task(self._worker(room), name=f"room-{key}-{i}"))
        room.last_message = self._clock()
        return room

    def _refuse(self, platform: str, name: str) -> str | None:
        if not room_name_ok(name):
            return "room_name"
        if sum(1 for p, _ in self.rooms if p == platform) >= self.limits.max_rooms:
            if platform not in self._limit_logged:  # once per episode, not once per message
                self._limit_logged.add(platform)
                log.warning(
                    "%s: %d rooms open, messages for new rooms are dropped (LIVEROOM_MAX_ROOMS)",
                    platform,
                    self.limits.max_rooms,
                )
            return "room_limit"
        self._limit_logged.discard(platform)
        return None

    def close_idle(self) -> list[tuple[str, str]]:
        """Close every room quiet for ``idle_s`` (see ``Room.quiet``): cancel its workers, forget its
        state (here, and through ``on_close``) and remove its labelled metric series."""
        now = self._clock()
        closed = [
            key
            for key, room in self.rooms.items()
            if now - room.last_message >= self.limits.idle_s and room.quiet()
        ]
        for key in closed:
            room = self.rooms.pop(key)
            for task in room.workers:
                task.cancel()
            room.workers.clear()
            self._on_close(*key)
            self.metrics.forget_room(*key, MOODS)
            log.info("room %s:%s closed: no chat for %.0f s", *key, now - room.last_message)
        return closed

    def offer_chatter(self, room: Room, job: Job, upstreams_up: bool) -> None:
        """Chatter reaches Rasa only with spare capacity: Rasa up, no backlog, within the chatter budget.
        Rasa's plain REST channel has no reply policy (nlu/text/reply_policy.py runs in the liveroom channel),
        so with it chatter is never answered."""
        fate = self.chatter_fate(room, upstreams_up)
        if fate is None and self._chatter.take():
            room.queue.put_nowait(job)
            self.update_depth(room)
        else:
            self.metrics.outcome(job.event.platform, *(fate or ("dropped", "chatter_shed")))

    def chatter_fate(self, room: Room, upstreams_up: bool) -> tuple[str, str] | None:
        """The outcome ``offer_chatter`` would record for a chatter message now (outcome, reason), or
        None when it would reach Rasa. Changes nothing: the gateway asks before it decides whether a
        message's toxicity check can wait for the end of the tick."""
        if self.config.rasa_channel != "liveroom":
            return ("silent", "chatter")
        if upstreams_up and room.queue.qsize() < self.config.workers_per_room and self._chatter.available():
            return None
        return ("dropped", "chatter_shed")

    def enqueue(self, room: Room, job: Job) -> None:
        """Commands and questions for the bot are never shed: past the queue bound they are deferred."""
        if room.queue.qsize() >= self.config.queue_size:
            self.defer(room, job)
            return
        room.queue.put_nowait(job)
        self.update_depth(room)

    def defer(self, room: Room, job: Job) -> None:
        """Wait for the upstreams or for room in the queue; past ``max_deferred`` the oldest waiting
        question is dropped with a reason (a flood must not grow memory without bound)."""
        if len(room.deferred) >= self.limits.max_deferred:
            room.deferred.popleft()
            self.metrics.deferred_change(room.platform, -1)
            self.metrics.outcome(room.platform, "dropped", "deferred_full")
        room.deferred.append(job)
        self.metrics.deferred_change(room.platform, +1)

    def drain(self, room: Room, queue_bound: int | None = None) -> None:
        """Move ``room``'s deferred questions into its queue (oldest first) while it holds fewer than
        ``queue_bound`` jobs (None: all of them); too old to be useful -> dropped with a reason."""
        now = time.monotonic()
        while room.deferred and (queue_bound is None or room.queue.qsize() < queue_bound):
            job = room.deferred.popleft()
            self.metrics.deferred_change(room.platform, -1)
            if now - job.received > self.config.deferred_stale_s:
                self.metrics.outcome(room.platform, "dropped", "deferred_stale")
                continue
            room.queue.put_nowait(job)
        self.update_depth(room)

    def update_depth(self, room: Room) -> None:
        self.metrics.queue_depth_is(room.platform, room.name, room.queue.qsize())
