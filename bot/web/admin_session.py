"""Logged-in web sessions on the admin API (``/api/v1``), next to its bearer tokens.

The editor page calls the same API as scripts do. A request without ``Authorization`` but with a
session cookie is accepted when: the role may read (moderator or streamer; viewers get 403); an unsafe
method carries the session's CSRF token in ``X-CSRF-Token`` (else 403); and the role may write it
(streamers everything; moderators only the paths in ``MODERATOR_WRITES`` — no catalog edits). The
audit trail names the user.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.http.errors import json_error_full
from bot.services import ADMIN_APP, SESSION_AUTH
from bot.web.auth import (
    ROLE_MODERATOR,
    ROLE_STREAMER,
    UNSAFE_METHODS,
    check_csrf,
    current_session,
    has_role,
)

__all__ = ["MODERATOR_WRITES", "authorize", "setup"]

log = logging.getLogger(__name__)

#: admin-API path prefixes (after /api/v1) a moderator may write to; the catalog is not among them.
MODERATOR_WRITES: tuple[str, ...] = ()


def _refuse(status: int, message: str) -> web.Response:
    return json_error_full(status, message)  # the admin API's shape: the session is on that API


def authorize(request: web.Request) -> str | web.Response | None:
    """The actor name for an allowed session request, a 403 response, or None (no session)."""
    session = current_session(request)
    if session is None:
        return None
    role = session.user.role
    if not has_role(role, ROLE_MODERATOR):
        return _refuse(403, f"the {role} role may not use the admin API")
    if request.method in UNSAFE_METHODS:
        if not check_csrf(request, session):
            return _refuse(403, "missing or wrong CSRF token (X-CSRF-Token)")
        if not has_role(role, ROLE_STREAMER) and not any(
            request.rel_url.path.removeprefix("/api/v1").startswith(p) for p in MODERATOR_WRITES
        ):
            log.info("web: %s (%s) refused %s %s", session.user.name, role, request.method, request.path)
            return _refuse(403, f"the {role} role may not change the catalog")
    return session.user.name


def setup(app: web.Application) -> None:
    app[SESSION_AUTH] = authorize
    if ADMIN_APP not in app:
        log.warning("web: no admin API mounted; the editor has nothing to edit")
