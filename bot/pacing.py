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
set; bot/shards.py), so the shards together never post more than the platform allows.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import redis

from connectors.base import OutboundMessage, SendLimit
from connectors.limits import split_message

log = logging.getLogger(__name__)

#: how many of the newest waiting replies the fair pick looks at (bounded work per send)
FAIR_CANDIDATES = 64
REPEAT_MARKERS = {"en": ("(again)", "(as above)", "(repeat)"), "zh": ("（再说一遍）", "（同上）", "（重复）")}


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

    def try_spend(self) -> bool:
        """Spend one send if the budget allows (what the pacer calls; shared budgets make it atomic)."""
        if self.remaining() <= 0:
            return False
        self.spend()
        return True

    def settle(self) -> None:
        """The last send completed now: it counts from here. The platform counts a message when it
        arrives, so a slow request must not let the next window's sends land inside this one."""
        if self._sent:
            self._sent[-1] = max(self._sent[-1], self._clock())


class SendBudget(Protocol):
    """What the pacer needs from a budget: local (``RollingBudget``) or shared (``RedisSendBudget``)."""

    limit: SendLimit

    def remaining(self) -> int: ...

    def wait_time(self) -> float: ...

    def try_spend(self) -> bool: ...

    def settle(self) -> None: ...


PacerEvent = Callable[[str, int], None]
"""Callback (outcome, count) for metrics: sent, merged, stale, varied, budget_wait."""


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


# Sliding-window log in one sorted set per account, checked and spent atomically on the Redis server
# (its clock, so shards on different machines agree). ARGV: window_s, limit, spend (1/0), member.
# Returns {spent (1/0), sends in window, seconds until the next send is allowed}.
_SLIDING_WINDOW_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if ARGV[3] == '1' and n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return {1, n + 1, '0'}
end
local wait = '0'
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = tostring(tonumber(oldest[2]) + window - now)
end
return {0, n, wait}
"""


class RedisSendBudget:
    """One platform account's send budget shared by every gateway shard through Redis.

    The calls are synchronous (a loopback round trip is ~0.1 ms and the pacer makes a few per send);
    the client's socket timeouts bound a hung Redis. When Redis fails, the budget falls back to a local
    window of ``messages // shards`` (so the shards together still stay under the platform's limit
    without talking to each other), logs the outage once, reports ``budget_fallback`` to the pacer's
    metrics and tries Redis again after ``retry_after_s``; sends made meanwhile are written to Redis
    when it is back, so the window stays honest.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        limit: SendLimit,
        *,
        shards: int = 1,
        retry_after_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.key = key
        self._client = client
        self._script = client.register_script(_SLIDING_WINDOW_LUA)
        local = SendLimit(max(1, limit.messages // max(1, shards)), limit.window_s, limit.max_chars)
        self.fallback = RollingBudget(local, clock)
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._down_until: float | None = None
        self._local_spends: deque[float] = deque()  # wall-clock times of sends made during an outage
        self._on_event: PacerEvent = lambda outcome, n: None

    def bind_events(self, on_event: PacerEvent) -> None:
        self._on_event = on_event

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    def _call(self, spend: bool) -> tuple[bool, int, float] | None:
        """Run the window script; None while Redis is unavailable (then the local fallback decides)."""
        if self._down_until is not None:
            if self._clock() < self._down_until:
                return None
        try:
            if self._down_until is not None:
                self._replay_local_spends()
            raw = self._script(
                keys=[self.key],
                args=[self.limit.window_s, self.limit.messages, 1 if spend else 0, uuid.uuid4().hex],
            )
        except redis.RedisError as err:
            if self._down_until is None:
                log.warning(
                    "shared send budget %s unavailable (%s): using a local budget of %d/%.0fs until Redis "
                    "answers",
                    self.key,
                    err,
                    self.fallback.limit.messages,
                    self.fallback.limit.window_s,
                )
                self._on_event("budget_fallback", 1)
            self._down_until = self._clock() + self._retry_after_s
            return None
        if self._down_until is not None:
            log.warning("shared send budget %s: Redis is back", self.key)
            self._down_until = None
        spent, count, wait = raw
        return bool(int(spent)), int(count), max(0.0, float(wait))

    def _replay_local_spends(self) -> None:
        """Sends made during the outage count against the shared window once Redis is back."""
        horizon = time.time() - self.limit.window_s
        recent = [t for t in self._local_spends if t > horizon]
        if recent:
            server_now = self._server_time()
            offset = server_now - time.time()
            self._client.zadd(self.key, {uuid.uuid4().hex: t + offset for t in recent})
        self._local_spends.clear()

    def _server_time(self) -> float:
        seconds, micros = self._client.time()
        return float(seconds) + micros / 1e6

    def remaining(self) -> int:
        result = self._call(spend=False)
        if result is None:
            return self.fallback.remaining()
        return max(0, self.limit.messages - result[1])

    def wait_time(self) -> float:
        result = self._call(spend=False)
        return self.fallback.wait_time() if result is None else result[2]

    def settle(self) -> None:
        """Sends count from when the script granted them: a platform window (30 s) dwarfs a send's time."""
        if self.degraded:
            self.fallback.settle()

    def try_spend(self) -> bool:
        result = self._call(spend=True)
        if result is None:
            if self.fallback.try_spend():
                self._local_spends.append(time.time())
                return True
            return False
        return result[0]


def shared_budgets(
    redis_url: str, account: str, *, shards: int = 1, prefix: str = "liveroom"
) -> Callable[[str, SendLimit], SendBudget]:
    """A factory of per-platform budgets for one bot account, shared in Redis at ``redis_url``.

    Keys: ``<prefix>:send-budget:<platform>:<account>``. Building it does no I/O: a Redis that is down
    at start is handled like one that fails later (local fallback, retried).
    """
    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)

    def make(platform: str, limit: SendLimit) -> SendBudget:
        return RedisSendBudget(client, f"{prefix}:send-budget:{platform}:{account}", limit, shards=shards)

    return make
