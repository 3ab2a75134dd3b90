"""Viewer text in the report's PNG/PDF export is drawn as plain text (review finding M4).

Top questions are viewer text, and matplotlib reads a label holding a pair of ``$`` as mathtext: an
unknown command (``$\\foo$``) raised at ``savefig``, so one viewer could make a session's export answer
500 for good (the questions are stored). Here a session is recorded by the real recorder with such
questions among its top questions, read back by ``session_report`` and rendered by the real export code.
"""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

import pytest
from matplotlib.text import Text
from PIL import Image

from bot.web.dashboard_sampler import DemandAsk, Handoff, Tick
from bot.web.dashboard_tap import AnswerRecord, QuestionRecord, TapDrain
from bot.web.i18n import messages
from bot.web.recorder import RecorderConfig, SessionRecorder
from bot.web.report import LABEL_KEYS
from bot.web.report_data import session_report
from bot.web.report_render import plain_text, render
from knowledge_graph.editing.open_questions import question_key

HOSTILE = [
    "@liveroom $\\foo$ how much?",  # unknown mathtext command: ValueError at savefig
    "is it $5 or $6 today",  # a pair of $: drawn as a formula
    "$$ \\frac{1}{0} $$",
    "one $ only",
    "\\$ already escaped $x$",
]


def _labels() -> dict[str, str]:
    table = messages("en")
    labels = {key: table[f"report.{key}"] for key in LABEL_KEYS}
    labels["title"] = table["report.title_export"]
    return labels


async def _session_with(tmp_path: Path, questions: list[str]) -> dict:
    config = RecorderConfig(path=tmp_path / "sessions.sqlite", session_gap_s=60)
    recorder = SessionRecorder(config)
    await recorder.start()
    now = time.time()
    for i, text in enumerate(questions):
        drain = TapDrain(messages=len(questions), questions=len(questions), answered_questions=0, replies=0)
        drain.question_records = [
            QuestionRecord(now - 10 + i, f"{i}-{n}", text, f"q{i}", "$\\bar$ serum", "en", "simulator", "r")
            for n in range(5)  # asked five times: among the top questions
        ]
        recorder.record(Tick(now - 10 + i, drain, 5.0, 9.0, 0.4, "happy", {"happy": 1.0}, 3))
    await recorder.stop()
    report = await asyncio.to_thread(session_report, config.path, recorder.session)
    assert report is not None
    return report


@pytest.mark.parametrize("fmt", ["png", "pdf"])
async def test_mathtext_in_top_questions_does_not_break_the_export(tmp_path: Path, fmt: str) -> None:
    report = await _session_with(tmp_path, HOSTILE)
    assert {text for text, _ in report["top_questions"]} == set(HOSTILE)
    body = await asyncio.to_thread(render, report, fmt, _labels())
    if fmt == "png":
        image = Image.open(io.BytesIO(body))
        assert image.format == "PNG" and image.width >= 800
    else:
        assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize("fmt", ["png", "pdf"])
async def test_demand_for_products_not_carried_is_counted_apart_and_drawn_literally(
    tmp_path: Path, fmt: str
) -> None:
    """Asks for products the shop does not sell (viewer text, hostile here) are grouped by normalized
    text and counted in the report's demand section, never as hand-offs, and the export draws them."""
    config = RecorderConfig(path=tmp_path / "sessions.sqlite", session_gap_s=60)
    recorder = SessionRecorder(config)
    await recorder.start()
    now = time.time()
    drain = TapDrain(messages=9, questions=9, answered_questions=9, replies=9)
    drain.question_records = [
        QuestionRecord(now - 5, f"m{n}", "q", "q", None, "en", "simulator", "r") for n in range(9)
    ]
    drain.answer_records = [AnswerRecord(now - 5, f"m{n}", "qa", None) for n in range(9)]
    demand = [DemandAsk(now - 5, f"id{i}", text, 1) for i, text in enumerate(HOSTILE)]
    demand += [DemandAsk(now - 5, "other-room", "IS IT $5 or $6 today?!", 2)]  # same key, another room
    handoff = [Handoff(now - 5, "h1", "where is my order")]
    recorder.record(Tick(now - 5, drain, 5.0, 9.0, 0.4, "happy", {}, 3, handoffs=handoff, demand=demand))
    await recorder.stop()
    report = await asyncio.to_thread(session_report, config.path, recorder.session)
    assert report is not None
    (top, asks), *others = report["demand"]
    assert question_key(top) == question_key(HOSTILE[1]) and asks == 3  # grouped across rooms
    assert sorted(others) == sorted((text, 1) for text in HOSTILE if text != HOSTILE[1])
    totals = report["totals"]
    assert (totals["not_carried_asks"], totals["handed_off"]) == (len(HOSTILE) + 2, 1)
    assert totals["answer_rate"] == round(8 / 9, 4)  # only the hand-off lowers it
    body = await asyncio.to_thread(render, report, fmt, _labels())
    assert body.startswith(b"\x89PNG" if fmt == "png" else b"%PDF-")


@pytest.mark.parametrize("text", [*HOSTILE, "plain", "", "\\$", "$", "a \\ b"])
def test_plain_text_is_shown_literally_by_matplotlib(text: str) -> None:
    shown, is_math = Text(text=plain_text(text))._preprocess_math(plain_text(text))
    assert (shown, is_math) == (text, False)
