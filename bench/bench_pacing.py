"""Per-call cost of the reply pacer's send and of an audience snapshot, against the old algorithms.

The old algorithms (a pacer that scans the whole pending list and every reply sent in the duplicate
window on each send; an audience snapshot that recounts up to 5 minutes of chat) live only here, as the
baseline measured in the same run. Both versions are fed the same inputs and must give the same outputs.

    .venv/bin/python bench/bench_pacing.py [--sends 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS
from bot.core.audience import AudienceSnapshot, AudienceState
from bot.outbound.pacer import PendingReply, ReplyPacer, SendLimit
from connectors.base import OutboundMessage

PENDING_LEVELS = (100, 1_000, 5_000)
CHAT_RATES = (10, 100, 500)  # messages/s in the room, over the 5-minute viewer window


class OldReplyPacer(ReplyPacer):
    """The list-scanning pacer (before the indexed pending set and counted duplicate window)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self._pending = []  # type: ignore[assignment]

    def submit(self, reply: PendingReply) -> None:
        self._pending.append(reply)  # type: ignore[attr-defined]
        self._wakeup.set()

    def _drop_stale(self) -> None:
        now = self._clock()
        fresh = [r for r in self._pending if now - r.created <= self.stale_after_s]  # type: ignore[attr-defined]
        stale = len(self._pending) - len(fresh)
        if stale:
            self._on_event("stale", stale)
        self._pending = fresh  # type: ignore[assignment]

    def _next_message(self, room_left: int) -> OutboundMessage:
        pending: list[PendingReply] = self._pending  # type: ignore[assignment]
        newest = max(pending, key=lambda r: r.created)
        group = [newest]
        if len(pending) > room_left:
            group = [r for r in pending if r.room == newest.room and r.text == newest.text]
        group = sorted(group, key=lambda r: r.created, reverse=True)
        kept, length = [], len(group[0].text)
        for reply in group:
            extra = len(reply.mention) + 2 if reply.mention else 0
            if kept and length + extra > self.budget.limit.max_chars:
                break
            kept.append(reply)
            length += extra
        for reply in kept:
            pending.remove(reply)
        mentions = list(dict.fromkeys(r.mention for r in kept if r.mention))
        prefix = " ".join(f"@{m}" for m in mentions)
        full = f"{prefix} {newest.text}" if prefix else newest.text
        if self._sent_recently(newest.room, full):
            full = self._vary(full, newest.lang, newest.room)
        reply_to = newest.reply_to if len(kept) == 1 else None
        return OutboundMessage(platform=self.platform, room=newest.room, text=full, reply_to=reply_to)

    def _sent_recently(self, room: str, text: str) -> bool:
        horizon = self._clock() - self.duplicate_window_s
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        return any(r == room and t == text for _, r, t in self._recent)


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


async def pacer_cost(cls: type[ReplyPacer], pending: int, sends: int, seed: int) -> tuple[float, list[str]]:
    """Mean seconds per ``flush_one`` with ``pending`` replies waiting (one new reply per send), and what
    was sent. The duplicate window holds 30 s of sends at 100 sends/s (3,000 entries)."""
    rng = random.Random(seed)
    clock = Clock()
    sent: list[str] = []

    async def send(message: OutboundMessage) -> None:
        sent.append(message.text)

    limit = SendLimit(10**9, 30.0)  # never short: measures the bookkeeping, not the merging
    pacer = cls(send, "bench", limit, clock=clock, stale_after_s=10**6)

    def submit(i: int) -> None:
        clock.now += 0.001
        text = f"answer {rng.randrange(300)}"  # repeats: the duplicate check varies some
        pacer.submit(PendingReply(f"room{i % 10}", text, f"viewer{i}", f"m{i}", "en", clock.now))

    for i in range(pending):
        submit(i)
    for i in range(3000):  # fill the duplicate window
        submit(pending + i)
        clock.now += 0.01
        await pacer.flush_one()
    sent.clear()
    elapsed = 0.0
    for i in range(sends):
        submit(pending + 3000 + i)
        clock.now += 0.01
        started = time.perf_counter()
        await pacer.flush_one()
        elapsed += time.perf_counter() - started
    return elapsed / sends, sent


class OldAudienceState(AudienceState):
    """Snapshot recounted from every message in the windows (the previous algorithm)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._items: deque[tuple[float, str, float, tuple[str, ...], str | None]] = deque()
        self._span = kw.get("viewer_window_s", 300.0)

    def observe(self, viewer_id, sentiment, products=(), lang=None) -> None:
        now = self._clock()
        self._items.append((now, viewer_id, max(-1.0, min(1.0, sentiment)), products, lang))
        while self._items and self._items[0][0] < now - self._span:
            self._items.popleft()

    def snapshot(self) -> AudienceSnapshot:
        now = self._clock()
        while self._items and self._items[0][0] < now - self._span:
            self._items.popleft()
        mood = [e for e in self._items if not e[0] < now - self.mood_window_s]
        scores = [e[2] for e in mood]
        sentiment = sum(scores) / len(scores) if scores else 0.0
        elapsed = min(self.mood_window_s, max(1.0, now - self._started))
        per_minute = len(scores) * 60.0 / elapsed
        vision = self._fresh_vision(now)
        langs = Counter(e[4] for e in mood if e[4])
        return AudienceSnapshot(
            mood=self._mood(sentiment, per_minute, vision),
            sentiment=round(sentiment, 3),
            messages_per_minute=round(per_minute, 1),
            active_viewers=len({e[1] for e in self._items}),
            hot_products=Counter(p for e in self._items for p in e[3]).most_common(5),
            vision=vision,
            lang=langs.most_common(1)[0][0] if langs else "en",
        )


def audience_cost(cls: type[AudienceState], rate: int, snapshots: int, seed: int) -> tuple[float, list]:
    """Mean seconds per snapshot with 5 minutes of chat at ``rate`` messages/s in the windows (one new
    message between snapshots); the snapshots taken."""
    rng = random.Random(seed)
    clock = Clock()
    state = cls(clock=clock, viewer_window_s=300.0, mood_window_s=60.0)
    products = ("serum", "lipstick", "hoodie", "口红", "精华", "mask", "toner")

    def observe() -> None:
        clock.now += 1.0 / rate
        picked = (rng.choice(products),) if rng.random() < 0.2 else ()
        state.observe(
            f"v{rng.randrange(rate * 20)}", rng.randint(-64, 64) / 64, picked, rng.choice(("en", "zh"))
        )

    for _ in range(300 * rate):
        observe()
    taken = []
    elapsed = 0.0
    for _ in range(snapshots):
        observe()
        started = time.perf_counter()
        taken.append(state.snapshot())
        elapsed += time.perf_counter() - started
    return elapsed / snapshots, taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--snapshots", type=int, default=300)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"pacer_send": [], "audience_snapshot": []}
    print("pacer: mean cost of one send (flush_one), new vs old, same inputs and outputs", flush=True)
    for pending in PENDING_LEVELS:
        new_s, new_sent = asyncio.run(pacer_cost(ReplyPacer, pending, args.sends, seed=pending))
        old_s, old_sent = asyncio.run(pacer_cost(OldReplyPacer, pending, args.sends, seed=pending))
        assert new_sent == old_sent, "the new pacer must send exactly what the old one sent"
        row = {"pending": pending, "new_ms": new_s * 1e3, "old_ms": old_s * 1e3, "speedup": old_s / new_s}
        results["pacer_send"].append(row)
        print(
            f"  {pending:>5} pending: new {row['new_ms']:.4f} ms  old {row['old_ms']:.4f} ms  "
            f"x{row['speedup']:.1f}",
            flush=True,
        )
    print("audience: mean cost of one snapshot with 5 min of chat in the windows, new vs old", flush=True)
    for rate in CHAT_RATES:
        new_s, new_snaps = audience_cost(AudienceState, rate, args.snapshots, seed=rate)
        old_s, old_snaps = audience_cost(OldAudienceState, rate, args.snapshots, seed=rate)
        assert new_snaps == old_snaps, "the incremental snapshot must equal the recomputed one"
        row = {
            "msgs_per_s": rate,
            "window_msgs": 300 * rate,
            "new_ms": new_s * 1e3,
            "old_ms": old_s * 1e3,
            "speedup": old_s / new_s,
        }
        results["audience_snapshot"].append(row)
        print(
            f"  {rate:>4} msgs/s ({300 * rate:>6} in window): new {row['new_ms']:.4f} ms  "
            f"old {row['old_ms']:.4f} ms  x{row['speedup']:.0f}",
            flush=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "pacing.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()
