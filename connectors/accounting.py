"""Where every received frame ends, and whether each connection is really alive.

A connector calls exactly one of :meth:`ConnectorStats.delivered`, :meth:`ConnectorStats.handled`
(protocol control frames: welcome, keepalive, heartbeat reply) or :meth:`ConnectorStats.dropped` per
received unit, so ``received == delivered + handled + dropped`` always holds and nothing vanishes
silently. Connection state is a per-room value, so a dashboard shows "dead" / "reconnecting" instead of
a stale "connected" when a socket stays open but silent.

This module knows nothing about Prometheus (connectors must not import bot/); the gateway reads
:meth:`ConnectorStats.snapshot` and exports it, e.g. as ``liveroom_connector_frames_total{platform,
outcome,reason}`` and ``liveroom_connector_state{platform,room}``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

log = logging.getLogger(__name__)


class ConnState(str, Enum):
    """Connection state; the numeric value is what a gauge shows.

    The last five are terminal or waiting states of polled platforms (YouTube): the connector is not
    broken, it is waiting for something a reconnect cannot fix (the quota reset, a new broadcast, the
    credentials), so a dashboard must tell them apart from "dead".
    """

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DEAD = "dead"
    #: the live chat ended (YouTube chatEndedEvent / liveChatEnded / offlineAt): polling stopped
    ENDED = "ended"
    #: the platform's daily API quota is used up: waiting for its reset
    QUOTA_EXCEEDED = "quota_exceeded"
    #: credentials rejected even after a refresh: nothing happens until they are fixed
    AUTH_FAILED = "auth_failed"
    #: the chat exists but is disabled by the broadcaster (YouTube liveChatDisabled)
    CHAT_DISABLED = "chat_disabled"
    #: no live chat to read: no active broadcast, or the platform says it does not exist
    NOT_FOUND = "not_found"

    @property
    def gauge(self) -> int:
        return _GAUGE[self]


_GAUGE = {
    ConnState.DISCONNECTED: 0,
    ConnState.CONNECTING: 1,
    ConnState.CONNECTED: 2,
    ConnState.RECONNECTING: 3,
    ConnState.DEAD: 4,
    ConnState.ENDED: 5,
    ConnState.QUOTA_EXCEEDED: 6,
    ConnState.AUTH_FAILED: 7,
    ConnState.CHAT_DISABLED: 8,
    ConnState.NOT_FOUND: 9,
}


@dataclass
class StatsSnapshot:
    """A copy of the counters at one moment (safe to read while the connector keeps running)."""

    platform: str
    frames: dict[tuple[str, str], int]
    states: dict[str, ConnState]
    reconnects: dict[str, int]
    sends: dict[tuple[str, str], int]
    send_wait_s: float
    last_reconnect_gap_s: float | None
    #: platform API quota figures (YouTube: units ``used`` / ``remaining`` / ``limit`` today)
    quota: dict[str, float] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return sum(self.frames.values())

    def outcome(self, outcome: str) -> int:
        return sum(n for (o, _), n in self.frames.items() if o == outcome)

    def samples(self) -> list[tuple[str, dict[str, str], float]]:
        """(metric name, labels, value) in the names the gateway exports; a Prometheus custom
        collector turns each into a counter/gauge sample (names ending in _total are counters)."""
        platform = self.platform
        out: list[tuple[str, dict[str, str], float]] = [
            ("liveroom_connector_frames_total", {"platform": platform, "outcome": o, "reason": r}, n)
            for (o, r), n in sorted(self.frames.items())
        ]
        out += [
            (
                "liveroom_connector_state",
                {"platform": platform, "room": room, "state": state.value},
                state.gauge,
            )
            for room, state in sorted(self.states.items())
        ]
        out += [
            ("liveroom_connector_reconnects_total", {"platform": platform, "room": room}, n)
            for room, n in sorted(self.reconnects.items())
        ]
        out += [
            ("liveroom_connector_sends_total", {"platform": platform, "outcome": o, "reason": r}, n)
            for (o, r), n in sorted(self.sends.items())
        ]
        out.append(("liveroom_connector_send_wait_seconds_total", {"platform": platform}, self.send_wait_s))
        out += [
            ("liveroom_connector_quota_units", {"platform": platform, "kind": kind}, value)
            for kind, value in sorted(self.quota.items())
        ]
        return out


@dataclass
class ConnectorStats:
    """Counters of one connector. Cheap (dict increments) so it can sit on the hot path."""

    platform: str
    frames: Counter[tuple[str, str]] = field(default_factory=Counter)
    states: dict[str, ConnState] = field(default_factory=dict)
    reconnects: Counter[str] = field(default_factory=Counter)
    sends: Counter[tuple[str, str]] = field(default_factory=Counter)
    send_wait_s: float = 0.0
    last_reconnect_gap_s: float | None = None
    quota: dict[str, float] = field(default_factory=dict)
    _down_since: dict[str, float] = field(default_factory=dict)

    def delivered(self, n: int = 1) -> None:
        self.frames["delivered", ""] += n

    def handled(self, reason: str) -> None:
        self.frames["handled", reason] += 1

    def dropped(self, reason: str, n: int = 1) -> None:
        self.frames["dropped", reason] += n

    def sent(self, outcome: str, reason: str = "") -> None:
        """One outbound message part: ``sent``, ``retried`` (429) or ``failed`` with a reason."""
        self.sends[outcome, reason] += 1

    def waited(self, seconds: float) -> None:
        self.send_wait_s += seconds

    def set_quota(self, **figures: float) -> None:
        """Platform API quota gauges, e.g. ``used=..., remaining=..., limit=...`` (units)."""
        self.quota.update(figures)

    def set_state(self, room: str, state: ConnState) -> None:
        """Record a state change; the time from leaving CONNECTED to the next CONNECTED is the gap."""
        previous = self.states.get(room)
        self.states[room] = state
        now = time.monotonic()
        if state is ConnState.CONNECTED:
            down = self._down_since.pop(room, None)
            if down is not None:
                self.last_reconnect_gap_s = now - down
                self.reconnects[room] += 1
        elif previous is ConnState.CONNECTED:
            self._down_since[room] = now
        if previous is not state:
            log.info("%s room %s: %s", self.platform, room, state.value)

    def forget(self, room: str) -> None:
        """A room that is gone for good (the simulator's last viewer left): its series go too."""
        self.states.pop(room, None)
        self.reconnects.pop(room, None)
        self._down_since.pop(room, None)

    def snapshot(self) -> StatsSnapshot:
        return StatsSnapshot(
            platform=self.platform,
            frames=dict(self.frames),
            states=dict(self.states),
            reconnects=dict(self.reconnects),
            sends=dict(self.sends),
            send_wait_s=self.send_wait_s,
            last_reconnect_gap_s=self.last_reconnect_gap_s,
            quota=dict(self.quota),
        )
