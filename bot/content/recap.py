"""A recorded session's recap: the report's figures (bot/web/report_data.py) plus what the streamer posts
after the stream — average active viewers, how questions were answered (answer paths), gifts and super chats
(the ``paid`` table, maybe empty), the mood timeline as runs, the highlight moments and the VOD chapters.

A plain function over the recorder's SQLite file (read-only; call it in a worker thread). Tables an older
file lacks (``chat``, ``paid``) read as empty.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.content.chat_words import describe
from bot.content.highlights import DEFAULT, DetectorConfig, Highlight, detect
from bot.web.report_data import _connect, _report, read_session, rows_of
from knowledge_graph import Product, normalize_key

__all__ = ["MIN_MOOD_RUN_S", "catalog_names", "latest_session", "session_recap"]

MIN_MOOD_RUN_S = 60.0
"""A mood held for less than this is folded into the run before it (trends, not flicker)."""
TOP_SUPPORTERS = 5
TOP_PRODUCTS = 10


def latest_session(path: Path) -> str | None:
    conn = _connect(path)
    if conn is None:
        return None
    try:
        row = conn.execute("SELECT id FROM sessions ORDER BY started DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else None


Names = Mapping[str, tuple[str, str]]
"""normalize_key(any product name or alias) -> (name_en, name_zh): see :func:`catalog_names`."""


def catalog_names(products: Iterable[Product]) -> dict[str, tuple[str, str]]:
    """The product names of the catalog, so "Matte Lipstick" and "哑光口红" asked in chat count as one product
    (the recording keeps the name the viewer's language matched)."""
    return {key: (p.name("en"), p.name("zh")) for p in products for key, _ in p.match_keys()}


def session_recap(
    path: Path, session: str, config: DetectorConfig = DEFAULT, names: Names | None = None
) -> dict[str, Any] | None:
    """The recap of ``session`` (None when there is no such session); ``names`` merges product names."""

    def build(conn: sqlite3.Connection, session: str) -> dict[str, Any] | None:
        report = _report(conn, session)
        return None if report is None else _recap(conn, session, report, config, names or {})

    return read_session(path, session, build)


def _named(name: str, names: Names) -> dict[str, str]:
    en, zh = names.get(normalize_key(name), (name, name))
    return {"name": name, "name_en": en, "name_zh": zh}


def _recap(
    conn: sqlite3.Connection, session: str, report: dict[str, Any], config: DetectorConfig, names: Names
) -> dict[str, Any]:
    started, ended = float(report["started"]), float(report["ended"])
    samples = conn.execute(
        "SELECT t, messages, sentiment, mood, viewers FROM samples WHERE session = ? ORDER BY t", (session,)
    ).fetchall()
    viewers = [int(s["viewers"] or 0) for s in samples if int(s["messages"] or 0) > 0]
    paths = rows_of(
        conn,
        "SELECT a.path, COUNT(DISTINCT a.message_id) n FROM answers a JOIN questions q "
        "ON q.session = a.session AND q.message_id = a.message_id WHERE a.session = ? "
        "GROUP BY a.path ORDER BY n DESC, a.path",
        session,
    )
    texts = [
        (float(r[0]), str(r[1] or ""))
        for r in rows_of(conn, "SELECT t, text FROM chat WHERE session = ? ORDER BY t", session)
    ]
    asked = [
        (float(r[0]), str(r[1]))
        for r in rows_of(
            conn,
            "SELECT t, product FROM questions WHERE session = ? AND product IS NOT NULL ORDER BY t",
            session,
        )
    ]
    highlights = detect(
        started,
        int(ended - started),
        ((float(s["t"]), int(s["messages"] or 0), s["sentiment"]) for s in samples),
        config,
    )
    describe(highlights, texts, asked)
    products: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows_of(
        conn,
        "SELECT product, COUNT(*) n FROM questions WHERE session = ? AND product IS NOT NULL "
        "GROUP BY product",
        session,
    ):
        named = _named(str(r[0]), names)
        products[(named["name_en"], named["name_zh"])] += int(r[1])
    highlight_rows = []
    for h in highlights:
        row = h.to_json()
        if h.product:
            row.update({f"product_{k[5:]}": v for k, v in _named(h.product, names).items() if k != "name"})
        highlight_rows.append(row)
    handoffs = [
        {"t": float(r["t"]), "text": str(r["text"])}
        for r in rows_of(conn, "SELECT t, text FROM handoffs WHERE session = ? ORDER BY t", session)
    ]
    series = dict(report["series"])
    marks: list[float | None] = [None] * len(series["t"])
    for h in highlights:  # a point on the chat-rate line at each moment's bucket (the report page's chart)
        i = min(len(marks) - 1, max(0, int((h.t - started) // report["bucket_s"])))
        marks[i] = series["messages_per_min"][i]
    series["highlights"] = marks
    return {
        **report,
        "series": series,
        "avg_viewers": round(sum(viewers) / len(viewers), 1) if viewers else 0.0,
        "answer_paths": [(str(r[0]), int(r[1])) for r in paths],
        "follow_up": handoffs,
        "no_reply": _no_reply(conn, session),
        "paid": _paid(conn, session, report["revenue"]),
        "mood_runs": _mood_runs(samples, started),
        "chat_sampled": len(texts),
        "products": [
            {"name_en": en, "name_zh": zh, "n": n}
            for (en, zh), n in sorted(products.items(), key=lambda x: (-x[1], x[0]))[:TOP_PRODUCTS]
        ],
        "highlights": highlight_rows,
        "chapters": chapters(highlights, started),
    }


def _no_reply(conn: sqlite3.Connection, session: str, top: int = 10) -> list[tuple[str, int]]:
    """Questions that got no answer at all, grouped like "top questions" (one pass over each table: the
    answers table has no index on message_id)."""
    answered = {r[0] for r in rows_of(conn, "SELECT message_id FROM answers WHERE session = ?", session)}
    counts: dict[str, list[Any]] = {}
    for message_id, text, key in rows_of(
        conn, "SELECT message_id, text, qkey FROM questions WHERE session = ?", session
    ):
        if message_id in answered:
            continue
        entry = counts.setdefault(str(key), [str(text), 0])
        entry[0] = min(entry[0], str(text))
        entry[1] += 1
    ranked = sorted(counts.values(), key=lambda e: (-e[1], e[0]))[:top]
    return [(text, n) for text, n in ranked]


def _paid(conn: sqlite3.Connection, session: str, revenue: dict[str, Any]) -> dict[str, Any]:
    """The paid events' count, what was given most (items), and the report's revenue rows (totals per
    platform and currency, top supporters by their share of their currency: bot/web/report_data.py)."""
    items: dict[str, int] = defaultdict(int)
    events = 0
    for r in rows_of(conn, "SELECT item, count FROM paid WHERE session = ?", session):
        events += 1
        if r["item"]:
            items[str(r["item"])] += int(r["count"] or 1)
    return {
        "events": events,
        "totals": revenue["totals"],
        "items": sorted(items.items(), key=lambda x: (-x[1], x[0]))[:5],
        "top_supporters": revenue["top"][:TOP_SUPPORTERS],
    }


def _mood_runs(samples: list[sqlite3.Row], started: float) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for s in samples:
        if not s["mood"] or int(s["messages"] or 0) == 0:
            continue
        t, mood = float(s["t"]), str(s["mood"])
        if runs and runs[-1]["mood"] == mood:
            runs[-1]["end"] = t
        else:
            runs.append({"mood": mood, "start": t, "end": t})
    folded: list[dict[str, Any]] = []
    for run in runs:
        short = run["end"] - run["start"] < MIN_MOOD_RUN_S
        if folded and (short or folded[-1]["mood"] == run["mood"]):
            folded[-1]["end"] = run["end"]
        else:
            folded.append(dict(run))
    for run in folded:
        run["offset_s"] = round(run["start"] - started)
    return folded


def hms(seconds: float, hours: bool = True) -> str:
    """``01:02:03``; ``02:03`` with ``hours=False`` (chapters of a video shorter than an hour)."""
    s = max(0, int(seconds))
    if not hours:
        return f"{s // 60:02d}:{s % 60:02d}"
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def chapters(highlights: list[Highlight], started: float) -> list[dict[str, Any]]:
    """VOD chapters: the stream start at 00:00:00 (YouTube requires the first chapter there), then one per
    highlight at least 10 s after the previous chapter (YouTube's minimum chapter length)."""
    hours = any(h.t - started >= 3600 for h in highlights)
    out: list[dict[str, Any]] = [{"offset_s": 0, "at": hms(0, hours), "highlight": None}]
    for i, h in enumerate(highlights):
        offset = int(h.t - started)
        if offset - out[-1]["offset_s"] < 10:
            continue
        out.append({"offset_s": offset, "at": hms(offset, hours), "highlight": i})
    return out
