"""Read back the Prometheus text the gateway serves (``/metrics``).

Benchmarks, fault tests and end-to-end tests all judge the gateway by its own accounting (events in,
outcomes, deferred questions, answer paths), so they share one reader instead of each parsing the
exposition format its own way.
"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Labels = tuple[tuple[str, str], ...]
Samples = dict[tuple[str, Labels], float]
"""Every sample of one scrape, keyed by (sample name, sorted label pairs)."""


def parse_samples(text: str) -> Samples:
    values: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def total(values: Samples, name: str, **labels: str) -> float:
    """Sum of ``name`` over every series whose labels include ``labels``."""
    return sum(
        v for (n, lbl), v in values.items() if n == name and all((k, w) in lbl for k, w in labels.items())
    )


def by_label(after: Samples, before: Samples, name: str, label: str) -> dict[str, float]:
    """Growth of ``name`` between two scrapes, per value of ``label`` (values that did not move left out)."""
    out: dict[str, float] = {}
    for (n, lbl), v in after.items():
        if n == name:
            key = dict(lbl).get(label, "")
            out[key] = out.get(key, 0.0) + v - before.get((n, lbl), 0.0)
    return {k: v for k, v in sorted(out.items()) if v}
