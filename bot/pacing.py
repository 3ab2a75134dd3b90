"""Paced replies: never more than the platform allows, merged when the budget is short, fresh first.

Platforms allow a bot a few messages per window (Twitch: 20 per 30 s, 100 as moderator) and drop
identical messages repeated within ~30 s. The pacer holds the replies the gateway wants to post for one
platform account and releases them within a rolling-window budget:

- when more replies wait than the budget has room for, replies with the same text are merged into one
  message that mentions every asker ("@ann @bo the serum is ¥129");
- the newest replies go first; one that waited longer than ``stale_after_s`` is dropped and counted
  (the viewer has moved on, and answering late crowds out fresh questions);
- a text identical to one sent within ``duplicate_window_s`` is varied with a short marker instead of
  being posted verbatim, so the platform's duplicate filter does not silently eat it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from connectors.base import OutboundMessage

log = logging.getLogger(__name__)

REPEAT_MARKERS = {"en": ("(again)", "(as above)", "(repeat)"), "zh": ("（再说一遍）", "（同上）", "（重复）")}


@dataclass(frozen=True)
class SendLimit:
    messages: int
    window_s: float
    max_chars: int = 500


@dataclass
class PendingReply:
    room: str
    text: str
    mention: str | None
    reply_to: str | None
    lang: str = "en"
    created: float = field(default_factory=time.monotonic)


class RollingBudget:
    """At most ``messages`` sends in any ``window_s`` (the platforms count a sliding window)."""

    def __init__(self, limit: SendLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._sent: deque[float] = deque()

    def _expire(self) -> None:
        horizon = self._clock() - self.limit.window_s
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def remaining(self) -> int:
        self._expire()
        return self.limit.messages - len(self._sent)

    def wait_time(self) -> float:
        """Seconds until one more send is allowed (0 if now)."""
        self._expire()
        if len(self._sent) < self.limit.messages:
            return 0.0
        return max(0.0, self._sent[0] + self.limit.window_s - self._clock())

    def spend(self) -> None:
        self._expire()
        if len(self._sent) >= self.limit.messages:
            raise RuntimeError("send budget exceeded")  # a bug in the caller: never post over the limit
        self._sent.append(self._clock())


PacerEvent = Callable[[str, int], None]
"""Callback (outcome, count) for metrics: sent, merged, stale, varied, budget_wait."""


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
    ) -> None:
        self._send = send
        self.platform = platform
        self.budget = RollingBudget(limit, clock)
        self.stale_after_s = stale_after_s
        self.duplicate_window_s = duplicate_window_s
        self._on_event = on_event or (lambda outcome, n: None)
        self._clock = clock
        self._pending: list[PendingReply] = []
        self._recent: deque[tuple[float, str, str]] = deque()  # (time, room, text)
        self._wakeup = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, reply: PendingReply) -> None:
        self._pending.append(reply)
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
            await self.flush_one()

    async def flush_one(self) -> OutboundMessage | None:
        """Send the next message now if the budget allows; returns what was sent."""
        if not self._pending or self.budget.remaining() <= 0:
            return None
        self._drop_stale()
        if not self._pending:
            return None
        message = self._next_message()
        self.budget.spend()
        self._recent.append((self._clock(), message.room, message.text))
        await self._send(message)
        self._on_event("sent", 1)
        return message

    def _drop_stale(self) -> None:
        now = self._clock()
        fresh = [r for r in self._pending if now - r.created <= self.stale_after_s]
        stale = len(self._pending) - len(fresh)
        if stale:
            log.info(
                "%s: dropping %d stale replies (older than %.0fs)", self.platform, stale, self.stale_after_s
            )
            self._on_event("stale", stale)
        self._pending = fresh

    def _next_message(self) -> OutboundMessage:
        """The newest reply, merged with every other pending reply of the same text in its room when
        the budget cannot send them one by one."""
        newest = max(self._pending, key=lambda r: r.created)
        group = [newest]
        if len(self._pending) > self.budget.remaining():
            group = [r for r in self._pending if r.room == newest.room and r.text == newest.text]
        group = self._fit(group)
        for reply in group:
            self._pending.remove(reply)
        if len(group) > 1:
            self._on_event("merged", len(group))
        mentions = list(dict.fromkeys(r.mention for r in group if r.mention))
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

    def _fit(self, group: list[PendingReply]) -> list[PendingReply]:
        """As many askers as fit in one message of the platform's length limit (newest first)."""
        group = sorted(group, key=lambda r: r.created, reverse=True)
        kept, length = [], len(group[0].text)
        for reply in group:
            extra = len(reply.mention) + 2 if reply.mention else 0
            if kept and length + extra > self.budget.limit.max_chars:
                break
            kept.append(reply)
            length += extra
        return kept

    def _sent_recently(self, room: str, text: str) -> bool:
        horizon = self._clock() - self.duplicate_window_s
        while self._recent and self._recent[0][0] < horizon:
            self._recent.popleft()
        return any(r == room and t == text for _, r, t in self._recent)

    def _vary(self, text: str, lang: str, room: str) -> str:
        for marker in REPEAT_MARKERS.get(lang, REPEAT_MARKERS["en"]):
            candidate = f"{text} {marker}"
            if not self._sent_recently(room, candidate):
                return candidate
        return f"{text} ({int(self._clock()) % 1000})"
