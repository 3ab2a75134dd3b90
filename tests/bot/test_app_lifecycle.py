"""bot/app.py's cleanup contexts: a start that fails part-way leaves nothing running.

The second of two connectors raises in ``start()`` after starting a task of its own. The app's startup
fails with that error; the app's cleanup then stops the first connector, the gateway's workers, the
upstream monitor, the catalog-name refresher and every other context already entered, and the failed
connector's own context stops it too: no task of the app is left running.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import bot.app
from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import CONNECTORS, GATEWAY, UPSTREAMS
from connectors.base import Connector, EventSink, OutboundMessage
from knowledge_graph.config import GraphConfig
from tests.conftest import free_port


class FakeConnector(Connector):
    """Runs one task between start and stop; ``fail`` makes start raise once that task runs."""

    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.task: asyncio.Task[None] | None = None
        self.stopped = False

    async def start(self, sink: EventSink) -> None:
        self.task = asyncio.create_task(asyncio.sleep(3600), name=f"fake-{self.name}")
        if self.fail:
            raise RuntimeError(f"{self.name}: the platform refused the connection")

    async def send(self, message: OutboundMessage) -> None:
        return None

    async def stop(self) -> None:
        self.stopped = True
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


async def test_a_connector_whose_start_raises_leaves_nothing_running(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "0")
    fakes = {"first": FakeConnector("first"), "broken": FakeConnector("broken", fail=True)}
    monkeypatch.setattr(bot.app, "load_connector", lambda name, **_: fakes[name])
    before = asyncio.all_tasks()
    app = create_app(
        GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"),
        ("first", "broken"),
        graph_config=GraphConfig.from_env({"FALKORDB_PORT": str(free_port())}),
    )
    assert list(app[CONNECTORS]) == ["first", "broken"]
    runner = web.AppRunner(app)
    with pytest.raises(RuntimeError, match="refused the connection"):
        await runner.setup()
    gateway, monitor = app[GATEWAY], app[UPSTREAMS]
    assert fakes["broken"].stopped  # its own context stopped it before the error went on
    assert not fakes["first"].stopped  # still running until the app's cleanup
    await runner.cleanup()
    assert fakes["first"].stopped and fakes["broken"].stopped
    assert all(fake.task is not None and fake.task.done() for fake in fakes.values())
    assert monitor._task is not None and monitor._task.done()
    assert not gateway._tasks
    left = [t for t in asyncio.all_tasks() - before if t is not asyncio.current_task() and not t.done()]
    assert not left, [t.get_name() for t in left]
