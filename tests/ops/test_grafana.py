"""The Grafana dashboard and the gateway's metrics use exactly the same names.

"The gateway's metrics" are everything its ``/metrics`` serves: :class:`GatewayMetrics`, the connectors'
own series, and what other parts register in the app's registry (the web dashboard, the session
recorder, room moods, the encoder warm-up), some of them only once the app has started. So the whole
app is created and started in-process (simulator connector, no Rasa needed) and its registry read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import METRICS

DASHBOARD = Path(__file__).resolve().parents[2] / "ops" / "grafana" / "liveroom-gateway.json"
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "_created")
#: registered by the app's parts, not by GatewayMetrics: the check must see them (it once did not)
REGISTERED_ELSEWHERE = {
    "liveroom_dashboard_frames_dropped",
    "liveroom_recorder_ticks_dropped",
    "liveroom_mood_slot_updates",
    "liveroom_encoders_ready",
}


@pytest.fixture(scope="module")
async def families(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Metric family names the started gateway app exports."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LIVEROOM_VAR", str(tmp_path_factory.mktemp("var")))
        env.setenv("LIVEROOM_WARM_ENCODERS", "0")  # only the names matter here, not the encoders
        app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",))
        async with TestClient(TestServer(app)):
            text = app[METRICS].render().decode()
    return {family.name for family in text_string_to_metric_families(text)}


def dashboard_names() -> set[str]:
    exprs = [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]
    return {name for expr in exprs for name in re.findall(r"\bliveroom_[a-z_]+", expr)}


def test_the_check_sees_metrics_registered_outside_gateway_metrics(families: set[str]) -> None:
    assert REGISTERED_ELSEWHERE <= families, sorted(REGISTERED_ELSEWHERE - families)


def test_every_dashboard_series_exists(families: set[str]) -> None:
    exported = {name + suffix for name in families for suffix in ("", *SUFFIXES)}
    missing = dashboard_names() - exported
    assert not missing, f"dashboard uses metrics the gateway does not export: {sorted(missing)}"


def test_every_gateway_metric_is_on_the_dashboard(families: set[str]) -> None:
    used = {name.removesuffix(s) for name in dashboard_names() for s in (*SUFFIXES, "")}
    assert families <= used, f"not charted: {sorted(families - used)}"


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells = [
        (p["gridPos"]["x"] + dx, p["gridPos"]["y"] + dy)
        for p in panels
        for dx in range(p["gridPos"]["w"])
        for dy in range(p["gridPos"]["h"])
    ]
    assert len(cells) == len(set(cells)), "two panels share grid cells"
