"""Web login: server-side sessions, CSRF tokens, role checks (the users and roles: bot/web/users.py).

Sessions live in the gateway process and in ``var/web/sessions.json`` (only a hash of each id, so
they survive a restart): a random 256-bit id in an HttpOnly, SameSite=Strict cookie (``Secure`` when
``LIVEROOM_WEB_SECURE_COOKIES=1`` or the request came over https), an idle expiry and a per-session
CSRF token that every unsafe request must echo in ``X-CSRF-Token`` (pages read it from
``<meta name="csrf-token">``). Roles nest: streamer ⊃ moderator ⊃ viewer.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.http.errors import json_error
from bot.services import SESSIONS
from bot.web.users import (
    ROLE_MODERATOR,
    ROLE_RANK,
    ROLE_STREAMER,
    ROLE_VIEWER,
    UserDirectory,
    WebUser,
    ensure_demo_users_file,
    has_role,
    load_users,
)
from connectors.settings import load, setting

__all__ = [
    "ROLE_MODERATOR",
    "ROLE_STREAMER",
    "ROLE_VIEWER",
    "SESSIONS",
    "UNSAFE_METHODS",
    "Session",
    "SessionStore",
    "UserDirectory",
    "WebAuthConfig",
    "WebUser",
    "check_csrf",
    "current_session",
    "current_user",
    "ensure_demo_users_file",
    "has_role",
    "load_users",
    "require_role",
]

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COOKIE = "liveroom_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class WebAuthConfig:
    session_ttl_s: float = setting("LIVEROOM_WEB_SESSION_TTL_S", default=12 * 3600.0)
    #: also Secure whenever the request itself came over https
    secure_cookies: bool = setting("LIVEROOM_WEB_SECURE_COOKIES", default=False)

    def __post_init__(self) -> None:
        if self.session_ttl_s <= 0:
            raise ValueError("LIVEROOM_WEB_SESSION_TTL_S must be positive")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> WebAuthConfig:
        return load(cls, env)


@dataclass
class Session:
    id: str = field(repr=False)  # known only from the cookie: the store keeps its hash
    user: WebUser
    csrf: str = field(repr=False)
    expires: float  # wall-clock (time.time()) so it means the same after a restart
    saved_expires: float = field(default=0.0, repr=False)


def _sid_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class SessionStore:
    """Sessions by the hash of their id, with the users' language choices (kept for their next login too).

    With ``sessions_path`` the sessions survive a gateway restart (moderators on phones stay logged in):
    the file holds, per session, only the SHA-256 of its id, the user, role, CSRF token and expiry, is
    written atomically (temporary file + rename, mode 0600) on login, logout and expiry, and on idle
    renewal at most every ``_SAVE_EVERY_S``. A stored session whose user is gone or changed role is
    dropped at load, so removing a user from the config logs them out."""

    _SAVE_EVERY_S = 300.0

    def __init__(
        self,
        users: UserDirectory,
        config: WebAuthConfig,
        prefs_path: Path | None = None,
        sessions_path: Path | None = None,
    ) -> None:
        self.users = users
        self.config = config
        self._prefs_path = prefs_path
        self._langs: dict[str, str] = self._load_prefs()
        self._sessions_path = sessions_path
        self._sessions: dict[str, Session] = self._load_sessions()

    def _load_prefs(self) -> dict[str, str]:
        if self._prefs_path is None or not self._prefs_path.exists():
            return {}
        try:
            data = json.loads(self._prefs_path.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data.get("lang", {}).items()}
        except (OSError, ValueError, AttributeError) as err:
            log.warning("web: ignoring unreadable preferences %s: %s", self._prefs_path, err)
            return {}

    def _save_prefs(self) -> None:
        if self._prefs_path is not None:
            _write_atomic(self._prefs_path, {"lang": self._langs}, "preferences")

    def _load_sessions(self) -> dict[str, Session]:
        path = self._sessions_path
        if path is None or not path.exists():
            return {}
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))["sessions"]
            loaded = {
                str(key): Session(
                    id="",
                    user=WebUser(str(r["user"]), str(r["role"]), self._langs.get(str(r["user"]), "en")),
                    csrf=str(r["csrf"]),
                    expires=float(r["expires"]),
                    saved_expires=float(r["expires"]),
                )
                for key, r in rows.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            log.warning("web: ignoring unreadable sessions file %s: %s", path, err)
            return {}
        now = time.time()
        kept = {
            k: s
            for k, s in loaded.items()
            if s.expires > now and self.users.role_of(s.user.name) == s.user.role
        }
        if len(kept) != len(loaded):
            log.info("web: %d stored sessions expired or lost their user", len(loaded) - len(kept))
        log.info("web: %d sessions restored from %s", len(kept), path)
        return kept

    def _save_sessions(self) -> None:
        if self._sessions_path is None:
            return
        rows = {
            key: {"user": s.user.name, "role": s.user.role, "csrf": s.csrf, "expires": round(s.expires, 3)}
            for key, s in self._sessions.items()
        }
        if _write_atomic(self._sessions_path, {"sessions": rows}, "sessions"):
            for session in self._sessions.values():
                session.saved_expires = session.expires

    def create(self, user: WebUser) -> Session:
        self._expire()
        user = WebUser(user.name, user.role, self._langs.get(user.name, user.lang))
        session = Session(
            id=secrets.token_urlsafe(32),
            user=user,
            csrf=secrets.token_urlsafe(32),
            expires=time.time() + self.config.session_ttl_s,
        )
        self._sessions[_sid_hash(session.id)] = session
        self._save_sessions()
        return session

    def get(self, session_id: str) -> Session | None:
        key = _sid_hash(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        now = time.time()
        if session.expires < now:
            del self._sessions[key]
            self._save_sessions()
            return None
        session.id = session_id  # a restored session learns its id back from the cookie
        session.expires = now + self.config.session_ttl_s  # idle expiry
        if session.expires - session.saved_expires > min(self._SAVE_EVERY_S, self.config.session_ttl_s / 10):
            self._save_sessions()
        return session

    def drop(self, session_id: str) -> None:
        if self._sessions.pop(_sid_hash(session_id), None) is not None:
            self._save_sessions()

    def __len__(self) -> int:
        return len(self._sessions)

    def set_lang(self, session: Session, lang: str) -> None:
        session.user = WebUser(session.user.name, session.user.role, lang)
        if self._langs.get(session.user.name) != lang:
            self._langs[session.user.name] = lang
            self._save_prefs()

    def _expire(self) -> None:
        now = time.time()
        expired = [key for key, s in self._sessions.items() if s.expires < now]
        for key in expired:
            del self._sessions[key]


def _write_atomic(path: Path, data: object, what: str) -> bool:
    """Write JSON to ``path`` via a temporary file and a rename (readers never see half a file), 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        return True
    except OSError as err:
        log.warning("web: cannot save %s to %s: %s", what, path, err)
        tmp.unlink(missing_ok=True)
        return False


_SESSION = web.RequestKey("web_session", object)


def current_session(request: web.Request) -> Session | None:
    """The request's live session (cached on the request), or None when logged out."""
    if _SESSION in request:
        cached = request[_SESSION]
        return cached if isinstance(cached, Session) else None
    store = request.config_dict.get(SESSIONS)
    sid = request.cookies.get(COOKIE, "")
    session = store.get(sid) if store is not None and sid else None
    request[_SESSION] = session if session is not None else False
    return session


def current_user(request: web.Request) -> WebUser | None:
    session = current_session(request)
    return session.user if session else None


def check_csrf(request: web.Request, session: Session) -> bool:
    """True for safe methods, or when ``X-CSRF-Token`` (or form field ``csrf``) matches the session."""
    if request.method not in UNSAFE_METHODS:
        return True
    presented = request.headers.get(CSRF_HEADER, "")
    # surrogateescape: aiohttp decodes header bytes that are not UTF-8 that way (review L6: no 500)
    return bool(presented) and hmac.compare_digest(
        presented.encode("utf-8", "surrogateescape"), session.csrf.encode()
    )


def set_session_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    store = request.config_dict[SESSIONS]
    response.set_cookie(
        COOKIE,
        session.id,
        max_age=int(store.config.session_ttl_s),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=store.config.secure_cookies or request.secure,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def _wants_html(request: web.Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def require_role(role: str) -> Callable[[Handler], Handler]:
    """Handler decorator: pages redirect to /login?next=..., JSON gets 401/403; unsafe methods need CSRF."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: web.Request) -> web.StreamResponse:
            session = current_session(request)
            if session is None:
                if _wants_html(request):
                    raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='')}")
                return json_error(401, "not logged in")
            if not has_role(session.user.role, role):
                if _wants_html(request):
                    raise web.HTTPForbidden(text=f"this page needs the {role} role")
                return json_error(403, f"needs the {role} role")
            if not check_csrf(request, session):
                return json_error(403, "missing or wrong CSRF token (X-CSRF-Token)")
            return await handler(request)

        return wrapped

    return decorate
