"""A stream session's report, computed from what :mod:`bot.web.recorder` stored.

Plain functions over a read-only SQLite connection (call them in a worker thread): the list of sessions
and one session's figures — messages and questions over time, answer rate, top asked products and
questions, the mood timeline (chat sentiment, mood labels, the camera's "happy" share), recommendations
shown, the questions handed off to moderators, the demand for products the shop does not carry
(asks the bot answered with "we don't carry that": never hand-offs, never in the answer rate), and the
revenue of paid events per platform and currency with the top supporters. The HTML
page, the JSON and the PNG/PDF exports all render this one dict, so they always agree.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.core.revenue import money_text

T = TypeVar("T")
SESSION_ID = re.compile(r"^\d{8}-\d{6}$")
MAX_POINTS = 300
TOP = 10


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
    conn.row_factory = sqlite3.Row
    return conn


def list_sessions(path: Path, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first: id, start, last activity, messages and questions."""
    conn = _connect(path)
    if conn is None:
        return []
    with conn:
        rows = conn.execute(
            "SELECT id, started, last_activity, messages, questions FROM sessions "
            "ORDER BY started DESC LIMIT ?",
            (limit,),
        ).fetchall()
    conn.close()
    return [dict(row) for row in rows]


def read_session(path: Path, session: str, build: Callable[[sqlite3.Connection, str], T | None]) -> T | None:
    """``build(connection, session)`` on a read-only connection to the recording; None for a malformed
    session id or a missing file (what ``build`` returns otherwise: None for an unknown session)."""
    if not SESSION_ID.match(session):
        return None
    conn = _connect(path)
    if conn is None:
        return None
    try:
        return build(conn, session)
    finally:
        conn.close()


def session_report(path: Path, session: str) -> dict[str, Any] | None:
    """Everything the report shows for ``session``; None when there is no such session."""
    return read_session(path, session, _report)


def _report(conn: sqlite3.Connection, session: str) -> dict[str, Any] | None:
    head = conn.execute("SELECT * FROM sessions WHERE id = ?", (session,)).fetchone()
    if head is None:
        return None
    samples = conn.execute("SELECT * FROM samples WHERE session = ? ORDER BY t", (session,)).fetchall()
    started, ended = float(head["started"]), float(head["last_activity"])
    questions = _scalar(conn, "SELECT COUNT(*) FROM questions WHERE session = ?", session)
    answered = _scalar(
        conn,
        "SELECT COUNT(DISTINCT a.message_id) FROM answers a JOIN questions q "
        "ON q.session = a.session AND q.message_id = a.message_id WHERE a.session = ?",
        session,
    )
    handoffs = conn.execute(
        "SELECT t, text FROM handoffs WHERE session = ? ORDER BY t DESC LIMIT 50", (session,)
    ).fetchall()
    handoff_count = _scalar(conn, "SELECT COUNT(*) FROM handoffs WHERE session = ?", session)
    messages = sum(int(s["messages"] or 0) for s in samples)
    answered_by_bot = max(0, answered - handoff_count)
    series, bucket_s = _series(samples, started, ended)
    latencies = sorted(float(s["lat_p95"]) for s in samples if s["lat_p95"] is not None)
    moods = Counter(str(s["mood"]) for s in samples if s["mood"] and int(s["messages"] or 0) > 0)
    mood_total = sum(moods.values()) or 1
    return {
        "id": session,
        "started": started,
        "ended": ended,
        "duration_s": round(ended - started, 1),
        "bucket_s": bucket_s,
        "totals": {
            "messages": messages,
            "questions": questions,
            "answered": answered_by_bot,
            "handed_off": handoff_count,
            "unanswered": max(0, questions - answered_by_bot),
            "answer_rate": round(answered_by_bot / questions, 4) if questions else None,
            "recommendations": sum(int(s["recommendations"] or 0) for s in samples),
            "peak_messages_per_s": max((int(s["messages"] or 0) for s in samples), default=0),
            "peak_viewers": max((int(s["viewers"] or 0) for s in samples), default=0),
            "median_latency_p95_ms": latencies[len(latencies) // 2] if latencies else None,
            "not_carried_asks": _scalar(conn, "SELECT SUM(asks) FROM demand WHERE session = ?", session),
            "paid_events": _scalar(conn, "SELECT COUNT(*) FROM paid WHERE session = ?", session),
        },
        "revenue": _revenue(conn, session),
        "series": series,
        "moods": {mood: round(n / mood_total, 3) for mood, n in moods.most_common()},
        "top_products": _top(
            conn,
            "SELECT product, COUNT(*) n FROM questions WHERE session = ? AND product IS NOT NULL "
            "GROUP BY product ORDER BY n DESC, product LIMIT ?",
            session,
        ),
        "top_questions": _top(
            conn,
            "SELECT min(text), COUNT(*) n FROM questions WHERE session = ? GROUP BY qkey "
            "ORDER BY n DESC, min(text) LIMIT ?",
            session,
        ),
        "recommended": _top(
            conn,
            "SELECT product, COUNT(*) n FROM recommendations WHERE session = ? "
            "GROUP BY product ORDER BY n DESC, product LIMIT ?",
            session,
        ),
        "handoffs": [{"t": float(h["t"]), "text": str(h["text"])} for h in handoffs],
        "demand": _top(
            conn,
            "SELECT min(text), SUM(asks) n FROM demand WHERE session = ? GROUP BY qkey "
            "ORDER BY n DESC, min(text) LIMIT ?",
            session,
        ),
    }


def _revenue(conn: sqlite3.Connection, session: str) -> dict[str, list[dict[str, Any]]]:
    """Totals per platform and currency, and the top supporters ranked by their share of their own
    currency's total (amounts in different currencies are never added or compared directly)."""
    totals = [
        {
            "platform": r[0],
            "currency": r[1],
            "amount": round(float(r[2]), 2),
            "text": money_text(float(r[2]), r[1]),
            "events": int(r[3]),
        }
        for r in rows_of(
            conn,
            "SELECT platform, currency, SUM(amount) a, COUNT(*) FROM paid WHERE session = ? "
            "GROUP BY platform, currency ORDER BY platform, a DESC",
            session,
        )
    ]
    pot = {(row["platform"], row["currency"]): float(row["amount"]) for row in totals}
    supporters = [
        {
            "platform": r[0],
            "currency": r[1],
            "text": money_text(float(r[3]), r[1]),
            "name": str(r[2]),
            "amount": round(float(r[3]), 2),
            "events": int(r[4]),
            "share": round(float(r[3]) / pot[(r[0], r[1])], 4) if pot.get((r[0], r[1])) else 0.0,
        }
        for r in rows_of(
            conn,
            "SELECT platform, currency, max(name), SUM(amount), COUNT(*) FROM paid WHERE session = ? "
            "GROUP BY platform, currency, viewer_id",
            session,
        )
    ]
    supporters.sort(key=lambda row: (-float(row["share"]), -float(row["amount"]), str(row["name"])))
    return {"totals": totals, "top": supporters[:TOP]}


def rows_of(conn: sqlite3.Connection, query: str, *params: object) -> list[sqlite3.Row]:
    """The query's rows; none from a table a file written by an older recorder does not have."""
    try:
        return conn.execute(query, params).fetchall()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return []
        raise


def _scalar(conn: sqlite3.Connection, query: str, *params: object) -> int:
    rows = rows_of(conn, query, *params)
    return int(rows[0][0] or 0) if rows else 0


def _top(conn: sqlite3.Connection, query: str, session: str) -> list[tuple[str, int]]:
    return [(str(row[0]), int(row[1])) for row in conn.execute(query, (session, TOP)).fetchall()]


def _series(samples: list[sqlite3.Row], started: float, ended: float) -> tuple[dict[str, list[Any]], int]:
    """Per-minute rates in at most MAX_POINTS buckets; sentiment and latency as bucket means/maxima."""
    duration = max(1.0, ended - started)
    bucket_s = max(1, math.ceil(duration / MAX_POINTS))
    count = int(duration // bucket_s) + 1
    sums = {k: [0] * count for k in ("messages", "questions", "answered", "recommendations")}
    sentiment: list[list[float]] = [[] for _ in range(count)]
    happy: list[list[float]] = [[] for _ in range(count)]
    lat: list[float | None] = [None] * count
    for s in samples:
        i = min(count - 1, max(0, int((float(s["t"]) - started) // bucket_s)))
        for key in sums:
            sums[key][i] += int(s[key] or 0)
        if int(s["messages"] or 0) > 0 and s["sentiment"] is not None:
            sentiment[i].append(float(s["sentiment"]))
        if s["vision"]:
            vision = json.loads(s["vision"])
            if "happy" in vision:
                happy[i].append(float(vision["happy"]))
        if s["lat_p95"] is not None:
            lat[i] = max(lat[i] or 0.0, float(s["lat_p95"]))
    per_minute = 60.0 / bucket_s
    series: dict[str, list[Any]] = {
        "t": [round(started + i * bucket_s, 3) for i in range(count)],
        **{f"{k}_per_min": [round(v * per_minute, 2) for v in values] for k, values in sums.items()},
        "sentiment": [round(sum(v) / len(v), 3) if v else None for v in sentiment],
        "vision_happy": [round(sum(v) / len(v), 3) if v else None for v in happy],
        "latency_p95_ms": lat,
    }
    return series, bucket_s
