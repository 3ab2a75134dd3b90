"""Bilibili HTTP calls: WBI keys, buvid, room init, danmaku server info (WBI-signed), sending danmaku,
muting a viewer and lifting the mute (room admin).

All responses are ``{"code": 0, "data": ...}``; a non-zero code becomes :class:`ApiError` (or
:class:`AuthError` for credential problems) and network failures are wrapped at this boundary, so the
WebSocket client only ever handles this package's errors.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from connectors.bilibili import wbi
from connectors.bilibili.config import BilibiliConfig
from connectors.bilibili.errors import ApiError, AuthError, BilibiliError, NotMuted

log = logging.getLogger(__name__)

AUTH_CODES = {-101, -111}  # not logged in, csrf mismatch
TOO_FAST = 10031
#: pages of the mute list read when looking for a viewer to unmute (a room rarely mutes that many)
MAX_SILENT_PAGES = 20
_OK = frozenset({0})
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Safari/537.36"


@dataclass(frozen=True)
class DanmuServer:
    room_id: int  # the real (long) room id
    token: str
    urls: tuple[str, ...]
    uid: int
    buvid: str


class BilibiliApi:
    def __init__(self, session: aiohttp.ClientSession, config: BilibiliConfig) -> None:
        self._session = session
        self._config = config
        self._buvid = config.buvid3
        self._keys: tuple[str, str] | None = None

    def _cookies(self) -> str:
        parts = {"SESSDATA": self._config.sessdata, "bili_jct": self._config.bili_jct, "buvid3": self._buvid}
        return "; ".join(f"{k}={v}" for k, v in parts.items() if v)

    async def _get(self, url: str, params: dict[str, str] | None = None, ok: frozenset[int] = _OK) -> Any:
        return await self._call("GET", url, params=params, ok=ok)

    async def _call(self, method: str, url: str, *, ok: frozenset[int] = _OK, **kwargs: Any) -> Any:
        headers = {
            "User-Agent": USER_AGENT,
            "Referer": "https://live.bilibili.com/",
            "Cookie": self._cookies(),
        }
        endpoint = url.split("?", 1)[0].rsplit("/", 1)[-1]
        try:
            async with self._session.request(
                method, url, headers=headers, timeout=aiohttp.ClientTimeout(total=10), **kwargs
            ) as resp:
                if resp.status >= 400:
                    raise ApiError(endpoint, resp.status, f"HTTP {resp.status}")
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise BilibiliError(f"{endpoint}: {err!r}") from err
        code = body.get("code", -1) if isinstance(body, dict) else -1
        if code not in ok:
            error = AuthError if code in AUTH_CODES else ApiError
            raise error(endpoint, code, str(body.get("message", "")) if isinstance(body, dict) else "")
        return body.get("data")

    async def nav(self) -> tuple[int, str, str]:
        """(uid or 0, img_key, sub_key). nav answers code -101 when anonymous but still has the keys."""
        data = await self._get(f"{self._config.api_base}/x/web-interface/nav", ok=frozenset({0, -101}))
        img = data["wbi_img"]
        uid = int(data.get("mid") or 0) if data.get("isLogin") else 0
        return uid, wbi.key_from_url(img["img_url"]), wbi.key_from_url(img["sub_url"])

    async def buvid(self) -> str:
        """The ``buvid3`` cookie the main site sets (required for a non-anonymous-looking auth)."""
        if self._buvid:
            return self._buvid
        try:
            async with self._session.get(
                f"{self._config.www_base}/", headers={"User-Agent": USER_AGENT}
            ) as r:
                cookie = r.cookies.get("buvid3")
        except aiohttp.ClientError as err:
            raise BilibiliError(f"buvid: {err!r}") from err
        self._buvid = cookie.value if cookie else ""
        return self._buvid

    async def real_room_id(self, room_id: int) -> int:
        data = await self._get(
            f"{self._config.live_api_base}/room/v1/Room/get_info", params={"room_id": str(room_id)}
        )
        return int(data["room_id"])

    async def danmu_server(self, room_id: int) -> DanmuServer:
        """The full init sequence for one room; called again on every reconnect (tokens expire)."""
        uid, img_key, sub_key = await self.nav()
        buvid = await self.buvid()
        real = await self.real_room_id(room_id)
        params = wbi.sign({"id": real, "type": 0}, img_key, sub_key)
        data = await self._get(
            f"{self._config.live_api_base}/xlive/web-room/v1/index/getDanmuInfo", params=params
        )
        urls = tuple(f"wss://{h['host']}:{h['wss_port']}/sub" for h in data.get("host_list", []))
        if self._config.ws_url:
            urls = (self._config.ws_url,)
        return DanmuServer(
            room_id=real,
            token=str(data["token"]),
            urls=urls or ("wss://broadcastlv.chat.bilibili.com:443/sub",),
            uid=uid or self._config.uid,
            buvid=buvid,
        )

    async def send_danmaku(self, room_id: int, text: str, *, reply_mid: int | None = None) -> None:
        """POST /msg/send; raises :class:`ApiError` (code 10031 = too fast) or :class:`AuthError`."""
        if not self._config.can_send:
            raise AuthError("msg/send", -101, "no SESSDATA/bili_jct configured")
        form = {
            "bubble": "0",
            "msg": text,
            "color": "16777215",
            "mode": "1",
            "fontsize": "25",
            "rnd": str(int(time.time())),
            "roomid": str(room_id),
            "csrf": self._config.bili_jct,
            "csrf_token": self._config.bili_jct,
        }
        if reply_mid:
            form["reply_mid"] = str(reply_mid)
        await self._call("POST", f"{self._config.live_api_base}/msg/send", data=form)

    async def add_silent_user(self, room_id: int, tuid: int, hour: int, *, msg: str = "") -> None:
        """Mute viewer ``tuid`` in the room for ``hour`` hours (0 = until the stream ends; -1, permanent,
        is never used by liveroom), as the room-admin web UI does: POST
        /xlive/web-ucenter/v1/banned/AddSilentUser, form-encoded, authenticated like /msg/send (cookies
        + csrf). ``msg`` is the danmaku being punished (optional; shown in the room's mute list).

        The fields and their order follow the web client's request (bilibili-API-collect
        docs/live/silent_user_manage.md; ``type`` 1 = by hours, 2 = this stream, as the web client
        sends it since the ``hour`` field became mandatory in 2024-11 — without ``hour`` the mute
        silently does nothing). Raises :class:`ApiError` (e.g. the bot is not a room admin) or
        :class:`AuthError`.
        """
        if not self._config.can_send:
            raise AuthError("AddSilentUser", -101, "no SESSDATA/bili_jct configured")
        form = {
            "room_id": str(room_id),
            "tuid": str(tuid),
            "msg": msg,
            "mobile_app": "web",
            "type": "2" if hour == 0 else "1",
            "hour": str(hour),
            "csrf_token": self._config.bili_jct,
            "csrf": self._config.bili_jct,
            "visit_id": "",
        }
        await self._call(
            "POST", f"{self._config.live_api_base}/xlive/web-ucenter/v1/banned/AddSilentUser", data=form
        )

    def _admin_form(self, **fields: str) -> dict[str, str]:
        """A room-admin form: the fields, then csrf_token/csrf (= bili_jct) and an empty visit_id."""
        return {**fields, "csrf_token": self._config.bili_jct, "csrf": self._config.bili_jct, "visit_id": ""}

    async def silent_record_id(self, room_id: int, tuid: int) -> int | None:
        """The id of ``tuid``'s entry in the room's mute list (what lifting needs), or None if not muted.

        POST /xlive/web-ucenter/v1/banned/GetSilentUserList (form room_id, ps = page number; answer
        ``data.data[]`` with ``tuid`` and ``id``, ``data.total_page``), page by page; at most
        ``MAX_SILENT_PAGES`` pages are read. Same authentication as muting.
        """
        if not self._config.can_send:
            raise AuthError("GetSilentUserList", -101, "no SESSDATA/bili_jct configured")
        url = f"{self._config.live_api_base}/xlive/web-ucenter/v1/banned/GetSilentUserList"
        page, pages = 1, 1
        while page <= min(pages, MAX_SILENT_PAGES):
            data = await self._call("POST", url, data=self._admin_form(room_id=str(room_id), ps=str(page)))
            if not isinstance(data, dict):
                raise ApiError("GetSilentUserList", -1, "answer without a data object")
            for entry in data.get("data") or ():
                if isinstance(entry, dict) and str(entry.get("tuid")) == str(tuid) and entry.get("id"):
                    return int(entry["id"])
            pages = int(data.get("total_page") or 1)
            page += 1
        return None

    async def del_silent_user(self, room_id: int, tuid: int) -> None:
        """Lift viewer ``tuid``'s mute in the room, as the room-admin web UI does: find the mute's record
        id in the mute list, then POST /banned_service/v1/Silent/del_room_block_user (form ``roomid``
        — no underscore in this endpoint — and ``id``, plus csrf). bilibili-API-collect
        docs/live/silent_user_manage.md documents the three calls. Raises :class:`NotMuted` when the
        viewer is not in the list (the mute ran out or a human admin lifted it), :class:`ApiError` /
        :class:`AuthError` when Bilibili refuses.
        """
        record = await self.silent_record_id(room_id, tuid)
        if record is None:
            raise NotMuted(f"bilibili: uid {tuid} is not in room {room_id}'s mute list")
        form = self._admin_form(roomid=str(room_id), id=str(record))
        await self._call(
            "POST", f"{self._config.live_api_base}/banned_service/v1/Silent/del_room_block_user", data=form
        )
