"""Stream reports (moderator+): /report lists the recorded sessions; /report/<session>.html is the report
with charts, .json its data, .png and .pdf the same report drawn server-side (matplotlib) for sharing.
``/report/current.<ext>`` is the session being recorded now (on demand, mid-stream).

Content for the streamer (bot/content): the session page has a section with the recap's highlight moments
(marked on a chat-rate chart drawn by the same chart code), VOD chapters and suggested title, gifts and
super chats and the mood timeline; ``/report/<session>.md`` and ``.txt`` export the whole recap. The list
page links the next stream's preview and run-of-show, ``/report/next/{preview|runofshow}.{md|txt}``
(``?minutes=`` for the run-of-show), built from the graph and the latest recording.

Data comes only from the recorder's SQLite file (:mod:`bot.web.report_data`), so reports survive
gateway restarts and never touch the gateway's hot path. Exports render in a worker thread, one at a
time (2-core machines keep answering chat while a PDF is drawn).
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.content.facts import gather
from bot.content.preview import preview_doc
from bot.content.recap import catalog_names, hms, session_recap
from bot.content.runofshow import run_of_show_doc
from bot.content.text import chapter_lines, highlight_title, recap_doc
from bot.services import EXPORT_LOCK, GRAPH, RECORDER
from bot.web.auth import ROLE_MODERATOR, require_role
from bot.web.i18n import LANGS, request_lang, t
from bot.web.layout import render_page
from bot.web.recorder import RecorderConfig
from bot.web.report_data import list_sessions, session_report
from bot.web.report_render import render
from knowledge_graph import KnowledgeGraphError, list_products

log = logging.getLogger(__name__)

CONTENT_TYPES = {"png": "image/png", "pdf": "application/pdf"}
LABEL_KEYS = (
    "title messages questions answer_rate handed_off recommendations peak answered unanswered none per_min "
    "series_messages series_questions series_answered series_sentiment series_vision chart_activity "
    "chart_answer_rate chart_products chart_mood chart_recommendations chart_questions chart_demand "
    "chart_revenue "
    "mood_happy mood_neutral mood_bored mood_upset"
).split()

routes = web.RouteTableDef()


def setup(app: web.Application) -> None:
    app[EXPORT_LOCK] = asyncio.Semaphore(1)
    app.router.add_routes(routes)


def _db(request: web.Request) -> Any:
    recorder = request.app.get(RECORDER)
    return recorder.config.path if recorder is not None else RecorderConfig.from_env().path


def _session_id(request: web.Request) -> str | None:
    wanted = request.match_info["session"]
    if wanted == "current":
        recorder = request.app.get(RECORDER)
        return recorder.session if recorder is not None else None
    return wanted


def _when(epoch: float, lang: str) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M" if lang == "en" else "%Y年%m月%d日 %H:%M")


@routes.get("/report")
@require_role(ROLE_MODERATOR)
async def report_list(request: web.Request) -> web.Response:
    sessions = await asyncio.to_thread(list_sessions, _db(request))
    lang = request_lang(request)
    recorder = request.app.get(RECORDER)
    current = recorder.session if recorder is not None else None
    head = "".join(
        f"<th>{html.escape(t(request, k))}</th>"
        for k in (
            "report.session",
            "report.started",
            "report.duration",
            "report.messages",
            "report.questions",
        )
    )
    rows = []
    for s in sessions:
        sid = html.escape(s["id"])
        live = (
            f' <span class="live-tag">{html.escape(t(request, "report.live"))}</span>'
            if s["id"] == current
            else ""
        )
        minutes = max(0.0, (s["last_activity"] - s["started"]) / 60)
        rows.append(
            f'<tr><td><a href="/report/{sid}.html">{sid}</a>{live}</td><td>{_when(s["started"], lang)}</td>'
            f"<td>{minutes:.0f} min</td><td>{int(s['messages']):,}</td><td>{int(s['questions']):,}</td></tr>"
        )
    table = (
        f'<div class="table-wrap"><table class="sessions"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        if rows
        else f'<p class="muted">{html.escape(t(request, "report.no_sessions"))}</p>'
    )
    links = " · ".join(
        f'<a href="/report/next/{piece}.{ext}">{html.escape(t(request, key))} ({ext.upper()})</a>'
        for piece, key in (("preview", "content.preview"), ("runofshow", "content.runofshow"))
        for ext in ("md", "txt")
    )
    body = (
        f'<section class="card">{table}</section>'
        f'<section class="card" id="next-stream"><h2>{html.escape(t(request, "content.section"))}</h2>'
        f"<p>{links}</p></section>"
    )
    return render_page(request, "report.list_title", body, entry="report", extra={"report": None})


def _revenue_html(request: web.Request, revenue: dict[str, list[dict[str, Any]]]) -> str:
    """Totals per platform and currency, then the top supporters with a meter of their share (a meter,
    not a styled bar: the page's CSP forbids inline style attributes)."""
    if not revenue["totals"]:
        return f'<p class="muted">{html.escape(t(request, "report.none"))}</p>'
    totals = "".join(
        f'<li><span class="name">{html.escape(row["platform"])}</span>'
        f"<b>{html.escape(row['text'])}</b>"
        f' <span class="muted">×{row["events"]}</span></li>'
        for row in revenue["totals"]
    )
    top = "".join(
        f'<li><span class="name">{html.escape(row["name"])} <span class="muted">'
        f"{html.escape(row['platform'])}</span></span>"
        f'<meter min="0" max="1" value="{float(row["share"]):.4f}"></meter>'
        f"<b>{html.escape(row['text'])}</b></li>"
        for row in revenue["top"]
    )
    return (
        f'<ol class="rank" id="revenue-totals">{totals}</ol>'
        f"<h3>{html.escape(t(request, 'report.top_supporters'))}</h3>"
        f'<ol class="rank" id="supporters">{top}</ol>'
    )


async def _names(request: web.Request) -> dict[str, tuple[str, str]]:
    """Catalog product names (to count "Matte Lipstick" and "哑光口红" as one); {} when the graph is down."""
    store = request.app.get(GRAPH)
    if store is None:
        return {}
    try:
        async with asyncio.timeout(5.0):
            return catalog_names(await list_products(store))
    except (KnowledgeGraphError, OSError, TimeoutError):
        log.warning("report: no product names from the graph; names are shown as recorded")
        return {}


def _export_lang(request: web.Request) -> str:
    """``?lang=en|zh`` picks the export's language (a streamer posts in both), else the page's."""
    wanted = request.query.get("lang", "")
    return wanted if wanted in LANGS else request_lang(request)


def _text(body: str, name: str, ext: str) -> web.Response:
    return web.Response(
        text=body,
        content_type="text/markdown" if ext == "md" else "text/plain",
        charset="utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}.{ext}"', "Cache-Control": "no-store"},
    )


@routes.get(r"/report/next/{piece:preview|runofshow}.{ext:md|txt}")
@require_role(ROLE_MODERATOR)
async def next_stream_file(request: web.Request) -> web.Response:
    store = request.app.get(GRAPH)
    if store is None:
        raise web.HTTPServiceUnavailable(text="no graph")
    try:
        minutes = int(request.query.get("minutes", "120"))
    except ValueError:
        raise web.HTTPBadRequest(text="minutes must be a whole number") from None
    if not 20 <= minutes <= 24 * 60:
        raise web.HTTPBadRequest(text="minutes must be between 20 and 1440")
    try:
        facts = await gather(store, _db(request))
    except KnowledgeGraphError as err:
        raise web.HTTPServiceUnavailable(text=f"graph unavailable: {err}") from None
    lang = _export_lang(request)
    piece, ext = request.match_info["piece"], request.match_info["ext"]
    doc = preview_doc(facts, lang) if piece == "preview" else run_of_show_doc(facts, minutes, lang)
    return _text(doc.markdown() if ext == "md" else doc.plain(), f"liveroom-{piece}", ext)


@routes.get(r"/report/{session:current|\d{8}-\d{6}}.{ext:html|json|png|pdf|md|txt}")
@require_role(ROLE_MODERATOR)
async def report_file(request: web.Request) -> web.StreamResponse:
    session = _session_id(request)
    if session is None:
        raise web.HTTPNotFound(text="no session is being recorded")
    ext = request.match_info["ext"]
    if ext in ("html", "json", "md", "txt"):  # the recap: the report's figures plus the content pieces
        names = await _names(request)
        recap = await asyncio.to_thread(session_recap, _db(request), session, names=names)
        if recap is None:
            raise web.HTTPNotFound(text=f"no recorded session {session}")
        if ext == "json":
            return web.json_response(recap)
        if ext == "html":
            return _report_page(request, recap)
        doc = recap_doc(recap, _export_lang(request))
        return _text(doc.markdown() if ext == "md" else doc.plain(), f"liveroom-recap-{recap['id']}", ext)
    report = await asyncio.to_thread(session_report, _db(request), session)
    if report is None:
        raise web.HTTPNotFound(text=f"no recorded session {session}")
    labels = {key: t(request, f"report.{key}") for key in LABEL_KEYS}
    labels["title"] = t(request, "report.title_export")
    async with request.app[EXPORT_LOCK]:
        body = await asyncio.to_thread(render, report, ext, labels)
    return web.Response(
        body=body,
        content_type=CONTENT_TYPES[ext],
        headers={
            "Content-Disposition": f'attachment; filename="liveroom-report-{report["id"]}.{ext}"',
            "Cache-Control": "no-store",
        },
    )


def _report_page(request: web.Request, report: dict[str, Any]) -> web.Response:
    totals = report["totals"]
    lang = request_lang(request)
    rate = totals["answer_rate"]
    latency = totals["median_latency_p95_ms"]
    kpis = [
        ("report.messages", f"{totals['messages']:,}"),
        ("report.questions", f"{totals['questions']:,}"),
        ("report.answer_rate", "–" if rate is None else f"{rate:.0%}"),
        ("report.handed_off", f"{totals['handed_off']:,}"),
        ("report.recommendations", f"{totals['recommendations']:,}"),
        ("report.peak", f"{totals['peak_messages_per_s']}/s"),
        ("report.peak_viewers", f"{totals['peak_viewers']:,}"),
        ("report.latency", "–" if latency is None else f"{latency:.0f} ms"),
    ]
    kpi_html = "".join(
        f'<div class="kpi"><span class="k">{html.escape(t(request, k))}</span><b>{html.escape(v)}</b></div>'
        for k, v in kpis
    )

    def rank(rows: list[tuple[str, int]], list_id: str) -> str:
        if not rows:
            return f'<p class="muted">{html.escape(t(request, "report.none"))}</p>'
        items = "".join(f'<li><span class="name">{html.escape(n)}</span><b>{c}</b></li>' for n, c in rows)
        return f'<ol class="rank" id="{list_id}">{items}</ol>'

    def card(key: str, inner: str, cls: str = "") -> str:
        return f'<section class="card {cls}"><h2>{html.escape(t(request, key))}</h2>{inner}</section>'

    handoffs = (
        "".join(
            f"<li>{html.escape(h['text'])} <span class='muted'>{_when(h['t'], lang)}</span></li>"
            for h in report["handoffs"][:20]
        )
        or f'<li class="muted">{html.escape(t(request, "report.none"))}</li>'
    )
    sid = html.escape(report["id"])
    body = (
        f'<p class="report-meta">{html.escape(_when(report["started"], lang))} · '
        f"{report['duration_s'] / 60:.0f} min · "
        f'<a href="/report/{sid}.png" download>PNG</a> · <a href="/report/{sid}.pdf" download>PDF</a> · '
        f'<a href="/report/{sid}.json">JSON</a> · '
        f'<a href="/report/{sid}.md">Markdown</a> · '
        f'<a href="/report/{sid}.txt">{html.escape(t(request, "content.text"))}</a> · '
        f'<a href="/report">{html.escape(t(request, "report.all"))}</a></p>'
        f'<div class="kpis">{kpi_html}</div><div class="dash-grid">'
        + card("report.chart_activity", '<div class="chart" id="chart-activity"></div>', "wide")
        + card("report.chart_mood", '<div class="chart" id="chart-mood"></div>', "wide")
        + card("report.chart_recommendations", '<div class="chart" id="chart-recs"></div>')
        + card("report.chart_products", rank(_products(report, lang), "top-products"))
        + card("report.chart_questions", rank(report["top_questions"], "top-questions"))
        + card("report.chart_recommended", rank(report["recommended"], "recommended"))
        + card("report.chart_demand", rank(report["demand"], "demand"))
        + card("report.chart_handoffs", f'<ul class="handoffs">{handoffs}</ul>', "wide")
        + "</div>"
        + _content_section(request, report, lang)
    )
    return render_page(request, "report.title", body, entry="report", extra={"report": report})


def _products(report: dict[str, Any], lang: str) -> list[tuple[str, int]]:
    """Top asked products; with the recap's catalog-merged names ("Matte Lipstick" = "哑光口红") in the page's
    language when the graph gave them."""
    if "products" not in report:
        top: list[tuple[str, int]] = report["top_products"]
        return top
    return [(p[f"name_{lang}"], p["n"]) for p in report["products"]]


def _content_section(request: web.Request, recap: dict[str, Any], lang: str) -> str:
    """Highlights on the chat-rate chart, chapters, suggested title, gifts and super chats, mood runs."""
    esc = html.escape
    started = float(recap["started"])
    none = f'<p class="muted">{esc(t(request, "report.none"))}</p>'
    items = "".join(
        f'<li><span class="name">{esc(hms(h["t"] - started))} {esc(highlight_title(h, lang))}</span>'
        f"<b>{h['rate_per_min']:.0f}/min</b></li>"
        for h in recap["highlights"]
    )
    highlights = f'<ol class="rank" id="highlights">{items}</ol>' if items else none
    chapters = esc("\n".join(chapter_lines(recap, lang)))
    best = max(recap["highlights"], key=lambda h: (h["score"], -h["t"]), default=None)
    title = f'<p id="suggested-title"><b>{esc(highlight_title(best, lang))}</b></p>' if best else ""
    items = recap["paid"]["items"]
    given = "".join(f"<li>{esc(item)} ×{n}</li>" for item, n in items)
    paid_html = _revenue_html(request, recap["revenue"]) + (
        f'<ul class="handoffs" id="paid">{given}</ul>' if given else ""
    )
    moods = "".join(
        f"<li>{esc(hms(r['offset_s']))} {esc(t(request, 'report.mood_' + r['mood']))}</li>"
        for r in recap["mood_runs"]
    )

    def card(key: str, inner: str, cls: str = "") -> str:
        return f'<section class="card {cls}"><h2>{esc(t(request, key))}</h2>{inner}</section>'

    return (
        f'<h2 class="section-title" id="content">{esc(t(request, "content.section"))}</h2>'
        '<div class="dash-grid">'
        + card("content.highlights", '<div class="chart" id="chart-highlights"></div>' + highlights, "wide")
        + card(
            "content.chapters",
            f'{title}<pre id="chapters">{chapters}</pre>'
            f'<p class="muted">{esc(t(request, "content.chapters_note"))}</p>',
            "wide",
        )
        + card("content.paid", paid_html, "wide")
        + card(
            "content.mood_timeline", f'<ul class="handoffs" id="mood-runs">{moods}</ul>' if moods else none
        )
        + "</div>"
    )
