"""What the pipeline needs from outside, as typing.Protocols, and the value types that cross them.

The composition root (bot/app.py, through bot/assembly.py) hands the Gateway one implementation of each:
bot/adapters/ (Rasa, upstream health, graph answers, the QA lane), bot/outbound/ (pacing) and
bot/metrics.py (the metrics sink). Nothing here imports a web framework, a metrics library or a graph
driver. ``SendLimit`` is the connectors' own (connectors.base): each connector declares its platform's
limit and the pacer enforces it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.base import SendLimit

_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&#\s'\"]+")


# --- Rasa ----------------------------------------------------------------------------------------------
class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or 5xx); the gateway decides how to degrade.

    Rasa's HTTP API takes its token as ``?token=``, and aiohttp's errors quote the URL they failed on;
    the message is redacted here, once, so the token never reaches a log line or the dashboard."""

    def __init__(self, message: str = "") -> None:
        super().__init__(_TOKEN_IN_URL.sub(r"\1<redacted>", message))


@dataclass(frozen=True)
class BotReply:
    text: str


@dataclass(frozen=True)
class Parse:
    intent: str | None = None
    confidence: float = 0.0
    lang: str | None = None
    sentiment: float | None = None
    entities: tuple[dict[str, Any], ...] = ()
    action_ms: float | None = None  # time in custom actions this turn (as Rasa saw it)
    #: why the channel's reply policy (nlu/text/reply_policy.py) kept the bot silent; None when it let the
    #: turn run or did not run
    silenced: str | None = None


@dataclass(frozen=True)
class RasaResult:
    replies: list[BotReply]
    parse: Parse | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RasaPort(Protocol):
    """A Rasa conversation per viewer (bot/adapters/rasa.py)."""

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> RasaResult: ...

    async def set_slots(self, conversation_id: str, slots: dict[str, Any]) -> bool: ...

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: dict[str, Any]
    ) -> RasaResult: ...


# --- upstream health -----------------------------------------------------------------------------------
class UpstreamState(Protocol):
    up: bool


class Health(Protocol):
    """Whether Rasa and the action server answer (bot/adapters/health.py)."""

    @property
    def upstreams(self) -> Mapping[str, UpstreamState]: ...

    @property
    def all_up(self) -> bool: ...

    async def mark_down(self, name: str, reason: str) -> None: ...

    async def probe_now(self, name: str, reason: str) -> bool: ...


# --- shards ------------------------------------------------------------------------------------------
class ShardFilter(Protocol):
    """Which rooms this gateway shard answers (bot/outbound/shards.py ``ShardConfig``)."""

    def owns(self, platform: str, room: str) -> bool: ...


# --- graph answers -------------------------------------------------------------------------------------
FaqAnswer = Callable[[str, str], Awaitable[str | None]]
"""(question, lang) -> a confident FAQ answer or None; raises one of the Gateway's ``source_errors``
(the graph's errors) when the graph is down. It may carry ``record_hand_off(platform, room, viewer_id,
text, lang)``, recording a question for the moderators."""


@dataclass(frozen=True)
class Viewer:
    """Who asked: what the QA lane records interactions and open questions against."""

    platform: str
    room: str
    viewer_id: str


class QAAnswer(Protocol):
    text: str
    product: str | None
    silent: bool
    strategy: str


class QALanePort(Protocol):
    """Shop questions answered from the graph beside the Rasa queue (bot/adapters/qa_lane.py)."""

    async def answer(
        self,
        text: str,
        lang: str,
        *,
        asker: Viewer,
        conversation_id: str,
        context: str | None = None,
        upset: bool = False,
    ) -> QAAnswer | None: ...

    async def settle(self, conversation_id: str) -> None: ...


@dataclass(frozen=True)
class ReplyWords:
    """Catalog reply wording the gateway shares with the actions: (lang) -> text."""

    handoff: Callable[[str], str]
    unknown: Callable[[str], str]


# --- outbound ------------------------------------------------------------------------------------------
@dataclass
class PendingReply:
    room: str
    text: str
    mention: str | None
    reply_to: str | None
    lang: str = "en"
    created: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class SendView:
    """One platform's send budget and backlog, as the dashboard shows it."""

    platform: str
    limit: SendLimit
    remaining: int
    pending: int


class Outbound(Protocol):
    """Replies to the platforms, paced within their send limits (bot/outbound/pacers.py)."""

    def submit(self, platform: str, reply: PendingReply) -> None: ...

    def pending(self, platform: str) -> int: ...

    def pending_total(self) -> int: ...

    def max_chars(self, platform: str) -> int: ...

    def views(self) -> list[SendView]: ...

    def refresh_gauges(self) -> None: ...

    async def stop(self) -> None: ...


# --- metrics -------------------------------------------------------------------------------------------
class MetricsSink(Protocol):
    """Every number the pipeline reports (bot/metrics.py ``GatewayMetrics`` implements it)."""

    def event_in(self, platform: str, kind: str) -> None: ...

    def outcome(self, platform: str, outcome: str, reason: str | None = None) -> None: ...

    def message_scored(self, platform: str, sentiment: float) -> None: ...

    def triaged(self, platform: str, priority: str) -> None: ...

    def queue_depth_is(self, platform: str, room: str, depth: int) -> None: ...

    def deferred_change(self, platform: str, delta: int) -> None: ...

    def qa_answered(self, platform: str, strategy: str) -> None: ...

    def rasa_turn(self, seconds: float) -> None: ...

    def parsed(self, platform: str, intent: str, action_ms: float | None) -> None: ...

    def replied(self, platform: str, path: str, waited_s: float) -> None: ...

    def upstream_is(self, name: str, up: bool) -> None: ...

    def moderation_decided(self, platform: str, rule: str, action: str, mode: str) -> None: ...

    def moderation_call(self, platform: str, action: str, outcome: str) -> None: ...

    def pacer_event(self, platform: str, outcome: str, count: int) -> None: ...

    def watch_pending(self, platform: str, pending: Callable[[], int]) -> None: ...

    def budget_left(self, platform: str, remaining: int) -> None: ...

    def room_gauges(
        self,
        platform: str,
        room: str,
        mood: str,
        moods: Iterable[str],
        sentiment: float,
        active_viewers: int,
        hot_products: Iterable[tuple[str, int]],
    ) -> None: ...

    def clear_hot_products(self) -> None: ...

    def forget_room(self, platform: str, room: str, moods: Iterable[str]) -> None: ...

    def vision_report(self, outcome: str) -> None: ...

    def vision_faces_are(self, platform: str, room: str, faces: int) -> None: ...
