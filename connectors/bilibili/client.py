"""The danmaku WebSocket client (one per room) and the Bilibili :class:`Connector`.

Shape: keyword-only constructor, one ``_listen`` loop dispatching packets to
``_process_*`` handlers, a heartbeat task, capped backoff with jitter. Every (re)connect runs the full
room init again (nav/WBI keys, buvid, getDanmuInfo) because the auth token is short-lived.

"Connected but dead" cannot happen: the socket is read with a deadline of heartbeat interval + reply
timeout; a server that stops answering heartbeats is declared DEAD, closed and replaced, and the state
is visible in :attr:`Connector.stats`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import OrderedDict
from dataclasses import replace

import aiohttp

from connectors.accounting import ConnectorStats, ConnState
from connectors.base import ChatEvent, Connector, EventKind, EventSink, OutboundMessage
from connectors.bilibili.api import TOO_FAST, BilibiliApi, DanmuServer
from connectors.bilibili.config import BilibiliConfig
from connectors.bilibili.errors import (
    ApiError,
    AuthError,
    BilibiliError,
    BilibiliModerationError,
    FrameError,
    NotMuted,
)
from connectors.bilibili.framing import Op, Packet, Ver, brotli_available, decode_frame, encode_packet
from connectors.bilibili.payloads import PLATFORM, GuardPairs, Skip, parse_body, to_event
from connectors.limits import Backoff, SendPause, split_message
from connectors.tasks import cancel_and_wait

log = logging.getLogger(__name__)

AUTHOR_MEMORY = 5000
#: a mute the bot asked for is recognised in the room's ROOM_BLOCK_MSG for this long
OWN_MUTE_WINDOW_S = 60.0
OWN_MUTE_MEMORY = 256
#: events about the room or a moderation: never the bot's own chat echo, whoever they name
_NOT_ECHOES = frozenset({EventKind.MODERATION, EventKind.ROOM_STATUS})


class _Dead(Exception):
    """The connection must be replaced; ``reason`` is logged and shown in the state metric."""


class RoomClient:
    """One live room's danmaku connection, kept alive until :meth:`stop`."""

    def __init__(
        self,
        *,
        room_id: int,
        api: BilibiliApi,
        session: aiohttp.ClientSession,
        config: BilibiliConfig,
        stats: ConnectorStats,
        on_event: EventSink,
    ) -> None:
        self.room_id = room_id
        self._api = api
        self._session = session
        self._config = config
        self._stats = stats
        self._on_event = on_event
        self._backoff = Backoff(base_s=config.backoff_base_s, cap_s=config.backoff_cap_s)
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self.real_room_id: int | None = None
        self.own_uid = config.uid
        self.authenticated = asyncio.Event()
        self.protover = Ver.BROTLI if brotli_available() else Ver.ZLIB
        self.guard_pairs = GuardPairs()  # one event per captain purchase (GUARD_BUY + USER_TOAST_MSG)

    @property
    def room(self) -> str:
        return str(self.room_id)

    def start(self) -> None:
        self._stats.set_state(self.room, ConnState.CONNECTING)
        self._task = asyncio.create_task(self._run(), name=f"bilibili-room-{self.room_id}")

    async def stop(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
        if self._ws is not None:
            await self._ws.close()
        self._stats.set_state(self.room, ConnState.DISCONNECTED)

    async def _run(self) -> None:
        while True:
            try:
                server = await self._api.danmu_server(self.room_id)
                self.real_room_id = server.room_id
                self.own_uid = server.uid
                await self._session_once(server)
            except asyncio.CancelledError:
                raise
            except AuthError as err:
                log.error("bilibili room %s: credentials rejected: %s", self.room_id, err)
                self._stats.set_state(self.room, ConnState.DEAD)
            except (_Dead, BilibiliError, aiohttp.ClientError, OSError, TimeoutError) as err:
                log.warning("bilibili room %s: connection replaced: %s", self.room_id, err)
                self._stats.set_state(self.room, ConnState.DEAD)
            self.authenticated.clear()
            delay = self._backoff.next_delay()
            self._stats.set_state(self.room, ConnState.RECONNECTING)
            await asyncio.sleep(delay)

    async def _session_once(self, server: DanmuServer) -> None:
        url = server.urls[0]
        async with self._session.ws_connect(url, autoping=True, max_msg_size=4 << 20) as ws:
            self._ws = ws
            auth = {
                "uid": server.uid,
                "roomid": server.room_id,
                "protover": int(self.protover),
                "platform": "web",
                "type": 2,
                "buvid": server.buvid,
                "key": server.token,
            }
            await ws.send_bytes(encode_packet(Op.AUTH, json.dumps(auth).encode(), ver=Ver.HEARTBEAT))
            heartbeat = asyncio.create_task(self._heartbeat(ws))
            try:
                await self._listen(ws)
            finally:
                heartbeat.cancel()
                self._ws = None

    async def _heartbeat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        await self.authenticated.wait()
        while not ws.closed:
            await ws.send_bytes(encode_packet(Op.HEARTBEAT, b"{}", ver=Ver.HEARTBEAT))
            await asyncio.sleep(self._config.heartbeat_s)

    async def _listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            deadline = (
                self._config.dead_after_s if self.authenticated.is_set() else self._config.auth_timeout_s
            )
            try:
                async with asyncio.timeout(deadline):  # absolute: pings must not keep a dead socket "alive"
                    msg = await ws.receive()
            except TimeoutError:
                state = "heartbeat reply" if self.authenticated.is_set() else "auth reply"
                raise _Dead(f"no {state} within {deadline:.1f}s") from None
            if msg.type == aiohttp.WSMsgType.BINARY:
                await self._process_frame(msg.data)
            elif msg.type == aiohttp.WSMsgType.TEXT:
                self._stats.dropped("text_frame")
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                raise _Dead(f"server closed the socket ({ws.close_code})")
            elif msg.type == aiohttp.WSMsgType.ERROR:
                raise _Dead(f"socket error: {ws.exception()!r}")

    async def _process_frame(self, data: bytes) -> None:
        try:
            packets = decode_frame(data, max_decompressed=self._config.max_decompressed)
        except FrameError as err:
            log.info("bilibili room %s: dropped frame (%d bytes): %s", self.room_id, len(data), err)
            self._stats.dropped(err.reason)
            return
        for packet in packets:
            if packet.op == Op.MESSAGE:
                await self._process_message(packet)
            elif packet.op == Op.HEARTBEAT_REPLY:
                self._stats.handled("heartbeat_reply")
            elif packet.op == Op.AUTH_REPLY:
                self._process_auth_reply(packet)
            else:
                self._stats.dropped("unknown_op")

    def _process_auth_reply(self, packet: Packet) -> None:
        try:
            code = json.loads(packet.body).get("code", -1)
        except (ValueError, AttributeError):
            code = -1
        if code != 0:
            self._stats.dropped("auth_rejected")
            raise _Dead(f"auth rejected with code {code}")
        self._stats.handled("auth_reply")
        self.authenticated.set()
        self._backoff.reset()
        self._stats.set_state(self.room, ConnState.CONNECTED)

    async def _process_message(self, packet: Packet) -> None:
        try:
            event = to_event(parse_body(packet.body), self.room, str(self.real_room_id or ""))
            event = self.guard_pairs.check(event)
        except Skip as skip:
            self._stats.dropped(skip.reason)
            return
        except FrameError as err:
            log.info("bilibili room %s: dropped message: %s", self.room_id, err)
            self._stats.dropped(err.reason)
            return
        if self.own_uid and event.viewer_id == str(self.own_uid) and event.kind not in _NOT_ECHOES:
            self._stats.dropped("own_message")  # the room echoes the bot's own danmaku
            return
        try:
            await self._on_event(event)
        except Exception:  # the gateway's problem must not kill the socket
            log.exception("bilibili room %s: sink failed for %s", self.room_id, event.message_id)
            self._stats.dropped("sink_error")
            return
        self._stats.delivered()


def mute_hours(timeout_s: int) -> int:
    """Bilibili mutes in whole hours: a timeout is rounded *up* (60 s -> 1 h), so a viewer is never muted
    for less than the policy asks. ``timeout_s`` <= 0 means "until the end of this stream" (hour 0)."""
    return 0 if timeout_s <= 0 else math.ceil(timeout_s / 3600)


class BilibiliConnector(Connector):
    """Receives every configured room, sends danmaku split to the length limit and paced.

    Moderation: "timeout" mutes the viewer through the room-admin web API (the bot account must be a
    room admin, 房管, of the room; same cookies as sending), rounded up to whole hours. "delete" is not
    possible: Bilibili has no public web API that deletes a single live danmaku (room admins can mute,
    block words or report, but a sent danmaku stays on viewers' screens), so it returns False and the
    gateway records it as declined. A mute can be lifted early (:meth:`lift_timeout`, the dashboard's
    undo) through the same room-admin API.
    """

    platform = PLATFORM
    can_lift_timeout = True

    def __init__(
        self, *, config: BilibiliConfig | None = None, bot_name: str = "liveroom", **_: object
    ) -> None:
        self.config = config or BilibiliConfig.from_env()
        self.bot_name = bot_name
        self._session: aiohttp.ClientSession | None = None
        self._api: BilibiliApi | None = None
        self.rooms: dict[str, RoomClient] = {}
        self._sink: EventSink | None = None
        self._authors: OrderedDict[str, int] = OrderedDict()
        #: (room, uid) -> when the bot asked Bilibili to mute them (its ROOM_BLOCK_MSG is then the bot's)
        self._own_mutes: OrderedDict[tuple[str, str], float] = OrderedDict()
        self.send_limit = self.config.send_limit
        self.pause = SendPause()

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        self._session = aiohttp.ClientSession()
        self._api = BilibiliApi(self._session, self.config)
        for room_id in self.config.room_ids:
            client = RoomClient(
                room_id=room_id,
                api=self._api,
                session=self._session,
                config=self.config,
                stats=self.stats,
                on_event=self._deliver,
            )
            self.rooms[client.room] = client
            client.start()

    async def _deliver(self, event: ChatEvent) -> None:
        if event.notice is not None:
            event = self._mark_own(event)
        else:
            self._authors[event.message_id] = (
                int(event.viewer_id) if event.viewer_id.isascii() and event.viewer_id.isdigit() else 0
            )
            if len(self._authors) > AUTHOR_MEMORY:
                self._authors.popitem(last=False)
        assert self._sink is not None
        await self._sink(event)

    def _mark_own(self, event: ChatEvent) -> ChatEvent:
        """A mute notice for a viewer the bot itself just muted is the bot's action coming back:
        ROOM_BLOCK_MSG names no operator uid, so it is recognised by room + viewer + time."""
        assert event.notice is not None
        asked = self._own_mutes.pop((event.room, event.viewer_id), None)
        if event.notice.action != "timeout" or asked is None or time.monotonic() - asked > OWN_MUTE_WINDOW_S:
            return event
        notice = replace(event.notice, by_bot=True, moderator=self.bot_name)
        return replace(event, notice=notice)

    def _note_own_mute(self, room: str, viewer_id: str) -> None:
        self._own_mutes[(room, viewer_id)] = time.monotonic()
        self._own_mutes.move_to_end((room, viewer_id))
        while len(self._own_mutes) > OWN_MUTE_MEMORY:
            self._own_mutes.popitem(last=False)

    async def stop(self) -> None:
        await asyncio.gather(*(room.stop() for room in self.rooms.values()))
        self.rooms.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, message: OutboundMessage) -> None:
        """Split to ``max_chars`` (the pacer keeps to ``send_limit``); 10031 (too fast): pause, retry once."""
        if self._api is None:
            raise BilibiliError("connector not started")
        client = self.rooms.get(message.room)
        room_id = client.real_room_id if client and client.real_room_id else int(message.room)
        reply_mid = self._authors.get(message.reply_to or "") or None
        for part in split_message(message.text, self.config.max_chars):
            await self._send_part(room_id, part, reply_mid)

    async def _send_part(self, room_id: int, text: str, reply_mid: int | None) -> None:
        for attempt in range(2):
            try:
                async with self.pause.slot() as waited:
                    self.stats.waited(waited)
                    await self._api.send_danmaku(room_id, text, reply_mid=reply_mid)  # type: ignore[union-attr]
            except ApiError as err:
                if err.code == TOO_FAST and attempt == 0:
                    self.stats.sent("retried", "too_fast")
                    self.pause.pause_for(5 * self.config.send_interval_s)
                    continue
                self.stats.sent("failed", str(err.code))
                log.warning("bilibili room %s: danmaku not sent: %s", room_id, err)
                return
            except BilibiliError as err:
                self.stats.sent("failed", "network")
                log.warning("bilibili room %s: danmaku not sent: %s", room_id, err)
                return
            self.stats.sent("sent")
            return

    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        """Mute ``event``'s viewer for ``timeout_s`` (rounded up to hours); "delete" is unsupported."""
        if action == "delete":
            log.info(
                "bilibili room %s: danmaku cannot be deleted through Bilibili's web API (%s kept)",
                event.room,
                event.message_id,
            )
            return False
        if action != "timeout":
            log.warning("bilibili: unknown moderation action %r", action)
            return False
        if self._api is None:
            log.warning("bilibili: cannot mute, connector not started")
            return False
        if not (event.viewer_id.isascii() and event.viewer_id.isdigit()) or event.viewer_id == "0":
            log.warning("bilibili room %s: cannot mute a viewer without uid (anonymous session?)", event.room)
            return False
        client = self.rooms.get(event.room)
        room_id = client.real_room_id if client and client.real_room_id else int(event.room)
        hours = mute_hours(timeout_s)
        self._note_own_mute(event.room, event.viewer_id)  # before the call: the room may announce it first
        try:
            await self._api.add_silent_user(room_id, int(event.viewer_id), hours, msg=event.text)
        except BilibiliError as err:
            self._own_mutes.pop((event.room, event.viewer_id), None)
            log.warning("bilibili room %s: mute of uid %s refused: %s", room_id, event.viewer_id, err)
            return False
        log.info("bilibili room %s: uid %s muted for %s h (0 = this stream)", room_id, event.viewer_id, hours)
        return True

    async def lift_timeout(self, room: str, viewer_id: str) -> None:
        """Lift ``viewer_id``'s mute in ``room`` (the dashboard's undo); :class:`NotMuted` when the
        viewer is not in the room's mute list, :class:`BilibiliModerationError` when Bilibili refuses."""
        if self._api is None:
            raise BilibiliModerationError("not_started", "connector not started")
        if not (viewer_id.isascii() and viewer_id.isdigit()) or viewer_id == "0":
            raise BilibiliModerationError("no_viewer", f"no uid to unmute: {viewer_id!r}")
        client = self.rooms.get(room)
        if not (client and client.real_room_id) and not (room.isascii() and room.isdigit()):
            raise BilibiliModerationError("bad_room", f"not a room id: {room!r}")
        room_id = client.real_room_id if client and client.real_room_id else int(room)
        try:
            await self._api.del_silent_user(room_id, int(viewer_id))
        except NotMuted as err:
            log.warning("bilibili room %s: nothing to unmute: %s", room_id, err)
            raise
        except ApiError as err:
            log.warning("bilibili room %s: unmute of uid %s refused: %s", room_id, viewer_id, err)
            raise BilibiliModerationError(f"code_{err.code}", str(err)) from err
        except BilibiliError as err:
            log.warning("bilibili room %s: unmute of uid %s failed: %s", room_id, viewer_id, err)
            raise BilibiliModerationError("network", str(err)) from err
        log.info("bilibili room %s: uid %s unmuted", room_id, viewer_id)
