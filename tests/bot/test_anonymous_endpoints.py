"""The anonymous endpoints that cost real work cannot stall or load the gateway (security review H3).

``/simulator/sample-log`` is built off the event loop, bounded and cached; ``/api/v1/catalog/names`` is
served from a body cached per catalog generation; both are rate-limited per client address. Everything
runs on the real gateway app; the cost is counted with wrappers around the real generator and the real
graph store, never with wall-clock thresholds.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.http.catalog_names as catalog_names_module
from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.http.catalog_names import NamesCache
from bot.http.rate_limit import AnonLimitConfig, ClientRateLimit, TokenBucket
from bot.services import GRAPH, NAMES_CACHE
from bot.web import pages
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.products import upsert_products
from knowledge_graph.model.product import Product
from knowledge_graph.store import open_store
from tests.conftest import free_port


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("LIVEROOM_WARM_ENCODERS", "0")
    return monkeypatch


def gateway_app(graph_config: GraphConfig | None = None):
    dead = GraphConfig.from_env({"FALKORDB_PORT": str(free_port())})
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}")
    return create_app(config, ("simulator",), graph_config=graph_config or dead)


class CountingGenerate:
    """The real chat-log generator, counted; ``gate`` (when set up) holds every call until released."""

    def __init__(self, gated: bool = False) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.gate = threading.Event()
        if not gated:
            self.gate.set()
        self.real = pages.generate

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.entered.set()
        self.gate.wait(timeout=5)
        return self.real(*args, **kwargs)


async def test_sample_log_is_bounded_and_generated_once_per_request_shape(app_env) -> None:
    counting = CountingGenerate()
    app_env.setattr(pages, "generate", counting)
    async with TestClient(TestServer(gateway_app())) as client:
        too_big = await client.get("/simulator/sample-log?n=5000")
        assert too_big.status == 422
        assert (await too_big.json())["field"] == "n"
        assert (await client.get("/simulator/sample-log?n=1&room=a%20b")).status == 422
        bodies = await asyncio.gather(*(client.get("/simulator/sample-log?n=500") for _ in range(10)))
        assert {r.status for r in bodies} == {200}
        texts = {await r.text() for r in bodies}
        assert len(texts) == 1 and len(next(iter(texts)).splitlines()) == 500
        assert counting.calls == 1  # ten requests, one generation
        await client.get("/simulator/sample-log?n=200&room=other")
        assert counting.calls == 2


async def test_healthz_is_served_while_sample_logs_are_being_built(app_env) -> None:
    """Generation holds (a gate in the generator) until /healthz has answered: that only works when
    the generation runs beside the event loop, not on it."""
    counting = CountingGenerate(gated=True)
    app_env.setattr(pages, "generate", counting)
    async with TestClient(TestServer(gateway_app())) as client:
        logs = [
            asyncio.create_task(client.get(f"/simulator/sample-log?n={n}&room=r{n}")) for n in range(1, 6)
        ]
        for _ in range(200):
            if counting.entered.is_set():
                break
            await asyncio.sleep(0.01)
        assert counting.entered.is_set()
        health = await asyncio.wait_for(client.get("/healthz"), 10)
        assert health.status == 200
        assert not any(task.done() for task in logs)  # /healthz answered while all five were running
        assert not counting.gate.is_set()
        counting.gate.set()
        assert {r.status for r in await asyncio.gather(*logs)} == {200}
        assert counting.calls == 5


async def test_anonymous_endpoints_answer_429_with_retry_after_past_the_limit(app_env) -> None:
    app_env.setenv("LIVEROOM_ANON_RATE", "0.5")
    app_env.setenv("LIVEROOM_ANON_BURST", "3")
    async with TestClient(TestServer(gateway_app())) as client:
        statuses = [(await client.get("/simulator/sample-log?n=5")).status for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = await client.get("/simulator/sample-log?n=5")
        assert refused.status == 429
        assert refused.headers["Retry-After"] == "2"  # one token at 0.5/s
        names = await client.get("/api/v1/catalog/names")  # one bucket per address for both
        assert names.status == 429
        assert int(names.headers["Retry-After"]) >= 1
        assert (await client.get("/healthz")).status == 200  # not limited


def test_client_rate_limit_is_per_address_and_bounded() -> None:
    now = [0.0]
    limit = ClientRateLimit(AnonLimitConfig(rate=1.0, burst=2, max_keys=100), clock=lambda: now[0])
    assert [limit.retry_after("a") for _ in range(3)] == [0, 0, 1]
    assert limit.retry_after("b") == 0  # another address has its own bucket
    now[0] += 1.0
    assert limit.retry_after("a") == 0
    for i in range(500):
        limit.retry_after(f"addr{i}")
    assert len(limit) == 100


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=2, clock=lambda: now[0])
    assert [bucket.take(), bucket.take(), bucket.take()] == [True, True, False]
    assert bucket.wait() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take()
    assert not TokenBucket(rate=0, burst=0).take()


def product(sku: str, name: str) -> Product:
    return Product(
        sku=sku, name_en=name, name_zh="", aliases_en=(), price=Decimal("1.00"), currency="CNY", stock=1
    )


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_catalog_names_cost_no_graph_read_per_poll(app_env, falkordb) -> None:
    app_env.setenv("LIVEROOM_ANON_BURST", "1000")
    graph_config = falkordb.graph_config("names-cost")
    writer = open_store(graph_config)
    await upsert_products(writer, [product(f"P-{i:03}", f"Product {i}") for i in range(200)])
    app = gateway_app(graph_config)
    clock = Clock()
    app[NAMES_CACHE] = NamesCache(fresh_s=1.0, clock=clock)
    async with TestClient(TestServer(app)) as client:
        store = app[GRAPH]
        reads: list[str] = []
        real_read = store.read

        async def counting_read(query, params=None):  # type: ignore[no-untyped-def]
            # the endpoint's reads only (the app's background refreshers read the graph too)
            frame = sys._getframe()
            while frame is not None and frame.f_code.co_filename != catalog_names_module.__file__:
                frame = frame.f_back
            if frame is not None:
                reads.append(query)
            return await real_read(query, params)

        store.read = counting_read  # type: ignore[method-assign]
        first = await client.get("/api/v1/catalog/names")
        assert first.status == 200 and len((await first.json())["products"]) == 200
        etag = first.headers["ETag"]
        assert len(reads) == 2  # the generation, then the products
        polls = await asyncio.gather(
            *(client.get("/api/v1/catalog/names", headers={"If-None-Match": etag}) for _ in range(50))
        )
        assert {p.status for p in polls} == {304}
        assert len(reads) == 2  # fifty polls inside the freshness window: no graph read at all

        clock.now += 5
        polls = await asyncio.gather(
            *(client.get("/api/v1/catalog/names", headers={"If-None-Match": etag}) for _ in range(20))
        )
        assert {p.status for p in polls} == {304}
        assert len(reads) == 3  # one generation read for twenty concurrent polls, no product read
        assert "Product" not in reads[-1]

        await upsert_products(writer, [product("P-NEW", "New product")])
        clock.now += 5
        changed = await client.get("/api/v1/catalog/names", headers={"If-None-Match": etag})
        assert changed.status == 200
        assert len((await changed.json())["products"]) == 201
        assert changed.headers["ETag"] != etag
        assert len(reads) == 5
    await writer.close()


async def test_catalog_names_503_does_not_echo_the_graph_address(app_env) -> None:
    async with TestClient(TestServer(gateway_app())) as client:
        resp = await client.get("/api/v1/catalog/names")
        assert resp.status == 503
        assert await resp.json() == {"error": "knowledge graph unavailable"}
