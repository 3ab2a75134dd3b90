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

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.admin.jobs import read_import_body
from bot.admin.preview import preview_import
from bot.admin.request_io import (
    MAX_PAGE,
    actor,
    changes,
    expected_version,
    graph_store,
    int_query,
    json_body,
    respond,
)
from bot.services import ADMIN_JOBS
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

__all__ = ["routes"]

routes = web.RouteTableDef()


# --------------------------------------------------------------------------- products


@routes.get("/products")
async def list_products(request: web.Request) -> web.Response:
    limit = int_query(request, "limit", 100, MAX_PAGE)
    page = await crud.list_products_page(graph_store(request), request.query.get("after", ""), limit)
    items = [crud.product_to_json(p) for p in page]
    return respond({"items": items, "next_after": page[-1].sku if len(page) == limit else None})


@routes.post("/products")
async def create_product(request: web.Request) -> web.Response:
    body = await json_body(request)
    product = crud.product_from_json({**body, "version": 0})
    created = await crud.create_product(graph_store(request), product, actor(request))
    return respond(crud.product_to_json(created), 201, created.version)


@routes.get("/products/{sku}")
async def read_product(request: web.Request) -> web.Response:
    store, sku = graph_store(request), request.match_info["sku"]
    product = await get_product(store, sku)
    if product is None:
        raise NotFound(f"no product {sku!r}")
    variants = await queries.variants_of(store, sku)
    data = {**crud.product_to_json(product), "variants": [v.to_json() for v in variants]}
    return respond(data, version=product.version)


@routes.patch("/products/{sku}")
@routes.put("/products/{sku}")
async def update_product(request: web.Request) -> web.Response:
    body = await json_body(request)
    expected = expected_version(request, body)
    updated = await crud.update_product(
        graph_store(request), request.match_info["sku"], changes(body), expected, actor(request)
    )
    return respond(crud.product_to_json(updated), version=updated.version)


@routes.delete("/products/{sku}")
async def delete_product(request: web.Request) -> web.Response:
    await crud.delete_product(
        graph_store(request), request.match_info["sku"], expected_version(request), actor(request)
    )
    return web.Response(status=204)


# --------------------------------------------------------------------------- variants


@routes.get("/products/{sku}/variants")
async def list_variants(request: web.Request) -> web.Response:
    store, sku = graph_store(request), request.match_info["sku"]
    if await get_product(store, sku) is None:
        raise NotFound(f"no product {sku!r}")
    variants = await queries.variants_of(
        store, sku, size=request.query.get("size"), colour=request.query.get("colour")
    )
    return respond({"items": [v.to_json() for v in variants]})


@routes.post("/products/{sku}/variants")
async def create_variant(request: web.Request) -> web.Response:
    body = await json_body(request)
    sku = request.match_info["sku"]
    if body.get("sku", sku) != sku:
        raise ValidationError("sku", "must match the product in the URL")
    variant = Variant.from_json({**body, "sku": sku, "version": 0})
    created = await editing.create_variant(graph_store(request), variant, actor(request))
    return respond(created.to_json(), 201, created.version)


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
        item = await get(graph_store(request), request.match_info[key])
        if item is None:
            raise NotFound(f"no {cls.LABEL} {request.match_info[key]!r}")
        return respond(item.to_json(), version=item.version)

    async def update_one(request: web.Request) -> web.Response:
        body = await json_body(request)
        expected = expected_version(request, body)
        item = await update(
            graph_store(request), request.match_info[key], changes(body), expected, actor(request)
        )
        return respond(item.to_json(), version=item.version)

    async def delete_one(request: web.Request) -> web.Response:
        await delete(graph_store(request), request.match_info[key], expected_version(request), actor(request))
        return web.Response(status=204)

    routes.get(f"{path}/{{{key}}}")(read_one)
    routes.patch(f"{path}/{{{key}}}")(update_one)
    routes.put(f"{path}/{{{key}}}")(update_one)
    routes.delete(f"{path}/{{{key}}}")(delete_one)
    if list_all is not None:

        async def list_many(request: web.Request) -> web.Response:
            return respond({"items": [item.to_json() for item in await list_all(graph_store(request))]})

        routes.get(path)(list_many)
    if create is not None:

        async def create_one(request: web.Request) -> web.Response:
            body = await json_body(request)
            item = await create(graph_store(request), cls.from_json({**body, "version": 0}), actor(request))
            return respond(item.to_json(), 201, item.version)

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
    store = graph_store(request)
    active_at = request.query.get("active_at")
    if active_at is not None:
        items = await queries.active_promotions(
            store, now_ms_or(active_at, "active_at"), request.query.get("sku")
        )
    else:
        items = await editing.list_promotions(store)
    return respond({"items": [p.to_json() for p in items]})


@routes.get("/schedule/next")
async def next_session(request: web.Request) -> web.Response:
    session = await queries.next_stream(graph_store(request), now_ms_or(request.query.get("now")))
    return respond({"session": session.to_json() if session else None})


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
    limit = int_query(request, "limit", 100, MAX_PAGE)
    page = await list_all_faqs(graph_store(request), after=request.query.get("after", ""), limit=limit)
    return respond(
        {"items": [_faq_json(f) for f in page], "next_after": page[-1].id if len(page) == limit else None}
    )


@routes.post("/faqs")
async def create_faq_route(request: web.Request) -> web.Response:
    body = await json_body(request)
    if body.pop("version", 0) not in (0, None):
        raise ValidationError("version", "must be absent or 0 on create")
    faq = await create_faq(graph_store(request), faq_from_json(body), actor=actor(request))
    return respond(_faq_json(faq), 201, faq.version)


@routes.get("/faqs/{id}")
async def read_faq(request: web.Request) -> web.Response:
    faq = await get_faq(graph_store(request), request.match_info["id"])
    if faq is None:
        raise NotFound(f"no FAQ {request.match_info['id']!r}")
    return respond(_faq_json(faq), version=faq.version)


@routes.patch("/faqs/{id}")
@routes.put("/faqs/{id}")
async def update_faq_route(request: web.Request) -> web.Response:
    body = await json_body(request)
    expected = expected_version(request, body)
    fields = {k: v for k, v in changes(body).items() if k != "id" or v != request.match_info["id"]}
    faq = await update_faq(
        graph_store(request),
        request.match_info["id"],
        fields,
        expected_version=expected,
        actor=actor(request),
    )
    return respond(_faq_json(faq), version=faq.version)


@routes.delete("/faqs/{id}")
async def delete_faq_route(request: web.Request) -> web.Response:
    await delete_faq(
        graph_store(request),
        request.match_info["id"],
        expected_version=expected_version(request),
        actor=actor(request),
    )
    return web.Response(status=204)


# --------------------------------------------------------------------------- audit, import, export


@routes.get("/audit")
async def audit(request: web.Request) -> web.Response:
    limit = int_query(request, "limit", 100, 10_000)
    entries = await list_audit(
        graph_store(request), entity=request.query.get("entity"), key=request.query.get("key"), limit=limit
    )
    return respond({"items": [e.to_json() for e in entries]})


@routes.post("/imports")
async def start_import(request: web.Request) -> web.Response:
    store = graph_store(request)
    await store.ping()  # 503 now rather than a failed job later
    raw, fmt, name = await read_import_body(request)
    job = request.app[ADMIN_JOBS].start(store, raw, fmt, name, actor(request))
    location = f"{request.path.rstrip('/')}/{job.id}"
    response = respond(job.to_json(), 202)
    response.headers["Location"] = location
    return response


@routes.post("/imports/preview")
async def import_preview(request: web.Request) -> web.Response:
    """What the upload would change, computed without writing (the editor shows it before applying)."""
    raw, fmt, name = await read_import_body(request)
    return respond(await preview_import(graph_store(request), raw, fmt, name))


@routes.get("/imports/{id}")
async def import_status(request: web.Request) -> web.Response:
    job = request.app[ADMIN_JOBS].get(request.match_info["id"])
    if job is None:
        raise NotFound(f"no import job {request.match_info['id']!r}")
    return respond(job.to_json())


@routes.get("/export")
async def export(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ValidationError("format", "must be json or csv")
    bundle = await export_bundle(graph_store(request))
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
