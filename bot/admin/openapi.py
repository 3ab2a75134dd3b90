"""The admin API's OpenAPI 3.1 document, served at ``GET /api/v1/openapi.json`` (same auth as the API).

It is built from one place: the routes actually registered (the admin sub-application's router and the
gateway's own ``/api/v1`` routes) joined with :data:`OPERATIONS`, which types each operation's
parameters, body and responses; entity schemas come from the entity dataclasses' fields
(:func:`entity_schema`). A registered route without an entry, or an entry without a route, is an error
when the document is built (and ``tests/bot/admin/test_openapi.py`` checks both ways), so the document
cannot drift from the router.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.services import OPENAPI_GATEWAY_APP
from knowledge_graph import FAQ, Category, Product, Promotion, StreamSession, Variant

PREFIX = "/api/v1"
JSON = "application/json"
#: fields the API writes as ISO-8601 text and reads as ISO text or epoch milliseconds
TIME_FIELDS = frozenset({"valid_from", "valid_to", "starts_at", "ends_at"})
ENTITIES: dict[str, type] = {
    "Product": Product,
    "Variant": Variant,
    "Category": Category,
    "Promotion": Promotion,
    "StreamSession": StreamSession,
    "FAQ": FAQ,
}
ERROR_STATUSES = {
    "400": "malformed body",
    "401": "missing or wrong token / not logged in",
    "403": "read-only token writing, role or CSRF refused",
    "404": "not found",
    "409": "stale version (current_version) or still in use",
    "413": "body too large",
    "422": "invalid field",
    "503": "the graph database is unavailable",
}


def _type_schema(hint: Any, name: str) -> dict[str, Any]:
    """JSON Schema of one dataclass field as the API carries it."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _type_schema(options[0], name) if len(options) == 1 else {}
        if type(None) in typing.get_args(hint):
            return {"anyOf": [inner, {"type": "null"}]}
        return inner
    if name in TIME_FIELDS:
        return {"type": ["string", "integer"]}
    if hint is Decimal:
        return {"type": ["string", "number"]}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if origin in (tuple, list):
        return {"type": "array", "items": {"type": "string"}}
    return {}


def entity_schema(cls: type, *, request: bool) -> dict[str, Any]:
    """An entity's schema from its dataclass fields: what the API returns (``request=False``: every field,
    more allowed) or accepts on create (required = fields without a default, nothing unknown)."""
    hints = typing.get_type_hints(cls)
    props, required = {}, []
    for f in dataclasses.fields(cls):
        if f.name.startswith("_"):
            continue
        props[f.name] = _type_schema(hints[f.name], f.name)
        no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if request and no_default and f.name != "version":
            required.append(f.name)
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if request:
        schema |= {"required": required, "additionalProperties": False}
    else:
        schema["required"] = [n for n in props if n in _ALWAYS_RETURNED]
    return schema


_ALWAYS_RETURNED = frozenset({"version", "sku", "id", "code"})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str, paged: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"items": {"type": "array", "items": _ref(item)}}
    if paged:
        props["next_after"] = {"type": ["string", "null"]}
    return {"type": "object", "required": ["items"], "properties": props}


@dataclass(frozen=True)
class Op:
    """One documented operation: what it does, its query/header parameters, body and 2xx responses."""

    summary: str
    query: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> schema (+ "required")
    body: dict[str, Any] | None = None  # media type -> schema
    ok: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # status -> JSON schema / None
    version_header: bool = False  # If-Match: the version read (alternative to body/query "version")
    public: bool = False  # no authentication (outside the admin sub-application)


_LIMIT = {"type": "integer", "minimum": 1, "maximum": 1000}
_VERSION_Q = {"version": {"type": "integer", "minimum": 0, "required": True}}
_UPDATE = {
    "type": "object",
    "properties": {"version": {"type": "integer", "minimum": 0}},
    "required": ["version"],
}
_IMPORT_BODY = {JSON: {"type": "object"}, "text/csv": {"type": "string"}}
_FORMAT = {"format": {"type": "string", "enum": ["json", "csv"]}}


def _crud(
    path: str, key: str, entity: str, *, listing: bool = True, create: bool = True
) -> dict[tuple[str, str], Op]:
    one = f"{path}/{{{key}}}"
    update = Op(
        f"update a {entity} (changed fields + the version read)",
        body={JSON: _UPDATE},
        ok={"200": _ref(entity)},
    )
    ops = {
        ("GET", one): Op(f"one {entity}", ok={"200": _ref(entity)}),
        ("PATCH", one): update,
        ("PUT", one): update,
        ("DELETE", one): Op(f"delete a {entity}", query=_VERSION_Q, ok={"204": None}, version_header=True),
    }
    if listing:
        ops["GET", path] = Op(f"every {entity}", ok={"200": _page(entity)})
    if create:
        ops["POST", path] = Op(
            f"create a {entity}", body={JSON: _ref(f"{entity}Create")}, ok={"201": _ref(entity)}
        )
    return ops


OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", "/products"): Op(
        "products, paged by SKU",
        query={"after": {"type": "string"}, "limit": _LIMIT},
        ok={"200": _page("Product", paged=True)},
    ),
    ("POST", "/products"): Op(
        "create a product", body={JSON: _ref("ProductCreate")}, ok={"201": _ref("Product")}
    ),
    ("GET", "/products/{sku}"): Op(
        "one product with its variants",
        ok={
            "200": {
                "allOf": [
                    _ref("Product"),
                    {
                        "type": "object",
                        "properties": {"variants": {"type": "array", "items": _ref("Variant")}},
                    },
                ]
            }
        },
    ),
    ("PATCH", "/products/{sku}"): Op("update a product", body={JSON: _UPDATE}, ok={"200": _ref("Product")}),
    ("PUT", "/products/{sku}"): Op("update a product", body={JSON: _UPDATE}, ok={"200": _ref("Product")}),
    ("DELETE", "/products/{sku}"): Op(
        "delete a product", query=_VERSION_Q, ok={"204": None}, version_header=True
    ),
    ("GET", "/products/{sku}/variants"): Op(
        "a product's variants",
        query={"size": {"type": "string"}, "colour": {"type": "string"}},
        ok={"200": _page("Variant")},
    ),
    ("POST", "/products/{sku}/variants"): Op(
        "add a variant to a product", body={JSON: _ref("VariantCreate")}, ok={"201": _ref("Variant")}
    ),
    **_crud("/variants", "id", "Variant", listing=False, create=False),
    **_crud("/categories", "id", "Category"),
    ("GET", "/promotions"): Op(
        "promotions (active at a time, for a SKU)",
        query={"active_at": {"type": "string"}, "sku": {"type": "string"}},
        ok={"200": _page("Promotion")},
    ),
    **_crud("/promotions", "code", "Promotion", listing=False),
    ("GET", "/schedule/next"): Op(
        "the next stream session",
        query={"now": {"type": "string"}},
        ok={
            "200": {
                "type": "object",
                "required": ["session"],
                "properties": {"session": {"anyOf": [_ref("StreamSession"), {"type": "null"}]}},
            }
        },
    ),
    **_crud("/schedule", "id", "StreamSession"),
    ("GET", "/faqs"): Op(
        "FAQs, paged by id",
        query={"after": {"type": "string"}, "limit": _LIMIT},
        ok={"200": _page("FAQ", paged=True)},
    ),
    **{k: v for k, v in _crud("/faqs", "id", "FAQ").items() if k != ("GET", "/faqs")},
    ("GET", "/audit"): Op(
        "the audit log, newest first",
        query={
            "entity": {"type": "string"},
            "key": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 10000},
        },
        ok={
            "200": {
                "type": "object",
                "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"type": "object"}}},
            }
        },
    ),
    ("POST", "/imports"): Op(
        "start an import (JSON or CSV export file)",
        query=_FORMAT,
        body=_IMPORT_BODY,
        ok={"202": _ref("ImportJob")},
    ),
    ("POST", "/imports/preview"): Op(
        "what an import would change (dry run)",
        query=_FORMAT,
        body=_IMPORT_BODY,
        ok={"200": {"type": "object"}},
    ),
    ("GET", "/imports/{id}"): Op("an import's progress or result", ok={"200": _ref("ImportJob")}),
    ("GET", "/export"): Op("the whole catalog (JSON or CSV)", query=_FORMAT, ok={"200": {"type": "object"}}),
    ("GET", "/catalog/names"): Op(
        "product names and aliases for the NLU (no authentication; ETag / If-None-Match)",
        ok={
            "200": {
                "type": "object",
                "required": ["version", "products"],
                "properties": {"version": {}, "products": {"type": "array"}},
            }
        },
        public=True,
    ),
    ("GET", "/openapi.json"): Op("this document", ok={"200": {"type": "object"}}),
}


def registered_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path below /api/v1) of every route the gateway serves there: the admin sub-application's
    and the gateway's own (``/api/v1/catalog/names``)."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith(PREFIX + "/") and route.method not in ("HEAD", "*"):
            found.add((route.method, path.removeprefix(PREFIX)))
        app_info = info.get("app")
        if isinstance(app_info, web.Application) and info.get("prefix") == PREFIX:
            for sub in app_info.router.routes():
                sub_info = sub.resource.get_info() if sub.resource is not None else {}
                sub_path = sub_info.get("path") or sub_info.get("formatter") or ""
                if sub.method not in ("HEAD", "*"):
                    found.add((sub.method, sub_path.removeprefix(PREFIX)))
    return found


def build_document(routes: set[tuple[str, str]]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes``; ValueError when the routes and :data:`OPERATIONS` differ."""
    undocumented = routes - OPERATIONS.keys()
    unrouted = OPERATIONS.keys() - routes
    if undocumented or unrouted:
        raise ValueError(
            f"OpenAPI out of step: undocumented {sorted(undocumented)}, unrouted {sorted(unrouted)}"
        )
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), op in sorted(OPERATIONS.items()):
        paths.setdefault(PREFIX + path, {})[method.lower()] = _operation(method, path, op)
    schemas: dict[str, Any] = {name: entity_schema(cls, request=False) for name, cls in ENTITIES.items()}
    schemas |= {f"{name}Create": entity_schema(cls, request=True) for name, cls in ENTITIES.items()}
    schemas["ImportJob"] = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "field": {"type": ["string", "null"]},
            "code": {"type": "string"},
            "params": {"type": "object"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "liveroom admin API",
            "version": "1",
            "description": "Catalog, FAQ, promotion and schedule editing (bot/admin/routes.py)",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "LIVEROOM_ADMIN_TOKENS"},
                "session": {"type": "apiKey", "in": "cookie", "name": "liveroom_session",
                            "description": "a web session; unsafe methods also need X-CSRF-Token"},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
    }  # fmt: skip


def _operation(method: str, path: str, op: Op) -> dict[str, Any]:
    params: list[dict[str, Any]] = []
    for name in _path_params(path):
        params.append(
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        )
    for name, schema in op.query.items():
        schema = dict(schema)
        required = schema.pop("required", False)
        params.append({"name": name, "in": "query", "required": required, "schema": schema})
    if op.version_header:
        params.append({"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}})
    responses: dict[str, Any] = {}
    for status, schema in op.ok.items():
        responses[status] = {"description": op.summary}
        if schema is not None:
            responses[status]["content"] = {JSON: {"schema": schema}}
    if path == "/export":
        responses["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    if op.public:
        responses["304"] = {"description": "not modified (If-None-Match)"}
        responses["503"] = _error_response("the graph database is unavailable")
    else:
        for status, text in ERROR_STATUSES.items():
            responses[status] = _error_response(text)
    out: dict[str, Any] = {
        "operationId": method.lower() + "_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_"),
        "summary": op.summary,
        "parameters": params,
        "responses": responses,
    }
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {m: {"schema": s} for m, s in op.body.items()}}
    if op.public:
        out["security"] = []
    return out


def _error_response(text: str) -> dict[str, Any]:
    return {"description": text, "content": {JSON: {"schema": _ref("Error")}}}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


async def serve_document(request: web.Request) -> web.Response:
    """GET /api/v1/openapi.json (in the admin sub-application: its authentication applies)."""
    parent = request.config_dict.get(OPENAPI_GATEWAY_APP)
    routes = registered_routes(parent) if parent is not None else set()
    if parent is None:  # the admin sub-application served alone (tests): its own routes only
        routes = {
            (r.method, (r.resource.get_info().get("path") or r.resource.get_info().get("formatter") or ""))
            for r in request.app.router.routes()
            if r.resource is not None and r.method not in ("HEAD", "*")
        }
        routes = {(m, p.removeprefix(PREFIX)) for m, p in routes} | {("GET", "/catalog/names")}
    return web.json_response(build_document(routes))  # fmt: skip


def setup(admin: web.Application, parent: web.Application | None) -> None:
    """Mount GET /openapi.json on the admin sub-application; ``parent`` is the gateway app it lives in."""
    admin.router.add_get("/openapi.json", serve_document)
    if parent is not None:
        admin[OPENAPI_GATEWAY_APP] = parent
