"""The Data API's daily quota, and what it allows: how often to poll, whether a send may go out.

Every call costs units from one daily pool per Google Cloud project (default 10,000), reset at midnight
Pacific time. Costs (:data:`COSTS`) come from each method's reference page ("Quota impact"), read
2026-12 at https://developers.google.com/youtube/v3/live/docs/ and
https://developers.google.com/youtube/v3/determine_quota_cost:

* liveChatMessages.list: 5 units ("A call to this method has a quota cost of 5 units")
* liveChatMessages.streamList: 5 units per call; it holds the connection open and pushes messages, so
  one call replaces many polls. The page recommends it, but it is served over gRPC (server streaming;
  the guide's demo uses the generated stubs), which this aiohttp connector does not speak - not used
* liveChatMessages.insert: 20 units (the current reference page; some third-party tables say 200 -
  override with YOUTUBE_QUOTA_COSTS if Google changes it)
* liveChatMessages.delete: 20 units
* liveChatBans.insert / delete: no "Quota impact" on their reference pages; counted as 50, the cost of
  the other write methods in the quota table (conservative)
* liveBroadcasts.list: not stated on the page read; counted as 5 (conservative; list methods cost 1)
* videos.list: 1 unit (the quota table's cost of read methods; the excerpt read was cut before videos)

The pacer's rule: polling comes first. Sends and moderation are refused (counted) when, after them, the
units left would not pay for polling every ``max_poll_s`` until the end of the horizon (the expected end
of the stream, or the quota reset if sooner). The poll interval is the slower of the server's
``pollingIntervalMillis`` and the interval that spreads the units left over the horizon, so a day's
quota is never used up before the stream ends; and since sends stop before the units left drop under
the floor, that interval never gets slower than ``max_poll_s``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")

COSTS: dict[str, int] = {
    "liveChatMessages.list": 5,
    "liveChatMessages.streamList": 5,
    "liveChatMessages.insert": 20,
    "liveChatMessages.delete": 20,
    "liveChatBans.insert": 50,
    "liveChatBans.delete": 50,
    "liveBroadcasts.list": 5,
    "videos.list": 1,
}

Clock = Callable[[], float]


def next_reset(now: float) -> float:
    """Epoch seconds of the next midnight in America/Los_Angeles (the quota's reset, DST-aware)."""
    local = datetime.fromtimestamp(now, PACIFIC)
    midnight = datetime(local.year, local.month, local.day, tzinfo=PACIFIC) + timedelta(days=1)
    return midnight.timestamp()


class QuotaBudget:
    """Units used today and what is left; the clock is wall time (the reset is a wall-clock event)."""

    def __init__(
        self,
        *,
        daily_quota: int,
        stream_s: float,
        max_poll_s: float,
        used: int = 0,
        costs: dict[str, int] | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.daily_quota = daily_quota
        self.costs = dict(COSTS, **(costs or {}))
        self.max_poll_s = max_poll_s
        self._clock = clock
        self.used = used
        self.stream_end = clock() + stream_s
        self.reset_at = next_reset(clock())
        #: set when the API answered quotaExceeded: nothing is spent before the reset
        self.exhausted = False

    # -- accounting --------------------------------------------------------------------------
    def _roll(self) -> None:
        now = self._clock()
        if now >= self.reset_at:
            self.used = 0
            self.exhausted = False
            self.reset_at = next_reset(now)

    @property
    def remaining(self) -> int:
        self._roll()
        return 0 if self.exhausted else max(0, self.daily_quota - self.used)

    def cost(self, method: str) -> int:
        return self.costs[method]

    def spend(self, method: str) -> int:
        """Count one call (made: YouTube charges even for invalid requests)."""
        self._roll()
        units = self.costs[method]
        self.used += units
        return units

    def mark_exhausted(self) -> None:
        """The API said quotaExceeded: our count was wrong (other programs share the project)."""
        self._roll()
        self.exhausted = True
        self.used = max(self.used, self.daily_quota)

    # -- decisions ---------------------------------------------------------------------------
    def horizon_s(self) -> float:
        """How long polling must still be paid for: until the stream's expected end or the reset."""
        now = self._clock()
        self._roll()
        return max(0.0, min(self.stream_end, self.reset_at) - now)

    def polling_floor(self) -> int:
        """Units that polling every ``max_poll_s`` needs until the end of the horizon."""
        return math.ceil(self.horizon_s() / self.max_poll_s) * self.costs["liveChatMessages.list"]

    def may_spend(self, method: str) -> bool:
        """True when a ``method`` call leaves at least the polling floor (sends, moderation)."""
        return self.remaining - self.costs[method] >= self.polling_floor()

    def poll_interval(self, server_s: float, min_s: float) -> float:
        """max(server's pollingIntervalMillis, the interval the units left allow over the horizon)."""
        remaining = self.remaining
        list_cost = self.costs["liveChatMessages.list"]
        if remaining < list_cost:
            return max(server_s, min_s, self.seconds_to_reset())
        quota_s = self.horizon_s() * list_cost / remaining
        return max(server_s, min_s, quota_s)

    def seconds_to_reset(self) -> float:
        return max(0.0, self.reset_at - self._clock())

    def figures(self) -> dict[str, float]:
        return {
            "used": float(self.used),
            "remaining": float(self.remaining),
            "limit": float(self.daily_quota),
        }
