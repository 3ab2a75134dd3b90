"""The Grafana dashboard and the gateway's metrics use exactly the same names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import GatewayMetrics
from connectors.simulator.connector import SimulatorConnector

DASHBOARD = Path(__file__).resolve().parents[2] / "bot" / "grafana" / "liveroom-gateway.json"
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "_created")


def gateway_metrics() -> GatewayMetrics:
    """The metrics of a gateway with a connector, so the connectors' own series are exported too."""
    connector = SimulatorConnector()
    return GatewayMetrics(lambda: [connector])


def exported_names() -> set[str]:
    metrics = gateway_metrics()
    names = set()
    for family in text_string_to_metric_families(metrics.render().decode()):
        names.add(family.name)
        names.update({family.name + suffix for suffix in SUFFIXES})
    return names


def dashboard_names() -> set[str]:
    exprs = [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]
    return {name for expr in exprs for name in re.findall(r"\bliveroom_[a-z_]+", expr)}


def test_every_dashboard_series_exists() -> None:
    missing = dashboard_names() - exported_names()
    assert not missing, f"dashboard uses metrics the gateway does not export: {sorted(missing)}"


def test_every_gateway_metric_is_on_the_dashboard() -> None:
    families = {f.name for f in text_string_to_metric_families(gateway_metrics().render().decode())}
    used = {name.removesuffix(s) for name in dashboard_names() for s in (*SUFFIXES, "")}
    assert families <= used, f"not charted: {sorted(families - used)}"
