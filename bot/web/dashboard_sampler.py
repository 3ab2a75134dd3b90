"""The dashboard's one producer: once a second, read the gateway's in-process state into one frame.

Everything a moderator watches comes from memory the gateway already keeps (the tap's counters,
``Room.audience``, ``Gateway.moderation_log``, pacers, connector stats, the upstream monitor), sampled
once per second whatever the number of open dashboards. The only graph queries (questions the bot could
not answer, and asks for products the shop does not sell) run every few seconds in their own task and
are cached. Those asks (``not_carried``) are demand, not hand-offs: the bot already told the viewer "we
don't carry that", so they are listed apart and never lower the answer rate. Each tick's frame goes to the
:class:`~bot.web.dashboard_hub.FrameHub` (serialized once) and to the session recorder. The frame's
sections that read the gateway are in :mod:`bot.web.dashboard_sections`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.core.gateway import Gateway
from bot.core.revenue import money_text
from bot.web import dashboard_sections as sections
from bot.web.dashboard_hub import FrameHub
from bot.web.dashboard_notices import NoticeBoard
from bot.web.dashboard_tap import ChatTap, TapDrain
from connectors.tasks import cancel_and_wait
from knowledge_graph import (
    FOR_MODERATORS,
    GraphStore,
    KnowledgeGraphError,
    OpenQuestion,
    list_not_carried,
    list_open_questions,
)

log = logging.getLogger(__name__)

HELD_ROWS = 30
OPEN_QUESTIONS = 20
NOT_CARRIED_ROWS = 20  # shown on the dashboard, the most asked first
NOT_CARRIED_POLL = 100  # read each poll, the most recently asked first (new asks between two polls)


@dataclass
class Handoff:
    """A question the bot handed to moderators (an ``OpenQuestion`` first seen by this sampler)."""

    t: float
    id: str
    text: str


@dataclass
class DemandAsk:
    """Viewers asked for a product the shop does not sell: ``asks`` new asks on a ``not_carried``
    ``OpenQuestion`` since the sampler last read it."""

    t: float
    id: str
    text: str
    asks: int


@dataclass
class Tick:
    """One second as the recorder stores it."""

    t: float
    drain: TapDrain
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    sentiment: float
    mood: str
    vision: dict[str, float]
    active_viewers: int
    handoffs: list[Handoff] = field(default_factory=list)
    demand: list[DemandAsk] = field(default_factory=list)


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class LiveSampler:
    def __init__(
        self,
        gateway: Gateway,
        tap: ChatTap,
        hub: FrameHub,
        store_of: Callable[[], GraphStore],
        on_tick: Callable[[Tick], None] | None = None,
        session_of: Callable[[], str | None] = lambda: None,
        interval_s: float = 1.0,
        open_questions_every_s: float = 5.0,
        clock: Callable[[], float] = time.time,
        notices: NoticeBoard | None = None,
    ) -> None:
        self.gateway = gateway
        #: human moderators' actions, AutoMod holds and room status (a gateway event handler)
        self.notices = notices or NoticeBoard()
        self.tap = tap
        self.hub = hub
        self._store_of = store_of
        self._on_tick = on_tick or (lambda tick: None)
        self._session_of = session_of
        self.interval_s = interval_s
        self.open_questions_every_s = open_questions_every_s
        self._clock = clock
        self._started_ms = int(clock() * 1000)
        self.open_questions: list[OpenQuestion] = []
        self.open_questions_error: str | None = None
        self._seen_open: set[str] = set()
        self._new_handoffs: list[Handoff] = []
        self.not_carried: list[OpenQuestion] = []
        self._asks_seen: dict[str, int] = {}  # not_carried id -> its count when last read
        self._new_demand: list[DemandAsk] = []
        self.totals = Counter[str]()
        self.tick_seconds = 0.0
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="dashboard-sampler"),
            asyncio.create_task(self._poll_open_questions(), name="dashboard-open-questions"),
        ]

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks.clear()

    async def _run(self) -> None:
        next_at = time.monotonic()
        while True:
            next_at += self.interval_s
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            started = time.perf_counter()
            try:
                self.sample()
            except Exception:
                log.exception("dashboard sample failed")
            self.tick_seconds = time.perf_counter() - started

    async def _poll_open_questions(self) -> None:
        while True:
            await self.refresh_open_questions()
            await asyncio.sleep(self.open_questions_every_s)

    async def refresh_open_questions(self) -> None:
        store = self._store_of()
        try:
            async with asyncio.timeout(5.0):
                found, asked = await asyncio.gather(
                    list_open_questions(store, OPEN_QUESTIONS, FOR_MODERATORS),
                    list_not_carried(store, NOT_CARRIED_POLL),
                )
        except (KnowledgeGraphError, TimeoutError, OSError) as err:
            self.open_questions_error = str(err) or type(err).__name__
            log.info("open questions not refreshed: %s", self.open_questions_error)
            return
        self.open_questions_error = None
        self.open_questions = found
        now = self._clock()
        for question in found:
            if question.id not in self._seen_open and question.at >= self._started_ms:
                self._new_handoffs.append(Handoff(now, question.id, question.text))
            self._seen_open.add(question.id)
        self._count_demand(asked, now)
        self.not_carried = sorted(asked, key=lambda q: (-q.count, -(q.last_at or q.at), q.id))[
            :NOT_CARRIED_ROWS
        ]

    def _count_demand(self, asked: list[OpenQuestion], now: float) -> None:
        """New asks since the last read: the growth of each record's count. A record first read here
        counts in full when it was created after the sampler started; an older one asked again since
        counts once (its earlier asks belong to earlier streams), else not at all."""
        for ask in asked:
            before = self._asks_seen.get(ask.id)
            if before is None:
                if ask.at >= self._started_ms:
                    before = 0
                else:
                    before = ask.count - (1 if (ask.last_at or 0) >= self._started_ms else 0)
            if ask.count > before:
                self._new_demand.append(DemandAsk(now, ask.id, ask.text, ask.count - before))
            self._asks_seen[ask.id] = ask.count

    def forget_open_question(self, question_id: str) -> None:
        """Drop a question turned into an FAQ from the cached list at once (before the next poll)."""
        self.open_questions = [q for q in self.open_questions if q.id != question_id]

    # --- the frame ------------------------------------------------------------------------------------
    def sample(self) -> dict[str, Any]:
        now = self._clock()
        drain = self.tap.drain()
        latencies = sorted(drain.latencies)
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        rooms = sections.rooms(self.gateway)
        busiest = max(rooms, key=lambda r: r["messages_per_minute"], default=None)
        handoffs, self._new_handoffs = self._new_handoffs, []
        demand, self._new_demand = self._new_demand, []
        for key, value in (
            ("messages", drain.messages),
            ("questions", drain.questions),
            ("answered", drain.answered_questions),
            ("replies", drain.replies),
            ("recommendations", drain.recommendations),
            ("handoffs", len(handoffs)),
            ("not_carried", sum(d.asks for d in demand)),
        ):
            self.totals[key] += value
        sentiment = float(busiest["sentiment"]) if busiest else 0.0
        vision = dict(busiest["vision"]) if busiest else {}
        point: dict[str, object] = {
            "t": round(now, 3),
            "messages": drain.messages,
            "questions": drain.questions,
            "answered": drain.answered_questions,
            "replies": drain.replies,
            "lat_p50": None if p50 is None else round(p50 * 1000, 1),
            "lat_p95": None if p95 is None else round(p95 * 1000, 1),
            "sentiment": sentiment,
            "vision_happy": vision.get("happy"),
            "vision_attention": busiest.get("attention") if busiest else None,
        }
        frame = {
            "type": "frame",
            "t": point["t"],
            "ingested_total": self.tap.messages_total,
            "point": point,
            "totals": {**self.totals, "answer_rate": self._answer_rate()},
            "rooms": rooms,
            "mood": {
                "mood": busiest["mood"] if busiest else "neutral",
                "sentiment": sentiment,
                "vision": vision,
                "attention": busiest.get("attention") if busiest else None,
            },
            "top_questions": self.tap.top_questions(10),
            "top_products": sections.top_products(rooms),
            "open_questions": [self._open_question(q) for q in self.open_questions],
            "open_questions_error": self.open_questions_error,
            "not_carried": [sections.not_carried_row(q) for q in self.not_carried],
            "moderation": sections.moderation(self.gateway, self.notices, now),
            "revenue": {
                "totals": self.tap.revenue.totals(),
                "top": self.tap.revenue.top_supporters(10),
                "recent": [
                    {**asdict(record), "text": money_text(record.amount, record.currency)}
                    for record in reversed(self.tap.revenue.recent)
                ],
            },
            "held": self.notices.held_rows(HELD_ROWS),
            "connections": sections.connections(self.gateway, self.notices),
            "budget": sections.budget(self.gateway),
            "upstreams": sections.upstreams(self.gateway),
            "session": self._session_of(),
            "hub": {"clients": self.hub.clients, "dropped": self.hub.dropped},
        }
        self.hub.publish(json.dumps(frame, ensure_ascii=False, separators=(",", ":")), point)
        self._on_tick(
            Tick(
                t=now,
                drain=drain,
                latency_p50_ms=point["lat_p50"],  # type: ignore[arg-type]
                latency_p95_ms=point["lat_p95"],  # type: ignore[arg-type]
                sentiment=sentiment,
                mood=str(frame["mood"]["mood"]),  # type: ignore[index]
                vision=vision,
                active_viewers=sum(int(r["active_viewers"]) for r in rooms),
                handoffs=handoffs,
                demand=demand,
            )
        )
        return frame

    def _answer_rate(self) -> float | None:
        """Questions answered by the bot itself: replied to, minus those handed off to moderators."""
        questions = self.totals["questions"]
        if not questions:
            return None
        answered = max(0, self.totals["answered"] - self.totals["handoffs"])
        return round(min(1.0, answered / questions), 4)

    def _open_question(self, question: OpenQuestion) -> dict[str, Any]:
        return {
            "id": question.id,
            "text": question.text,
            "lang": question.lang,
            "kind": question.kind,
            "count": question.count,
            "platform": question.platform,
            "room": question.room,
            "at": question.at,
            "product": self.tap.product_of(question.text),
        }
