"""Fixtures: the fake platform servers on free loopback ports, and connectors pointed at them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import pytest
from aiohttp.test_utils import TestServer

from connectors.base import ChatEvent
from tests.connectors.fakes.bilibili import FakeBilibili
from tests.connectors.fakes.twitch import FakeTwitch
from tests.connectors.fakes.youtube import FakeYouTube

F = TypeVar("F", bound=Any)


class Collector:
    """An EventSink that keeps what it got."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    async def __call__(self, event: ChatEvent) -> None:
        self.events.append(event)


@pytest.fixture
def collector() -> Collector:
    return Collector()


@contextlib.asynccontextmanager
async def serving(fake: F) -> AsyncIterator[F]:
    """``fake``'s app on a free loopback port, its ``base_url`` set, for the test's duration."""
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        await server.close()


@pytest.fixture
async def fake_bilibili():
    async with serving(FakeBilibili()) as fake:
        yield fake


@pytest.fixture
async def fake_twitch():
    async with serving(FakeTwitch()) as fake:
        yield fake
        await fake.close_all()  # its EventSub sockets, before the server goes


@pytest.fixture
async def fake_youtube():
    async with serving(FakeYouTube()) as fake:
        yield fake


@pytest.fixture
async def twitch(fake_twitch, collector):
    """The production Twitch connector logged in to the fake, its EventSub session ready."""
    from connectors.twitch.connector import TwitchConnector
    from tests.connectors.test_twitch_connector import config_for

    connector = TwitchConnector(config=config_for(fake_twitch))
    await connector.start(collector)
    assert connector.eventsub is not None
    await asyncio.wait_for(connector.eventsub.ready.wait(), 10)
    yield connector, fake_twitch, collector
    await connector.stop()
