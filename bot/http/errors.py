"""The one JSON error shape of the gateway's HTTP surfaces.

``{"error": English text}``, plus when the surface knows them ``"field"`` (the request part at fault, or
None), ``"code"`` (a stable id pages translate) and ``"params"`` (the values the translation fills in),
plus surface-specific details (e.g. the admin API's ``current_version``). The admin API (bot/admin) and
the web session on it always send all four keys; the anonymous endpoints send ``error`` alone (their
bodies must name nothing of the gateway's internals).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

__all__ = ["STATUS_CODES", "json_error", "json_error_full"]

#: the default ``code`` per status, when a surface sends codes but names none for this error
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_big",
    503: "unavailable",
}

_NO_FIELD: Any = object()


def json_error(
    status: int,
    message: str,
    field: str | None = _NO_FIELD,
    *,
    code: str | None = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    """An error response in the shape above; ``field``, ``code``, ``params`` appear when given."""
    body: dict[str, Any] = {"error": message}
    if field is not _NO_FIELD:
        body["field"] = field
    body |= extra
    if code is not None:
        body["code"] = code
    if params is not None:
        body["params"] = dict(params)
    return web.json_response(body, status=status, headers=headers)


def json_error_full(
    status: int,
    message: str,
    field: str | None = None,
    *,
    code: str = "",
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> web.Response:
    """The shape with all four keys (the admin API's): the code defaults to the status's."""
    return json_error(
        status,
        message,
        field,
        code=code or STATUS_CODES.get(status, "error"),
        params=params or {},
        headers=headers,
        **extra,
    )
