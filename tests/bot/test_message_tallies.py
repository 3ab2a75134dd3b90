"""The per-message counters are plain tallies exported at scrape time (bot/metrics.py ``MessageTallies``):
their exposition must be exactly what Prometheus' own Counter and Histogram families would print."""

from __future__ import annotations

import random

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from bot.metrics import MESSAGE_COUNTERS, GatewayMetrics, MessageTallies


def _reference_registry(calls: list[tuple[str, tuple]]) -> CollectorRegistry:
    """The same calls on the library's own families, as bot/metrics.py declared them before."""
    r = CollectorRegistry()
    counters = {
        name: Counter(name, doc, list(labels), registry=r) for name, (doc, labels) in MESSAGE_COUNTERS.items()
    }
    sentiment = Histogram(
        MessageTallies.SENTIMENT,
        MessageTallies.SENTIMENT_DOC,
        ["platform"],
        buckets=MessageTallies.SENTIMENT_BUCKETS,
        registry=r,
    )
    for call, args in calls:
        if call == "event_in":
            counters["liveroom_events_in_total"].labels(*args).inc()
        elif call == "triaged":
            counters["liveroom_triage_total"].labels(*args).inc()
        elif call == "message_scored":
            sentiment.labels(args[0]).observe(args[1])
        else:
            platform, outcome, reason = args
            counters["liveroom_event_outcomes_total"].labels(platform, outcome).inc()
            if outcome == "dropped":
                counters["liveroom_events_dropped_total"].labels(platform, reason or "unknown").inc()
            elif outcome == "silent":
                counters["liveroom_events_silent_total"].labels(platform, reason or "unspecified").inc()
    return r


def _lines(registry: CollectorRegistry) -> set[str]:
    """The exposition lines (samples, HELP and TYPE) of the per-message families."""
    names = (*(n.removesuffix("_total") for n in MESSAGE_COUNTERS), MessageTallies.SENTIMENT)
    text = generate_latest(registry).decode()
    return {
        line
        for line in text.splitlines()
        if line.removeprefix("# HELP ").removeprefix("# TYPE ").startswith(names)
    }


def test_tallies_print_what_prometheus_families_print() -> None:
    rng = random.Random(7)
    metrics = GatewayMetrics()
    calls: list[tuple[str, tuple]] = []
    edges = [*MessageTallies.SENTIMENT_BUCKETS, -1.0, 0.0, 1.5, -0.0501, 0.05]
    for _ in range(3000):
        platform = rng.choice(["twitch", "bilibili", "simulator"])
        kind = rng.randrange(4)
        if kind == 0:
            args: tuple = (platform, rng.choice(["chat", "gift", "super_chat"]))
            metrics.event_in(*args)
        elif kind == 1:
            args = (platform, rng.choice(["chatter", "directed", "command"]))
            metrics.triaged(*args)
        elif kind == 2:
            args = (platform, rng.choice(edges) if rng.random() < 0.3 else round(rng.uniform(-1, 1), 3))
            metrics.message_scored(*args)
        else:
            args = (
                platform,
                rng.choice(["answered", "silent", "moderated", "dropped"]),
                rng.choice([None, "chatter_shed", "duplicate", "no_reply"]),
            )
            metrics.outcome(*args)
        calls.append((["event_in", "triaged", "message_scored", "outcome"][kind], args))
    ours = _lines(metrics.registry)
    reference = _lines(_reference_registry(calls))
    assert ours == reference
    assert any("liveroom_message_sentiment_bucket" in line for line in ours)
    assert any(line.startswith("liveroom_events_dropped_total{") for line in ours)


def test_a_value_on_a_bucket_bound_counts_in_that_bucket() -> None:
    metrics = GatewayMetrics()
    metrics.message_scored("simulator", -0.05)
    metrics.message_scored("simulator", 1.0)
    metrics.message_scored("simulator", 2.0)
    text = generate_latest(metrics.registry).decode()
    assert 'liveroom_message_sentiment_bucket{le="-0.05",platform="simulator"} 1.0' in text
    assert 'liveroom_message_sentiment_bucket{le="1.0",platform="simulator"} 2.0' in text
    assert 'liveroom_message_sentiment_bucket{le="+Inf",platform="simulator"} 3.0' in text
    assert 'liveroom_message_sentiment_count{platform="simulator"} 3.0' in text
    assert "liveroom_message_sentiment_sum" not in text  # as a Histogram with negative bounds prints
