"""Fan-out of the dashboard's frames: one producer, any number of browsers, none of them can stall it.

The sampler publishes one JSON frame per second, serialized once. Every connected dashboard has its own
small queue; when a browser reads too slowly (phone on a bad network) its queue is full and the oldest
frame is dropped for the newest (a dashboard wants the present, not a backlog), and the drop is counted
(``liveroom_dashboard_frames_dropped_total``). Publishing never awaits a client.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

CLIENT_QUEUE = 8
HISTORY_POINTS = 600


class Subscription:
    """One browser's bounded queue of serialized frames."""

    def __init__(self, hub: FrameHub, size: int) -> None:
        self._hub = hub
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def offer(self, frame: str) -> bool:
        """Put ``frame``, dropping the oldest one if the queue is full; False when one was dropped."""
        dropped = False
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
            dropped = True
        self.queue.put_nowait(frame)
        return not dropped

    async def next(self) -> str:
        return await self.queue.get()

    def close(self) -> None:
        self._hub.unsubscribe(self)


class FrameHub:
    """Holds the subscribers and a short history of chart points for dashboards that join late."""

    def __init__(
        self, client_queue: int = CLIENT_QUEUE, on_drop: Callable[[int], None] | None = None
    ) -> None:
        self.client_queue = client_queue
        self._subs: set[Subscription] = set()
        self._on_drop = on_drop or (lambda n: None)
        self.history: deque[dict[str, object]] = deque(maxlen=HISTORY_POINTS)
        self.published = 0
        self.dropped = 0
        self.last_frame: str | None = None

    @property
    def clients(self) -> int:
        return len(self._subs)

    def subscribe(self) -> Subscription:
        sub = Subscription(self, self.client_queue)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def publish(self, frame: str, point: dict[str, object] | None = None) -> None:
        """Hand ``frame`` to every subscriber without waiting; ``point`` joins the late-joiner history."""
        if point is not None:
            self.history.append(point)
        self.last_frame = frame
        self.published += 1
        drops = sum(1 for sub in list(self._subs) if not sub.offer(frame))
        if drops:
            self.dropped += drops
            self._on_drop(drops)
