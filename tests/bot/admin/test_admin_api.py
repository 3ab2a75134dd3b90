"""The admin HTTP API over a real FalkorDB: auth, CRUD, conflicts, validation, imports, outages."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer

from bot.admin import setup_admin
from bot.admin.auth import TokenSet, parse_tokens
from bot.app import create_app
from bot.core.config import GatewayConfig
from knowledge_graph.catalog.products import get_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.editing.audit import list_audit
from knowledge_graph.store import open_store
from knowledge_graph.store.falkordb import FalkorDBStore
from knowledge_graph.store.server import free_port
from knowledge_graph.transfer.generate import generate_catalog
from tests.knowledge_graph.editing.test_crud import INJECTION, snapshot

from .conftest import ALICE, READER, TOKENS, auth

PRODUCT: dict[str, Any] = {
    "sku": "LIP-1",
    "name_en": "Matte Lipstick",
    "name_zh": "哑光口红",
    "aliases_en": ["lipstick"],
    "aliases_zh": ["口红"],
    "price": "129.90",
    "currency": "CNY",
    "stock": 10,
}


async def _wait_job(client: TestClient, location: str) -> dict[str, Any]:
    for _ in range(600):
        response = await client.get(location, headers=auth())
        job = await response.json()
        if job["status"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"import job did not finish: {job}")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": f"Basic {ALICE}"}],
)
async def test_requests_without_a_valid_token_get_401(client: TestClient, headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/products", headers=headers)
    assert response.status == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert ALICE not in await response.text()


async def test_read_only_token_cannot_write(client: TestClient, admin_graph: FalkorDBStore) -> None:
    assert (await client.get("/api/v1/products", headers=auth(READER))).status == 200
    response = await client.post("/api/v1/products", json=PRODUCT, headers=auth(READER))
    assert response.status == 403
    assert await get_product(admin_graph, "LIP-1") is None


async def test_product_crud_with_versions_and_audit(client: TestClient, admin_graph: FalkorDBStore) -> None:
    created = await client.post("/api/v1/products", json=PRODUCT, headers=auth())
    assert created.status == 201, await created.text()
    body = await created.json()
    assert body["version"] == 1 and body["price"] == "129.90" and created.headers["ETag"] == '"1"'

    again = await client.post("/api/v1/products", json=PRODUCT, headers=auth())
    assert again.status == 409 and (await again.json())["current_version"] == 1

    patched = await client.patch(
        "/api/v1/products/LIP-1", json={"version": 1, "price": "99.00"}, headers=auth()
    )
    assert patched.status == 200 and (await patched.json())["version"] == 2

    stale = await client.patch("/api/v1/products/LIP-1", json={"version": 1, "stock": 0}, headers=auth())
    assert stale.status == 409
    assert await stale.json() == {
        "error": "product 'LIP-1' is at version 2, not the expected 1",
        "field": "version",
        "current_version": 2,
        "code": "version_conflict",
        "params": {"current": "2"},
    }
    assert (await get_product(admin_graph, "LIP-1")).stock == 10  # type: ignore[union-attr]

    no_version = await client.patch("/api/v1/products/LIP-1", json={"stock": 0}, headers=auth())
    assert no_version.status == 422 and (await no_version.json())["field"] == "version"

    read = await client.get("/api/v1/products/LIP-1", headers=auth())
    assert read.status == 200 and (await read.json())["price"] == "99.00"
    assert (await client.get("/api/v1/products/NOPE", headers=auth())).status == 404

    deleted = await client.delete("/api/v1/products/LIP-1", headers={**auth(), "If-Match": '"2"'})
    assert deleted.status == 204
    assert (await client.get("/api/v1/products/LIP-1", headers=auth())).status == 404

    log = await client.get("/api/v1/audit?entity=Product&key=LIP-1", headers=auth())
    entries = (await log.json())["items"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("delete", "alice"),
        ("update", "alice"),
        ("create", "alice"),
    ]
    assert entries[1]["changes"] == {"price": ["129.90", "99.00"]}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**PRODUCT, "stock": -1}, 422, "stock"),
        ({**PRODUCT, "stock": "many"}, 422, "stock"),
        ({**PRODUCT, "currency": "XYZ"}, 422, "currency"),
        ({**PRODUCT, "name_en": "x" * 10_000}, 422, "name_en"),
        ({**PRODUCT, "price": True}, 422, "price"),
        ({**PRODUCT, "price": [1]}, 422, "price"),
        ({**PRODUCT, "category": "nope"}, 422, "category"),
        ({**PRODUCT, "colour": "red"}, 422, "colour"),
        ({k: v for k, v in PRODUCT.items() if k != "price"}, 422, "price"),
    ],
)
async def test_invalid_bodies_name_the_field_and_write_nothing(
    client: TestClient, admin_graph: FalkorDBStore, body: dict[str, Any], status: int, field: str
) -> None:
    before = await snapshot(admin_graph)
    response = await client.post("/api/v1/products", json=body, headers=auth())
    assert response.status == status
    assert (await response.json())["field"] == field
    assert await snapshot(admin_graph) == before


async def test_malformed_and_oversized_bodies(client: TestClient) -> None:
    broken = await client.post("/api/v1/products", data=b"{nope", headers=auth())
    assert broken.status == 400 and (await broken.json())["field"] == "body"
    huge = await client.post("/api/v1/products", data=b"x" * 300_000, headers=auth())
    assert huge.status == 413


@pytest.mark.parametrize("limit", ["³", "٣", "0", "-1", "1e3", "hope u die"])
async def test_a_limit_that_is_no_ascii_number_is_refused_with_422(client: TestClient, limit: str) -> None:
    # "³".isdigit() is True but int("³") raises: schemathesis found the 500 this used to give
    response = await client.get("/api/v1/products", params={"limit": limit}, headers=auth())
    assert response.status == 422 and (await response.json())["field"] == "limit"


async def test_injection_string_is_stored_and_returned_verbatim(client: TestClient) -> None:
    body = {
        **PRODUCT,
        "sku": "INJ-1",
        "name_en": INJECTION,
        "aliases_en": [],
        "aliases_zh": [],
        "name_zh": "",
    }
    assert (await client.post("/api/v1/products", json=body, headers=auth())).status == 201
    read = await (await client.get("/api/v1/products/INJ-1", headers=auth())).json()
    assert read["name_en"] == INJECTION


async def test_variants_categories_promotions_schedule(client: TestClient) -> None:
    h = auth()
    assert (
        await client.post("/api/v1/categories", json={"id": "lips", "name_en": "Lips"}, headers=h)
    ).status == 201
    assert (
        await client.post("/api/v1/products", json={**PRODUCT, "category": "lips"}, headers=h)
    ).status == 201
    variant = await client.post(
        "/api/v1/products/LIP-1/variants", json={"id": "V1", "colour": "Red", "stock": 2}, headers=h
    )
    assert variant.status == 201
    listed = await (await client.get("/api/v1/products/LIP-1/variants?colour=red", headers=h)).json()
    assert [v["id"] for v in listed["items"]] == ["V1"]
    changed = await client.patch("/api/v1/variants/V1", json={"version": 1, "stock": 0}, headers=h)
    assert (await changed.json())["stock"] == 0
    in_use = await client.delete("/api/v1/categories/lips?version=1", headers=h)
    assert in_use.status == 409

    promo = {
        "code": "SALE",
        "discount_percent": 15,
        "valid_from": "2026-11-01T00:00:00Z",
        "valid_to": "2026-12-01T00:00:00Z",
        "skus": ["LIP-1"],
    }
    assert (await client.post("/api/v1/promotions", json=promo, headers=h)).status == 201
    bad_dates = await client.post(
        "/api/v1/promotions", json={**promo, "code": "BAD", "valid_to": "2026-10-01T00:00:00Z"}, headers=h
    )
    assert bad_dates.status == 422 and (await bad_dates.json())["field"] == "valid_to"
    active = await client.get("/api/v1/promotions?active_at=2026-11-23T20:00:00Z&sku=LIP-1", headers=h)
    assert [p["code"] for p in (await active.json())["items"]] == ["SALE"]

    session = {
        "id": "s1",
        "title_en": "Lip night",
        "starts_at": "2026-12-01T12:00:00Z",
        "ends_at": "2026-12-01T14:00:00Z",
    }
    assert (await client.post("/api/v1/schedule", json=session, headers=h)).status == 201
    nxt = await (await client.get("/api/v1/schedule/next?now=2026-11-30T00:00:00Z", headers=h)).json()
    assert nxt["session"]["id"] == "s1"
    assert (await client.delete("/api/v1/schedule/s1", headers={**h, "If-Match": "1"})).status == 204


async def test_faq_endpoints_use_the_faq_module(client: TestClient) -> None:
    h = auth()
    assert (await client.post("/api/v1/products", json=PRODUCT, headers=h)).status == 201
    faq = {
        "id": "lip-faq-1",
        "question_en": "Is the lipstick waterproof?",
        "answer_en": "Yes, for 8 hours.",
        "product_sku": "LIP-1",
    }
    created = await client.post("/api/v1/faqs", json=faq, headers=h)
    assert created.status == 201, await created.text()
    assert (await created.json())["version"] == 1
    stale = await client.patch("/api/v1/faqs/lip-faq-1", json={"version": 5, "answer_en": "No"}, headers=h)
    assert stale.status == 409
    ok = await client.patch("/api/v1/faqs/lip-faq-1", json={"version": 1, "answer_en": "Yes!"}, headers=h)
    assert ok.status == 200 and (await ok.json())["answer_en"] == "Yes!"
    listed = await (await client.get("/api/v1/faqs", headers=h)).json()
    assert [f["id"] for f in listed["items"]] == ["lip-faq-1"]
    assert (await client.delete("/api/v1/faqs/lip-faq-1?version=2", headers=h)).status == 204


async def test_import_job_reports_progress_and_result_then_export_round_trips(
    client: TestClient, admin_graph: FalkorDBStore
) -> None:
    doc = json.dumps(generate_catalog(1000))
    started = await client.post("/api/v1/imports?format=json", data=doc.encode(), headers=auth())
    assert started.status == 202
    job = await _wait_job(client, started.headers["Location"])
    assert job["status"] == "done", job
    assert job["result"]["products"] == 1000 and job["done"] == job["total"]
    assert (await list_audit(admin_graph, entity="Catalog"))[0].actor == "alice"

    exported = await client.get("/api/v1/export?format=csv", headers=auth())
    assert exported.status == 200 and exported.content_type == "text/csv"
    csv_text = await exported.text()
    form = FormData()
    form.add_field("file", csv_text.encode(), filename="catalog.csv", content_type="text/csv")
    again = await client.post("/api/v1/imports", data=form, headers=auth())
    job = await _wait_job(client, again.headers["Location"])
    assert job["status"] == "done" and job["format"] == "csv"
    assert await (await client.get("/api/v1/export?format=csv", headers=auth())).text() == csv_text


async def test_import_with_a_bad_last_row_reports_it_and_writes_nothing(
    client: TestClient, admin_graph: FalkorDBStore
) -> None:
    doc = generate_catalog(500)
    doc["products"][-1]["stock"] = -3
    before = await snapshot(admin_graph)
    started = await client.post("/api/v1/imports", data=json.dumps(doc).encode(), headers=auth())
    job = await _wait_job(client, started.headers["Location"])
    assert job["status"] == "failed"
    assert job["error"]["row"] == "products[499]" and job["error"]["field"] == "stock"
    assert await snapshot(admin_graph) == before


async def test_graph_down_answers_503_with_a_reason() -> None:
    dead = GraphConfig(falkordb_port=free_port(), graph_name="dead", connect_timeout=0.5)
    app = web.Application()
    setup_admin(app, lambda: open_store(dead), TokenSet(parse_tokens(TOKENS, "test")))
    async with TestClient(TestServer(app)) as client:
        for method, path, body in [
            ("GET", "/api/v1/products", None),
            ("POST", "/api/v1/products", PRODUCT),
            ("POST", "/api/v1/imports", {"format": "liveroom-export/1"}),
        ]:
            response = await client.request(method, path, json=body, headers=auth())
            assert response.status == 503
            data = await response.json()
            assert data["error"] == "the graph database is unavailable"
            assert f"127.0.0.1:{dead.falkordb_port}" in data["reason"]


async def test_gateway_mounts_the_admin_api(
    monkeypatch: pytest.MonkeyPatch, admin_graph: FalkorDBStore
) -> None:
    monkeypatch.setenv("LIVEROOM_ADMIN_TOKENS", TOKENS)
    app = create_app(
        GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}"), graph_config=admin_graph.config
    )
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/api/v1/products")).status == 401
        assert (await client.post("/api/v1/products", json=PRODUCT, headers=auth())).status == 201
        names = await client.get("/api/v1/catalog/names")  # the NLU endpoint stays outside admin auth
        assert names.status == 200
        assert (await client.get("/healthz")).status == 200


async def test_oversized_import_is_413_and_unknown_job_404(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.admin.jobs

    monkeypatch.setattr(bot.admin.jobs, "MAX_IMPORT_BYTES", 1000)
    response = await client.post("/api/v1/imports", data=b"{" + b" " * 5000 + b"}", headers=auth())
    assert response.status == 413 and (await response.json())["field"] == "body"
    assert (await client.get("/api/v1/imports/nope", headers=auth())).status == 404
    empty = await client.post("/api/v1/imports", data=b"", headers=auth())
    assert empty.status == 400
