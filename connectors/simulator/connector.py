"""The local simulator: a live room in the browser, spoken to over WebSocket.

People (or tests, or the replay tool) join ``/ws/rooms/{room}``, pick a viewer name and chat; every
message is shown to everyone in the room, delivered to the gateway as a :class:`ChatEvent`, and the
bot's replies come back through :meth:`SimulatorConnector.send` like on any other platform.

Moderation works like on a platform where the bot is a moderator (:meth:`SimulatorConnector.moderate`):
"delete" removes a message from the room's history and tells every client to hide it; "timeout" mutes a
viewer, whose frames are then refused (and counted as dropped ``timed_out``) until it expires.

Who a socket speaks for is decided by the server, never by the frames (security review M3):

- **A viewer socket** (the default) is one viewer: the server assigns its ``viewer_id`` (sent in the
  ``welcome`` frame), the first frame fixes its display name (sanitised: no ``@``, no control or bidi
  characters), message ids are generated here, and a frame naming another viewer or id is refused
  (error frame, counted as dropped ``other_viewer``). ``roles`` count only as far as the web session
  that opened the socket allows: broadcaster for a streamer, moderator for a moderator or streamer;
  anyone may say subscriber. Other claimed roles are refused (dropped ``role_refused``).
- **A replay socket** (``?replay=1``) speaks for many viewers with their recorded ids, message ids and
  roles (``connectors/simulator/replay.py``, ``bench/room_replay.py``). It needs a logged-in moderator or
  streamer session, or ``Authorization: Bearer <LIVEROOM_SIMULATOR_REPLAY_TOKEN>``; otherwise 403. A
  replay socket that only feeds a log (``?replay=1&echo=0``) is not sent its own frames back; everyone
  else in the room still sees them. A feeder that never reads then costs the room no echo writes and is
  never closed as a slow reader for its own traffic.

A browser ``Origin`` must be the gateway itself or in ``LIVEROOM_SIMULATOR_ORIGINS`` (comma-separated
origins such as ``https://shop.example``); any other origin gets 403 before the upgrade.

Limits (M7): frames over 8 KiB are refused by aiohttp while reading (``max_msg_size``; no compression),
and each socket has a bounded send queue written by its own task: a client that stops reading is closed
when its queue fills or a write takes longer than ``SEND_TIMEOUT_S``, counted in sends as
``failed``/``slow_reader``, and never stalls the room's broadcasts or the reply pacer.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import os
import re
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from importlib import resources
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

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
    SendLimit,
)
from connectors.simulator.payloads import (
    MAX_FRAME_BYTES,
    BadFrame,
    ChatFrame,
    ChatPayload,
    parse_client_frame,
    sanitize_name,
)
from connectors.tasks import cancel_and_wait

log = logging.getLogger(__name__)

KINDS = {
    "chat": EventKind.CHAT,
    "gift": EventKind.GIFT,
    "super_chat": EventKind.SUPER_CHAT,
    "moderation": EventKind.MODERATION,
}
ROOM_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
HISTORY_LENGTH = 50
SEND_QUEUE = 256  # frames waiting for one socket before it counts as a slow reader and is closed
SEND_TIMEOUT_S = 5.0  # one write that takes longer closes the socket (its TCP window stayed full)
REPLAY_TOKEN_ENV = "LIVEROOM_SIMULATOR_REPLAY_TOKEN"
ORIGINS_ENV = "LIVEROOM_SIMULATOR_ORIGINS"
#: ``messages/seconds`` the simulated room accepts from the bot (benchmarks lift it: ``1000000/1``)
SEND_LIMIT_ENV = "LIVEROOM_SEND_LIMIT_SIMULATOR"


def _send_limit(raw: str) -> SendLimit:
    if not raw:
        return SendLimit(100, 10.0, 500)
    messages, _, seconds = raw.partition("/")
    try:
        return SendLimit(int(messages), float(seconds), 500)
    except ValueError:
        raise ValueError(f"{SEND_LIMIT_ENV} must look like 100/10 (messages/seconds), got {raw!r}") from None


#: platform roles a web-session role may claim on a viewer socket (None: not logged in)
CLAIMABLE_ROLES: dict[str | None, frozenset[str]] = {
    None: frozenset({"subscriber"}),
    "viewer": frozenset({"subscriber"}),
    "moderator": frozenset({"subscriber", "vip", "moderator"}),
    "streamer": frozenset({"subscriber", "vip", "moderator", "broadcaster"}),
}
#: the web-session role of an upgrade request ("streamer", "moderator", "viewer") or None; set by the app
SessionRole = Callable[[web.Request], "str | None"]


class _Client:
    """One open socket: who it speaks for, and its bounded send queue drained by its own writer task."""

    def __init__(
        self, ws: web.WebSocketResponse, *, replay: bool, session_role: str | None, echo: bool = True
    ) -> None:
        self.ws = ws
        self.replay = replay
        self.echo = echo  # False: a replay feeder that is not sent its own frames back
        self.claimable = CLAIMABLE_ROLES.get(session_role, CLAIMABLE_ROLES[None])
        self.viewer_id = "sim-" + secrets.token_hex(6)
        self.name: str | None = None  # fixed by the first frame
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=SEND_QUEUE)
        self.writer: asyncio.Task[None] | None = None
        self.transport: asyncio.Transport | None = None
        self.drained = asyncio.Event()  # set by the writer when the queue is down to a quarter
        self.drained.set()


class _Room:
    """Who is connected to one room, and its recent history for late joiners."""

    def __init__(self) -> None:
        self.sockets: set[_Client] = set()
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

    def __init__(self, *, bot_name: str = "liveroom", env: Mapping[str, str] = os.environ) -> None:
        self.bot_name = bot_name
        self._rooms: dict[str, _Room] = {}
        self._sink: EventSink | None = None
        self.session_role: SessionRole = lambda _request: None
        self.send_limit = _send_limit(env.get(SEND_LIMIT_ENV, "").strip())
        self.replay_token = env.get(REPLAY_TOKEN_ENV, "").strip()
        self.origins = frozenset(
            o.strip().rstrip("/").lower() for o in env.get(ORIGINS_ENV, "").split(",") if o.strip()
        )

    async def start(self, sink: EventSink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        clients = [c for room in self._rooms.values() for c in room.sockets]
        for client in clients:
            if client.writer is not None:
                client.writer.cancel()
        await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
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
        self._broadcast(message.room, payload)

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
            self._send_all(event.room, {"type": "deleted", "message_id": event.message_id})
            return True
        if action == "timeout":
            seconds = max(1, int(timeout_s))
            room.muted[event.viewer_id] = time.monotonic() + seconds
            notice = {"type": "timed_out", "viewer_id": event.viewer_id, "viewer": event.display_name}
            self._send_all(event.room, {**notice, "seconds": seconds})
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
        self._send_all(room, {"type": "timeout_lifted", "viewer_id": viewer_id})

    def web_routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._page),
            web.get("/ws/rooms/{room}", self._websocket),
        ]

    async def _page(self, request: web.Request) -> web.Response:
        html = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
        return web.Response(text=html, content_type="text/html")

    def _origin_allowed(self, request: web.Request) -> bool:
        """No Origin (not a browser), the gateway's own origin, or one of ``LIVEROOM_SIMULATOR_ORIGINS``."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        origin = origin.strip().rstrip("/").lower()
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc == request.host.lower():
            return True
        return origin in self.origins

    def _replay_allowed(self, request: web.Request, session_role: str | None) -> bool:
        if session_role in ("moderator", "streamer"):
            return True
        auth = request.headers.get("Authorization", "")
        presented = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        return bool(self.replay_token) and hmac.compare_digest(
            presented.encode("utf-8", "surrogateescape"), self.replay_token.encode()
        )

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        room_name = request.match_info["room"]
        if not ROOM_NAME.match(room_name):
            raise web.HTTPBadRequest(text="room names are 1-40 letters, digits, '-' or '_'")
        if not self._origin_allowed(request):
            log.info("simulator room %s: upgrade refused for Origin %r", room_name, request.headers["Origin"])
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        session_role = self.session_role(request)
        replay = request.query.get("replay", "") not in ("", "0")
        if replay and not self._replay_allowed(request, session_role):
            raise web.HTTPForbidden(
                text=f"replay mode needs a moderator session or the {REPLAY_TOKEN_ENV} bearer token"
            )
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME_BYTES, compress=False, timeout=2.0)
        await ws.prepare(request)
        room = self._rooms.setdefault(room_name, _Room())
        echo = not replay or request.query.get("echo", "1") not in ("0", "false", "no")
        client = _Client(ws, replay=replay, session_role=session_role, echo=echo)
        client.transport = request.transport
        client.writer = asyncio.create_task(self._write(room_name, client), name=f"simulator-ws-{room_name}")
        room.sockets.add(client)
        self.stats.set_state(room_name, ConnState.CONNECTED)
        welcome: dict[str, object] = {"type": "welcome", "room": room_name, "history": list(room.history)}
        if not replay:
            welcome["viewer_id"] = client.viewer_id
        self._queue(room, client, json.dumps(welcome, ensure_ascii=False))
        try:
            async for msg in ws:
                if not await self._paced(room_name, client):
                    break
                if msg.type == WSMsgType.TEXT:
                    await self._on_text(room_name, client, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self.stats.dropped("binary_frame")
                    self._reply(room, client, {"type": "error", "reason": "binary frames are not accepted"})
                elif msg.type == WSMsgType.ERROR:  # e.g. over max_msg_size: aiohttp stopped reading (1009)
                    too_big = getattr(msg.data, "code", None) == WSCloseCode.MESSAGE_TOO_BIG
                    self.stats.dropped("too_big" if too_big else "bad_frame")
        finally:
            room.sockets.discard(client)
            if not room.sockets:  # the last viewer left: nothing stays behind per room name (review H2)
                self.stats.set_state(room_name, ConnState.DISCONNECTED)
                muted = [v for v in list(room.muted) if room.muted_for(v) > 0]  # a timeout outlives a visit
                if not muted and self._rooms.get(room_name) is room:
                    del self._rooms[room_name]
                    self.stats.forget(room_name)
            # last: aiohttp may cancel this handler when the peer goes, and that cancellation is raised here
            await cancel_and_wait(client.writer)
        return ws

    async def _write(self, room_name: str, client: _Client) -> None:
        """Drain one socket's queue; a write slower than ``SEND_TIMEOUT_S`` closes the socket."""
        while True:
            data = await client.queue.get()
            try:
                async with asyncio.timeout(SEND_TIMEOUT_S):
                    await client.ws.send_str(data)
                if client.queue.qsize() <= SEND_QUEUE // 4:
                    client.drained.set()
            except TimeoutError:
                self._drop_slow(room_name, client, "write timed out")
                return
            except (ConnectionError, RuntimeError) as err:
                log.info("simulator room %s: dropping a dead socket: %s", room_name, err)
                self._rooms.get(room_name, _Room()).sockets.discard(client)
                return

    async def _paced(self, room_name: str, client: _Client) -> bool:
        """Back-pressure on a client's own frames: while half its send queue is waiting (mostly the echoes
        of what it sent), read nothing more from it until a quarter is left. A sender that also reads is
        slowed to its own pace instead of being dropped; False (socket closed) when it does not read."""
        if client.queue.qsize() < SEND_QUEUE // 2:
            return True
        client.drained.clear()
        try:
            async with asyncio.timeout(2 * SEND_TIMEOUT_S):
                await client.drained.wait()
        except TimeoutError:
            self._drop_slow(room_name, client, "its own frames' echoes were not read")
            return False
        return True

    def _drop_slow(self, room_name: str, client: _Client, why: str) -> None:
        log.info("simulator room %s: closing a slow reader (%s)", room_name, why)
        self.stats.sent("failed", "slow_reader")
        room = self._rooms.get(room_name)
        if room is not None:
            room.sockets.discard(client)
        if client.writer is not None and client.writer is not asyncio.current_task():
            client.writer.cancel()
        # the transport may be stuck: abort it rather than wait for a close handshake
        if client.transport is not None:
            client.transport.abort()

    def _queue(self, room: _Room, client: _Client, data: str) -> None:
        try:
            client.queue.put_nowait(data)
        except asyncio.QueueFull:
            room_name = next((n for n, r in self._rooms.items() if r is room), "?")
            self._drop_slow(room_name, client, f"{SEND_QUEUE} frames waiting")

    def _reply(self, room: _Room, client: _Client, payload: Mapping[str, object]) -> None:
        self._queue(room, client, json.dumps(payload, ensure_ascii=False))

    def _refuse(self, room: _Room, client: _Client, reason: str, message: str) -> None:
        self.stats.dropped(reason)
        self._reply(room, client, {"type": "error", "reason": message})

    async def _on_text(self, room_name: str, client: _Client, raw: str) -> None:
        room = self._rooms.setdefault(room_name, _Room())
        try:
            frame = parse_client_frame(raw)
        except BadFrame as err:
            log.info("simulator room %s: rejected frame: %s", room_name, err)
            self._refuse(room, client, "bad_frame", str(err))
            return
        if frame.type == "moderation":
            if not client.replay:  # a viewer socket cannot speak for the room's moderators
                self._refuse(room, client, "role_refused", "moderation frames need a replay connection")
                return
            await self.deliver(frame_to_event(frame, room_name))
            return
        if not client.replay:
            checked = self._as_socket_viewer(room, client, frame)
            if checked is None:
                return
            frame = checked
        left = room.muted_for(frame.viewer_id)
        if left > 0:
            self._refuse(room, client, "timed_out", f"you are timed out for {math.ceil(left)} s")
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
        self._broadcast(room_name, payload, sender=client)
        await self.deliver(event)

    def _as_socket_viewer(self, room: _Room, client: _Client, frame: ChatFrame) -> ChatFrame | None:
        """``frame`` spoken by this socket's one viewer (server id, fixed name, server message id), or
        None when it claims another viewer or a role the socket's session does not allow (refused)."""
        name = sanitize_name(frame.viewer)
        if not name:
            self._refuse(room, client, "bad_frame", "field 'viewer' has no printable name")
            return None
        if client.name is None:
            client.name = name
        claimed_id = frame.viewer_id if frame.viewer_id != frame.viewer else None
        if name != client.name or claimed_id not in (None, client.viewer_id):
            self._refuse(
                room,
                client,
                "other_viewer",
                f"this connection speaks as {client.name} ({client.viewer_id}); one connection per viewer",
            )
            return None
        refused = set(frame.roles) - client.claimable
        if refused:
            self._refuse(
                room, client, "role_refused", f"role(s) {', '.join(sorted(refused))} need a logged-in session"
            )
            return None
        return ChatFrame(
            viewer=client.name,
            viewer_id=client.viewer_id,
            text=frame.text,
            type=frame.type,
            item=frame.item,
            count=frame.count,
            amount=frame.amount,
            message_id=None,
            roles=frame.roles,
        )

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

    def _broadcast(self, room_name: str, payload: ChatPayload, sender: _Client | None = None) -> None:
        self._rooms.setdefault(room_name, _Room()).history.append(payload)
        self._send_all(room_name, payload, skip=sender if sender is not None and not sender.echo else None)

    def _send_all(self, room_name: str, payload: Mapping[str, object], skip: _Client | None = None) -> None:
        """One frame queued for every open socket in the room but ``skip`` (serialised once, and only when
        someone is to get it); never waits on a client: a socket whose queue is full is closed as a slow
        reader."""
        room = self._rooms.setdefault(room_name, _Room())
        data: str | None = None
        for client in list(room.sockets):
            if client is skip:
                continue
            if client.ws.closed:
                room.sockets.discard(client)
                continue
            if data is None:
                data = json.dumps(payload, ensure_ascii=False)
            self._queue(room, client, data)


def frame_to_event(frame: ChatFrame, room: str) -> ChatEvent:
    """A validated client frame as the normalized event the gateway receives."""
    money = Money(frame.amount, "CNY") if frame.type in ("gift", "super_chat") else None
    if frame.notice is not None:  # a moderator's action: about the viewer it concerns
        return ChatEvent(
            platform=SimulatorConnector.platform,
            room=room,
            message_id=frame.message_id or uuid.uuid4().hex,
            viewer_id=frame.notice.target_id,
            display_name=frame.notice.target_name,
            text=frame.notice.text,
            kind=EventKind.MODERATION,
            notice=frame.notice,
        )
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
