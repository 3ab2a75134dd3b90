"""How long the content pieces take on a big session: the recap (with highlight detection) of 100,000
messages, and its Markdown.

``.venv/bin/python bench/bench_content.py [--messages 100000]``

The session goes through the recorder's real write path (one :class:`Tick` per second into
:class:`SessionRecorder`, each with the tap's bounded chat sample): 20 messages/s for ~83 minutes with a
few bursts, so the chat table holds the 40-per-second cap most seconds, and 1-2 questions a second (2/3
answered). Then ``session_recap`` and
``recap_doc`` are timed (best of 3). Writes bench/results/bench_content.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result
from bot.content.recap import session_recap
from bot.content.text import recap_doc
from bot.web.dashboard_sampler import Tick
from bot.web.dashboard_tap import CHAT_SAMPLE_PER_TICK, AnswerRecord, QuestionRecord, TapDrain
from bot.web.recorder import RecorderConfig, SessionRecorder, connect

START = 1_780_000_000.0
CHATTER = ("hi", "主播好", "wow", "来了来了", "好看", "lol", "so pretty", "666")
BURST = ("太便宜了", "so cheap", "哈哈哈哈", "LUL", "冲冲冲", "PogChamp")
QUESTIONS = ("how much is the matte lipstick?", "这个口红多少钱")
PRODUCTS = ("Matte Lipstick", "哑光口红", "Hydrating Serum")


def build(db: Path, messages: int) -> str:
    recorder = SessionRecorder(RecorderConfig(path=db))
    recorder._conn = connect(db)
    total, i = 0, 0
    while total < messages:
        burst = i % 900 < 20 and i > 300
        n = min(messages - total, 90 if burst else 20)
        pool = BURST if burst else CHATTER
        texts = [pool[(i + j) % len(pool)] for j in range(min(n, CHAT_SAMPLE_PER_TICK))]
        t = START + i
        asked = [  # ~7 % of the chat asks the bot; the bot answers two in three
            QuestionRecord(t, f"q{i}-{j}", text, text, PRODUCTS[(i + j) % 3], "en", "simulator", "bench")
            for j, text in enumerate(QUESTIONS[: 1 + i % 2])
        ]
        answers = [AnswerRecord(t, q.message_id, "qa", None) for q in asked if (i + len(q.text)) % 3]
        drain = TapDrain(
            messages=n,
            questions=len(asked),
            chat_sample=texts,
            question_records=asked,
            answer_records=answers,
        )
        recorder.record(Tick(t, drain, None, None, 0.1, "neutral", {}, 50))
        while not recorder._queue.empty():
            recorder._write(recorder._queue.get_nowait())  # type: ignore[arg-type]
        total += n
        i += 1
    recorder._conn.close()
    assert recorder.session is not None
    return recorder.session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.sqlite"
        t0 = time.perf_counter()
        session = build(db, args.messages)
        built_s = time.perf_counter() - t0
        timings, doc_timings = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            recap = session_recap(db, session)
            timings.append(time.perf_counter() - t0)
            assert recap is not None
            t0 = time.perf_counter()
            recap_doc(recap, "en").markdown()
            recap_doc(recap, "zh").plain()
            doc_timings.append(time.perf_counter() - t0)
        assert recap["totals"]["messages"] == args.messages
        result = {
            "messages": args.messages,
            "seconds_recorded": round(recap["duration_s"]),
            "chat_rows": recap["chat_sampled"],
            "questions": recap["totals"]["questions"],
            "highlights": len(recap["highlights"]),
            "record_s": round(built_s, 2),
            "recap_s_best": round(min(timings), 3),
            "text_s_best": round(min(doc_timings), 4),
        }
    print(
        f"{args.messages:,} messages ({result['seconds_recorded']} s, "
        f"{result['chat_rows']:,} sampled texts): "
        f"recap {result['recap_s_best']:.2f} s, Markdown+text {result['text_s_best'] * 1000:.0f} ms, "
        f"{result['highlights']} highlights"
    )
    print(f"wrote {write_result('bench_content', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
