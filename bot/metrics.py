"""Prometheus metrics of the gateway, in one registry per app (so tests can run several apps).

Every Prometheus family of the gateway is defined here (the other modules get theirs from
``GatewayMetrics``). Names are the public contract for dashboards (ops/grafana/liveroom-gateway.json uses
exactly these): change them only together with that file; tests/ops/test_grafana.py checks the two agree.

Accounting: every event received (``liveroom_events_in_total``) ends in exactly one outcome of
``liveroom_event_outcomes_total`` — answered, silent (the bot chose not to reply; then also
``liveroom_events_silent_total`` with the reason: the reply policy's, a quota, ...), moderated, or dropped
(then also ``liveroom_events_dropped_total`` with the reason). Deferred questions are waiting, not
finished: ``liveroom_deferred_questions`` counts them until they are answered or dropped.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import accumulate

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample
from prometheus_client.utils import floatToGoString

from connectors.base import Connector

disable_created_metrics()  # *_created series only double the series count; dashboards never use them

CONNECTOR_METRICS = {
    "liveroom_connector_frames_total": (
        "Received frames by outcome (delivered/handled/dropped)",
        ("platform", "outcome", "reason"),
    ),
    "liveroom_connector_state": (
        "Connection state per room: 0 disconnected .. 2 connected, 3 reconnecting, 4 dead, 5 ended,"
        " 6 quota_exceeded, 7 auth_failed, 8 chat_disabled, 9 not_found",
        ("platform", "room", "state"),
    ),
    "liveroom_connector_reconnects_total": ("Reconnects per room", ("platform", "room")),
    "liveroom_connector_sends_total": ("Platform sends by outcome", ("platform", "outcome", "reason")),
    "liveroom_connector_send_wait_seconds_total": (
        "Time sends waited out a platform's 'too many' pause (429; budget waits: liveroom_pacer_total)",
        ("platform",),
    ),
    "liveroom_connector_quota_units": (
        "Platform API quota today (YouTube Data API units): used, remaining, limit",
        ("platform", "kind"),
    ),
}


class ConnectorCollector(Collector):
    """Exports each connector's own accounting (connectors never import Prometheus) at scrape time."""

    def __init__(self, connectors: Callable[[], Iterable[Connector]]) -> None:
        self._connectors = connectors

    def collect(self):  # type: ignore[no-untyped-def]
        families = {}
        for name, (doc, labels) in CONNECTOR_METRICS.items():
            if name.endswith("_total"):
                families[name] = CounterMetricFamily(name.removesuffix("_total"), doc, labels=list(labels))
            else:
                families[name] = GaugeMetricFamily(name, doc, labels=list(labels))
        for connector in self._connectors():
            for name, labels, value in connector.stats.snapshot().samples():
                family = families.get(name)
                if family is not None:
                    family.add_metric([labels.get(k, "") for k in CONNECTOR_METRICS[name][1]], value)
        yield from families.values()


#: the counters :class:`MessageTallies` keeps: name -> (help, labels)
MESSAGE_COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "liveroom_events_in_total": ("Events received from connectors", ("platform", "kind")),
    "liveroom_event_outcomes_total": ("Final outcome of every received event", ("platform", "outcome")),
    "liveroom_events_dropped_total": ("Events not answered, by reason", ("platform", "reason")),
    "liveroom_events_silent_total": (
        "Events the bot chose not to answer, by reason (reply policy, quotas, commands)",
        ("platform", "reason"),
    ),
    "liveroom_triage_total": ("Chat messages by triage class", ("platform", "priority")),
}


class MessageTallies(Collector):
    """The counters bumped for every chat message, kept as plain counts and exported at scrape time.

    A Prometheus child's ``inc()`` takes a lock and checks its value (~0.5 µs), and ``labels()`` validates
    and looks the child up (~1 µs); five of them per message were a tenth of the ingest path. Here a count
    is one dict update, like the connectors' own accounting (``ConnectorCollector``). Families, names,
    labels and help texts are the same as those of a ``Counter``/``Histogram``
    (tests/bot/test_message_tallies.py compares the exposition with the library's own families).
    """

    SENTIMENT = "liveroom_message_sentiment"
    SENTIMENT_DOC = "Per-message sentiment"
    SENTIMENT_BUCKETS = (-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75, 1.0)

    def __init__(self) -> None:
        self.events_in: dict[tuple[str, str], int] = defaultdict(int)
        self.outcomes: dict[tuple[str, str], int] = defaultdict(int)
        self.dropped: dict[tuple[str, str], int] = defaultdict(int)
        self.silent: dict[tuple[str, str], int] = defaultdict(int)
        self.triage: dict[tuple[str, str], int] = defaultdict(int)
        #: per platform: the count in each bucket (not cumulative; the last is +Inf)
        self.sentiment: dict[str, list[int]] = {}

    def observe_sentiment(self, platform: str, value: float) -> None:
        counts = self.sentiment.get(platform)
        if counts is None:
            counts = self.sentiment[platform] = [0] * (len(self.SENTIMENT_BUCKETS) + 1)
        counts[bisect_left(self.SENTIMENT_BUCKETS, value)] += 1

    def collect(self):  # type: ignore[no-untyped-def]
        tallies = {
            "liveroom_events_in_total": self.events_in,
            "liveroom_event_outcomes_total": self.outcomes,
            "liveroom_events_dropped_total": self.dropped,
            "liveroom_events_silent_total": self.silent,
            "liveroom_triage_total": self.triage,
        }
        for name, (doc, labels) in MESSAGE_COUNTERS.items():
            counts = tallies[name]
            family = CounterMetricFamily(name.removesuffix("_total"), doc, labels=list(labels))
            for values, count in list(counts.items()):
                family.add_metric(list(values), count)
            yield family
        histogram = HistogramMetricFamily(self.SENTIMENT, self.SENTIMENT_DOC, labels=["platform"])
        bounds = [*map(floatToGoString, self.SENTIMENT_BUCKETS), "+Inf"]
        for platform, counts in list(self.sentiment.items()):
            cumulative = list(accumulate(counts))
            histogram.add_metric([platform], list(zip(bounds, cumulative, strict=True)), None)
            # with a negative bucket bound a Histogram prints the count but no sum (a sum of signed values
            # says nothing to a rate()); the family would print neither
            histogram.samples.append(
                Sample(f"{self.SENTIMENT}_count", {"platform": platform}, cumulative[-1])
            )
        yield histogram


LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

OUTCOMES = ("answered", "silent", "moderated", "dropped")


class GatewayMetrics:
    def __init__(self, connectors: Callable[[], Iterable[Connector]] | None = None) -> None:
        r = self.registry = CollectorRegistry()
        if connectors is not None:
            r.register(ConnectorCollector(connectors))
        self.tallies = MessageTallies()
        r.register(self.tallies)
        self.thanks = Counter(
            "liveroom_thanks_total",
            "Paid events seen by the thank-you merger, by outcome (collected, merged, posted...)",
            ["platform", "outcome"],
            registry=r,
        )
        self.messages_out = Counter(
            "liveroom_messages_out_total", "Messages the bot posted", ["platform", "kind"], registry=r
        )
        self.answered = Counter(
            "liveroom_answers_total", "Events answered, by answer path", ["platform", "path"], registry=r
        )
        self.qa_answers = Counter(
            "liveroom_qa_answers_total",
            "Questions the QA lane answered from the graph, by answer strategy (knowledge_graph/answers)",
            ["platform", "strategy"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "liveroom_ingress_queue_depth",
            "Events waiting for an answer per room",
            ["platform", "room"],
            registry=r,
        )
        self.deferred = Gauge(
            "liveroom_deferred_questions",
            "Bot-directed questions waiting for Rasa to come back",
            ["platform"],
            registry=r,
        )
        self.deferred_total = Counter(
            "liveroom_deferred_total",
            "Questions deferred (upstream down or queue full)",
            ["platform"],
            registry=r,
        )
        self.reply_latency = Histogram(
            "liveroom_reply_latency_seconds",
            "Event received -> reply handed to the pacer",
            ["platform", "path"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.rasa_latency = Histogram(
            "liveroom_rasa_latency_seconds",
            "Rasa round trip including custom actions",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.action_latency = Histogram(
            "liveroom_action_latency_seconds",
            "Custom action time per Rasa turn (action server round trip)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.intents = Counter(
            "liveroom_intents_total", "Intents Rasa recognised", ["platform", "intent"], registry=r
        )
        self.fallbacks = Counter(
            "liveroom_fallbacks_total", "Low-confidence messages (nlu_fallback)", ["platform"], registry=r
        )
        self.moderation = Counter(
            "liveroom_moderation_actions_total",
            "Moderation decisions",
            ["platform", "rule", "action", "mode"],
            registry=r,
        )
        self.moderation_calls = Counter(
            "liveroom_moderation_calls_total",
            "Live delete/timeout calls to the platform by outcome (executed, declined, error, unsupported)",
            ["platform", "action", "outcome"],
            registry=r,
        )
        self.mood = Gauge(
            "liveroom_room_mood",
            "1 for the room's current mood label",
            ["platform", "room", "mood"],
            registry=r,
        )
        self.sentiment = Gauge(
            "liveroom_room_sentiment",
            "Mean chat sentiment over the mood window [-1, 1]",
            ["platform", "room"],
            registry=r,
        )
        self.active_viewers = Gauge(
            "liveroom_active_viewers",
            "Distinct chatters in the last 5 minutes",
            ["platform", "room"],
            registry=r,
        )
        self.hot_products = Gauge(
            "liveroom_hot_product_mentions",
            "Mentions of the room's top products in the last 5 minutes",
            ["platform", "room", "product"],
            registry=r,
        )
        self.budget_waits = Counter(
            "liveroom_send_budget_waits_total",
            "Times a reply waited for the platform send budget",
            ["platform"],
            registry=r,
        )
        self.budget_remaining = Gauge(
            "liveroom_send_budget_remaining",
            "Messages the bot may still send in the current window",
            ["platform"],
            registry=r,
        )
        self.replies_pending = Gauge(
            "liveroom_replies_pending", "Replies waiting in the pacer", ["platform"], registry=r
        )
        self.pacer = Counter(
            "liveroom_pacer_total",
            "Pacer outcomes (sent, merged, stale, varied)",
            ["platform", "outcome"],
            registry=r,
        )
        self.upstream_up = Gauge(
            "liveroom_upstream_up", "1 when the upstream answers its health check", ["upstream"], registry=r
        )
        self.rasa_failovers = Counter(
            "liveroom_rasa_failovers_total",
            "Turns that moved to another Rasa replica because their own (the label) was down",
            ["replica"],
            registry=r,
        )
        # Camera sidecar and room mood (bot/mood.py)
        self.vision_reports = Counter(
            "liveroom_vision_reports_total",
            "Camera sidecar reports: accepted, or the reason they were dropped",
            ["outcome"],
            registry=r,
        )
        self.vision_faces = Gauge(
            "liveroom_vision_faces",
            "Faces the camera sidecar sees per room",
            ["platform", "room"],
            registry=r,
        )
        self.mood_changes = Counter(
            "liveroom_room_mood_changes_total",
            "Sustained room mood changes (vision + chat, after the minimum duration)",
            ["platform", "mood"],
            registry=r,
        )
        self.external_intents = Counter(
            "liveroom_external_intents_total",
            "External intents triggered in Rasa on a room mood change, by outcome (posted, silent, failed)",
            ["platform", "intent", "outcome"],
            registry=r,
        )
        self.mood_slot_updates = Counter(
            "liveroom_mood_slot_updates_total",
            "audience_mood slot pushes to active conversations on a sustained room mood change",
            ["platform", "outcome"],
            registry=r,
        )
        # Sentence-encoder warm-up at start (bot/adapters/encoder_warmup.py): set by encoders_loaded()
        self.encoders_ready = Gauge(
            "liveroom_encoders_ready",
            "1 once the sentence encoders are loaded (warm-up done)",
            registry=r,
        )
        self.encoder_warmup_seconds = Gauge(
            "liveroom_encoder_warmup_seconds",
            "How long loading the sentence encoders took at gateway start",
            registry=r,
        )
        # Web dashboard and session recorder (bot/web)
        self.dashboard_frames_dropped = Counter(
            "liveroom_dashboard_frames_dropped_total",
            "Dashboard frames dropped for slow browsers (oldest dropped first)",
            registry=r,
        )
        self.recorder_ticks_dropped = Counter(
            "liveroom_recorder_ticks_dropped_total",
            "Dashboard seconds the session recorder dropped because the disk was behind",
            registry=r,
        )

        self.logins_throttled = Counter(
            "liveroom_web_logins_throttled_total",
            "Web logins refused with 429 before any password check: too many failures of that user "
            "name or from that client address (reason)",
            ["reason"],
            registry=r,
        )

    def outcome(self, platform: str, outcome: str, reason: str | None = None) -> None:
        """Record an event's final outcome (and the drop reason)."""
        tallies = self.tallies
        tallies.outcomes[platform, outcome] += 1
        if outcome == "dropped":
            tallies.dropped[platform, reason or "unknown"] += 1
        elif outcome == "silent":
            tallies.silent[platform, reason or "unspecified"] += 1

    # --- the pipeline's metrics sink (bot.core.ports.MetricsSink): the core never sees a family -------
    def event_in(self, platform: str, kind: str) -> None:
        self.tallies.events_in[platform, kind] += 1

    def message_scored(self, platform: str, sentiment: float) -> None:
        self.tallies.observe_sentiment(platform, sentiment)

    def triaged(self, platform: str, priority: str) -> None:
        self.tallies.triage[platform, priority] += 1

    def queue_depth_is(self, platform: str, room: str, depth: int) -> None:
        self.queue_depth.labels(platform, room).set(depth)

    def deferred_change(self, platform: str, delta: int) -> None:
        """A question deferred (+1: also counted in ``deferred_total``) or taken out again (-1)."""
        self.deferred.labels(platform).inc(delta)
        if delta > 0:
            self.deferred_total.labels(platform).inc(delta)

    def qa_answered(self, platform: str, strategy: str) -> None:
        self.qa_answers.labels(platform, strategy).inc()

    def rasa_turn(self, seconds: float) -> None:
        self.rasa_latency.observe(seconds)

    def parsed(self, platform: str, intent: str, action_ms: float | None) -> None:
        self.intents.labels(platform, intent).inc()
        if action_ms:
            self.action_latency.observe(action_ms / 1000)
        if intent == "nlu_fallback":
            self.fallbacks.labels(platform).inc()

    def replied(self, platform: str, path: str, waited_s: float) -> None:
        self.answered.labels(platform, path).inc()
        self.reply_latency.labels(platform, path).observe(waited_s)

    def upstream_is(self, name: str, up: bool) -> None:
        self.upstream_up.labels(name).set(1 if up else 0)

    def vision_report(self, outcome: str) -> None:
        """A camera sidecar report: accepted, or the reason it was refused."""
        self.vision_reports.labels(outcome).inc()

    def vision_faces_are(self, platform: str, room: str, faces: int) -> None:
        self.vision_faces.labels(platform, room).set(faces)

    def moderation_decided(self, platform: str, rule: str, action: str, mode: str) -> None:
        self.moderation.labels(platform, rule, action, mode).inc()

    def moderation_call(self, platform: str, action: str, outcome: str) -> None:
        self.moderation_calls.labels(platform, action, outcome).inc()

    def pacer_event(self, platform: str, outcome: str, count: int) -> None:
        self.pacer.labels(platform, outcome).inc(count)
        if outcome == "sent":
            self.messages_out.labels(platform, "reply").inc(count)
        elif outcome == "budget_wait":
            self.budget_waits.labels(platform).inc(count)

    def watch_pending(self, platform: str, pending: Callable[[], int]) -> None:
        self.replies_pending.labels(platform).set_function(pending)

    def budget_left(self, platform: str, remaining: int) -> None:
        self.budget_remaining.labels(platform).set(remaining)

    def room_gauges(
        self,
        platform: str,
        room: str,
        mood: str,
        moods: Iterable[str],
        sentiment: float,
        active_viewers: int,
        hot_products: Iterable[tuple[str, int]],
    ) -> None:
        for name in moods:
            self.mood.labels(platform, room, name).set(1 if name == mood else 0)
        self.sentiment.labels(platform, room).set(sentiment)
        self.active_viewers.labels(platform, room).set(active_viewers)
        for name, count in hot_products:
            self.hot_products.labels(platform, room, name).set(count)

    def clear_hot_products(self) -> None:
        self.hot_products.clear()

    def encoders_loaded(self, seconds: float) -> None:
        """The sentence encoders finished loading after ``seconds``."""
        self.encoders_ready.set(1)
        self.encoder_warmup_seconds.set(seconds)

    def forget_room(self, platform: str, room: str, moods: Iterable[str]) -> None:
        """Remove a closed room's labelled series (bot/core/rooms.py): ``/metrics`` must not keep a series for
        every room ever seen. ``liveroom_hot_product_mentions`` is rebuilt every tick and needs nothing."""
        series: list[tuple[Gauge, tuple[str, ...]]] = [
            (self.queue_depth, (platform, room)),
            (self.sentiment, (platform, room)),
            (self.active_viewers, (platform, room)),
            (self.vision_faces, (platform, room)),
        ]
        series += [(self.mood, (platform, room, mood)) for mood in moods]
        for gauge, labels in series:
            with contextlib.suppress(KeyError):  # never exported (e.g. no camera for this room)
                gauge.remove(*labels)

    def render(self) -> bytes:
        return generate_latest(self.registry)
