"""Admin API endpoints (mounted under ``/api/v1``); every write is audited as the token's name.

    GET    /products?after=&limit=          list (paged by SKU)     POST /products
    GET    /products/{sku}                  with its variants       PATCH|PUT /products/{sku}
    DELETE /products/{sku}?version=N        (or If-Match: N)
    GET    /products/{sku}/variants         POST /products/{sku}/variants
    GET|PATCH|DELETE /variants/{id}
    GET|POST /categories                    GET|PATCH|DELETE /categories/{id}
    GET|POST /promotions  (?active_at=ISO&sku=)    GET|PATCH|DELETE /promotions/{code}
    GET|POST /schedule                      GET /schedule/next      GET|PATCH|DELETE /schedule/{id}
    GET|POST /faqs                          GET|PATCH|DELETE /faqs/{id}
    GET    /audit?entity=&key=&limit=
    POST   /imports?format=json|csv         (raw body or multipart "file")  -> 202 {id}
    POST   /imports/preview?format=json|csv the same upload as a dry run: added/changed/missing per section
    GET    /imports/{id}                    progress / result / first bad row
    GET    /export?format=json|csv

Updates need the version the editor read: ``"version"`` in the JSON body or an
``If-Match`` header; a stale one answers 409 with ``current_version`` and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.admin.jobs import ImportJobs, read_import_body, read_limited
from bot.admin.preview import preview_import
from knowledge_graph import (
    Category,
    GraphStore,
    NotFound,
    Promotion,
    StreamSession,
    ValidationError,
    Variant,
    bundle_to_csv,
    bundle_to_json,
    create_faq,
    delete_faq,
    dumps,
    export_bundle,
    faq_from_json,
    faq_to_json,
    get_faq,
    get_product,
    list_all_faqs,
    list_audit,
    now_ms_or,
    queries,
    update_faq,
)
from knowledge_graph.editing import catalog_items as editing
from knowledge_graph.editing import products as crud

__all__ = ["ACTOR", "JOBS", "STORE", "routes"]

STORE = web.AppKey("admin_store", GraphStore)
JOBS = web.AppKey("admin_jobs", ImportJobs)
ACTOR = web.RequestKey("admin_actor", str)  # the authenticated token's name
MAX_JSON_BODY = 256 * 1024
MAX_PAGE = 1000

routes = web.RouteTableDef()


def _store(request: web.Request) -> GraphStore:
    return request.app[STORE]


def _actor(request: web.Request) -> str:
    return str(request[ACTOR])


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_JSON_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_JSON_BODY, actual_size=request.content_length)
    raw = await read_limited(request.content, MAX_JSON_BODY)
    try:
        data = json.loads(raw, parse_float=Decimal)
    except RecursionError:  # json.loads("[" * 1000) raises this, not ValueError
        raise ValidationError("body", "not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise ValidationError("body", f"not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ValidationError("body", "must be a JSON object")
    return data


def _int_query(request: web.Request, name: str, default: int, maximum: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:  # not "³"
        raise ValidationError(name, f"must be an integer from 1 to {maximum}")
    return int(raw)


def _expected_version(request: web.Request, body: Mapping[str, Any] | None = None) -> int:
    """The version the client read: body ``version``, else ``If-Match``, else ``?version=``."""
    if body is not None and "version" in body:
        return crud.check_expected(body["version"])
    raw = request.headers.get("If-Match") or request.query.get("version")
    if raw is None:
        raise ValidationError("version", "is required (the version you read; body, If-Match or ?version=)")
    raw = raw.strip().strip('"').removeprefix("W/").strip('"')
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError("version", f"must be an integer, got {raw[:20]!r}")
    return crud.check_expected(int(raw))


def _json(data: Any, status: int = 200, version: int | None = None) -> web.Response:
    response = web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))
    if version is not None:
        response.headers["ETag"] = f'"{version}"'
    return response


def _changes(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "version"}


# --------------------------------------------------------------------------- products


@routes.get("/products")
async def list_products(request: web.Request) -> web.Response:
    limit = _int_query(request, "limit", 100, MAX_PAGE)
    page = await crud.list_products_page(_store(request), request.query.get("after", ""), limit)
    items = [crud.product_to_json(p) for p in page]
    return _json({"items": items, "next_after": page[-1].sku if len(page) == limit else None})


@routes.post("/products")
async def create_product(request: web.Request) -> web.Response:
    body = await _body(request)
    product = crud.product_from_json({**body, "version": 0})
    created = await crud.create_product(_store(request), product, _actor(request))
    return _json(crud.product_to_json(created), 201, created.version)


@routes.get("/products/{sku}")
async def read_product(request: web.Request) -> web.Response:
    store, sku = _store(request), request.match_info["sku"]
    product = await get_product(store, sku)
    if product is None:
        raise NotFound(f"no product {sku!r}")
    variants = await queries.variants_of(store, sku)
    data = {**crud.product_to_json(product), "variants": [v.to_json() for v in variants]}
    return _json(data, version=product.version)


@routes.patch("/products/{sku}")
@routes.put("/products/{sku}")
async def update_product(request: web.Request) -> web.Response:
    body = await _body(request)
    expected = _expected_version(request, body)
    updated = await crud.update_product(
        _store(request), request.match_info["sku"], _changes(body), expected, _actor(request)
    )
    return _json(crud.product_to_json(updated), version=updated.version)


@routes.delete("/products/{sku}")
async def delete_product(request: web.Request) -> web.Response:
    await crud.delete_product(
        _store(request), request.match_info["sku"], _expected_version(request), _actor(request)
    )
    return web.Response(status=204)


# --------------------------------------------------------------------------- variants


@routes.get("/products/{sku}/variants")
async def list_variants(request: web.Request) -> web.Response:
    store, sku = _store(request), request.match_info["sku"]
    if await get_product(store, sku) is None:
        raise NotFound(f"no product {sku!r}")
    variants = await queries.variants_of(
        store, sku, size=request.query.get("size"), colour=request.query.get("colour")
    )
    return _json({"items": [v.to_json() for v in variants]})


@routes.post("/products/{sku}/variants")
async def create_variant(request: web.Request) -> web.Response:
    body = await _body(request)
    sku = request.match_info["sku"]
    if body.get("sku", sku) != sku:
        raise ValidationError("sku", "must match the product in the URL")
    variant = Variant.from_json({**body, "sku": sku, "version": 0})
    created = await editing.create_variant(_store(request), variant, _actor(request))
    return _json(created.to_json(), 201, created.version)


def _simple_crud(
    path: str,
    key: str,
    cls: Any,
    get: Callable[[GraphStore, str], Awaitable[Any]],
    list_all: Callable[[GraphStore], Awaitable[list[Any]]] | None,
    create: Callable[..., Awaitable[Any]] | None,
    update: Callable[..., Awaitable[Any]],
    delete: Callable[..., Awaitable[None]],
) -> None:
    """Register GET/PATCH/PUT/DELETE on ``{path}/{key}`` (+ GET/POST on ``path``)."""

    async def read_one(request: web.Request) -> web.Response:
        item = await get(_store(request), request.match_info[key])
        if item is None:
            raise NotFound(f"no {cls.LABEL} {request.match_info[key]!r}")
        return _json(item.to_json(), version=item.version)

    async def update_one(request: web.Request) -> web.Response:
        body = await _body(request)
        expected = _expected_version(request, body)
        item = await update(
            _store(request), request.match_info[key], _changes(body), expected, _actor(request)
        )
        return _json(item.to_json(), version=item.version)

    async def delete_one(request: web.Request) -> web.Response:
        await delete(_store(request), request.match_info[key], _expected_version(request), _actor(request))
        return web.Response(status=204)

    routes.get(f"{path}/{{{key}}}")(read_one)
    routes.patch(f"{path}/{{{key}}}")(update_one)
    routes.put(f"{path}/{{{key}}}")(update_one)
    routes.delete(f"{path}/{{{key}}}")(delete_one)
    if list_all is not None:

        async def list_many(request: web.Request) -> web.Response:
            return _json({"items": [item.to_json() for item in await list_all(_store(request))]})

        routes.get(path)(list_many)
    if create is not None:

        async def create_one(request: web.Request) -> web.Response:
            body = await _body(request)
            item = await create(_store(request), cls.from_json({**body, "version": 0}), _actor(request))
            return _json(item.to_json(), 201, item.version)

        routes.post(path)(create_one)


_simple_crud(
    "/variants",
    "id",
    Variant,
    editing.get_variant,
    None,
    None,
    editing.update_variant,
    editing.delete_variant,
)
_simple_crud(
    "/categories",
    "id",
    Category,
    editing.get_category,
    editing.list_categories,
    editing.create_category,
    editing.update_category,
    editing.delete_category,
)


# --------------------------------------------------------------------------- promotions, schedule


@routes.get("/promotions")
async def list_promotions(request: web.Request) -> web.Response:
    store = _store(request)
    active_at = request.query.get("active_at")
    if active_at is not None:
        items = await queries.active_promotions(
            store, now_ms_or(active_at, "active_at"), request.query.get("sku")
        )
    else:
        items = await editing.list_promotions(store)
    return _json({"items": [p.to_json() for p in items]})


@routes.get("/schedule/next")
async def next_session(request: web.Request) -> web.Response:
    session = await queries.next_stream(_store(request), now_ms_or(request.query.get("now")))
    return _json({"session": session.to_json() if session else None})


_simple_crud(
    "/promotions",
    "code",
    Promotion,
    editing.get_promotion,
    None,
    editing.create_promotion,
    editing.update_promotion,
    editing.delete_promotion,
)
_simple_crud(
    "/schedule",
    "id",
    StreamSession,
    editing.get_session,
    editing.list_sessions,
    editing.create_session,
    editing.update_session,
    editing.delete_session,
)


# ------------------------------------------------------------------------- FAQs (knowledge_graph.editing.faq)


def _faq_json(faq: Any) -> dict[str, Any]:
    return {**faq_to_json(faq), "version": faq.version}


@routes.get("/faqs")
async def list_faqs(request: web.Request) -> web.Response:
    limit = _int_query(request, "limit", 100, MAX_PAGE)
    page = await list_all_faqs(_store(request), after=request.query.get("after", ""), limit=limit)
    return _json(
        {"items": [_faq_json(f) for f in page], "next_after": page[-1].id if len(page) == limit else None}
    )


@routes.post("/faqs")
async def create_faq_route(request: web.Request) -> web.Response:
    body = await _body(request)
    if body.pop("version", 0) not in (0, None):
        raise ValidationError("version", "must be absent or 0 on create")
    faq = await create_faq(_store(request), faq_from_json(body), actor=_actor(request))
    return _json(_faq_json(faq), 201, faq.version)


@routes.get("/faqs/{id}")
async def read_faq(request: web.Request) -> web.Response:
    faq = await get_faq(_store(request), request.match_info["id"])
    if faq is None:
        raise NotFound(f"no FAQ {request.match_info['id']!r}")
    return _json(_faq_json(faq), version=faq.version)


@routes.patch("/faqs/{id}")
@routes.put("/faqs/{id}")
async def update_faq_route(request: web.Request) -> web.Response:
    body = await _body(request)
    expected = _expected_version(request, body)
    changes = {k: v for k, v in _changes(body).items() if k != "id" or v != request.match_info["id"]}
    faq = await update_faq(
        _store(request), request.match_info["id"], changes, expected_version=expected, actor=_actor(request)
    )
    return _json(_faq_json(faq), version=faq.version)


@routes.delete("/faqs/{id}")
async def delete_faq_route(request: web.Request) -> web.Response:
    await delete_faq(
        _store(request),
        request.match_info["id"],
        expected_version=_expected_version(request),
        actor=_actor(request),
    )
    return web.Response(status=204)


# --------------------------------------------------------------------------- audit, import, export


@routes.get("/audit")
async def audit(request: web.Request) -> web.Response:
    limit = _int_query(request, "limit", 100, 10_000)
    entries = await list_audit(
        _store(request), entity=request.query.get("entity"), key=request.query.get("key"), limit=limit
    )
    return _json({"items": [e.to_json() for e in entries]})


@routes.post("/imports")
async def start_import(request: web.Request) -> web.Response:
    store = _store(request)
    await store.ping()  # 503 now rather than a failed job later
    raw, fmt, name = await read_import_body(request)
    job = request.app[JOBS].start(store, raw, fmt, name, _actor(request))
    location = f"{request.path.rstrip('/')}/{job.id}"
    response = _json(job.to_json(), 202)
    response.headers["Location"] = location
    return response


@routes.post("/imports/preview")
async def import_preview(request: web.Request) -> web.Response:
    """What the upload would change, computed without writing (the editor shows it before applying)."""
    raw, fmt, name = await read_import_body(request)
    return _json(await preview_import(_store(request), raw, fmt, name))


@routes.get("/imports/{id}")
async def import_status(request: web.Request) -> web.Response:
    job = request.app[JOBS].get(request.match_info["id"])
    if job is None:
        raise NotFound(f"no import job {request.match_info['id']!r}")
    return _json(job.to_json())


@routes.get("/export")
async def export(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ValidationError("format", "must be json or csv")
    bundle = await export_bundle(_store(request))
    if fmt == "csv":
        text, content_type = bundle_to_csv(bundle), "text/csv"
    else:
        text, content_type = dumps(bundle_to_json(bundle)), "application/json"
    return web.Response(
        text=text,
        content_type=content_type,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="liveroom-catalog.{fmt}"'},
    )
