"""schemathesis over the served OpenAPI document: the real gateway (``bot.app.create_app``) on a real
FalkorDB seeded with the demo catalog, authenticated as an admin. Every documented operation gets at most
``MAX_EXAMPLES`` generated requests per mode (positive: valid for the document; negative: breaking it)
within a total time budget (``BUDGET_S``); no response may be a 5xx, and every status, content type and
body must conform to the document. Part of ``make test`` (about 1-2 minutes on 2 shared cores)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from bot.app import create_app
from bot.core.config import GatewayConfig
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import open_store
from tests.conftest import free_port, record_figure
from tests.knowledge_graph.conftest import start_falkordb

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

TOKEN = "schemathesis-admin-token-0123456789"
MAX_EXAMPLES = 25
BUDGET_S = 240.0
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_falkordb(Path(tmp_path_factory.mktemp("openapi-falkordb")))
    graph = server.graph_config("openapi-fuzz")
    port = free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runners: list[web.AppRunner] = []

    async def serve() -> None:
        store = open_store(graph)
        await seed_if_empty(store)
        await store.close()
        app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), ("simulator",), graph)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        started.set()

    mp = pytest.MonkeyPatch()
    mp.setenv("LIVEROOM_ADMIN_TOKENS", f"fuzz:{TOKEN}")
    thread = threading.Thread(
        target=lambda: (loop.run_until_complete(serve()), loop.run_forever()), daemon=True
    )
    thread.start()
    try:
        assert started.wait(120), "gateway did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        if runners:
            asyncio.run_coroutine_threadsafe(runners[0].cleanup(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        mp.undo()
        server.stop()


def _fuzz(
    operation: Any,
    label: str,
    examples: dict[str, int],
    url: str,
    session: requests.Session,
    headers: dict[str, str],
    mode: Any = None,
) -> Callable[[], None]:
    """One operation's hypothesis test in one generation mode (positive by default): at most MAX_EXAMPLES
    requests, failures reported unshrunk."""
    mode = mode or schemathesis.GenerationMode.POSITIVE

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        examples[label] += 1
        case.call_and_validate(base_url=url, session=session, headers=headers, checks=CHECKS, timeout=30)

    return run


def test_every_operation_survives_schemathesis(gateway_url: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    document = requests.get(f"{gateway_url}/api/v1/openapi.json", headers=headers, timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    session = requests.Session()
    started = time.monotonic()
    examples: dict[str, int] = {}
    failures: list[str] = []
    unsatisfiable: list[str] = []
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for operation in operations:
        for mode in modes:  # valid requests, then requests that break the document (must be 4xx, not 5xx)
            if time.monotonic() - started > BUDGET_S:
                break
            label = f"{operation.label} [{mode.value}]"
            examples[label] = 0
            run = _fuzz(operation, label, examples, gateway_url, session, headers, mode)
            try:
                run()
            except Unsatisfiable:  # negative mode with nothing to break (no parameters, no body)
                unsatisfiable.append(label)
            except Exception as err:  # one report per operation and mode; the others still run
                failures.append(f"{label}: {type(err).__name__}: {str(err)[:2000]}")
    elapsed = time.monotonic() - started
    record_figure(
        f"schemathesis: {len(examples) // 2}/{len(operations)} operations x 2 modes, "
        f"{sum(examples.values())} requests ({len(unsatisfiable)} runs with nothing to negate), "
        f"{len(failures)} failing, {elapsed:.0f} s"
    )
    assert len(examples) == 2 * len(operations), f"time budget hit after {len(examples)} operation runs"
    assert not failures, "\n\n".join(failures)
