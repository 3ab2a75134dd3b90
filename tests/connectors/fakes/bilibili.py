"""A fake Bilibili: the HTTP endpoints of room init, sending and muting (room admin), and the danmaku
WebSocket ``/sub``.

Written from the public protocol notes (docs/platforms.md, "Bilibili"), not from our client: it checks the
WBI signature of getDanmuInfo, the auth packet (token, room, within 5 s), answers heartbeats with the
4-byte popularity plus the echo real servers append, compresses pushed messages with zlib or brotli
several per packet, and checks csrf on /msg/send and AddSilentUser (which also needs the bot to be a
room admin; every mute request is recorded raw in :attr:`FakeBilibili.mute_requests`). The error codes
for a non-admin (-403) and bad parameters (-400) are Bilibili's usual ones, not documented for this
endpoint: the client treats any non-zero code as a refusal. Lifting a mute takes the documented two
calls (GetSilentUserList pages, ``ps`` = page number, then del_room_block_user with the record ``id``
and ``roomid``), recorded raw in :attr:`FakeBilibili.unmute_requests`; an unknown record id answers
-400 (undocumented, as above). Tests drive it with :meth:`FakeBilibili.push`,
:meth:`push_raw`, :meth:`kill` and the ``silent`` flag (open but dead).

Pushed messages wait in a per-room outbox until an authenticated socket takes them, so a test can
count exactly what the client received across reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from connectors.bilibili import wbi
from connectors.bilibili.framing import HEADER, Op, Packet, Ver, encode_compressed, encode_packet

IMG_KEY = "7cd084941338484aae1ad9425b84077c"
SUB_KEY = "4932caff0ff746eab6f01bf08b70ac45"
SHORT_TO_REAL = {7: 7734200}


@dataclass
class _Conn:
    ws: web.WebSocketResponse
    room: int
    protover: int
    task: asyncio.Task[None] | None = None


@dataclass
class FakeBilibili:
    sessdata: str = "sess-secret"
    bili_jct: str = "jct-secret"
    uid: int = 42
    min_send_interval_s: float = 0.0
    silent: bool = False
    compress_ver: int | None = None  # None: what the client asked for in auth
    batch: int = 5
    tokens: dict[int, str] = field(default_factory=dict)
    outbox: dict[int, deque[bytes | Packet]] = field(default_factory=dict)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    conns: list[_Conn] = field(default_factory=list)
    sent: list[dict[str, str]] = field(default_factory=list)
    #: real room ids where the bot account is a room admin (房管)
    admin_rooms: set[int] = field(default_factory=lambda: {7734200})
    #: every AddSilentUser request: raw body, parsed form, the code answered
    mute_requests: list[dict[str, object]] = field(default_factory=list)
    muted: dict[tuple[int, int], int] = field(default_factory=dict)  # (room, uid) -> hour
    #: (room, uid) -> the mute's record id in the room's mute list (what del_room_block_user takes)
    silent_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    silent_page_size: int = 10
    #: every GetSilentUserList / del_room_block_user request: endpoint, raw body, form, code answered
    unmute_requests: list[dict[str, object]] = field(default_factory=list)
    _next_silent_id: int = 13493921
    #: the room announces every mute as ROOM_BLOCK_MSG (operator 2 = a room admin), as Bilibili does
    announce_mutes: bool = True
    auth_packets: list[dict[str, object]] = field(default_factory=list)
    heartbeats: int = 0
    units_sent: int = 0  # auth/heartbeat replies, message packets, raw frames (accounting check)
    connects: int = 0
    signature_failures: int = 0
    _last_send: float = 0.0
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self._home)
        app.router.add_get("/x/web-interface/nav", self._nav)
        app.router.add_get("/room/v1/Room/get_info", self._room_info)
        app.router.add_get("/xlive/web-room/v1/index/getDanmuInfo", self._danmu_info)
        app.router.add_post("/msg/send", self._send)
        app.router.add_post("/xlive/web-ucenter/v1/banned/AddSilentUser", self._add_silent_user)
        app.router.add_post("/xlive/web-ucenter/v1/banned/GetSilentUserList", self._silent_user_list)
        app.router.add_post("/banned_service/v1/Silent/del_room_block_user", self._del_room_block_user)
        app.router.add_get("/sub", self._sub)
        return app

    # -- test controls -------------------------------------------------------------------------
    def _box(self, room: int) -> deque[bytes | Packet]:
        return self.outbox.setdefault(SHORT_TO_REAL.get(room, room), deque())

    def push(self, room: int, *messages: dict[str, object]) -> None:
        """Queue command messages for the room; they go out compressed, ``batch`` per packet."""
        for message in messages:
            self._box(room).append(Packet(Op.MESSAGE, json.dumps(message, ensure_ascii=False).encode()))
        self._wakeup.set()

    def push_raw(self, room: int, frame: bytes) -> None:
        """Queue one WebSocket frame exactly as given (malformed-input tests)."""
        self._box(room).append(frame)
        self._wakeup.set()

    async def kill(self) -> None:
        """Close every socket abruptly (the server went away)."""
        for conn in list(self.conns):
            await conn.ws.close(code=1011)

    def pending(self, room: int) -> int:
        return len(self._box(room))

    # -- HTTP ----------------------------------------------------------------------------------
    def _cookies(self, request: web.Request) -> dict[str, str]:
        return dict(request.cookies)

    async def _home(self, request: web.Request) -> web.Response:
        resp = web.Response(text="<html>bilibili</html>", content_type="text/html")
        resp.set_cookie("buvid3", "FAKE-BUVID-infoc")
        return resp

    async def _nav(self, request: web.Request) -> web.Response:
        wbi_img = {
            "img_url": f"https://i0.hdslb.com/bfs/wbi/{IMG_KEY}.png",
            "sub_url": f"https://i0.hdslb.com/bfs/wbi/{SUB_KEY}.png",
        }
        if self._cookies(request).get("SESSDATA") == self.sessdata:
            return web.json_response(
                {"code": 0, "data": {"isLogin": True, "mid": self.uid, "wbi_img": wbi_img}}
            )
        return web.json_response(
            {"code": -101, "message": "账号未登录", "data": {"isLogin": False, "wbi_img": wbi_img}}
        )

    async def _room_info(self, request: web.Request) -> web.Response:
        room = int(request.query["room_id"])
        real = SHORT_TO_REAL.get(room, room)
        return web.json_response({"code": 0, "data": {"room_id": real, "short_id": room, "uid": 1}})

    async def _danmu_info(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if not wbi.verify(params, IMG_KEY, SUB_KEY) or abs(int(params["wts"]) - time.time()) > 300:
            self.signature_failures += 1
            return web.json_response({"code": -352, "message": "-352"})
        room = int(params["id"])
        token = self.tokens[room] = secrets.token_hex(8)
        host = request.host.split(":")[0]
        port = request.url.port
        return web.json_response(
            {
                "code": 0,
                "data": {"token": token, "host_list": [{"host": host, "port": port, "wss_port": port}]},
            }
        )

    async def _send(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        cookies = self._cookies(request)
        if cookies.get("SESSDATA") != self.sessdata:
            return web.json_response({"code": -101, "message": "账号未登录"})
        if form.get("csrf") != cookies.get("bili_jct") or form.get("csrf") != self.bili_jct:
            return web.json_response({"code": -111, "message": "csrf 校验失败"})
        now = time.monotonic()
        if now - self._last_send < self.min_send_interval_s:
            return web.json_response({"code": 10031, "message": "您发送弹幕的频率过快"})
        if len(str(form.get("msg", ""))) > 20:
            return web.json_response({"code": 1003212, "message": "超出限制长度"})
        self._last_send = now
        self.sent.append({k: str(v) for k, v in form.items()})
        return web.json_response({"code": 0, "data": {}, "message": ""})

    async def _add_silent_user(self, request: web.Request) -> web.Response:
        """Mute a viewer: cookie login, csrf == csrf_token == bili_jct, room admin, mandatory fields."""
        raw = await request.read()
        form = {k: str(v) for k, v in (await request.post()).items()}
        answer = self._mute(form, self._cookies(request))
        self.mute_requests.append(
            {
                "body": raw,
                "form": form,
                "content_type": request.headers.get("Content-Type", ""),
                "code": answer["code"],
            }
        )
        return web.json_response(answer)

    def _mute(self, form: dict[str, str], cookies: dict[str, str]) -> dict[str, object]:
        if cookies.get("SESSDATA") != self.sessdata:
            return {"code": -101, "message": "账号未登录", "ttl": 1}
        jct = cookies.get("bili_jct")
        if not (form.get("csrf") == form.get("csrf_token") == jct == self.bili_jct):
            return {"code": -111, "message": "csrf 校验失败", "ttl": 1}
        try:
            room, tuid, hour = int(form["room_id"]), int(form["tuid"]), int(form["hour"])
        except (KeyError, ValueError):
            return {"code": -400, "message": "请求错误", "ttl": 1}
        if form.get("mobile_app") != "web" or hour < -1:
            return {"code": -400, "message": "请求错误", "ttl": 1}
        if room not in self.admin_rooms:
            return {"code": -403, "message": "权限不足", "ttl": 1}
        self.muted[room, tuid] = hour
        if self.announce_mutes:
            self.push(room, room_block_msg(tuid, ""))
        if (room, tuid) not in self.silent_ids:
            self._next_silent_id += 1
            self.silent_ids[room, tuid] = self._next_silent_id
        return {"code": 0, "message": "0", "ttl": 1, "data": {}}

    def mute_by_hand(self, room: int, tuid: int, uname: str, operator: int = 2) -> None:
        """A human room admin (2) or the streamer (1) mutes a viewer on the web: the room hears of it."""
        self.muted[SHORT_TO_REAL.get(room, room), tuid] = 1
        self.push(room, room_block_msg(tuid, uname, operator))

    def unmute_by_hand(self, room: int, tuid: int) -> None:
        """A human room admin lifts the mute on the web (the bot's later unmute finds none)."""
        self.muted.pop((room, tuid), None)
        self.silent_ids.pop((room, tuid), None)

    def _admin_check(self, form: dict[str, str], cookies: dict[str, str], room_field: str) -> dict | None:
        """Login, csrf == csrf_token == bili_jct, a numeric room the bot is admin of; None if all fine."""
        if cookies.get("SESSDATA") != self.sessdata:
            return {"code": -101, "message": "账号未登录", "ttl": 1}
        if not (form.get("csrf") == form.get("csrf_token") == cookies.get("bili_jct") == self.bili_jct):
            return {"code": -111, "message": "csrf 校验失败", "ttl": 1}
        if not form.get(room_field, "").isdigit():
            return {"code": -400, "message": "请求错误", "ttl": 1}
        if int(form[room_field]) not in self.admin_rooms:
            return {"code": -403, "message": "权限不足", "ttl": 1}
        return None

    async def _recorded(self, request: web.Request, endpoint: str, answer_of) -> web.Response:
        raw = await request.read()
        form = {k: str(v) for k, v in (await request.post()).items()}
        answer = answer_of(form, self._cookies(request))
        self.unmute_requests.append({"endpoint": endpoint, "body": raw, "form": form, "code": answer["code"]})
        return web.json_response(answer)

    async def _silent_user_list(self, request: web.Request) -> web.Response:
        """The room's mute list, newest first, ``silent_page_size`` per page (``ps`` = page number)."""

        def answer(form: dict[str, str], cookies: dict[str, str]) -> dict[str, object]:
            refused = self._admin_check(form, cookies, "room_id")
            if refused is not None:
                return refused
            if not form.get("ps", "").isdigit() or int(form["ps"]) < 1:
                return {"code": -400, "message": "请求错误", "ttl": 1}
            room, page = int(form["room_id"]), int(form["ps"])
            entries = sorted(((i, t) for (r, t), i in self.silent_ids.items() if r == room), reverse=True)
            size = self.silent_page_size
            rows = [
                {
                    "tuid": tuid,
                    "tname": f"user{tuid}",
                    "uid": self.uid,
                    "name": "liveroom",
                    "ctime": "2026-11-20 20:00:00",
                    "id": record,
                    "is_anchor": 0,
                    "face": "https://i1.hdslb.com/bfs/face/x.jpg",
                    "admin_level": 1,
                }
                for record, tuid in entries[(page - 1) * size : page * size]
            ]
            pages = -(-len(entries) // size)
            return {
                "code": 0,
                "message": "0",
                "ttl": 1,
                "data": {"data": rows, "total": len(entries), "total_page": pages},
            }

        return await self._recorded(request, "GetSilentUserList", answer)

    async def _del_room_block_user(self, request: web.Request) -> web.Response:
        """Lift a mute by its record id (form ``roomid``, no underscore, and ``id``)."""

        def answer(form: dict[str, str], cookies: dict[str, str]) -> dict[str, object]:
            refused = self._admin_check(form, cookies, "roomid")
            if refused is not None:
                return refused
            room = int(form["roomid"])
            key = next(
                (k for k, i in self.silent_ids.items() if k[0] == room and str(i) == form.get("id")), None
            )
            if key is None:
                return {"code": -400, "message": "请求错误", "ttl": 1}
            self.unmute_by_hand(*key)
            return {"code": 0, "msg": "", "message": "", "data": []}

        return await self._recorded(request, "del_room_block_user", answer)

    # -- danmaku WebSocket -----------------------------------------------------------------------
    async def _sub(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connects += 1
        try:
            msg = await ws.receive(timeout=5)
        except TimeoutError:
            await ws.close(code=1008)
            return ws
        conn = self._authenticate(ws, msg)
        if conn is None:
            await ws.send_bytes(encode_packet(Op.AUTH_REPLY, b'{"code":-101}', ver=Ver.HEARTBEAT))
            await ws.close()
            return ws
        self.units_sent += 1
        await ws.send_bytes(encode_packet(Op.AUTH_REPLY, b'{"code":0}', ver=Ver.HEARTBEAT))
        self.conns.append(conn)
        conn.task = asyncio.create_task(self._pump(conn))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.BINARY or len(msg.data) < 16:
                    continue
                _, _, _, op, _ = HEADER.unpack_from(msg.data)
                if op == Op.HEARTBEAT:
                    self.heartbeats += 1
                    if not self.silent:
                        self.units_sent += 1
                        # popularity, then an echo that is not counted in pack_len
                        reply = encode_packet(
                            Op.HEARTBEAT_REPLY, (1234).to_bytes(4, "big"), ver=Ver.HEARTBEAT
                        )
                        await ws.send_bytes(reply + b"[object Object]")
        finally:
            self.conns.remove(conn)
            # not cancelled: the pump notices the closed socket itself and re-queues an unsent batch
            await asyncio.gather(conn.task, return_exceptions=True)
        return ws

    def _authenticate(self, ws: web.WebSocketResponse, msg) -> _Conn | None:
        if msg.type != WSMsgType.BINARY or len(msg.data) < 16:
            return None
        pack_len, _, _, op, _ = HEADER.unpack_from(msg.data)
        if op != Op.AUTH or pack_len != len(msg.data):
            return None
        body = json.loads(msg.data[16:])
        self.auth_packets.append(body)
        room = int(body.get("roomid", 0))
        if self.tokens.get(room) != body.get("key") or body.get("protover") not in (2, 3):
            return None
        return _Conn(ws=ws, room=room, protover=int(body["protover"]))

    async def _pump(self, conn: _Conn) -> None:
        """Move the room's outbox to this socket: message packets compressed in batches."""
        box = self._box(conn.room)
        while not conn.ws.closed:
            if self.silent or not box:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=0.05)
                continue
            batch: list[bytes | Packet] = []
            head = box[0]
            if isinstance(head, bytes):
                frame = head
                batch.append(box.popleft())
            else:
                while box and len(batch) < self.batch and isinstance(box[0], Packet):
                    batch.append(box.popleft())
                ver = self.compress_ver or conn.protover
                packets = [p for p in batch if isinstance(p, Packet)]
                frame = encode_compressed(packets, ver) if ver in (2, 3) else _plain(packets)
            try:
                # shielded: a socket closing mid-write must not cancel the write half-way, or the
                # batch could be neither delivered nor kept for the next socket
                await asyncio.shield(conn.ws.send_bytes(frame))
            except (ConnectionError, RuntimeError):
                box.extendleft(reversed(batch))  # not sent: keep them for the next socket, in order
                return
            self.units_sent += len(batch)


def _plain(batch: list[Packet]) -> bytes:
    return b"".join(encode_packet(p.op, p.body, ver=Ver.JSON) for p in batch)


def danmu(
    uid: int, uname: str, text: str, *, ts_ms: int | None = None, medal: list | None = None, admin: int = 0
):
    """A DANMU_MSG shaped like the web client receives it (positions as documented)."""
    ts_ms = ts_ms or int(time.time() * 1000)
    meta = [
        0,
        1,
        25,
        16777215,
        ts_ms,
        secrets.randbelow(1 << 31),
        0,
        "",
        0,
        0,
        0,
        "",
        0,
        "{}",
        "{}",
        {"id_str": secrets.token_hex(8), "reply_mid": 0},
    ]
    return {
        "cmd": "DANMU_MSG",
        "info": [meta, text, [uid, uname, admin, 0, 0, 10000, 1, ""], medal or [], [12], [], 0, 0],
    }


def room_block_msg(uid: int, uname: str, operator: int = 2) -> dict[str, object]:
    """ROOM_BLOCK_MSG as a real room sends it (mock/ROOM_BLOCK_MSG/normal.json's shape)."""
    return {
        "cmd": "ROOM_BLOCK_MSG",
        "data": {"dmscore": 30, "operator": operator, "uid": uid, "uname": uname},
        "uid": str(uid),
        "uname": uname,
    }
