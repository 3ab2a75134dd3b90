"""The admin API's OpenAPI document: generated from the router plus bot/admin/openapi.py's types, so every
registered /api/v1 route is documented and every documented operation is routed."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.admin import openapi
from bot.app import create_app
from bot.core.config import GatewayConfig
from tests.bot.admin.conftest import ALICE, TOKENS, auth
from tests.conftest import free_port


def test_every_api_route_is_documented_and_every_operation_is_routed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEROOM_ADMIN_TOKENS", TOKENS)
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), ("simulator",))
    routes = openapi.registered_routes(app)
    assert ("GET", "/catalog/names") in routes and ("POST", "/imports") in routes
    assert routes == set(openapi.OPERATIONS)
    document = openapi.build_document(routes)
    documented = {(m.upper(), p.removeprefix("/api/v1")) for p, ops in document["paths"].items() for m in ops}
    assert documented == routes
    assert document["openapi"].startswith("3.1")


def test_a_route_without_types_or_types_without_a_route_cannot_be_served() -> None:
    routes = set(openapi.OPERATIONS)
    with pytest.raises(ValueError, match="undocumented"):
        openapi.build_document(routes | {("GET", "/secret")})
    with pytest.raises(ValueError, match="unrouted"):
        openapi.build_document(routes - {("GET", "/export")})


def test_entity_schemas_come_from_the_dataclasses() -> None:
    create = openapi.entity_schema(openapi.Product, request=True)
    assert set(create["required"]) == {"sku", "name_en", "name_zh", "price", "currency", "stock"}
    assert create["additionalProperties"] is False
    assert openapi.entity_schema(openapi.Promotion, request=False)["properties"]["valid_from"] == {
        "type": ["string", "integer"]
    }


async def test_the_gateway_serves_the_document_to_admins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEROOM_ADMIN_TOKENS", TOKENS)
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/api/v1/openapi.json")).status == 401
        response = await client.get("/api/v1/openapi.json", headers=auth(ALICE))
        assert response.status == 200
        document = await response.json()
    assert "/api/v1/products/{sku}" in document["paths"]
    assert document["paths"]["/api/v1/catalog/names"]["get"]["security"] == []


async def test_deeply_nested_json_bodies_are_400_not_500(monkeypatch: pytest.MonkeyPatch) -> None:
    """Security review L7: json.loads raises RecursionError (not ValueError) past Python's nesting limit."""
    monkeypatch.setenv("LIVEROOM_ADMIN_TOKENS", TOKENS)
    app = create_app(GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        body = b'{"a": ' + b"[" * 100_000 + b"}"
        for path in ("/api/v1/products", "/api/v1/categories", "/api/v1/faqs"):
            response = await client.post(path, data=body, headers=auth(ALICE))
            assert response.status == 400, (path, await response.text())
            assert "nested too deeply" in (await response.json())["error"]
