"""Stream sessions on disk: what the report pages chart after (or during) a stream.

The dashboard's sampler hands every one-second :class:`~bot.web.dashboard_sampler.Tick` to
:meth:`SessionRecorder.record`; a writer task stores it in SQLite (``var/reports/sessions.sqlite``, WAL
mode) from a worker thread, so the event loop never waits for the disk. Stored per session: one sample per
second while chat is active (every 10 s while quiet) with messages, questions, answers, reply latency,
room sentiment, mood and the vision sidecar's distribution; each question (text, product, language);
each first answer (path, intent); each product shown in a recommendation; each paid event (gift,
super chat, cheer, sub, membership, captain: ``paid``, valued by :func:`bot.core.revenue.paid_value`); each
question handed off to moderators; and, apart from those hand-offs (the bot answered them), each ask for
a product the shop does not sell (``demand``: text, normalized key, number of asks).
``chat`` keeps a bounded sample of plain chat
texts per second (the tap's reservoir of at most ``CHAT_SAMPLE_PER_TICK``, written with the second's
sample in the same transaction): what chat said at a highlight moment (bot/content/chat_words.py).

A session starts with the first message after ``LIVEROOM_REPORT_SESSION_GAP_S`` (default 900 s) of
silence; a gateway restart within that gap resumes the same session, so a crash mid-stream does not
split the report. When the writer falls behind by more than ``QUEUE_BATCHES`` seconds, the newest tick
is dropped and counted (``liveroom_recorder_ticks_dropped_total``), never silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import astuple, dataclass
from datetime import datetime, timezone
from pathlib import Path

from aiohttp import web

from bot.services import METRICS, RECORDER
from bot.web.dashboard_sampler import Tick
from connectors.settings import load, setting
from connectors.tasks import cancel_and_wait
from knowledge_graph import question_key

log = logging.getLogger(__name__)

QUEUE_BATCHES = 120
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, started REAL NOT NULL, last_activity REAL NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0, questions INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS samples (
    session TEXT NOT NULL, t REAL NOT NULL, messages INTEGER, questions INTEGER, answered INTEGER,
    replies INTEGER, lat_p50 REAL, lat_p95 REAL, sentiment REAL, mood TEXT, vision TEXT,
    viewers INTEGER, recommendations INTEGER
);
CREATE INDEX IF NOT EXISTS samples_session ON samples (session, t);
CREATE TABLE IF NOT EXISTS questions (
    session TEXT NOT NULL, t REAL NOT NULL, message_id TEXT, text TEXT, qkey TEXT, product TEXT,
    lang TEXT, platform TEXT, room TEXT
);
CREATE INDEX IF NOT EXISTS questions_session ON questions (session);
CREATE INDEX IF NOT EXISTS questions_message ON questions (session, message_id);
CREATE TABLE IF NOT EXISTS answers (
    session TEXT NOT NULL, t REAL NOT NULL, message_id TEXT, path TEXT, intent TEXT
);
CREATE INDEX IF NOT EXISTS answers_session ON answers (session);
CREATE INDEX IF NOT EXISTS answers_message ON answers (session, message_id);
CREATE TABLE IF NOT EXISTS recommendations (session TEXT NOT NULL, t REAL NOT NULL, product TEXT);
CREATE INDEX IF NOT EXISTS recommendations_session ON recommendations (session);
CREATE TABLE IF NOT EXISTS handoffs (session TEXT NOT NULL, t REAL NOT NULL, qid TEXT, text TEXT);
CREATE INDEX IF NOT EXISTS handoffs_session ON handoffs (session);
CREATE TABLE IF NOT EXISTS demand (
    session TEXT NOT NULL, t REAL NOT NULL, qid TEXT, text TEXT, qkey TEXT, asks INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS demand_session ON demand (session);
CREATE TABLE IF NOT EXISTS paid (
    session TEXT NOT NULL, t REAL NOT NULL, platform TEXT, room TEXT, viewer_id TEXT, name TEXT,
    kind TEXT, item TEXT, count INTEGER, amount REAL, currency TEXT
);
CREATE INDEX IF NOT EXISTS paid_session ON paid (session);
CREATE TABLE IF NOT EXISTS chat (session TEXT NOT NULL, t REAL NOT NULL, text TEXT);
CREATE INDEX IF NOT EXISTS chat_session ON chat (session, t);
"""


@dataclass(frozen=True)
class RecorderConfig:
    path: Path = setting(None)  # LIVEROOM_VAR/reports/sessions.sqlite
    session_gap_s: float = setting("LIVEROOM_REPORT_SESSION_GAP_S", default=900.0)
    idle_sample_every_s: float = setting(None, default=10.0)

    def __post_init__(self) -> None:
        if self.session_gap_s < 10:
            raise ValueError("LIVEROOM_REPORT_SESSION_GAP_S must be at least 10 seconds")
        if self.idle_sample_every_s <= 0:
            raise ValueError("the idle sample interval must be positive")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> RecorderConfig:
        var_dir = Path(env.get("LIVEROOM_VAR", "var"))
        return load(cls, env, path=var_dir / "reports" / "sessions.sqlite")


def connect(path: Path) -> sqlite3.Connection:
    """A connection for one thread; readers and the writer share the file through WAL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def session_id_for(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y%m%d-%H%M%S")


class SessionRecorder:
    def __init__(self, config: RecorderConfig, on_drop: Callable[[], None] | None = None) -> None:
        self.config = config
        self._on_drop = on_drop
        self._queue: asyncio.Queue[Tick] = asyncio.Queue(maxsize=QUEUE_BATCHES)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._writer: asyncio.Task[None] | None = None
        self.session: str | None = None
        self._last_activity = 0.0
        self._last_sample = 0.0
        self.dropped = 0
        self.written = 0

    # --- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        self._conn = await asyncio.to_thread(connect, self.config.path)
        row = await asyncio.to_thread(self._latest_session)
        if row is not None and time.time() - row[1] <= self.config.session_gap_s:
            self.session, self._last_activity = row
            log.info("recorder: resuming session %s", self.session)
        self._writer = asyncio.create_task(self._write_forever(), name="session-recorder")

    async def stop(self) -> None:
        """Write what is queued (bounded), then close."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                await self._queue.join()
        if self._writer is not None:
            await cancel_and_wait(self._writer)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.to_thread(conn.close)

    def _latest_session(self) -> tuple[str, float] | None:
        assert self._conn is not None
        with self._lock:
            row = self._conn.execute(
                "SELECT id, last_activity FROM sessions ORDER BY last_activity DESC LIMIT 1"
            ).fetchone()
        return (str(row[0]), float(row[1])) if row else None

    # --- recording ------------------------------------------------------------------------------------
    def record(self, tick: Tick) -> None:
        """Called by the sampler once a second; never waits (drops and counts when the disk is behind)."""
        drain = tick.drain
        active = drain.messages > 0 or drain.replies > 0 or bool(drain.paid)
        if active:
            if self.session is None or tick.t - self._last_activity > self.config.session_gap_s:
                self.session = session_id_for(tick.t)
                log.info("recorder: new session %s", self.session)
            self._last_activity = tick.t
        elif self.session is None or tick.t - self._last_activity > self.config.session_gap_s:
            return  # no session running: nothing to record
        elif (
            tick.t - self._last_sample < self.config.idle_sample_every_s
            and not tick.handoffs
            and not tick.demand
        ):
            return
        self._last_sample = tick.t
        try:
            self._queue.put_nowait(_SessionTick(self.session, tick))  # type: ignore[arg-type]
        except asyncio.QueueFull:
            self.dropped += 1
            if self._on_drop is not None:
                self._on_drop()
            log.warning("recorder: disk behind, dropped the tick of %.0f", tick.t)

    async def _write_forever(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await asyncio.to_thread(self._write, item)  # type: ignore[arg-type]
                self.written += 1
            except sqlite3.Error:
                log.exception("recorder: could not write a tick")
            finally:
                self._queue.task_done()

    def _write(self, item: _SessionTick) -> None:
        conn = self._conn
        if conn is None:
            return
        session, tick = item.session, item.tick
        d = tick.drain
        with self._lock, conn:
            conn.execute(
                "INSERT INTO sessions (id, started, last_activity, messages, questions) VALUES (?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET last_activity = max(last_activity, excluded.last_activity), "
                "messages = messages + excluded.messages, questions = questions + excluded.questions",
                (session, tick.t, tick.t, d.messages, d.questions),
            )
            conn.execute(
                "INSERT INTO samples VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    session,
                    tick.t,
                    d.messages,
                    d.questions,
                    d.answered_questions,
                    d.replies,
                    tick.latency_p50_ms,
                    tick.latency_p95_ms,
                    tick.sentiment,
                    tick.mood,
                    json.dumps(tick.vision) if tick.vision else None,
                    tick.active_viewers,
                    d.recommendations,
                ),
            )
            conn.executemany(
                "INSERT INTO questions VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (session, q.t, q.message_id, q.text, q.key, q.product, q.lang, q.platform, q.room)
                    for q in d.question_records
                ],
            )
            conn.executemany(
                "INSERT INTO answers VALUES (?,?,?,?,?)",
                [(session, a.t, a.message_id, a.path, a.intent) for a in d.answer_records],
            )
            conn.executemany(
                "INSERT INTO recommendations VALUES (?,?,?)", [(session, t, p) for t, p in d.recommended]
            )
            conn.executemany(
                "INSERT INTO handoffs VALUES (?,?,?,?)", [(session, h.t, h.id, h.text) for h in tick.handoffs]
            )
            conn.executemany(
                "INSERT INTO paid VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(session, *astuple(p)) for p in d.paid],  # PaidRecord's fields in the table's order
            )
            conn.executemany(
                "INSERT INTO demand VALUES (?,?,?,?,?,?)",
                [(session, a.t, a.id, a.text, question_key(a.text), a.asks) for a in tick.demand],
            )
            conn.executemany(
                "INSERT INTO chat VALUES (?,?,?)", [(session, tick.t, text) for text in d.chat_sample]
            )


@dataclass(frozen=True)
class _SessionTick:
    session: str
    tick: Tick


def setup(app: web.Application) -> None:
    """Create the recorder (the dashboard's sampler feeds it); ``recorder_ctx`` opens and closes its
    database with the app (bot/app.py lists it before the dashboard's sampler)."""
    app[RECORDER] = SessionRecorder(
        RecorderConfig.from_env(), on_drop=app[METRICS].recorder_ticks_dropped.inc
    )


async def recorder_ctx(app: web.Application) -> AsyncIterator[None]:
    recorder = app[RECORDER]
    await recorder.start()
    try:
        yield
    finally:
        await recorder.stop()
