"""The web pages of liveroom, served by the gateway app: login, editor, simulator, dashboard, report.

    from bot.web import setup_web
    setup_web(app)          # once, in bot.app.create_app, after setup_admin(app)

Shared pieces: :mod:`bot.web.auth` (users, roles, sessions, CSRF, ``require_role``), :mod:`bot.web.i18n`
(``t``, EN + 中文), :mod:`bot.web.layout` (``render_page``: header, CSP, assets). Static assets are under
``/static/`` (``bot/web/static``; ``dist/`` is built by ``make web`` from ``bot/web/frontend``).

Page modules of other owners plug in without editing this file: any of ``bot.web.dashboard``,
``bot.web.report``, ``bot.web.recorder`` that exists must define ``setup(app: web.Application) -> None``
and is called here, in that order, after the shared pieces are installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from bot.web.auth import SESSIONS, SessionStore, WebAuthConfig, load_users
from bot.web.layout import STATIC_DIR

__all__ = ["setup_web"]

log = logging.getLogger(__name__)

PLUGGABLE_PAGES = ("bot.web.recorder", "bot.web.dashboard", "bot.web.report")


def setup_web(
    app: web.Application, env: Mapping[str, str] = os.environ, plugins: tuple[str, ...] = PLUGGABLE_PAGES
) -> None:
    """Install sessions, the login/editor/simulator pages, static assets and the other page modules.

    ``plugins=()`` mounts only the shared pieces (tests of login and sessions without a gateway)."""
    from bot.web import admin_session, pages  # late: they import this package's shared modules

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
    for name in plugins:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(app)
        else:
            log.warning("web: %s has no setup(app); its routes are not mounted", name)
