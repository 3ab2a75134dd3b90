"""The moderator dashboard: /dashboard (page), /dashboard/stream (WebSocket, one frame per second) and
its two actions, undo a moderation decision (moderator) and turn an unanswered question into an FAQ
(streamer only; the role is checked here, on the server, whatever the page shows).

The data plumbing is in :mod:`bot.web.dashboard_tap` (inline gateway observer),
:mod:`bot.web.dashboard_sampler` (the one producer) and :mod:`bot.web.dashboard_hub` (fan-out with
bounded per-client queues); this module wires them to the app and serves the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, TypedDict
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.core.jobs import loggable
from bot.http.errors import json_error
from bot.services import GATEWAY, GRAPH, HUB, METRICS, NOTICES, RECORDER, SAMPLER, TAP
from bot.web.auth import ROLE_MODERATOR, ROLE_STREAMER, current_user, require_role
from bot.web.dashboard_hub import FrameHub
from bot.web.dashboard_notices import NoticeBoard
from bot.web.dashboard_sampler import LiveSampler
from bot.web.dashboard_sections import record_id, undo_status
from bot.web.dashboard_tap import ChatTap
from bot.web.i18n import t
from bot.web.layout import render_page
from connectors.base import ModerationError, UnsupportedModeration
from connectors.tasks import cancel_and_wait
from knowledge_graph import (
    FAQ,
    KnowledgeGraphError,
    NotFound,
    ValidationError,
    VersionConflict,
    close_as_faq,
    create_faq,
    find_product_mentioned,
    get_streamer,
)
from nlu.text.language import detect_language

log = logging.getLogger(__name__)

MAX_ANSWER = 1000

routes = web.RouteTableDef()


def setup(app: web.Application) -> None:
    """Mount the dashboard; ``sampler_ctx`` (listed in bot/app.py after the gateway's and the
    recorder's contexts) runs its sampler."""
    app[HUB] = FrameHub(on_drop=app[METRICS].dashboard_frames_dropped.inc)
    app.router.add_routes(routes)


async def sampler_ctx(app: web.Application) -> AsyncIterator[None]:
    """Attach the tap to the gateway and run the sampler for the app's lifetime (after the gateway)."""
    gateway = app[GATEWAY]
    tap = app[TAP] = ChatTap(product_of=gateway.product_of)
    # other moderators' actions, AutoMod holds, room status: every non-chat event, once
    notices = app[NOTICES] = NoticeBoard()
    recorder = app[RECORDER] if RECORDER in app else None
    sampler = app[SAMPLER] = LiveSampler(
        gateway,
        tap,
        app[HUB],
        lambda: app[GRAPH],
        on_tick=recorder.record if recorder is not None else None,
        session_of=(lambda: recorder.session) if recorder is not None else (lambda: None),
        notices=notices,
    )
    gateway.observers.append(tap)
    gateway.event_handlers.append(tap.on_event)
    gateway.event_handlers.append(notices)
    try:
        sampler.start()
        yield
    finally:
        await sampler.stop()
        with contextlib.suppress(ValueError):
            gateway.observers.remove(tap)
        with contextlib.suppress(ValueError):
            gateway.event_handlers.remove(tap.on_event)
        with contextlib.suppress(ValueError):
            gateway.event_handlers.remove(notices)


# --- page -------------------------------------------------------------------------------------------------
@routes.get("/dashboard")
@require_role(ROLE_MODERATOR)
async def dashboard_page(request: web.Request) -> web.Response:
    user = current_user(request)
    can_faq = user is not None and user.role == ROLE_STREAMER

    def card(key: str, body: str, cls: str = "") -> str:
        return (
            f'<section class="card {cls}" id="card-{key}"><h2>{html.escape(t(request, "dash." + key))}</h2>'
            f"{body}</section>"
        )

    body = (
        '<div class="dash-status" id="dash-status" role="status" aria-live="polite">'
        f"{html.escape(t(request, 'dash.connecting'))}</div>"
        '<div class="kpis" id="kpis"></div>'
        '<div class="dash-grid">'
        + card("rate", '<div class="chart" id="chart-rate" data-series="0"></div>', "wide")
        + card("latency", '<div class="chart" id="chart-latency" data-series="0"></div>', "wide")
        + card(
            "mood",
            '<div class="mood-now" id="mood-now"></div><div class="chart" id="chart-mood"></div>',
            "wide",
        )
        + card("top_questions", '<ol class="rank" id="top-questions"></ol>')
        + card("top_products", '<ol class="rank" id="top-products"></ol>')
        + card("open_questions", '<ul class="open-questions" id="open-questions"></ul>', "wide")
        + card("not_carried", '<ul class="open-questions" id="not-carried"></ul>', "wide")
        + card(
            "moderation", '<div class="table-wrap"><table class="modlog" id="modlog"></table></div>', "wide"
        )
        + card("revenue", '<div id="revenue"></div>')
        + card("held", '<ul class="open-questions held" id="held"></ul>', "wide")
        + card("connections", '<ul class="conns" id="connections"></ul>')
        + card("budget", '<div id="budget"></div>')
        + "</div>"
    )
    return render_page(request, "dash.title", body, entry="dashboard", extra={"can_faq": can_faq})


# --- live stream ------------------------------------------------------------------------------------------
@routes.get("/dashboard/stream")
@require_role(ROLE_MODERATOR)
async def dashboard_stream(request: web.Request) -> web.WebSocketResponse:
    """History first (so charts are not empty), then one frame per second until the browser leaves."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
        # the session cookie is SameSite=Strict, but other ports of this host are same-site (review L1)
        raise web.HTTPForbidden(text="cross-origin WebSocket refused")
    hub = request.app[HUB]
    ws = web.WebSocketResponse(heartbeat=30, compress=False)
    await ws.prepare(request)
    sub = hub.subscribe()
    reader = asyncio.create_task(_drain_client(ws))
    try:
        await ws.send_str(json.dumps({"type": "history", "points": list(hub.history)}))
        if hub.last_frame is not None:
            await ws.send_str(hub.last_frame)
        while not ws.closed:
            next_frame = asyncio.ensure_future(sub.next())
            done, _ = await asyncio.wait({next_frame, reader}, return_when=asyncio.FIRST_COMPLETED)
            if next_frame not in done:
                next_frame.cancel()
                break
            await ws.send_str(next_frame.result())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        sub.close()
        await cancel_and_wait(reader)
    return ws


async def _drain_client(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the browser sends, so a close is noticed at once."""
    async for msg in ws:
        if msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            break


@routes.get("/dashboard/frame.json")
@require_role(ROLE_MODERATOR)
async def dashboard_frame(request: web.Request) -> web.Response:
    """The latest frame (for scripts and phones that cannot keep a WebSocket open)."""
    frame = request.app[HUB].last_frame
    return web.Response(text=frame or "{}", content_type="application/json")


# --- actions ----------------------------------------------------------------------------------------------
@routes.post("/dashboard/api/moderation/{id}/undo")
@require_role(ROLE_MODERATOR)
async def undo_moderation(request: web.Request) -> web.Response:
    """Lift a timeout the bot gave (the only moderation the platforms let us take back)."""
    gateway = request.app[GATEWAY]
    wanted = request.match_info["id"]
    if wanted.startswith("n-"):  # another moderator's action (dashboard_notices): not ours to undo
        return json_error(409, t(request, "dash.undo_no.by_moderator"), reason="by_moderator")
    record = next((r for r in gateway.moderation_log if record_id(r) == wanted), None)
    if record is None:
        return json_error(404, "no such moderation entry (it may have left the log)")
    why_not = undo_status(record, gateway, time.time())
    if why_not is not None:
        return json_error(409, t(request, "dash.undo_no." + why_not), reason=why_not)
    outcome, reason, detail = "executed", "", ""
    try:  # Connector.lift_timeout: raises UnsupportedModeration unless the platform can do it
        await gateway.platforms()[record.platform].lift_timeout(record.room, record.viewer_id)
    except ModerationError as err:  # the connector logged it; the moderator is told why
        outcome = "unsupported" if isinstance(err, UnsupportedModeration) else "declined"
        reason = {"unsupported": "unsupported", "not_timed_out": "expired"}.get(err.reason, "platform")
        detail = str(err)
    except Exception:
        log.exception(
            "lifting the timeout of %s in %s:%s failed", loggable(record.viewer), record.platform, record.room
        )
        outcome, reason = "error", "platform"
    gateway.metrics.moderation_call(record.platform, "lift_timeout", outcome)
    if reason:
        error = t(request, "dash.undo_failed" if reason == "platform" else "dash.undo_no." + reason)
        status = 502 if reason == "platform" else 409
        return json_error(status, error, reason=reason, detail=detail)
    record.undone_at = time.time()
    user = current_user(request)
    log.info(
        "moderation undo: %s lifted the timeout of %s in %s:%s",
        user.name if user else "?",
        loggable(record.viewer),
        record.platform,
        record.room,
    )
    return web.json_response({"ok": True, "id": wanted, "undone_at": record.undone_at})


@routes.post("/dashboard/api/open-questions/{id}/faq")
@require_role(ROLE_STREAMER)
async def open_question_to_faq(request: web.Request) -> web.Response:
    """Create an FAQ from a question the bot could not answer, and close that question.

    Body: ``{"question": str, "answer": str, "lang": "en"|"zh", "about": "auto"|"stream"}``; with
    "auto" the FAQ is about the product the question names, else about the stream (the streamer)."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return json_error(400, "body must be JSON")
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object")
    question = body.get("question")
    answer = body.get("answer")
    for name, value in (("question", question), ("answer", answer)):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_ANSWER:
            return json_error(400, t(request, "dash.faq_invalid", field=name), name)
    assert isinstance(question, str) and isinstance(answer, str)
    lang = body.get("lang") or detect_language(question)
    if lang not in ("en", "zh"):
        return json_error(400, "lang must be en or zh", "lang")
    question_id = request.match_info["id"]
    store = request.app[GRAPH]
    user = current_user(request)
    try:
        target = await _faq_target(store, question, str(body.get("about") or "auto"))
        if target is None:
            return json_error(409, t(request, "dash.faq_no_target"))
        asked, answered = question.strip(), answer.strip()  # in ``lang``; the other language stays empty
        faq = FAQ(
            id=f"faq-oq-{uuid.uuid4().hex[:12]}",
            question_en=asked if lang == "en" else "",
            question_zh=asked if lang == "zh" else "",
            answer_en=answered if lang == "en" else "",
            answer_zh=answered if lang == "zh" else "",
            **target,
        )
        created = await create_faq(store, faq, actor=user.name if user else "web")
        await close_as_faq(store, question_id, created.id)
    except ValidationError as err:
        return json_error(400, str(err), err.field)
    except (NotFound, VersionConflict) as err:
        return json_error(409, str(err))
    except KnowledgeGraphError as err:
        return json_error(503, f"knowledge graph unavailable: {err}")
    if SAMPLER in request.app:
        request.app[SAMPLER].forget_open_question(question_id)
    return web.json_response({"ok": True, "faq": _faq_json(created)}, status=201)


class _FaqTarget(TypedDict, total=False):
    """What a new FAQ is about: one product or the streamer."""

    product_sku: str
    streamer_id: str


async def _faq_target(store: Any, question: str, about: str) -> _FaqTarget | None:
    if about == "auto":
        product = await find_product_mentioned(store, question)
        if product is not None:
            return {"product_sku": product.sku}
    streamer = await get_streamer(store)
    return {"streamer_id": streamer.id} if streamer is not None else None


def _faq_json(faq: FAQ) -> dict[str, Any]:
    return {"id": faq.id, "version": faq.version, **faq.content()}
