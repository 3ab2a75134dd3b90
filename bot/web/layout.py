"""The one page template: header (nav by role, language switch, logout), CSP, phone viewport, assets.

    return render_page(request, "editor.title", body_html, entry="editor", extra={"sku": sku})

``body_html`` is trusted markup built by the caller (escape user data with ``html.escape``). The page
loads ``/static/dist/<entry>.js`` and ``.css`` (built by ``make web`` from ``frontend/src/<entry>.js``)
plus ``common.css``; no inline scripts or styles (the CSP is ``default-src 'self'``). Data for the
script travels as JSON in ``<script type="application/json">`` elements, which the CSP does not run:
``#page-data`` (``{csrf, user, role, lang, ...extra}``) and ``#i18n`` (the language's strings).
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot.web.auth import ROLE_MODERATOR, current_session, has_role
from bot.web.i18n import LANGS, messages, request_lang, t

__all__ = ["CSP", "DIST_DIR", "STATIC_DIR", "asset_url", "render_page", "security_headers"]

STATIC_DIR = Path(__file__).with_name("static")
DIST_DIR = STATIC_DIR / "dist"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# (nav key, path, role needed or None for everyone); every page of the site, whichever module serves it.
NAV: tuple[tuple[str, str, str | None], ...] = (
    ("nav.simulator", "/simulator", None),
    ("nav.dashboard", "/dashboard", ROLE_MODERATOR),
    ("nav.report", "/report", ROLE_MODERATOR),
    ("nav.editor", "/editor", ROLE_MODERATOR),
)
_Response = TypeVar("_Response", bound=web.StreamResponse)


def security_headers(response: _Response) -> _Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@functools.cache
def _stamp(path: Path, mtime_ns: int) -> str:
    return format(mtime_ns % 0xFFFFFFFF, "x")


def asset_url(name: str) -> str:
    """``/static/dist/<name>?v=<stamp>``: the stamp changes with each build, so caches refresh."""
    path = DIST_DIR / name
    try:
        stamp = _stamp(path, path.stat().st_mtime_ns)
    except OSError:
        stamp = "missing"  # not built: the page still renders, `make web` builds the assets
    return f"/static/dist/{name}?v={stamp}"


def _nav(request: web.Request, role: str | None) -> str:
    links = []
    for key, path, needed in NAV:
        if needed is not None and (role is None or not has_role(role, needed)):
            continue
        current = ' aria-current="page"' if request.path == path else ""
        links.append(f'<a href="{path}"{current}>{html.escape(t(request, key))}</a>')
    return "".join(links)


def _lang_switch(request: web.Request, csrf: str) -> str:
    lang = request_lang(request)
    buttons = "".join(
        f'<button name="lang" value="{code}" type="submit" aria-pressed="{str(code == lang).lower()}">'
        f"{html.escape(messages(code)['lang.name'])}</button>"
        for code in LANGS
    )
    return (
        f'<form class="lang-switch" method="post" action="/lang">'
        f'<input type="hidden" name="csrf" value="{html.escape(csrf)}">'
        f'<input type="hidden" name="next" value="{html.escape(request.path_qs)}">{buttons}</form>'
    )


def render_page(
    request: web.Request,
    title_key: str,
    body_html: str,
    entry: str = "dashboard",
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> web.Response:
    """A complete HTML page in the request's language with the common header and ``entry``'s assets."""
    session = current_session(request)
    user = session.user if session else None
    csrf = session.csrf if session else ""
    lang = request_lang(request)
    title = t(request, title_key)
    data = {"csrf": csrf, "user": user.name if user else None, "role": user.role if user else None}
    data |= {"lang": lang, **(extra or {})}
    if user is not None:
        role = html.escape(t(request, "role." + user.role))
        account = (
            f'<span class="who">{html.escape(user.name)} · {role}</span>'
            '<form method="post" action="/logout">'
            f'<input type="hidden" name="csrf" value="{html.escape(csrf)}">'
            f'<button type="submit" class="secondary">{html.escape(t(request, "nav.logout"))}</button></form>'
        )
    else:
        account = f'<a class="login" href="/login">{html.escape(t(request, "nav.login"))}</a>'
    page = f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{html.escape(csrf)}">
<title>{html.escape(title)} · liveroom</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{asset_url("common.css")}">
<link rel="stylesheet" href="{asset_url(entry + ".css")}">
<script type="application/json" id="page-data">{_json_script(data)}</script>
<script type="application/json" id="i18n">{_json_script(messages(lang))}</script>
<script type="module" src="{asset_url(entry + ".js")}"></script>
</head>
<body class="page-{html.escape(entry)}">
<header class="top">
  <a class="brand" href="/simulator">liveroom</a>
  <nav>{_nav(request, user.role if user else None)}</nav>
  <div class="account">{_lang_switch(request, csrf)}{account}</div>
</header>
<main id="main">
<h1 class="page-title">{html.escape(title)}</h1>
{body_html}
</main>
</body>
</html>
"""
    response = web.Response(text=page, content_type="text/html", charset="utf-8", status=status)
    response.headers["Cache-Control"] = "no-store"
    return security_headers(response)


def _json_script(data: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" or "<!--" can close or confuse it)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
