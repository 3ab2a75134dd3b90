"""Bounds on the gateway's per-room state: which room names it accepts, how many rooms, for how long.

Every room the gateway knows costs worker tasks, an audience window, moderation memory, Prometheus series
and work in every housekeeping tick and dashboard frame. Room names come from the connectors, and the
simulator's come from whoever opens a WebSocket, so without bounds anyone could make the gateway hold
state for any number of rooms (security review H2). Three limits keep it bounded:

- a closed name pattern and length (``ROOM_NAME``): a message for any other room name is dropped
  (``liveroom_events_dropped_total{reason="room_name"}``);
- at most ``max_rooms`` rooms per platform: a message for a new room past it is dropped
  (``reason="room_limit"``), never a crash;
- a room with no message for ``idle_s``, nothing queued, deferred or being answered, and no poll or
  giveaway running is closed by the housekeeping tick: its workers are cancelled, its state forgotten and
  its labelled metric series removed. Its next message opens it again, fresh.

The same settings bound the two other places a flood could pile up work (review M6): the deferred
questions of a room (``max_deferred``; past it the oldest is dropped with ``reason="deferred_full"``) and
the QA-lane tasks of the whole gateway (``max_qa_lane``; past it a question waits in the room's
answer queue instead, which is bounded in turn).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from connectors.settings import load, setting

__all__ = ["ROOM_NAME", "RoomLimits", "room_name_ok"]

#: what connectors produce: Twitch broadcaster ids and Bilibili room ids (digits), YouTube channel or
#: video ids and simulator names (letters, digits, ``-``, ``_``); ``.`` and ``:`` leave room for
#: namespaced ids. Nothing else.
ROOM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def room_name_ok(name: str) -> bool:
    return ROOM_NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class RoomLimits:
    """Every field has an env var: ``LIVEROOM_MAX_ROOMS``, ``LIVEROOM_ROOM_IDLE_S``,
    ``LIVEROOM_MAX_DEFERRED``, ``LIVEROOM_MAX_QA_LANE``."""

    max_rooms: int = 64  # rooms per platform at once
    #: a room quiet this long (and with nothing pending) is closed
    idle_s: float = setting("LIVEROOM_ROOM_IDLE_S", default=600.0)
    max_deferred: int = 500  # deferred questions per room; past it the oldest is dropped
    max_qa_lane: int = 256  # QA-lane answers running or waiting, gateway-wide

    def __post_init__(self) -> None:
        if min(self.max_rooms, self.max_deferred, self.max_qa_lane) < 1 or self.idle_s <= 0:
            raise ValueError(
                "LIVEROOM_MAX_ROOMS, LIVEROOM_MAX_DEFERRED, LIVEROOM_MAX_QA_LANE must be >= 1 "
                "and LIVEROOM_ROOM_IDLE_S > 0"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> RoomLimits:
        return load(cls, env, "LIVEROOM_")
