"""The streamer's admin HTTP API (``/api/v1/...``), mounted into the gateway app.

    from bot.admin import setup_admin
    setup_admin(app)                      # store from GraphConfig.from_env(), tokens from env

It is an aiohttp sub-application so its middlewares (authentication, error mapping)
touch only admin requests. It owns one graph store, opened in a cleanup context and
closed on shutdown; the gateway keeps serving chat when the graph is down, and admin
requests then answer 503 with the reason.

Errors are JSON ``{"error": ..., "field": ..., "code": ..., "params": {...}}`` (``code``/``params``
stable and machine-readable, ``error`` the English text): 400 malformed body, 401 missing/bad
token, 403 read-only token writing, 404, 409 stale version (``current_version``) or in
use, 413 body too large, 422 invalid field, 503 graph unavailable. See routes.py for
the endpoints and jobs.py for imports with progress.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from bot.admin import openapi
from bot.admin.auth import AdminToken, TokenSet, load_tokens
from bot.admin.jobs import ImportJobs
from bot.admin.request_io import ACTOR
from bot.admin.routes import routes
from bot.http.bearer import bearer_token
from bot.http.errors import json_error_full
from bot.services import ADMIN_APP, ADMIN_JOBS, ADMIN_STORE, ADMIN_TOKENS, GRAPH, SESSION_AUTH
from knowledge_graph import (
    GraphConfig,
    GraphStore,
    GraphUnavailable,
    InUse,
    KnowledgeGraphError,
    NotFound,
    ValidationError,
    VersionConflict,
    open_store,
)

__all__ = ["create_admin_app", "setup_admin"]

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
StoreFactory = Callable[[], GraphStore]
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_admin_app(
    store_factory: StoreFactory | None = None,
    tokens: TokenSet | None = None,
    parent: web.Application | None = None,
) -> web.Application:
    """The admin sub-application (mount it at ``/api/v1``).

    With ``store_factory`` it opens and closes its own store; without, it uses the
    gateway's store in ``parent[GRAPH]`` (set by the gateway's cleanup context, which
    aiohttp runs before sub-applications start).
    """
    admin = web.Application(middlewares=[_errors, _auth])
    admin[ADMIN_TOKENS] = tokens if tokens is not None else load_tokens()
    admin[ADMIN_JOBS] = ImportJobs()
    if not len(admin[ADMIN_TOKENS]):
        log.warning("admin API: no tokens configured (LIVEROOM_ADMIN_TOKENS); every request will get 401")
    admin.router.add_routes(routes)
    openapi.setup(admin, parent)  # GET /openapi.json: this router + the types in bot/admin/openapi.py

    async def store_ctx(app: web.Application) -> AsyncIterator[None]:
        if store_factory is not None:
            store = store_factory()
        elif parent is not None and GRAPH in parent:
            store = parent[GRAPH]
        else:
            store = open_store(GraphConfig.from_env())
        app[ADMIN_STORE] = store
        yield
        await app[ADMIN_JOBS].cancel_all()
        if store is not (parent.get(GRAPH) if parent is not None else None):
            await store.close()

    admin.cleanup_ctx.append(store_ctx)
    return admin


def setup_admin(
    app: web.Application, store_factory: StoreFactory | None = None, tokens: TokenSet | None = None
) -> web.Application:
    """Mount the admin API at ``/api/v1`` on ``app``; returns the sub-application.

    Routes ``app`` registered under ``/api/v1`` earlier (e.g. ``/api/v1/catalog/names``)
    keep precedence and stay outside the admin authentication.
    """
    admin = create_admin_app(store_factory, tokens, parent=app)
    app.add_subapp(PREFIX, admin)
    app[ADMIN_APP] = admin
    return admin


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    header = request.headers.get("Authorization", "")
    session_auth = request.config_dict.get(SESSION_AUTH)
    if not header and session_auth is not None:
        outcome = session_auth(request)
        if isinstance(outcome, web.StreamResponse):
            return outcome
        if outcome is not None:
            request[ACTOR] = outcome
            return await handler(request)
    presented = bearer_token(header)
    if presented is None:
        return _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    token: AdminToken | None = request.app[ADMIN_TOKENS].match(presented)
    if token is None:
        return _unauthorized("invalid token")
    if token.read_only and request.method not in _READ_METHODS:
        return json_error_full(403, f"token {token.name!r} is read-only")
    request[ACTOR] = token.name
    return await handler(request)


def _unauthorized(message: str) -> web.Response:
    return json_error_full(401, message, headers={"WWW-Authenticate": 'Bearer realm="liveroom-admin"'})


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map knowledge-graph errors to HTTP; nothing of a token or a driver leaks into bodies."""
    try:
        return await handler(request)
    except ValidationError as err:
        extra = {"row": err.row} if hasattr(err, "row") else {}
        status = 400 if err.field == "body" else 422
        return json_error_full(status, err.problem, err.field, code=err.code, params=err.params, **extra)
    except NotFound as err:
        return json_error_full(404, str(err), code="not_found")
    except VersionConflict as err:
        params = {"current": str(err.actual)}
        return json_error_full(
            409, str(err), "version", code="version_conflict", params=params, current_version=err.actual
        )
    except InUse as err:
        return json_error_full(409, str(err), code="in_use")
    except GraphUnavailable as err:
        log.warning("admin %s %s: graph unavailable: %s", request.method, request.path, err)
        return json_error_full(503, "the graph database is unavailable", reason=str(err))
    except KnowledgeGraphError:
        log.exception("admin %s %s failed", request.method, request.path)
        return json_error_full(500, "the graph database rejected the request; see the gateway log")
    except web.HTTPRequestEntityTooLarge:
        return json_error_full(413, "request body too large", "body")
    except web.HTTPException as err:
        if err.status >= 400 and err.content_type != "application/json":
            return json_error_full(err.status, err.reason)
        raise
