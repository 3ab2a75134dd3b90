"""Paced replies: never more than the platform allows, merged when the budget is short, fresh first.

Platforms allow a bot a few messages per window (Twitch: 20 per 30 s, 100 as moderator) and drop
identical messages repeated within ~30 s. The pacer holds the replies the gateway wants to post for one
platform account and releases them within a rolling-window budget:

- when more replies wait than the budget has room for, replies with the same text are merged into one
  message that mentions every asker ("@ann @bo the serum is ¥129");
- the newest replies go first, but fairly: among the newest waiting replies, one to an asker the bot
  answered fewer times in the last budget window goes before another to an asker it just answered, so a
  few viewers asking a stream of questions cannot take every send (security review M8);
- one that waited longer than ``stale_after_s`` is dropped and counted (the viewer has moved on, and
  answering late crowds out fresh questions);
- a text identical to one sent within ``duplicate_window_s`` is varied with a short marker instead of
  being posted verbatim, so the platform's duplicate filter does not silently eat it.

The budget is the platform's ``Connector.send_limit`` (declared by the connector from its platform
configuration) and the only send window: connectors only split and pause after a "too many" answer. A
reply longer than ``max_chars`` goes out as several messages and takes one send per part. The budget is
per bot account, across every channel (that is how Twitch counts). With several gateway
shards the account's budget lives in Redis (``RedisSendBudget``, chosen when ``LIVEROOM_REDIS_URL`` is
set; bot/outbound/shards.py), so the shards together never post more than the platform allows.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.core.ports import PendingReply
from bot.outbound.budget import PacerEvent, RedisSendBudget, RollingBudget, SendBudget, shared_budgets
from connectors.base import OutboundMessage, SendLimit
from connectors.limits import split_message

log = logging.getLogger(__name__)

__all__ = [
    "PendingReply",
    "RedisSendBudget",
    "ReplyPacer",
    "RollingBudget",
    "SendBudget",
    "SendLimit",
    "shared_budgets",
]

#: how many of the newest waiting replies the fair pick looks at (bounded work per send)
FAIR_CANDIDATES = 64
REPEAT_MARKERS = {"en": ("(again)", "(as above)", "(repeat)"), "zh": ("（再说一遍）", "（同上）", "（重复）")}


class _PendingIndex:
    """The pacer's waiting replies, indexed so that each send costs O(log n) instead of O(n).

    Insertion order is kept (a dict keyed by a sequence number) because it decides ties exactly as the
    list it replaces did; a max-heap finds the newest reply, a min-heap the oldest (stale ones), and a
    dict per (room, text) finds the replies a merged message can carry. Heaps delete lazily and are
    rebuilt when dead entries outnumber the live ones.
    """

    def __init__(self) -> None:
        self._seq = 0
        self._live: dict[int, PendingReply] = {}
        self._by_text: dict[tuple[str, str], dict[int, PendingReply]] = {}
        self._newest: list[tuple[float, int]] = []  # (-created, seq)
        self._oldest: list[tuple[float, int]] = []  # (created, seq)

    def __len__(self) -> int:
        return len(self._live)

    def add(self, reply: PendingReply) -> None:
        seq = self._seq
        self._seq += 1
        self._live[seq] = reply
        self._by_text.setdefault((reply.room, reply.text), {})[seq] = reply
        heapq.heappush(self._newest, (-reply.created, seq))
        heapq.heappush(self._oldest, (reply.created, seq))

    def remove(self, seq: int) -> None:
        reply = self._live.pop(seq)
        key = (reply.room, reply.text)
        same = self._by_text[key]
        del same[seq]
        if not same:
            del self._by_text[key]
        if len(self._newest) > 2 * len(self._live) + 64:
            self._compact()

    def _compact(self) -> None:
        self._newest = [(-r.created, s) for s, r in self._live.items()]
        self._oldest = [(r.created, s) for s, r in self._live.items()]
        heapq.heapify(self._newest)
        heapq.heapify(self._oldest)

    def newest_few(self, k: int) -> list[tuple[int, PendingReply]]:
        """Up to ``k`` replies, newest first (ties: submission order); O(n log k)."""
        entries = heapq.nsmallest(k + len(self._newest) - len(self._live), self._newest)
        return [(seq, self._live[seq]) for _, seq in entries if seq in self._live][:k]

    def newest(self) -> tuple[int, PendingReply]:
        """The reply created last (the first submitted of equals, like ``max`` over the old list)."""
        while self._newest[0][1] not in self._live:
            heapq.heappop(self._newest)
        seq = self._newest[0][1]
        return seq, self._live[seq]

    def drop_older_than(self, now: float, max_age_s: float) -> int:
        """Removes every reply with ``now - created > max_age_s``; returns how many."""
        dropped = 0
        while self._oldest:
            created, seq = self._oldest[0]
            if seq in self._live and not now - created > max_age_s:
                break
            heapq.heappop(self._oldest)  # before remove(), which may rebuild the heaps
            if seq in self._live:
                self.remove(seq)
                dropped += 1
        return dropped

    def same_text(self, room: str, text: str) -> list[tuple[int, PendingReply]]:
        """Pending replies of this room and text, in submission order."""
        return list(self._by_text.get((room, text), {}).items())


class ReplyPacer:
    """One platform account's outgoing replies (all its rooms share the budget)."""

    def __init__(
        self,
        send: Callable[[OutboundMessage], Awaitable[None]],
        platform: str,
        limit: SendLimit,
        *,
        stale_after_s: float = 45.0,
        duplicate_window_s: float = 30.0,
        on_event: PacerEvent | None = None,
        clock: Callable[[], float] = time.monotonic,
        budget: SendBudget | None = None,
    ) -> None:
        self._send = send
        self.platform = platform
        self.budget: SendBudget = budget if budget is not None else RollingBudget(limit, clock)
        self.stale_after_s = stale_after_s
        self.duplicate_window_s = duplicate_window_s
        self._on_event = on_event or (lambda outcome, n: None)
        bind = getattr(self.budget, "bind_events", None)
        if bind is not None:
            bind(self._on_event)  # a shared budget reports its fallbacks as pacer events
        self._clock = clock
        self._pending = _PendingIndex()
        self._recent: deque[tuple[float, str, str]] = deque()  # (time, room, text), oldest first
        self._recent_count: Counter[tuple[str, str]] = Counter()  # (room, text) -> sends in _recent
        #: (time, room, mention) of every asker the bot answered within the budget window, oldest first
        self._served: deque[tuple[float, str, str]] = deque()
        self._served_count: Counter[tuple[str, str]] = Counter()
        self._wakeup = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, reply: PendingReply) -> None:
        self._pending.add(reply)
        self._wakeup.set()

    async def run(self) -> None:
        """Release replies forever (run as a task; cancel to stop)."""
        while True:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            wait = self.budget.wait_time()
            if wait > 0:
                self._on_event("budget_wait", 1)
                await asyncio.sleep(wait)
                continue
            if await self.flush_one() is None and self._pending:
                await asyncio.sleep(0.05)  # another shard took the last send: ask the budget again

    async def flush_one(self) -> OutboundMessage | None:
        """Send the next message now if the budget allows; returns what was sent."""
        if not self._pending:
            return None
        room_left = self.budget.remaining()
        if room_left <= 0:
            return None
        self._drop_stale()
        if not self._pending or not self.budget.try_spend():
            return None
        message = self._next_message(room_left)
        self._recent.append((self._clock(), message.room, message.text))
        self._recent_count[(message.room, message.text)] += 1
        parts = split_message(message.text, self.budget.limit.max_chars) or [message.text]
        if len(parts) == 1:
            await self._send(message)
            self.budget.settle()
        else:  # every part is a platform message: each takes a send from the budget
            await self._send(replace(message, text=parts[0]))
            self.budget.settle()
            for part in parts[1:]:
                while not self.budget.try_spend():
                    self._on_event("budget_wait", 1)
                    await asyncio.sleep(max(self.budget.wait_time(), 0.05))
                await self._send(replace(message, text=part, reply_to=None))
                self.budget.settle()
        self._on_event("sent", 1)
        return message

    def _drop_stale(self) -> None:
        stale = self._pending.drop_older_than(self._clock(), self.stale_after_s)
        if stale:
            log.info(
                "%s: dropping %d stale replies (older than %.0fs)", self.platform, stale, self.stale_after_s
            )
            self._on_event("stale", stale)

    def _next_message(self, room_left: int) -> OutboundMessage:
        """The newest reply, merged with every other pending reply of the same text in its room when
        the budget (``room_left`` sends before this one) cannot send them one by one."""
        newest_seq, newest = self._fair_next()
        group = [(newest_seq, newest)]
        if len(self._pending) > room_left:
            group = self._pending.same_text(newest.room, newest.text)
        group = self._fit(group)
        for seq, _ in group:
            self._pending.remove(seq)
        if len(group) > 1:
            self._on_event("merged", len(group))
        mentions = list(dict.fromkeys(r.mention for _, r in group if r.mention))
        self._note_served(newest.room, mentions)
        text = newest.text
        prefix = " ".join(f"@{m}" for m in mentions)
        full = f"{prefix} {text}" if prefix else text
        if self._sent_recently(newest.room, full):
            full = self._vary(full, newest.lang, newest.room)
            self._on_event("varied", 1)
        return OutboundMessage(
            platform=self.platform,
            room=newest.room,
            text=full,
            reply_to=newest.reply_to if len(group) == 1 else None,
        )

    def _fair_next(self) -> tuple[int, PendingReply]:
        """Of the ``FAIR_CANDIDATES`` newest replies, the one whose asker was answered least in the
        budget window (newest first among equals): a round robin over askers, not newest-takes-all."""
        candidates = self._pending.newest_few(FAIR_CANDIDATES)
        self._expire_served()
        return min(
            enumerate(candidates),
            key=lambda item: (self._served_count[(item[1][1].room, item[1][1].mention or "")], item[0]),
        )[1]

    def _note_served(self, room: str, mentions: list[str]) -> None:
        now = self._clock()
        for mention in mentions:
            self._served.append((now, room, mention))
            self._served_count[(room, mention)] += 1

    def _expire_served(self) -> None:
        horizon = self._clock() - self.budget.limit.window_s
        while self._served and self._served[0][0] < horizon:
            _, room, mention = self._served.popleft()
            self._served_count[(room, mention)] -= 1
            if not self._served_count[(room, mention)]:
                del self._served_count[(room, mention)]

    def _fit(self, group: list[tuple[int, PendingReply]]) -> list[tuple[int, PendingReply]]:
        """As many askers as fit in one message of the platform's length limit (newest first)."""
        group = sorted(group, key=lambda item: item[1].created, reverse=True)
        kept: list[tuple[int, PendingReply]] = []
        length = len(group[0][1].text)
        for item in group:
            reply = item[1]
            extra = len(reply.mention) + 2 if reply.mention else 0
            if kept and length + extra > self.budget.limit.max_chars:
                break
            kept.append(item)
            length += extra
        return kept

    def _sent_recently(self, room: str, text: str) -> bool:
        horizon = self._clock() - self.duplicate_window_s
        while self._recent and self._recent[0][0] < horizon:
            _, old_room, old_text = self._recent.popleft()
            key = (old_room, old_text)
            self._recent_count[key] -= 1
            if not self._recent_count[key]:
                del self._recent_count[key]
        return (room, text) in self._recent_count

    def _vary(self, text: str, lang: str, room: str) -> str:
        for marker in REPEAT_MARKERS.get(lang, REPEAT_MARKERS["en"]):
            candidate = f"{text} {marker}"
            if not self._sent_recently(room, candidate):
                return candidate
        return f"{text} ({int(self._clock()) % 1000})"
