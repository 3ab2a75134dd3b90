"""The recap of a recorded session, through the real recording path (tap -> tick -> SessionRecorder ->
SQLite) and read back by bot/content/recap.py; its Markdown and text in English and Chinese; the CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bench.content_demo import record_demo
from bot.__main__ import main as cli
from bot.content.recap import latest_session, session_recap
from bot.content.text import chapter_lines, recap_doc
from bot.core.triage import Priority, TriageResult
from bot.web.dashboard_sampler import Tick
from bot.web.dashboard_tap import CHAT_SAMPLE_PER_TICK, ChatTap, TapDrain
from bot.web.recorder import RecorderConfig, SessionRecorder, connect
from connectors.base import ChatEvent

ENDED = 1_780_000_000.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("content") / "sessions.sqlite"
    return db, record_demo(db, ended=ENDED, hours=1.0)


def test_recap_of_the_demo_stream(demo: tuple[Path, str]) -> None:
    db, session = demo
    assert latest_session(db) == session
    recap = session_recap(db, session)
    assert recap is not None
    assert recap["duration_s"] > 3500
    assert recap["totals"]["messages"] > 5000
    assert recap["totals"]["peak_viewers"] >= recap["avg_viewers"] > 0
    paths = dict(recap["answer_paths"])
    assert (
        set(paths) == {"qa", "rasa", "faq_fallback"}
        and sum(paths.values()) == recap["totals"]["answered"] + 2
    )
    assert [h["text"] for h in recap["follow_up"]] == [
        "my order from last week hasn't arrived",
        "can I change my delivery address?",
    ]
    paid = recap["paid"]
    assert [(r["platform"], r["currency"], r["amount"]) for r in paid["totals"]] == [
        ("bilibili", "CNY", 33.0),
        ("youtube", "USD", 5.0),
    ]
    # ranked by their share of their own currency's total: Ann gave all the dollars, Momo 30 of 33 yuan
    assert [s["name"] for s in paid["top_supporters"]] == ["Ann", "Momo", "小鹿"]
    assert paid["items"] == [("辣条", 20), ("小心心", 10)]
    assert {r["mood"] for r in recap["mood_runs"]} <= {"happy", "neutral", "bored", "upset"}
    assert recap["mood_runs"][0]["offset_s"] == 0
    # four planted moments in the hour, each found; the first one is the lipstick's
    assert len(recap["highlights"]) == 4
    first = recap["highlights"][0]
    assert first["product"] in ("Matte Lipstick", "哑光口红")
    assert recap["chat_sampled"] > 1000
    assert recap["chapters"][0] == {"offset_s": 0, "at": "00:00", "highlight": None}
    assert len(recap["series"]["highlights"]) == len(recap["series"]["t"])
    assert sum(v is not None for v in recap["series"]["highlights"]) == 4


def test_recap_text_in_both_languages(demo: tuple[Path, str]) -> None:
    db, session = demo
    recap = session_recap(
        db,
        session,
        names={"matte lipstick": ("Matte Lipstick", "哑光口红"), "哑光口红": ("Matte Lipstick", "哑光口红")},
    )
    assert recap is not None
    en = recap_doc(recap, "en")
    zh = recap_doc(recap, "zh")
    md, text = en.markdown(), en.plain()
    assert md.startswith(f"# Stream recap {session}\n")
    assert "## Highlight moments" in md and "```text\n00:00 Stream start\n" in md
    assert "Gifts and super chats" in text and "¥33.00 (bilibili), $5.00 (youtube)" in text
    assert "my order from last week hasn't arrived" in text
    zh_text = zh.plain()
    assert zh_text.startswith(f"直播复盘 {session}")
    assert "高光时刻" in zh_text and "回放章节" in zh_text and "00:00 开场" in zh_text
    assert "哑光口红 ×" in zh_text and "Matte Lipstick ×" in text  # merged names, each language its own
    assert "支持榜 #1: Ann" in zh_text and "支持榜 #2: Momo" in zh_text
    lines = chapter_lines(recap, "en")
    assert lines[0] == "00:00 Stream start" and len(lines) == 5
    assert lines[1].split(" ", 1)[1].startswith("Matte Lipstick · Chat hype")


def test_cli_recap(demo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    db, session = demo
    assert (
        cli(["content", "recap", session, "--db", str(db), "--offline", "--lang", "zh", "--format", "md"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(f"# 直播复盘 {session}") and "## 回放章节" in out
    assert cli(["content", "recap", "--db", str(db), "--offline", "--format", "json"]) == 0
    assert '"highlights"' in capsys.readouterr().out
    assert cli(["content", "recap", "20000101-000000", "--db", str(db), "--offline"]) == 1


def test_cli_preview_without_a_graph_says_so(
    demo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FALKORDB_PORT", "1")  # nothing listens there
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert cli(["content", "preview", "--db", str(demo[0])]) == 1
    assert "cannot reach FalkorDB" in capsys.readouterr().err


def _tick(t: float, drain: TapDrain) -> Tick:
    return Tick(t, drain, None, None, 0.0, "neutral", {}, 0)


def _recorder(db: Path) -> SessionRecorder:
    recorder = SessionRecorder(RecorderConfig(path=db))
    recorder._conn = connect(db)
    return recorder


def _flush(recorder: SessionRecorder) -> None:
    while not recorder._queue.empty():
        recorder._write(recorder._queue.get_nowait())


def test_a_session_with_no_chat(tmp_path: Path) -> None:
    """Only bot replies (no viewer message): a session exists, with nothing to highlight."""
    db = tmp_path / "s.sqlite"
    recorder = _recorder(db)
    for i in range(120):
        recorder.record(_tick(ENDED + i, TapDrain(replies=1)))
        _flush(recorder)
    session = recorder.session
    assert session is not None
    recap = session_recap(db, session)
    assert recap is not None
    assert recap["totals"]["messages"] == 0 and recap["highlights"] == [] and recap["chat_sampled"] == 0
    assert recap["paid"] == {"events": 0, "totals": [], "items": [], "top_supporters": []}
    for lang, none in (("en", "none"), ("zh", "无")):
        text = recap_doc(recap, lang).plain()
        assert f"  {none}" in text
        assert chapter_lines(recap, lang) == ["00:00 " + ("Stream start" if lang == "en" else "开场")]


def test_a_file_from_before_the_chat_and_paid_tables(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    recorder = _recorder(db)
    for i in range(60):
        recorder.record(_tick(ENDED + i, TapDrain(messages=3, chat_sample=["hi", "你好", "wow"])))
        _flush(recorder)
    recorder._conn.close()  # type: ignore[union-attr]
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE chat")
        conn.execute("DROP TABLE paid")
    recap = session_recap(db, str(recorder.session))
    assert recap is not None and recap["totals"]["messages"] == 180 and recap["chat_sampled"] == 0


def test_the_tap_keeps_a_bounded_uniform_sample_of_a_busy_second() -> None:
    tap = ChatTap(clock=lambda: ENDED)
    chatter = TriageResult(Priority.CHATTER, "test")
    for i in range(10_000):
        event = ChatEvent("simulator", "r", f"m{i}", "v", "v", f"msg {i} " + "x" * 200)
        tap.on_message(event, chatter, "en", 0.0)
    drain = tap.drain()
    assert drain.messages == 10_000
    assert len(drain.chat_sample) == CHAT_SAMPLE_PER_TICK
    assert all(len(text) <= 80 for text in drain.chat_sample)
    late = sum(int(text.split()[1]) >= 5_000 for text in drain.chat_sample)
    assert 8 <= late <= 32  # uniform: about half from the second half, not the first 40 only
    assert tap.drain().chat_sample == []


def test_a_session_of_100k_messages(tmp_path: Path) -> None:
    """100,000 messages over ~83 minutes through the recorder, one planted burst: the recap is right
    (its time is measured by bench/bench_content.py, not here)."""
    db = tmp_path / "big.sqlite"
    recorder = _recorder(db)
    total = 0
    burst = range(2500, 2530)
    for i in range(5000):
        n = 100 if i in burst else 20
        if total + n > 100_000:
            n = 100_000 - total
        if n == 0:
            break
        texts = [
            ("太便宜了" if j % 2 else "so cheap") if i in burst else ["hi", "主播好", "wow", "来了"][j % 4]
            for j in range(min(n, CHAT_SAMPLE_PER_TICK))
        ]
        recorder.record(_tick(ENDED + i, TapDrain(messages=n, chat_sample=texts)))
        total += n
        _flush(recorder)
    assert total == 100_000
    recap = session_recap(db, str(recorder.session))
    assert recap is not None
    assert recap["totals"]["messages"] == 100_000
    assert len(recap["highlights"]) == 1
    h = recap["highlights"][0]
    assert abs(h["t"] - ENDED - 2500) <= 10
    assert {t for t, _ in h["terms"]} >= {"cheap", "太便宜了"}
    with sqlite3.connect(db) as conn:
        (kept,) = conn.execute("SELECT COUNT(*) FROM chat").fetchone()
    assert kept <= 5000 * CHAT_SAMPLE_PER_TICK


def test_recorder_writes_the_sample_in_the_tick_transaction(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    recorder = SessionRecorder(RecorderConfig(path=db))

    async def run() -> None:
        await recorder.start()
        recorder.record(_tick(ENDED, TapDrain(messages=2, chat_sample=["LUL", "哈哈哈"])))
        await recorder.stop()

    asyncio.run(run())
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT session, t, text FROM chat ORDER BY text").fetchall()
    assert rows == [(recorder.session, ENDED, "LUL"), (recorder.session, ENDED, "哈哈哈")]
