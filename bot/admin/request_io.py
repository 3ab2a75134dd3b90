"""Reading admin API requests and writing their answers: the JSON body, paging and version parameters,
the acting user, the store, and the JSON response with its ``ETag``. Errors are raised as
``knowledge_graph`` errors; the admin app's middleware (bot/admin/__init__.py) turns them into the one
error shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web

from bot.admin.jobs import read_limited
from bot.services import ADMIN_STORE
from knowledge_graph import check_expected
from knowledge_graph.errors import ValidationError
from knowledge_graph.store import GraphStore

__all__ = [
    "ACTOR",
    "MAX_JSON_BODY",
    "MAX_PAGE",
    "actor",
    "changes",
    "expected_version",
    "graph_store",
    "int_query",
    "json_body",
    "respond",
]

ACTOR = web.RequestKey("admin_actor", str)  # the authenticated token's name
MAX_JSON_BODY = 256 * 1024
MAX_PAGE = 1000


def graph_store(request: web.Request) -> GraphStore:
    """The store the admin API edits."""
    return request.app[ADMIN_STORE]


def actor(request: web.Request) -> str:
    """Who the audit trail names: the token's name or the web session's user."""
    return str(request[ACTOR])


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (at most ``MAX_JSON_BODY`` bytes; decimals stay exact)."""
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


def int_query(request: web.Request, name: str, default: int, maximum: int) -> int:
    """``?name=`` as an integer from 1 to ``maximum`` (ASCII digits only), else ``default``."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:  # not "³"
        raise ValidationError(name, f"must be an integer from 1 to {maximum}")
    return int(raw)


def expected_version(request: web.Request, body: Mapping[str, Any] | None = None) -> int:
    """The version the client read: body ``version``, else ``If-Match``, else ``?version=``."""
    if body is not None and "version" in body:
        return check_expected(body["version"])
    raw = request.headers.get("If-Match") or request.query.get("version")
    if raw is None:
        raise ValidationError("version", "is required (the version you read; body, If-Match or ?version=)")
    raw = raw.strip().strip('"').removeprefix("W/").strip('"')
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError("version", f"must be an integer, got {raw[:20]!r}")
    return check_expected(int(raw))


def respond(data: Any, status: int = 200, version: int | None = None) -> web.Response:
    """JSON (non-ASCII kept as is), with the entity's version as ``ETag`` when given."""
    response = web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))
    if version is not None:
        response.headers["ETag"] = f'"{version}"'
    return response


def changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's fields to change (all but ``version``)."""
    return {k: v for k, v in body.items() if k != "version"}
