"""Login, logout, language switch, and the streamer editor and viewer simulator pages.

Logout and the language switch are plain HTML forms (they work before any script loads); they carry
the session's CSRF token in a hidden ``csrf`` field. Login has no session yet; SameSite=Strict on the
cookie, a fresh session id on every login (no fixation) and a same-origin check of the browser's
``Origin`` header on every form post are its protection.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import os
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from importlib import resources
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.rooms import room_name_ok
from bot.http import rate_limit
from bot.http.errors import json_error
from bot.services import METRICS, SAMPLE_LOGS, THROTTLE
from bot.web.auth import (
    ROLE_MODERATOR,
    ROLE_STREAMER,
    SESSIONS,
    WebUser,
    clear_session_cookie,
    current_session,
    has_role,
    require_role,
    set_session_cookie,
)
from bot.web.i18n import LANG_COOKIE, LANGS, messages, t
from bot.web.layout import STATIC_DIR, render_page, security_headers
from bot.web.login_throttle import LoginThrottle, ThrottleConfig
from connectors.simulator.chatlog import event_to_json, generate

__all__ = ["setup"]

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 4096
FAVICON = STATIC_DIR / "favicon.svg"
_BODY = re.compile(r"<!-- simulator:body -->(.*?)<!-- /simulator:body -->", re.S)
MAX_NAME_CHARS = 64  # longer names are never accounts (auth._NAME); the throttle keys stay small
MAX_NEXT_CHARS = 2048
MAX_SAMPLE_EVENTS = 500  # the replay panel asks for 200; 5000 was ~0.7 s of CPU per request


class SampleLogs:
    """Generated sample logs, built in a worker thread (never on the event loop) and cached: a log is
    deterministic for its ``(n, room)``, so repeated requests cost nothing. At most ``max_entries``
    logs are kept and ``concurrency`` built at once (the default thread pool also hashes passwords)."""

    def __init__(self, max_entries: int = 16, concurrency: int = 2) -> None:
        self.max_entries = max_entries
        self._logs: OrderedDict[tuple[int, str], asyncio.Future[str]] = OrderedDict()
        self._slots = asyncio.Semaphore(concurrency)

    async def get(self, n: int, room: str) -> str:
        key = (n, room)
        future = self._logs.get(key)
        if future is None:
            future = self._logs[key] = asyncio.get_running_loop().create_future()
            while len(self._logs) > self.max_entries:
                self._logs.popitem(last=False)
            try:
                async with self._slots:
                    text = await asyncio.to_thread(_sample_log_text, n, room)
            except BaseException as err:
                self._logs.pop(key, None)
                future.set_exception(err if isinstance(err, Exception) else RuntimeError("cancelled"))
                future.exception()  # retrieved: waiters re-raise it themselves
                raise
            future.set_result(text)
        else:
            self._logs.move_to_end(key)
        return await asyncio.shield(future)


def _sample_log_text(n: int, room: str) -> str:
    lines = (json.dumps(event_to_json(e), ensure_ascii=False) for e in generate(n, seed=n, room=room))
    return "\n".join(lines) + "\n"


def setup(app: web.Application, env: Mapping[str, str] = os.environ) -> None:
    """Mount the pages; ``env`` configures the login throttle (``ThrottleConfig.from_env``)."""
    metrics = app.get(METRICS)  # absent when only the web pieces are mounted (tests)
    app[THROTTLE] = LoginThrottle(
        ThrottleConfig.from_env(env),
        on_throttled=(lambda reason: metrics.logins_throttled.labels(reason).inc()) if metrics else None,
    )
    rate_limit.install(app, env)  # the anonymous sample log (and the app's catalog names)
    app[SAMPLE_LOGS] = SampleLogs()
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_post("/lang", set_lang)
    app.router.add_get("/simulator", simulator_page)
    app.router.add_get("/simulator/sample-log", sample_log)
    app.router.add_get("/i18n/{lang}.json", i18n_table)
    app.router.add_get("/editor", editor_page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/favicon.svg", favicon)


def _safe_next(raw: str | None) -> str:
    """``raw`` if it is an absolute path on this site, else ``"/"`` (the role's default page).

    Checking only the first characters is not enough (open redirect): URL parsers drop TAB, CR and LF
    (WHATWG; yarl, which builds aiohttp's ``Location``, does too), so ``/\\t/evil.example`` becomes
    ``//evil.example``, and browsers read ``\\`` as ``/``. So any control character, whitespace or
    backslash refuses the whole value, and what is left must parse (``urlsplit``, which strips the same
    characters) to no scheme, no host and a path with exactly one leading ``/``."""
    if not raw or len(raw) > MAX_NEXT_CHARS or not raw.startswith("/") or raw.startswith("//"):
        return "/"
    if any(c == "\\" or c.isspace() or unicodedata.category(c).startswith("C") for c in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return raw


def _default_page(user: WebUser) -> str:
    if user.role == ROLE_STREAMER:
        return "/editor"
    return "/dashboard" if has_role(user.role, "moderator") else "/simulator"


async def _form(request: web.Request) -> dict[str, str]:
    """The posted form; 403 when the browser says it came from another site (login CSRF)."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="cross-site form post refused")
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM_BYTES, actual_size=request.content_length)
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _login_body(request: web.Request, next_path: str, message: str = "", user: str = "") -> str:
    alert = f'<p class="alert error" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""
<form class="card login-form" method="post" action="/login">
  {alert}
  <input type="hidden" name="next" value="{html.escape(next_path)}">
  <label>{html.escape(t(request, "login.user"))}
    <input name="user" autocomplete="username" required maxlength="64" value="{html.escape(user)}"></label>
  <label>{html.escape(t(request, "login.password"))}
    <input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
  <button type="submit">{html.escape(t(request, "login.submit"))}</button>
  <p class="hint"><a href="/simulator">{html.escape(t(request, "login.viewer_hint"))}</a></p>
</form>"""


async def login_page(request: web.Request) -> web.Response:
    next_path = _safe_next(request.query.get("next"))
    session = current_session(request)
    if session is not None and "next" not in request.query:
        raise web.HTTPFound(_default_page(session.user))
    message = t(request, "login.logged_out") if "bye" in request.query else ""
    return render_page(request, "login.title", _login_body(request, next_path, message), entry="login")


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    name, password = form.get("user", "").strip(), form.get("password", "")
    next_path = _safe_next(form.get("next"))
    store = request.app[SESSIONS]
    user, throttle, address, stamp = None, request.app[THROTTLE], request.remote or "", 0.0
    if name and password:
        # asked before scrypt: a throttled attempt costs no hash (bot/web/login_throttle.py)
        retry_after, stamp = throttle.begin(name[:MAX_NAME_CHARS], address)
        if retry_after:
            log.info("web login throttled from %s (retry in %d s)", address, retry_after)
            body = _login_body(request, next_path, t(request, "login.throttled"), name)
            response = render_page(request, "login.title", body, entry="login", status=429)
            response.headers["Retry-After"] = str(retry_after)
            return response
        # scrypt is CPU-bound (~50 ms): off the event loop so chat keeps flowing during logins.
        user = await asyncio.to_thread(store.users.verify, name, password)
    if user is not None:
        throttle.succeeded(name[:MAX_NAME_CHARS], address, stamp)
    if user is None:
        # a hash prefix, not the name: a password typed into the name field must not reach the log
        name_tag = hmac.new(b"liveroom-login", name.encode(), "sha256").hexdigest()[:8]
        log.info("web login failed for user #%s from %s", name_tag, request.remote)
        body = _login_body(request, next_path, t(request, "login.failed"), name)
        return render_page(request, "login.title", body, entry="login", status=401)
    old = current_session(request)
    if old is not None:
        store.drop(old.id)
    session = store.create(user)
    log.info("web login: %s (%s)", user.name, user.role)
    response = web.HTTPSeeOther(next_path if next_path != "/" else _default_page(session.user))
    set_session_cookie(request, response, session)
    response.set_cookie(LANG_COOKIE, session.user.lang, max_age=365 * 86400, path="/", samesite="Strict")
    security_headers(response)
    raise response


def _form_csrf_ok(request: web.Request, form: dict[str, str]) -> bool:
    session = current_session(request)
    if session is None:
        return True  # nothing to protect: a logged-out browser only sets its own language cookie
    return hmac.compare_digest(form.get("csrf", "").encode(), session.csrf.encode())


async def logout(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    if not _form_csrf_ok(request, form):
        return json_error(403, "missing or wrong CSRF token")
    session = current_session(request)
    if session is not None:
        request.app[SESSIONS].drop(session.id)
    response = web.HTTPSeeOther("/login?bye=1")
    clear_session_cookie(response)
    raise response


async def set_lang(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    if not _form_csrf_ok(request, form):
        return json_error(403, "missing or wrong CSRF token")
    lang = form.get("lang", "")
    if lang not in LANGS:
        problem = f"lang must be one of {', '.join(LANGS)}"
        return json_error(422, problem, "lang")
    session = current_session(request)
    if session is not None:
        request.app[SESSIONS].set_lang(session, lang)
    if request.headers.get("Accept", "").startswith("application/json"):
        response: web.StreamResponse = web.json_response({"lang": lang})
    else:
        response = web.HTTPSeeOther(_safe_next(form.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/", samesite="Strict")
    if isinstance(response, web.HTTPException):
        raise response
    return response


async def simulator_page(request: web.Request) -> web.Response:
    """The simulator for everyone, logged in or not; the markup is shared with the connector's page."""
    raw = resources.files("connectors.simulator").joinpath("page.html").read_text(encoding="utf-8")
    match = _BODY.search(raw)
    body = match.group(1) if match else '<p class="alert error">simulator markup missing</p>'
    room = request.query.get("room", "demo")
    return render_page(request, "simulator.title", body, entry="simulator", extra={"room": room[:40]})


async def sample_log(request: web.Request) -> web.Response:
    """A generated chat log (JSON lines, the replay format) for the simulator's replay panel."""
    refused = rate_limit.refuse_if_limited(request)
    if refused is not None:
        return refused
    raw = request.query.get("n", "200")
    n = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 0
    if not 1 <= n <= MAX_SAMPLE_EVENTS:
        problem = f"n must be 1-{MAX_SAMPLE_EVENTS}"
        return json_error(422, problem, "n")
    room = request.query.get("room", "demo")
    if not room_name_ok(room) or len(room) > 40:
        return json_error(422, "room names are 1-40 letters or digits", "room")
    text = await request.app[SAMPLE_LOGS].get(n, room)
    return web.Response(text=text, content_type="application/x-ndjson", charset="utf-8")


async def i18n_table(request: web.Request) -> web.Response:
    """The strings of one language, for pages served outside the layout (the connector's "/")."""
    lang = request.match_info["lang"]
    if lang not in LANGS:
        raise web.HTTPNotFound()
    response = web.json_response(messages(lang), dumps=lambda d: json.dumps(d, ensure_ascii=False))
    response.headers["Cache-Control"] = "max-age=300"
    return response


async def favicon(request: web.Request) -> web.Response:
    """The tab icon (browsers ask for /favicon.ico on every page even with a <link rel="icon">)."""
    response = web.Response(body=FAVICON.read_bytes(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@require_role(ROLE_MODERATOR)
async def editor_page(request: web.Request) -> web.Response:
    """Streamers edit; moderators see the same catalog read-only (the API refuses their writes too)."""
    return render_page(request, "editor.title", '<div id="editor" class="editor"></div>', entry="editor")
