"""The gateway's inline tap for the dashboard and the session recorder.

The gateway calls :meth:`ChatTap.on_message` for every message it reads and :meth:`ChatTap.on_reply`
for every reply it hands to the pacer (``Gateway.observers``), and :meth:`ChatTap.on_event` for every
paid or other non-chat event (``Gateway.event_handlers``). Both run on the ingest hot path, so they
only bump counters and append to bounded lists; the once-a-second sampler drains them
(:meth:`ChatTap.drain`). A tap never raises into the gateway: a bug here is logged and counted, the
message still gets its answer.
"""

from __future__ import annotations

import logging
import random
import re
import time
import unicodedata
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.revenue import PaidRecord, RevenueLedger, paid_value
from bot.core.triage import Priority, TriageResult
from connectors.base import ChatEvent

log = logging.getLogger(__name__)

MAX_RECORDS_PER_TICK = 2000
MAX_LATENCIES_PER_TICK = 5000
PENDING_QUESTIONS = 20_000
TOP_WINDOW_S = 600.0
CHAT_SAMPLE_PER_TICK = 40
"""Message texts kept per second for the session recorder (highlight words): a uniform reservoir sample, so a
burst of 500 messages a second still costs 40 short strings and O(1) work per message."""
CHAT_SAMPLE_CHARS = 80
RECOMMEND_INTENT = "ask_recommendation"
_TRAILING = re.compile(r"[\s?？!！.。,，~～]+$")
_LIST_SPLIT = re.compile(r"[,，、;；]|\band\b|和")


def question_key(text: str) -> str:
    """How questions are grouped for "top questions": same words, ignoring case, width and end marks."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _TRAILING.sub("", folded)[:120]


@dataclass(frozen=True)
class QuestionRecord:
    t: float
    message_id: str
    text: str
    key: str
    product: str | None
    lang: str
    platform: str
    room: str


@dataclass(frozen=True)
class AnswerRecord:
    t: float
    message_id: str
    path: str
    intent: str | None


@dataclass
class TapDrain:
    """What happened since the previous drain (one sampler tick)."""

    messages: int = 0
    questions: int = 0
    answered_questions: int = 0
    replies: int = 0
    recommendations: int = 0
    latencies: list[float] = field(default_factory=list)
    question_records: list[QuestionRecord] = field(default_factory=list)
    answer_records: list[AnswerRecord] = field(default_factory=list)
    recommended: list[tuple[float, str]] = field(default_factory=list)
    paid: list[PaidRecord] = field(default_factory=list)
    records_dropped: int = 0
    chat_sample: list[str] = field(default_factory=list)
    """Up to ``CHAT_SAMPLE_PER_TICK`` message texts of this second, a uniform sample of all of them."""


class ChatTap:
    """Counts messages, questions (triage DIRECTED) and replies; keeps the last 10 minutes' questions
    for "top questions". ``product_of`` maps a text to the catalog product it names (the gateway's
    triage), used to read which products a recommendation reply showed."""

    def __init__(
        self,
        product_of: Callable[[str], str | None] = lambda text: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.product_of = product_of
        self._clock = clock
        self._tick = TapDrain()
        self._pending: OrderedDict[str, None] = OrderedDict()
        self._window: deque[tuple[float, str]] = deque()
        self._window_counts: Counter[str] = Counter()
        self._window_text: dict[str, str] = {}
        self.errors = 0
        self.records_dropped_total = 0
        self.messages_total = 0
        self.revenue = RevenueLedger()
        self._sample_rng = random.Random(19)

    # --- hot path (GatewayObserver) -------------------------------------------------------------------
    def on_message(self, event: ChatEvent, triage: TriageResult, lang: str, sentiment: float) -> None:
        try:
            tick = self._tick
            tick.messages += 1
            self.messages_total += 1
            sample = tick.chat_sample
            if len(sample) < CHAT_SAMPLE_PER_TICK:
                sample.append(event.text[:CHAT_SAMPLE_CHARS])
            else:  # reservoir sampling: each of the tick's messages is kept with the same probability
                slot = self._sample_rng.randrange(tick.messages)
                if slot < CHAT_SAMPLE_PER_TICK:
                    sample[slot] = event.text[:CHAT_SAMPLE_CHARS]
            if triage.priority is not Priority.DIRECTED:
                return
            tick.questions += 1
            now = self._clock()
            self._pending[event.message_id] = None
            if len(self._pending) > PENDING_QUESTIONS:
                self._pending.popitem(last=False)
            key = question_key(event.text)
            self._window.append((now, key))
            self._window_counts[key] += 1
            self._window_text.setdefault(key, event.text[:200])
            if len(tick.question_records) >= MAX_RECORDS_PER_TICK:
                tick.records_dropped += 1
                return
            tick.question_records.append(
                QuestionRecord(
                    now,
                    event.message_id,
                    event.text[:200],
                    key,
                    triage.product,
                    lang,
                    event.platform,
                    event.room,
                )
            )
        except Exception:  # never break ingest
            self.errors += 1
            log.exception("dashboard tap failed on a message")

    def on_reply(self, event: ChatEvent, text: str, path: str, intent: str | None, waited_s: float) -> None:
        try:
            tick = self._tick
            tick.replies += 1
            if len(tick.latencies) < MAX_LATENCIES_PER_TICK:
                tick.latencies.append(waited_s)
            now = self._clock()
            if self._pending.pop(event.message_id, 0) is None:  # first reply to a counted question
                tick.answered_questions += 1
                if len(tick.answer_records) < MAX_RECORDS_PER_TICK:
                    tick.answer_records.append(AnswerRecord(now, event.message_id, path, intent))
                else:
                    tick.records_dropped += 1
            if intent == RECOMMEND_INTENT:
                products = self.products_in(text)
                if products:
                    tick.recommendations += 1
                    tick.recommended.extend((now, p) for p in products)
        except Exception:
            self.errors += 1
            log.exception("dashboard tap failed on a reply")

    def on_event(self, event: ChatEvent) -> None:
        """The gateway's event handler: paid events go to the live ledger and the recorder's drain."""
        try:
            value = paid_value(event)
            if value is None:
                return
            record = PaidRecord.of(event, value, self._clock())
            self.revenue.add(record)
            if len(self._tick.paid) < MAX_RECORDS_PER_TICK:
                self._tick.paid.append(record)
            else:
                self._tick.records_dropped += 1
        except Exception:
            self.errors += 1
            log.exception("dashboard tap failed on a paid event")

    def products_in(self, text: str) -> list[str]:
        """Catalog products named in a reply ("Try these: A, B, C!"), each once, in order."""
        body = re.split(r"[:：]", text, maxsplit=1)[-1]
        found: dict[str, None] = {}
        for piece in _LIST_SPLIT.split(body):
            product = self.product_of(piece.strip()) if piece.strip() else None
            if product:
                found[product] = None
        return list(found)

    # --- sampler side ---------------------------------------------------------------------------------
    def drain(self) -> TapDrain:
        """Swap the tick buffer for an empty one (the event loop is single-threaded: no lock)."""
        tick, self._tick = self._tick, TapDrain()
        self.records_dropped_total += tick.records_dropped
        return tick

    def top_questions(self, n: int = 10) -> list[tuple[str, int]]:
        """The most asked questions of the last 10 minutes as (first wording seen, count)."""
        horizon = self._clock() - TOP_WINDOW_S
        while self._window and self._window[0][0] < horizon:
            _, key = self._window.popleft()
            self._window_counts[key] -= 1
            if self._window_counts[key] <= 0:
                del self._window_counts[key]
                self._window_text.pop(key, None)
        return [(self._window_text.get(k, k), c) for k, c in self._window_counts.most_common(n)]
