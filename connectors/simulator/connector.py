"""The local simulator: a live room in the browser, spoken to over WebSocket.

People (or tests, or the replay tool) join ``/ws/rooms/{room}``, pick a viewer name and chat; every
message is shown to everyone in the room, delivered to the gateway as a :class:`ChatEvent`, and the
bot's replies come back through :meth:`SimulatorConnector.send` like on any other platform.

Moderation works like on a platform where the bot is a moderator (:meth:`SimulatorConnector.moderate`):
"delete" removes a message from the room's history and tells every client to hide it; "timeout" mutes a
viewer, whose frames are then refused (and counted as dropped ``timed_out``) until it expires.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Mapping
from importlib import resources

from aiohttp import WSMsgType, web

from connectors.accounting import ConnState
from connectors.base import (
    ChatEvent,
    Connector,
    EventKind,
    EventSink,
    Money,
    NotTimedOut,
    OutboundMessage,
    Role,
)
from connectors.simulator.payloads import BadFrame, ChatFrame, ChatPayload, parse_client_frame

log = logging.getLogger(__name__)

KINDS = {"chat": EventKind.CHAT, "gift": EventKind.GIFT, "super_chat": EventKind.SUPER_CHAT}
ROOM_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
HISTORY_LENGTH = 50


class _Room:
    """Who is connected to one room, and its recent history for late joiners."""

    def __init__(self) -> None:
        self.sockets: set[web.WebSocketResponse] = set()
        self.history: deque[ChatPayload] = deque(maxlen=HISTORY_LENGTH)
        #: viewer_id -> time.monotonic() when their timeout ends
        self.muted: dict[str, float] = {}

    def muted_for(self, viewer_id: str) -> float:
        """Seconds left of ``viewer_id``'s timeout (0 = may chat); expired timeouts are forgotten."""
        until = self.muted.get(viewer_id)
        if until is None:
            return 0.0
        left = until - time.monotonic()
        if left <= 0:
            del self.muted[viewer_id]
            return 0.0
        return left


class SimulatorConnector(Connector):
    platform = "simulator"
    can_lift_timeout = True

    def __init__(self, *, bot_name: str = "liveroom") -> None:
        self.bot_name = bot_name
        self._rooms: dict[str, _Room] = {}
        self._sink: EventSink | None = None

    async def start(self, sink: EventSink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        sockets = [ws for room in self._rooms.values() for ws in room.sockets]
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        self._rooms.clear()
        self._sink = None

    async def send(self, message: OutboundMessage) -> None:
        text = f"@{message.mention} {message.text}" if message.mention else message.text
        payload = ChatPayload(
            type="chat",
            message_id=uuid.uuid4().hex,
            viewer=self.bot_name,
            viewer_id=self.bot_name,
            text=text,
            ts=time.time(),
            bot=True,
            reply_to=message.reply_to,
        )
        await self._broadcast(message.room, payload)

    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        """Delete ``event``'s message or time its viewer out in the simulated room (always allowed: the
        bot moderates its own simulator). False for an unknown room or action."""
        room = self._rooms.get(event.room)
        if room is None:
            log.warning("simulator: cannot %s in unknown room %s", action, event.room)
            return False
        if action == "delete":
            kept = [p for p in room.history if p["message_id"] != event.message_id]
            room.history.clear()
            room.history.extend(kept)
            await self._send_all(event.room, {"type": "deleted", "message_id": event.message_id})
            return True
        if action == "timeout":
            seconds = max(1, int(timeout_s))
            room.muted[event.viewer_id] = time.monotonic() + seconds
            notice = {"type": "timed_out", "viewer_id": event.viewer_id, "viewer": event.display_name}
            await self._send_all(event.room, {**notice, "seconds": seconds})
            return True
        log.warning("simulator: unknown moderation action %r", action)
        return False

    async def lift_timeout(self, room: str, viewer_id: str) -> None:
        """Undo a timeout early (the moderator dashboard's undo); :class:`NotTimedOut` when the viewer
        is not muted."""
        muted = self._rooms.get(room)
        if muted is None or muted.muted_for(viewer_id) <= 0:
            raise NotTimedOut(f"simulator: {viewer_id} is not timed out in {room}")
        del muted.muted[viewer_id]
        await self._send_all(room, {"type": "timeout_lifted", "viewer_id": viewer_id})

    def web_routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._page),
            web.get("/ws/rooms/{room}", self._websocket),
        ]

    async def _page(self, request: web.Request) -> web.Response:
        html = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
        return web.Response(text=html, content_type="text/html")

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        room_name = request.match_info["room"]
        if not ROOM_NAME.match(room_name):
            raise web.HTTPBadRequest(text="room names are 1-40 letters, digits, '-' or '_'")
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        room = self._rooms.setdefault(room_name, _Room())
        room.sockets.add(ws)
        self.stats.set_state(room_name, ConnState.CONNECTED)
        await ws.send_json({"type": "welcome", "room": room_name, "history": list(room.history)})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_text(room_name, ws, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self.stats.dropped("binary_frame")
                    await ws.send_json({"type": "error", "reason": "binary frames are not accepted"})
        finally:
            room.sockets.discard(ws)
            if not room.sockets:  # the last viewer left: nothing stays behind per room name (review H2)
                self.stats.set_state(room_name, ConnState.DISCONNECTED)
                muted = [v for v in list(room.muted) if room.muted_for(v) > 0]  # a timeout outlives a visit
                if not muted and self._rooms.get(room_name) is room:
                    del self._rooms[room_name]
                    self.stats.forget(room_name)
        return ws

    async def _on_text(self, room_name: str, ws: web.WebSocketResponse, raw: str) -> None:
        try:
            frame = parse_client_frame(raw)
        except BadFrame as err:
            log.info("simulator room %s: rejected frame: %s", room_name, err)
            self.stats.dropped("bad_frame")
            await ws.send_json({"type": "error", "reason": str(err)})
            return
        left = self._rooms.setdefault(room_name, _Room()).muted_for(frame.viewer_id)
        if left > 0:
            self.stats.dropped("timed_out")
            await ws.send_json({"type": "error", "reason": f"you are timed out for {math.ceil(left)} s"})
            return
        event = frame_to_event(frame, room_name)
        payload = ChatPayload(
            type=frame.type,
            message_id=event.message_id,
            viewer=event.display_name,
            viewer_id=event.viewer_id,
            text=event.text or f"sent {frame.count} × {frame.item}",
            ts=event.timestamp,
            bot=False,
            reply_to=None,
        )
        if event.kind is EventKind.SUPER_CHAT and event.money is not None:
            # a paid message: every client pins it for a time that grows with the amount
            payload["amount"] = float(event.money.amount)
            payload["currency"] = event.money.currency
        await self._broadcast(room_name, payload)
        await self.deliver(event)

    async def deliver(self, event: ChatEvent) -> None:
        """Hand one event to the gateway, counted (the in-process replayer uses this too)."""
        if self._sink is None:
            self.stats.dropped("not_started")
            return
        try:
            await self._sink(event)
        except Exception:
            log.exception("simulator: sink failed for %s", event.message_id)
            self.stats.dropped("sink_error")
            return
        self.stats.delivered()

    async def _broadcast(self, room_name: str, payload: ChatPayload) -> None:
        self._rooms.setdefault(room_name, _Room()).history.append(payload)
        await self._send_all(room_name, payload)

    async def _send_all(self, room_name: str, payload: Mapping[str, object]) -> None:
        """One frame to every open socket in the room; sockets that fail are dropped from the room."""
        room = self._rooms.setdefault(room_name, _Room())
        sockets = [ws for ws in room.sockets if not ws.closed]
        results = await asyncio.gather(*(ws.send_json(payload) for ws in sockets), return_exceptions=True)
        for ws, result in zip(sockets, results, strict=True):
            if isinstance(result, Exception):
                log.info("simulator room %s: dropping a dead socket: %s", room_name, result)
                room.sockets.discard(ws)


def frame_to_event(frame: ChatFrame, room: str) -> ChatEvent:
    """A validated client frame as the normalized event the gateway receives."""
    money = Money(frame.amount, "CNY") if frame.type in ("gift", "super_chat") else None
    return ChatEvent(
        platform=SimulatorConnector.platform,
        room=room,
        message_id=frame.message_id or uuid.uuid4().hex,
        viewer_id=frame.viewer_id,
        display_name=frame.viewer,
        text=frame.text,
        kind=KINDS[frame.type],
        roles=frozenset(Role(r) for r in frame.roles),
        item=frame.item,
        count=frame.count,
        money=money,
    )
