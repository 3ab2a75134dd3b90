"""The gateway core: every chat event in, the right answers out, nothing lost.

Per event (``ingest``, never blocking the connector): de-duplicate, read language and sentiment, triage,
moderate, feed the room's audience state, then either absorb it (poll vote, giveaway entry), queue it
for an answer (commands and bot-directed questions always; chatter only while Rasa has spare capacity),
or count it as dropped with a reason. Workers answer from the room's priority queue through Rasa (the
liveroom channel also returns intent and sentiment); replies go to the platform's pacer.

Degradation: when Rasa or the action server is down (health monitor, or a failed call), directed
questions get the knowledge graph's semantic FAQ answer when it is confident, the rest wait in a
deferred queue (a metric) that drains automatically on recovery; with the graph down too, a polite
canned answer. Every event ends in exactly one outcome (see bot/metrics.py).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from bot.audience import MOODS, AudienceSnapshot, AudienceState
from bot.commands import CommandConfig, GraphCommand, RoomFeatures
from bot.config import GatewayConfig
from bot.metrics import GatewayMetrics
from bot.moderation import Action, Decision, Moderator
from bot.pacing import PendingReply, ReplyPacer, SendBudget, SendLimit
from bot.qa_lane import QALane
from bot.rasa_client import RasaClient, RasaResult, RasaUnavailable
from bot.rate_limit import TokenBucket
from bot.reply_quota import QuotaPolicy, RoomQuota
from bot.rooms import RoomLimits, room_name_ok
from bot.shards import ShardConfig
from bot.triage import Priority, Triage, TriageResult
from bot.upstreams import UpstreamMonitor, canned_answer
from connectors.base import ChatEvent, Connector, EventKind, Role
from connectors.tasks import cancel_and_wait
from knowledge_graph import KnowledgeGraphError
from knowledge_graph.answers import Asker, handoff_reply, unknown_reply
from nlu.language import detect_language, normalize_language
from nlu.reply_policy import SOCIAL_INTENTS, Addressing, is_real_question
from nlu.sentiment import sentiment as message_sentiment

log = logging.getLogger(__name__)

SEEN_IDS = 20_000
VIEWER_CONTEXTS = 5000  # per room
FOLLOW_UP_S = 60.0  # a viewer's next message this soon after the bot answered them is addressed to it
T = TypeVar("T")
OTHER_BOTS = frozenset(
    {"nightbot", "streamelements", "moobot", "fossabot", "streamlabs", "wizebot", "sery_bot"}
)
# Super chats / cheers carry text the viewer paid to show: they are read (and answered) like chat.
TEXT_KINDS = frozenset({EventKind.CHAT, EventKind.SUPER_CHAT})
PRIORITY_ORDER = {Priority.COMMAND: 0, Priority.DIRECTED: 1, Priority.CHATTER: 2}
WARNINGS = {
    "en": "please keep the chat friendly 🙏",
    "zh": "请文明发言哦～",
}

FaqAnswer = Callable[[str, str], Awaitable[str | None]]
"""(question, lang) -> a confident FAQ answer or None; raises KnowledgeGraphError when the graph is down."""


@dataclass(order=True)
class Job:
    priority: int
    seq: int
    event: ChatEvent = field(compare=False)
    triage: TriageResult = field(compare=False)
    lang: str = field(compare=False, default="en")
    received: float = field(compare=False, default_factory=time.monotonic)
    addressing: Addressing = field(compare=False, default_factory=Addressing)
    #: the product this viewer's conversation is about, as far as the gateway saw (answer sharing)
    context: str | None = field(compare=False, default=None)
    #: the message's sentiment (nlu/sentiment.py), -1..1
    sentiment: float = field(compare=False, default=0.0)


def loggable(name: str) -> str:
    """A viewer-chosen name as it may appear in a log line: quoted and escaped (``repr``) when it holds
    a newline, a control or a bidi character, so it cannot forge or reorder log lines; else as is."""
    return name if name.isprintable() else repr(name)


def remember(recent: OrderedDict[str, T], viewer_id: str, value: T) -> None:
    """Set a viewer's entry as the most recent, forgetting the least recent past VIEWER_CONTEXTS."""
    recent.pop(viewer_id, None)
    recent[viewer_id] = value
    if len(recent) > VIEWER_CONTEXTS:
        recent.popitem(last=False)


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
    #: the gateway clock's time of the room's latest message (idle rooms are closed, bot/rooms.py)
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


class GatewayObserver(Protocol):
    """Read-only taps for the dashboard and the session recorder: called inline, so they must be O(1)."""

    def on_message(self, event: ChatEvent, triage: TriageResult, lang: str, sentiment: float) -> None: ...

    def on_reply(
        self, event: ChatEvent, text: str, path: str, intent: str | None, waited_s: float
    ) -> None: ...


def question_for_the_bot(job: Job) -> bool:
    """A real question addressed to the bot: the only thing handed to the moderators. "@bot 666" and
    "@bot YEA?" are not."""
    return job.addressing.addressed and is_real_question(job.event.text)


def asks_something(job: Job) -> bool:
    """A message that deserves an answer (or an honest hand-off) when Rasa said nothing: a shop
    question, or a question for the bot."""
    return job.addressing.shop_question or question_for_the_bot(job)


#: intents whose turn does something for the asker (records their complaint or question for the
#: moderators, greets them): each asker gets a turn of their own, never a copy of another's reply
PERSONAL_INTENTS = frozenset(
    {"complain", "nlu_fallback", "ask_store_policy", "greet", "goodbye", "thanks", "praise"}
)


def shareable(result: RasaResult) -> bool:
    """A Rasa answer identical askers may share: not silenced for one of them, not personal."""
    parse = result.parse
    if parse is None:
        return True
    return parse.silenced is None and parse.intent not in PERSONAL_INTENTS


def addressing(event: ChatEvent, triage: TriageResult, bot_name: str, follow_up: bool = False) -> Addressing:
    """How a message was addressed, for the reply policy (nlu/reply_policy.py): a command, a mention
    of the bot, a reply to one of the bot's messages (``extra["reply_parent_user"]``, set by the
    connectors whose platform says whom a reply answers), or a ``follow_up`` in a conversation the bot
    is having with this viewer (see ``Room.in_conversation``)."""
    parent = event.extra.get("reply_parent_user")
    replied = isinstance(parent, str) and parent.casefold() == bot_name.casefold()
    return Addressing(
        addressed=triage.addressed or replied,
        follow_up=follow_up,
        shop_question=triage.shop_question,
        question=triage.question,
        to_streamer=triage.to_streamer,
    )


NEGATIVE = -0.4
"""Messages at or below this sentiment are complaints to the QA lane: only a shop FAQ that answers them
("my parcel came smashed" -> how damaged parcels are replaced) is given there, and the complaint is
recorded for the moderators; anything else goes to Rasa, whose actions handle complaints."""


def takes_qa_lane(job: Job) -> bool:
    """Does the question-answering lane try this message first? Shop questions the reply policy lets the
    bot answer (nlu/reply_policy.py): addressed to it, recognised as a shop question by triage, or a
    question following up on the viewer's conversation with the bot. Commands never."""
    if job.triage.priority is Priority.COMMAND:
        return False
    a = job.addressing
    return a.addressed or a.shop_question or (a.follow_up and a.question and job.context is not None)


DEICTIC = re.compile(
    r"\b(it|this|that|these|those|they|them|one)\b|这个|那个|这款|那款|它|这|那", re.IGNORECASE
)


def coalesce_key(event: ChatEvent, job: Job) -> tuple[str, ...] | None:
    """Identical questions share an answer only when the question text and its context are the same:
    the product the question names, else the product the asker's conversation is about (two viewers
    asking "how much?" about different products must not share). A deictic question ("is it
    waterproof?") about no known product is never shared."""
    text = " ".join(unicodedata.normalize("NFKC", event.text).casefold().split())
    context = job.triage.product or job.context
    if context is None and DEICTIC.search(text):
        return None
    return (event.platform, event.room, job.lang, text, context or "")


def audience_metadata(snapshot: AudienceSnapshot) -> dict[str, object]:
    """What Rasa learns about the room with every message (mood drives response variations)."""
    return {
        "audience_mood": snapshot.mood,
        "room_sentiment": snapshot.sentiment,
        "active_viewers": snapshot.active_viewers,
        "hot_products": [name for name, _ in snapshot.hot_products],
    }


class ChatterBudget(TokenBucket):
    """Chatter may use Rasa only up to ``per_second`` (Rasa parses ~45/s per process on 2 cores)."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(per_second, per_second, clock)
        self.per_second = per_second


class Gateway:
    def __init__(
        self,
        config: GatewayConfig,
        rasa: RasaClient,
        connectors: dict[str, Connector],
        metrics: GatewayMetrics,
        *,
        moderator: Moderator | None = None,
        triage: Triage | None = None,
        commands: CommandConfig | None = None,
        graph_commands: dict[str, GraphCommand] | None = None,
        faq_answer: FaqAnswer | None = None,
        monitor: UpstreamMonitor | None = None,
        send_limits: dict[str, SendLimit] | None = None,
        qa_lane: QALane | None = None,
        shard: ShardConfig | None = None,
        budgets: Callable[[str, SendLimit], SendBudget] | None = None,
        quotas: QuotaPolicy | None = None,
        room_limits: RoomLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.rasa = rasa
        self.connectors = connectors
        self.metrics = metrics
        self.moderator = moderator or Moderator()
        self.triage = triage or Triage(config.bot_name)
        self.commands = commands or CommandConfig()
        self.graph_commands = graph_commands or {}
        self.faq_answer = faq_answer
        self.monitor = monitor
        self.send_limits = send_limits or {}
        self.qa_lane = qa_lane
        self.shard = shard  # rooms of other gateway shards are dropped (reason other_shard)
        self.budgets = budgets  # per-account send budgets shared by the shards (Redis), else local
        self.quotas = quotas or QuotaPolicy()
        self.room_limits = room_limits or RoomLimits()
        self._clock = clock  # room activity (idle rooms are closed by tick)
        self.rooms: dict[tuple[str, str], Room] = {}
        self.pacers: dict[str, ReplyPacer] = {}
        self.moderation_log: deque[ModerationRecord] = deque(maxlen=500)
        self.observers: list[GatewayObserver] = []
        #: Called inline, once per distinct event, for every event that is not plain chat (paid events,
        #: moderators' notices, room status, follows, raids...): thanks, revenue, the moderation log.
        #: O(1) each, like the observers; they must not raise.
        self.event_handlers: list[Callable[[ChatEvent], None]] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seq = itertools.count()
        self._rasa_slots = asyncio.Semaphore(config.rasa_concurrency)
        self._fast_slots = asyncio.Semaphore(64)
        self._answers: OrderedDict[tuple[str, ...], tuple[float, RasaResult]] = OrderedDict()
        self._pending_answers: dict[tuple[str, ...], asyncio.Future[RasaResult]] = {}
        self._chatter = ChatterBudget(config.chatter_per_second)
        self._tasks: list[asyncio.Task[None]] = []
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._qa_lane_running = 0
        self._room_limit_logged: set[str] = set()

    # --- ingress -------------------------------------------------------------------------------------
    async def ingest(self, event: ChatEvent) -> None:
        """The connectors' sink: decide in microseconds, never block the connector."""
        platform = event.platform
        self.metrics.events_in.labels(platform, event.kind.value).inc()
        if self.shard is not None and not self.shard.owns(platform, event.room):
            self.metrics.outcome(platform, "dropped", "other_shard")
            return
        seen = False
        if event.kind is not EventKind.CHAT:  # paid or not text: the event handlers see it first
            if not self._first_sighting(event):
                self.metrics.outcome(platform, "dropped", "duplicate")
                return
            seen = True
            for handler in self.event_handlers:
                handler(event)
        reason = self._reason_to_skip(event, seen)
        if reason:
            self.metrics.outcome(platform, "dropped", reason)
            return
        room = self._room(event)
        if room is None:  # refused: a bad room name or the platform's room limit (bot/rooms.py)
            return
        lang = detect_language(event.text)
        score = message_sentiment(event.text, lang)
        self.metrics.message_sentiment.labels(platform).observe(score)
        triage = self.triage.classify(event.text)
        self.metrics.triage.labels(platform, triage.priority.value).inc()
        room.audience.observe(event.viewer_id, score, (triage.product,) if triage.product else (), lang)
        remember(room.viewer_langs, event.viewer_id, lang)
        context = room.viewer_products.get(event.viewer_id)
        if triage.product:
            room.note_product(event.viewer_id, triage.product)
        for observer in self.observers:
            observer.on_message(event, triage, lang, score)
        decision = self.moderator.check(event)
        if decision.blocks_answer:
            self._moderate(event, decision, lang)
            self.metrics.outcome(platform, "moderated")
            return
        if room.features.absorb(event):
            self.metrics.outcome(platform, "silent", "poll_or_giveaway")
            return
        job = Job(
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
        if self.qa_lane is not None and takes_qa_lane(job):
            self._start_qa_lane(room, job)
        elif triage.priority is Priority.CHATTER:
            self._offer_chatter(room, job)
        else:
            self._enqueue_for_answer(room, job)

    def _reason_to_skip(self, event: ChatEvent, seen: bool = False) -> str | None:
        """Why the pipeline ignores ``event``; ``seen`` when its id was already checked for duplicates."""
        if event.kind not in TEXT_KINDS:
            return "not_chat"
        name = event.display_name.casefold()
        if name == self.config.bot_name.casefold():
            return "own_message"
        if Role.BOT in event.roles or name in OTHER_BOTS:
            return "other_bot"
        if not event.text.strip():
            return "empty"
        if not seen and not self._first_sighting(event):
            return "duplicate"
        return None

    def _first_sighting(self, event: ChatEvent) -> bool:
        """True the first time a message id is seen (platforms redeliver after reconnects)."""
        key = f"{event.platform}:{event.message_id}"
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        return True

    def _offer_chatter(self, room: Room, job: Job) -> None:
        """Chatter reaches Rasa only with spare capacity: Rasa up, no backlog, within the chatter budget.
        Rasa's plain REST channel has no reply policy (nlu/reply_policy.py runs in the liveroom channel),
        so with it chatter is never answered."""
        if self.config.rasa_channel != "liveroom":
            self.metrics.outcome(job.event.platform, "silent", "chatter")
            return
        upstreams_up = self.monitor is None or self.monitor.all_up
        if upstreams_up and room.queue.qsize() < self.config.workers_per_room and self._chatter.take():
            room.queue.put_nowait(job)
            self._update_depth(room)
        else:
            self.metrics.outcome(job.event.platform, "dropped", "chatter_shed")

    def _enqueue_for_answer(self, room: Room, job: Job) -> None:
        """Commands and questions for the bot are never shed: past the queue bound they are deferred."""
        if room.queue.qsize() >= self.config.queue_size:
            self._defer(room, job)
            return
        room.queue.put_nowait(job)
        self._update_depth(room)

    def _defer(self, room: Room, job: Job) -> None:
        """Wait for the upstreams or for room in the queue; past ``max_deferred`` the oldest waiting
        question is dropped with a reason (a flood must not grow memory without bound)."""
        if len(room.deferred) >= self.room_limits.max_deferred:
            room.deferred.popleft()
            self.metrics.deferred.labels(room.platform).dec()
            self.metrics.outcome(room.platform, "dropped", "deferred_full")
        room.deferred.append(job)
        self.metrics.deferred.labels(room.platform).inc()
        self.metrics.deferred_total.labels(room.platform).inc()

    def _update_depth(self, room: Room) -> None:
        self.metrics.queue_depth.labels(room.platform, room.name).set(room.queue.qsize())

    def _room(self, event: ChatEvent) -> Room | None:
        """The event's room, opened on its first message; None (the event counted as dropped) for a
        room name outside ``ROOM_NAME`` or a new room past the platform's ``max_rooms``."""
        key = (event.platform, event.room)
        room = self.rooms.get(key)
        if room is None:
            reason = self._refuse_room(event.platform, event.room)
            if reason is not None:
                self.metrics.outcome(event.platform, "dropped", reason)
                return None
            room = self.rooms[key] = Room(
                platform=event.platform,
                name=event.room,
                queue=asyncio.PriorityQueue(),
                features=RoomFeatures(self.commands, self.graph_commands),
                audience=AudienceState(),
                quota=RoomQuota(self.quotas),
            )
            for i in range(self.config.workers_per_room):
                room.workers.append(asyncio.create_task(self._work(room), name=f"room-{key}-{i}"))
        room.last_message = self._clock()
        return room

    def _refuse_room(self, platform: str, name: str) -> str | None:
        if not room_name_ok(name):
            return "room_name"
        if sum(1 for p, _ in self.rooms if p == platform) >= self.room_limits.max_rooms:
            if platform not in self._room_limit_logged:  # once per episode, not once per message
                self._room_limit_logged.add(platform)
                log.warning(
                    "%s: %d rooms open, messages for new rooms are dropped (LIVEROOM_MAX_ROOMS)",
                    platform,
                    self.room_limits.max_rooms,
                )
            return "room_limit"
        self._room_limit_logged.discard(platform)
        return None

    def close_idle_rooms(self) -> list[tuple[str, str]]:
        """Close every room quiet for ``idle_s`` (see ``Room.quiet``): cancel its workers, forget its
        state (here, in moderation) and remove its labelled metric series. Returns the closed keys."""
        now = self._clock()
        closed = [
            key
            for key, room in self.rooms.items()
            if now - room.last_message >= self.room_limits.idle_s and room.quiet()
        ]
        for key in closed:
            room = self.rooms.pop(key)
            for task in room.workers:
                task.cancel()
            room.workers.clear()
            self.moderator.forget_room(*key)
            self.metrics.forget_room(*key, MOODS)
            log.info("room %s:%s closed: no chat for %.0f s", *key, now - room.last_message)
        return closed

    def _start_qa_lane(self, room: Room, job: Job) -> None:
        """The QA lane for at most ``max_qa_lane`` questions at once (running or waiting for a slot);
        past that the message goes where a declined one goes: the room's answer queue (bounded in turn)
        or, for chatter, the chatter budget."""
        if self._qa_lane_running >= self.room_limits.max_qa_lane:
            if job.triage.priority is Priority.CHATTER:
                self._offer_chatter(room, job)
            else:
                self._enqueue_for_answer(room, job)
            return
        self._qa_lane_running += 1
        room.in_flight += 1

        async def run() -> None:
            try:
                await self._qa_lane(room, job)
            finally:
                self._qa_lane_running -= 1
                room.in_flight -= 1

        self._spawn(run(), "QA lane")

    # --- answering -----------------------------------------------------------------------------------
    async def _work(self, room: Room) -> None:
        while True:
            job = await room.queue.get()
            room.in_flight += 1
            self._update_depth(room)
            try:
                await self._answer(room, job)
            except Exception:  # a bug in one answer must not kill the room's worker
                log.exception("failed to answer %s", job.event.message_id)
                self.metrics.outcome(room.platform, "dropped", "internal_error")
            finally:
                room.in_flight -= 1
                if room.deferred and self.monitor is not None and self.monitor.all_up:
                    # Rasa up but busy never calls drain_deferred: deferred questions take freed places
                    self._drain(room, self.config.queue_size)

    async def _answer(self, room: Room, job: Job) -> None:
        event = job.event
        if job.triage.priority is Priority.COMMAND:
            await self._answer_command(room, job)
            return
        if self._over_quota(room, job):
            return
        if self.monitor is not None and not self.monitor.all_up:
            await self._answer_degraded(room, job)
            return
        metadata = {
            "platform": event.platform,
            "room": event.room,
            "viewer_id": event.viewer_id,
            "display_name": event.display_name,
            "message_id": event.message_id,
            "lang": job.lang,
            **job.addressing.as_metadata(),
            **audience_metadata(room.audience_snapshot()),
        }
        try:
            result, shared = await self._ask_rasa(job, metadata)
        except RasaUnavailable as err:
            log.warning("Rasa failed for %s: %s", event.message_id, err)
            if self.monitor is not None:
                await self.monitor.mark_down("rasa", str(err))
            await self._answer_degraded(room, job)
            return
        if not shared:
            self._record_parse(event.platform, result)
        parse = result.parse
        if parse is not None and parse.silenced:
            self.metrics.outcome(event.platform, "silent", parse.silenced)
            return
        if not result.replies:
            if job.triage.priority is Priority.DIRECTED and await self._actions_failed():
                await self._answer_degraded(room, job)  # the question is not lost: FAQ or deferred
                return
            if asks_something(job):
                await self._answer_unanswered(room, job)  # FAQ answer, else hand-off: never silent
                return
            self.metrics.outcome(event.platform, "silent", "no_reply")
            return
        intent = parse.intent if parse is not None else None
        if intent in SOCIAL_INTENTS:
            refusal = room.quota.social_refusal()
            if refusal is not None:
                self.metrics.outcome(event.platform, "silent", refusal)
                return
        for reply in result.replies:
            self._reply(room, job, reply.text, "coalesced" if shared else "rasa", intent)
        self.metrics.outcome(event.platform, "answered")

    async def _qa_lane(self, room: Room, job: Job) -> None:
        """Shop questions answered from the graph beside the Rasa queue (never behind Rasa-bound
        questions); anything the QA layer declines joins the Rasa queue."""
        assert self.qa_lane is not None
        event = job.event
        if self._over_quota(room, job):
            return
        try:
            async with self._fast_slots:
                found = await self.qa_lane.answer(
                    event.text,
                    job.lang,
                    asker=Asker(event.platform, event.room, event.viewer_id),
                    conversation_id=event.conversation_id,
                    # the conversation's product: a product the question names is found in its words,
                    # and "which is cheaper, that or the perfume" needs the one talked about before
                    context=job.context or job.triage.product,
                    upset=job.sentiment <= NEGATIVE,
                )
        except Exception:  # a bug here must not lose the question: Rasa answers it instead
            log.exception("QA lane failed for %s", event.message_id)
            found = None
        if found is not None and found.product is not None:
            room.note_product(event.viewer_id, found.product)
        if found is None or found.silent:
            if job.triage.priority is Priority.CHATTER:
                self._offer_chatter(room, job)
            else:
                self._enqueue_for_answer(room, job)
            return
        self.metrics.qa_answers.labels(event.platform, found.strategy).inc()
        self._reply(room, job, found.text, "qa")
        self.metrics.outcome(event.platform, "answered")

    def _over_quota(self, room: Room, job: Job) -> bool:
        """The viewer's or the room's reply quota is spent: the message ends ``silent`` with the quota's
        reason, before any work goes into an answer."""
        refusal = room.quota.refusal(job.event.viewer_id)
        if refusal is not None:
            self.metrics.outcome(job.event.platform, "silent", refusal)
        return refusal is not None

    async def _ask_rasa(self, job: Job, metadata: dict[str, object]) -> tuple[RasaResult, bool]:
        """One Rasa turn, shared by identical context-free questions asked at about the same time.

        In a live room many viewers type the same question within seconds ("when is the next stream?",
        "is the serum in stock?"). A question that names its subject (a product, or nothing deictic like
        "it"/"这个") gets the same answer whoever asks, so one Rasa turn serves all askers within
        ``coalesce_s``; returns (result, shared)."""
        event = job.event
        key = coalesce_key(event, job)
        if key is not None:
            cached = self._answers.get(key)
            if cached is not None and time.monotonic() - cached[0] <= self.config.coalesce_s:
                if shareable(cached[1]):
                    return cached[1], True
            else:
                pending = self._pending_answers.get(key)
                if pending is not None:
                    shared = await asyncio.shield(pending)
                    if shareable(shared):
                        return shared, True
                    key = None  # a turn of one's own, not racing the owner's cache entry
        if self.qa_lane is not None:
            await self.qa_lane.settle(event.conversation_id)
        future: asyncio.Future[RasaResult] | None = None
        if key is not None:
            future = self._pending_answers[key] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        try:
            async with self._rasa_slots:
                result = await self.rasa.send(event.conversation_id, event.text, metadata)
        except BaseException as err:
            if future is not None:
                future.set_exception(err if isinstance(err, Exception) else RasaUnavailable("cancelled"))
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            self.metrics.rasa_latency.observe(time.perf_counter() - started)
            if key is not None:
                self._pending_answers.pop(key, None)
        if future is not None:
            future.set_result(result)
            self._answers[key] = (time.monotonic(), result)
            if len(self._answers) > 2000:
                for old in list(self._answers)[:500]:
                    del self._answers[old]
        return result, False

    async def _actions_failed(self) -> bool:
        """Rasa answers with silence when a custom action could not run (it logs the error and carries
        on), so a silent answer to a bot-directed question asks the action server's health at once:
        when it is down the question degrades (FAQ answer or deferred) instead of being lost."""
        if self.monitor is None or "actions" not in self.monitor.upstreams:
            return False
        return not await self.monitor.probe_now("actions", "a bot-directed question got no answer")

    def _record_parse(self, platform: str, result: RasaResult) -> None:
        if result.parse is None or not result.parse.intent:
            return
        self.metrics.intents.labels(platform, result.parse.intent).inc()
        if result.parse.action_ms:
            self.metrics.action_latency.observe(result.parse.action_ms / 1000)
        if result.parse.intent == "nlu_fallback":
            self.metrics.fallbacks.labels(platform).inc()

    async def _answer_command(self, room: Room, job: Job) -> None:
        try:
            text = await room.features.command(job.event, job.lang)
        except KnowledgeGraphError as err:
            log.warning("command %r failed: %s", job.event.text[:40], err)
            text = canned_answer(job.lang)
        if text is None:
            self.metrics.outcome(room.platform, "silent", "command_quiet")
            return
        self._reply(room, job, text, "command")
        self.metrics.outcome(room.platform, "answered")

    async def _answer_degraded(self, room: Room, job: Job) -> None:
        """Rasa or the actions are down: FAQ answer from the graph, else defer; graph down: canned."""
        if job.triage.priority is Priority.CHATTER:
            self.metrics.outcome(room.platform, "dropped", "upstream_down_chatter")
            return
        answer: str | None = None
        if self.faq_answer is not None:
            try:
                answer = await self.faq_answer(job.event.text, job.lang)
            except KnowledgeGraphError as err:
                log.warning("FAQ fallback unavailable: %s", err)
                self._reply(room, job, canned_answer(job.lang), "canned")
                self.metrics.outcome(room.platform, "answered")
                return
        if answer:
            self._reply(room, job, answer, "faq_fallback")
            self.metrics.outcome(room.platform, "answered")
        else:
            self._defer(room, job)
            if self.monitor is not None and self.monitor.all_up:
                self.drain_deferred()  # the upstreams came back while we looked for an FAQ answer

    async def _answer_unanswered(self, room: Room, job: Job) -> None:
        """Rasa ran but said nothing to a question for the bot (a rule ending in ``action_listen``, an
        action that uttered nothing): FAQ answer from the graph, else, for a real question addressed to
        the bot, the polite hand-off, recorded for moderators when the FAQ answerer can record it.
        Counted as ``answered`` with the reply path ``empty_turn_faq`` / ``empty_turn_handoff``
        (liveroom_answers_total); a shop question nobody put to the bot is ``silent`` instead."""
        event = job.event
        answer: str | None = None
        if self.faq_answer is not None:
            try:
                answer = await self.faq_answer(event.text, job.lang)
            except Exception as err:  # the hand-off must still happen when the FAQ search is broken
                log.warning("FAQ answer for an empty Rasa turn failed: %s", str(err) or type(err).__name__)
        if answer:
            self._reply(room, job, answer, "empty_turn_faq")
        elif not question_for_the_bot(job):
            # a shop question nobody put to the bot: no promise that someone follows up
            self.metrics.outcome(event.platform, "silent", "no_answer_not_addressed")
            return
        else:
            lang = normalize_language(job.lang) or "en"
            record = getattr(self.faq_answer, "record_hand_off", None)
            recorded = False
            if record is not None:
                try:
                    await record(event.platform, event.room, event.viewer_id, event.text, job.lang)
                    recorded = True
                except Exception as err:
                    log.warning("could not record a hand-off: %s", str(err) or type(err).__name__)
            # "passed to the moderators" only when it was; else an honest "I don't know"
            text = handoff_reply(lang) if recorded else unknown_reply(lang)
            self._reply(room, job, text, "empty_turn_handoff" if recorded else "empty_turn_unknown")
        self.metrics.outcome(event.platform, "answered")

    def _reply(self, room: Room, job: Job, text: str, path: str, intent: str | None = None) -> None:
        event = job.event
        waited_s = time.monotonic() - job.received
        for observer in self.observers:
            observer.on_reply(event, text, path, intent, waited_s)
        self._pacer(event.platform).submit(
            PendingReply(
                room=event.room,
                text=text,
                mention=event.display_name,
                reply_to=event.message_id,
                lang=job.lang,
            )
        )
        self.metrics.answered.labels(event.platform, path).inc()
        self.metrics.reply_latency.labels(event.platform, path).observe(waited_s)
        room.note_answer(event.viewer_id)
        if path != "command":  # commands have their own cooldowns (bot/commands.py)
            room.quota.spend(event.viewer_id)

    # --- recovery ------------------------------------------------------------------------------------
    async def on_upstream_change(self, name: str, up: bool) -> None:
        self.metrics.upstream_up.labels(name).set(1 if up else 0)
        if up and (self.monitor is None or self.monitor.all_up):
            self.drain_deferred()

    def drain_deferred(self) -> None:
        """Back into the answer queues, oldest first; too old to be useful -> dropped with a reason."""
        for room in self.rooms.values():
            self._drain(room)

    def _drain(self, room: Room, queue_bound: int | None = None) -> None:
        """Move ``room``'s deferred questions into its queue (oldest first) while it holds fewer than
        ``queue_bound`` jobs (None: all of them)."""
        now = time.monotonic()
        while room.deferred and (queue_bound is None or room.queue.qsize() < queue_bound):
            job = room.deferred.popleft()
            self.metrics.deferred.labels(room.platform).dec()
            if now - job.received > self.config.deferred_stale_s:
                self.metrics.outcome(room.platform, "dropped", "deferred_stale")
                continue
            room.queue.put_nowait(job)
        self._update_depth(room)

    # --- moderation ----------------------------------------------------------------------------------
    def _moderate(self, event: ChatEvent, decision: Decision, lang: str) -> None:
        dry_run = self.moderator.policy.dry_run
        executed = False
        call: Awaitable[bool] | None = None
        if decision.action is Action.WARN and not dry_run:
            self._pacer(event.platform).submit(
                PendingReply(
                    room=event.room,
                    text=WARNINGS.get(lang, WARNINGS["en"]),
                    mention=event.display_name,
                    reply_to=event.message_id,
                    lang=lang,
                )
            )
            executed = True
        elif decision.action in (Action.DELETE, Action.TIMEOUT) and not dry_run:
            moderate = getattr(self.connectors.get(event.platform), "moderate", None)
            if moderate is not None:
                call = moderate(event, decision.action.value, self.moderator.policy.timeout_s)
            else:
                self.metrics.moderation_calls.labels(
                    event.platform, decision.action.value, "unsupported"
                ).inc()
        mode = "dry_run" if dry_run else "live"
        self.metrics.moderation.labels(event.platform, decision.rule, decision.action.value, mode).inc()
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
        self.moderation_log.append(record)
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
            self._spawn(
                self._platform_moderation(call, record, event, decision.action.value), "moderation call"
            )

    async def _platform_moderation(
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
        self.metrics.moderation_calls.labels(event.platform, action, outcome).inc()

    # --- pacing, timers, gauges ----------------------------------------------------------------------
    def _pacer(self, platform: str) -> ReplyPacer:
        pacer = self.pacers.get(platform)
        if pacer is None:
            connector = self.connectors[platform]
            limit = self.send_limits.get(platform, SendLimit(100, 30.0))

            def on_event(outcome: str, count: int, platform: str = platform) -> None:
                self.metrics.pacer.labels(platform, outcome).inc(count)
                if outcome == "sent":
                    self.metrics.messages_out.labels(platform, "reply").inc(count)
                elif outcome == "budget_wait":
                    self.metrics.budget_waits.labels(platform).inc(count)

            budget = self.budgets(platform, limit) if self.budgets is not None else None
            pacer = self.pacers[platform] = ReplyPacer(
                connector.send, platform, limit, on_event=on_event, budget=budget
            )
            self._tasks.append(asyncio.create_task(pacer.run(), name=f"pacer-{platform}"))
            # read at scrape time, not copied by the once-a-second tick: "accounted for and nothing
            # pending" must never be seen between an answer's outcome and its reply reaching the pacer
            self.metrics.replies_pending.labels(platform).set_function(lambda pacer=pacer: pacer.pending)
        return pacer

    def language_of(self, platform: str, room: str, viewer_id: str) -> str:
        """The language of the viewer's latest line in the room, else the room's most used one lately
        ("en" for a room the gateway does not know)."""
        known = self.rooms.get((platform, room))
        if known is None:
            return "en"
        return known.viewer_langs.get(viewer_id) or known.audience.snapshot().lang

    def post_to_room(self, platform: str, room: str, text: str, lang: str = "en") -> None:
        """A message to the whole room (no mention), through the platform's pacer and send budget:
        the bot acting on its own, e.g. a check-in when the room mood turns (bot/mood.py)."""
        reply = PendingReply(room=room, text=text, mention=None, reply_to=None, lang=lang)
        self._pacer(platform).submit(reply)

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
        self.metrics.hot_products.clear()  # only the rooms' current top products stay exported
        for room in list(self.rooms.values()):
            for text in room.features.due_announcements():
                self._pacer(room.platform).submit(
                    PendingReply(room=room.name, text=text, mention=None, reply_to=None)
                )
            snap = room.audience.snapshot()
            for mood in MOODS:
                self.metrics.mood.labels(room.platform, room.name, mood).set(1 if mood == snap.mood else 0)
            self.metrics.sentiment.labels(room.platform, room.name).set(snap.sentiment)
            self.metrics.active_viewers.labels(room.platform, room.name).set(snap.active_viewers)
            for name, count in snap.hot_products:
                self.metrics.hot_products.labels(room.platform, room.name, name).set(count)
        for platform, pacer in self.pacers.items():
            self.metrics.budget_remaining.labels(platform).set(pacer.budget.remaining())

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
            busy = self._side_tasks or any(
                room.queue.qsize() or room.in_flight for room in self.rooms.values()
            )
            if not busy and not any(p.pending for p in self.pacers.values()):
                return
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        tasks = (
            self._tasks + list(self._side_tasks) + [w for room in self.rooms.values() for w in room.workers]
        )
        await cancel_and_wait(*tasks)
        self._tasks.clear()
        for room in self.rooms.values():
            room.workers.clear()
