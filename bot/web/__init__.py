"""The web pages of liveroom, served by the gateway app: login, editor, simulator, dashboard, report.

    from bot.web import setup_web
    setup_web(app)          # once, in bot.app.create_app, after setup_admin(app)

``setup_web`` installs the shared pieces: sessions, the login/editor/simulator pages (:mod:`bot.web.pages`),
the web session on the admin API (:mod:`bot.web.admin_session`) and ``/static/``. The composition root
(bot/app.py) mounts the recorder, dashboard and report pages after it, and lists their cleanup contexts.

Shared pieces: :mod:`bot.web.auth` (users, roles, sessions, CSRF, ``require_role``), :mod:`bot.web.i18n`
(``t``, EN + 中文), :mod:`bot.web.layout` (``render_page``: header, CSP, assets). Static assets are under
``/static/`` (``bot/web/static``; ``dist/`` is built by ``make web`` from ``bot/web/frontend``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from bot.services import SESSIONS
from bot.web import admin_session, pages
from bot.web.auth import SessionStore, WebAuthConfig, load_users
from bot.web.layout import STATIC_DIR

__all__ = ["setup_web"]

log = logging.getLogger(__name__)


def setup_web(app: web.Application, env: Mapping[str, str] = os.environ) -> None:
    """Install sessions, the login/editor/simulator pages, the admin API's web session and static assets
    (without a gateway: tests of login and sessions use this alone)."""
    users = load_users(env)
    if not len(users):
        log.warning("web: no users configured (LIVEROOM_WEB_USERS); only the simulator page is usable")
    var_dir = Path(env.get("LIVEROOM_VAR", "var"))
    prefs = var_dir / "web" / "prefs.json"
    sessions = var_dir / "web" / "sessions.json"
    app[SESSIONS] = SessionStore(users, WebAuthConfig.from_env(env), prefs_path=prefs, sessions_path=sessions)
    pages.setup(app, env)
    admin_session.setup(app)
    STATIC_DIR.mkdir(exist_ok=True)
    app.router.add_static("/static/", STATIC_DIR, append_version=False, follow_symlinks=False)
