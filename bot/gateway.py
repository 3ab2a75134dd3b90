"""The gateway core: normalized events in, Rasa in the middle, replies out to the right room.

Skeleton depth: per-room bounded queues with a few workers each, de-duplication by message id, the
bot's own messages ignored, and every event either answered or counted as dropped with a reason.
Triage, moderation, pacing and degradation grow here in the gateway issue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict

from bot.config import GatewayConfig
from bot.metrics import GatewayMetrics
from bot.rasa_client import RasaClient, RasaUnavailable
from connectors.base import ChatEvent, Connector, EventKind, OutboundMessage, Role
from nlu.language import detect_language

log = logging.getLogger(__name__)

SEEN_IDS = 10_000


class Gateway:
    def __init__(
        self,
        config: GatewayConfig,
        rasa: RasaClient,
        connectors: dict[str, Connector],
        metrics: GatewayMetrics,
    ) -> None:
        self.config = config
        self.rasa = rasa
        self.connectors = connectors
        self.metrics = metrics
        self._queues: dict[tuple[str, str], asyncio.Queue[ChatEvent]] = {}
        self._workers: list[asyncio.Task[None]] = []
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def ingest(self, event: ChatEvent) -> None:
        """The connectors' sink: accept or count-drop, never block the connector."""
        self.metrics.events_in.labels(event.platform, event.kind.value).inc()
        reason = self._reason_to_skip(event)
        if reason:
            self.metrics.dropped.labels(event.platform, reason).inc()
            return
        queue = self._queue_for(event)
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning(
                "room %s:%s ingress full; dropping message %s", event.platform, event.room, event.message_id
            )
            self.metrics.dropped.labels(event.platform, "ingress_full").inc()
            return
        self.metrics.queue_depth.labels(event.platform, event.room).set(queue.qsize())

    def _reason_to_skip(self, event: ChatEvent) -> str | None:
        if event.kind is not EventKind.CHAT:
            return "not_chat"
        if Role.BOT in event.roles or event.display_name == self.config.bot_name:
            return "own_or_bot_message"
        key = f"{event.platform}:{event.message_id}"
        if key in self._seen:
            return "duplicate"
        self._seen[key] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        return None

    def _queue_for(self, event: ChatEvent) -> asyncio.Queue[ChatEvent]:
        key = (event.platform, event.room)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue(maxsize=self.config.queue_size)
            for _ in range(self.config.workers_per_room):
                self._workers.append(asyncio.create_task(self._work(queue), name=f"room-{key}"))
        return queue

    async def _work(self, queue: asyncio.Queue[ChatEvent]) -> None:
        while True:
            event = await queue.get()
            try:
                self.metrics.queue_depth.labels(event.platform, event.room).set(queue.qsize())
                await self._answer(event)
            except Exception:  # a bug in one answer must not kill the room's worker
                log.exception("failed to answer %s", event.message_id)
                self.metrics.dropped.labels(event.platform, "internal_error").inc()
            finally:
                queue.task_done()

    async def _answer(self, event: ChatEvent) -> None:
        metadata = {
            "platform": event.platform,
            "room": event.room,
            "viewer_id": event.viewer_id,
            "display_name": event.display_name,
            "message_id": event.message_id,
            "lang": detect_language(event.text),
        }
        started = time.perf_counter()
        try:
            replies = await self.rasa.send(event.conversation_id, event.text, metadata)
        except RasaUnavailable as err:
            log.warning("no answer for %s: %s", event.message_id, err)
            self.metrics.dropped.labels(event.platform, "rasa_unavailable").inc()
            return
        finally:
            self.metrics.rasa_latency.observe(time.perf_counter() - started)
        if not replies:
            self.metrics.dropped.labels(event.platform, "no_reply").inc()
            return
        connector = self.connectors[event.platform]
        for reply in replies:
            await connector.send(
                OutboundMessage(
                    platform=event.platform,
                    room=event.room,
                    text=reply.text,
                    reply_to=event.message_id,
                    mention=event.display_name,
                )
            )
            self.metrics.messages_out.labels(event.platform).inc()
        self.metrics.reply_latency.labels(event.platform).observe(time.time() - event.timestamp)

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()
