"""The catalog-names endpoint the NLU extractor polls, on a real gateway app and a real FalkorDB."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.http.catalog_names import NamesCache
from bot.services import NAMES_CACHE
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.products import upsert_products
from knowledge_graph.model.product import Product
from knowledge_graph.store import open_store
from tests.conftest import free_port


@pytest.fixture
async def gateway(falkordb):
    graph_config = falkordb.graph_config("names")
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), graph_config=graph_config)
    app[NAMES_CACHE] = NamesCache(fresh_s=0)  # every poll asks the generation: edits show at once
    store = open_store(graph_config)
    async with TestClient(TestServer(app)) as client:
        yield client, store
    await store.close()


def product(sku: str, name_en: str, name_zh: str, *aliases: str) -> Product:
    return Product(
        sku=sku,
        name_en=name_en,
        name_zh=name_zh,
        aliases_en=aliases,
        price=Decimal("9.90"),
        currency="CNY",
        stock=1,
    )


async def test_names_follow_catalog_edits_and_support_etags(gateway) -> None:
    client, store = gateway
    await upsert_products(store, [product("A-1", "Matte Lipstick", "哑光口红", "lipstick")])
    resp = await client.get("/api/v1/catalog/names")
    assert resp.status == 200
    body = await resp.json()
    assert body["products"] == [
        {
            "sku": "A-1",
            "names": {"en": "Matte Lipstick", "zh": "哑光口红"},
            "aliases": {"en": ["lipstick"], "zh": []},
        }
    ]
    etag = resp.headers["ETag"]
    assert etag == f'"{body["version"]}"'

    unchanged = await client.get("/api/v1/catalog/names", headers={"If-None-Match": etag})
    assert unchanged.status == 304

    await upsert_products(store, [product("B-2", "Hydrating Serum", "补水精华", "serum")])
    changed = await client.get("/api/v1/catalog/names", headers={"If-None-Match": etag})
    assert changed.status == 200
    assert [p["sku"] for p in (await changed.json())["products"]] == ["A-1", "B-2"]


async def test_graph_down_is_a_503_with_a_reason(tmp_path) -> None:
    dead = GraphConfig.from_env({"FALKORDB_PORT": str(free_port())})
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), graph_config=dead)
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/api/v1/catalog/names")
        assert resp.status == 503
        assert "unavailable" in (await resp.json())["error"]
