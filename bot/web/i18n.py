"""Two languages for every page: English and 中文.

Strings live in ``bot/web/i18n/<lang>.json`` plus any ``<lang>.<part>.json`` beside it (so each page's
owner keeps its own file, e.g. ``en.dashboard.json``); keys are dotted (``nav.editor``). The server
renders with :func:`t`; the page template hands the same table to JavaScript as JSON (``window.I18N``
is read from ``<script type="application/json" id="i18n">``, which the CSP allows because it is data).

The language is, in order: the logged-in user's saved choice, the ``liveroom_lang`` cookie (for
logged-out pages such as the simulator), the browser's ``Accept-Language``, English.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

from aiohttp import web

from bot.web.auth import current_user

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "messages", "request_lang", "t"]

log = logging.getLogger(__name__)

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
LANG_COOKIE = "liveroom_lang"
I18N_DIR = Path(__file__).with_name("i18n")


@functools.cache
def messages(lang: str) -> dict[str, str]:
    """The flat key -> text table of ``lang`` (English fills keys a translation lacks)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    table: dict[str, str] = {} if lang == DEFAULT_LANG else dict(messages(DEFAULT_LANG))
    for path in sorted(I18N_DIR.glob(f"{lang}.json")) + sorted(I18N_DIR.glob(f"{lang}.*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: must be a JSON object of key -> text")
        table.update({str(k): str(v) for k, v in data.items()})
    return table


def request_lang(request: web.Request) -> str:
    user = current_user(request)
    if user is not None and user.lang in LANGS:
        return user.lang
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGS:
        return cookie
    accept = request.headers.get("Accept-Language", "").lower()
    return "zh" if accept.startswith("zh") else DEFAULT_LANG


def t(request: web.Request, key: str, **values: object) -> str:
    """The text of ``key`` in the request's language; ``{name}`` placeholders filled from ``values``.

    A missing key shows the key itself (visible in the page, logged once) rather than failing."""
    text = messages(request_lang(request)).get(key)
    if text is None:
        log.warning("i18n: missing key %s", key)
        return key
    return text.format(**values) if values else text
