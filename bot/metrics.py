"""Prometheus metrics of the gateway, in one registry per app (so tests can run several apps).

Names are the public contract for dashboards: change them only together with the Grafana JSON.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_in = Counter(
            "liveroom_events_in_total",
            "Events received from connectors",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "liveroom_messages_out_total", "Messages the bot sent", ["platform"], registry=self.registry
        )
        self.dropped = Counter(
            "liveroom_events_dropped_total",
            "Events not answered, by reason",
            ["platform", "reason"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "liveroom_ingress_queue_depth",
            "Events waiting per room",
            ["platform", "room"],
            registry=self.registry,
        )
        self.reply_latency = Histogram(
            "liveroom_reply_latency_seconds",
            "Event received -> replies handed to the connector",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rasa_latency = Histogram(
            "liveroom_rasa_latency_seconds",
            "Rasa REST round trip",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
