"""Fixtures: the fake platform servers on free loopback ports, and connectors pointed at them."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestServer

from connectors.base import ChatEvent
from tests.connectors.fakes.bilibili import FakeBilibili
from tests.connectors.fakes.twitch import FakeTwitch
from tests.connectors.fakes.youtube import FakeYouTube


class Collector:
    """An EventSink that keeps what it got."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    async def __call__(self, event: ChatEvent) -> None:
        self.events.append(event)


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
async def fake_bilibili():
    fake = FakeBilibili()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
async def fake_twitch():
    fake = FakeTwitch()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield fake
    await fake.close_all()
    await server.close()


@pytest.fixture
async def fake_youtube():
    fake = FakeYouTube()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


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
