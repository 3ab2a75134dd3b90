"""How much the bot may say: per-viewer and per-room reply quotas, and a slower pace for social replies.

The platform pacer (bot/outbound/pacer.py) keeps the bot inside the platform's send limits; these quotas keep
it inside what a room tolerates. One viewer asking ten questions in a minute gets six answers, not ten;
a runaway cannot bury a room under bot lines; and "hi bot" from fifty viewers after a raid gets a
greeting now and then, not fifty. A message over quota is not answered and counts as ``silent`` with the
quota's reason (``liveroom_events_silent_total``), like every other message that gets no reply.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from connectors.settings import load

#: viewers remembered per room (least recently answered forgotten first): bounded memory in big rooms
MAX_VIEWERS = 5000


@dataclass(frozen=True)
class QuotaPolicy:
    """Every field has an env var ``LIVEROOM_REPLY_<FIELD>``."""

    viewer_replies: int = 6  # replies to one viewer per window
    #: replies in one room per window (commands not counted): a safety cap on a runaway; below it the
    #: platform pacer merges replies into the platform's send budget (bot/outbound/pacer.py)
    room_replies: int = 300
    window_s: float = 60.0
    social_interval_s: float = 20.0  # at least this long between two social replies in a room

    def __post_init__(self) -> None:
        counts_ok = min(self.viewer_replies, self.room_replies) >= 1
        if not counts_ok or self.window_s <= 0 or self.social_interval_s < 0:
            raise ValueError("LIVEROOM_REPLY_* quotas must be positive (social interval >= 0)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> QuotaPolicy:
        return load(cls, env, "LIVEROOM_REPLY_")


class RoomQuota:
    """One room's sliding windows. ``refusal`` asks before work is spent on an answer; ``spend``
    books a reply that was sent; ``social_refusal`` also books the social reply it allows."""

    def __init__(self, policy: QuotaPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._room: deque[float] = deque()
        self._viewers: OrderedDict[str, deque[float]] = OrderedDict()
        self._last_social = float("-inf")

    def _trim(self, window: deque[float], now: float) -> deque[float]:
        horizon = now - self.policy.window_s
        while window and window[0] <= horizon:
            window.popleft()
        return window

    def refusal(self, viewer_id: str) -> str | None:
        """None when one more reply to ``viewer_id`` fits, else the quota it would break."""
        now = self._clock()
        if len(self._trim(self._room, now)) >= self.policy.room_replies:
            return "room_quota"
        window = self._viewers.get(viewer_id)
        if window is not None and len(self._trim(window, now)) >= self.policy.viewer_replies:
            return "viewer_quota"
        return None

    def spend(self, viewer_id: str) -> None:
        now = self._clock()
        self._room.append(now)
        window = self._viewers.pop(viewer_id, None) or deque()
        window.append(now)
        self._viewers[viewer_id] = window
        while len(self._viewers) > MAX_VIEWERS:
            self._viewers.popitem(last=False)

    def social_refusal(self) -> str | None:
        """None (and the room's social reply booked) when a social reply may go out now."""
        now = self._clock()
        if now - self._last_social < self.policy.social_interval_s:
            return "social_rate"
        self._last_social = now
        return None
