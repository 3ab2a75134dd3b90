"""Bilibili connector configuration: rooms, cookie credentials, limits and (for tests) base URLs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.bilibili.errors import ConfigError
from connectors.settings import get_float, get_int, layered


@dataclass(frozen=True)
class BilibiliConfig:
    """Everything the connector needs; cookies are optional (anonymous = receive only, masked names).

    ``sessdata``/``bili_jct`` are secrets: excluded from ``repr`` and never logged.
    """

    room_ids: tuple[int, ...]
    sessdata: str = field(default="", repr=False)
    bili_jct: str = field(default="", repr=False)
    buvid3: str = field(default="", repr=False)
    uid: int = 0
    max_chars: int = 20
    send_interval_s: float = 1.5
    heartbeat_s: float = 30.0
    #: no bytes (not even a heartbeat reply) for this long after a heartbeat -> connection is dead
    heartbeat_reply_timeout_s: float = 10.0
    auth_timeout_s: float = 5.0
    max_decompressed: int = 1 << 20
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    api_base: str = "https://api.bilibili.com"
    live_api_base: str = "https://api.live.bilibili.com"
    www_base: str = "https://www.bilibili.com"
    #: fixed danmaku server (tests); empty = the host list from getDanmuInfo
    ws_url: str = ""

    def __post_init__(self) -> None:
        if not self.room_ids:
            raise ConfigError("BILIBILI_ROOM_IDS names no room")
        if self.max_chars < 1 or self.send_interval_s < 0:
            raise ConfigError("BILIBILI_MAX_CHARS must be >= 1 and BILIBILI_SEND_INTERVAL >= 0")
        if self.heartbeat_s <= 0 or self.heartbeat_reply_timeout_s <= 0:
            raise ConfigError("heartbeat settings must be positive")
        if bool(self.sessdata) != bool(self.bili_jct):
            raise ConfigError("set both BILIBILI_SESSDATA and BILIBILI_BILI_JCT (or neither)")

    @property
    def can_send(self) -> bool:
        return bool(self.sessdata and self.bili_jct)

    @property
    def dead_after_s(self) -> float:
        return self.heartbeat_s + self.heartbeat_reply_timeout_s

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> BilibiliConfig:
        """From the environment and the git-ignored ``BILIBILI_CREDENTIALS_FILE`` (``bilibili.secret``)."""
        v = layered(env, "BILIBILI_CREDENTIALS_FILE", "bilibili.secret")
        try:
            rooms = tuple(int(r) for r in v.get("BILIBILI_ROOM_IDS", "").replace(" ", "").split(",") if r)
        except ValueError:
            raise ConfigError("BILIBILI_ROOM_IDS must be comma-separated numbers") from None
        return cls(
            room_ids=rooms,
            sessdata=v.get("BILIBILI_SESSDATA", ""),
            bili_jct=v.get("BILIBILI_BILI_JCT", ""),
            buvid3=v.get("BILIBILI_BUVID3", ""),
            uid=get_int(v, "BILIBILI_UID", 0),
            max_chars=get_int(v, "BILIBILI_MAX_CHARS", cls.max_chars),
            send_interval_s=get_float(v, "BILIBILI_SEND_INTERVAL", cls.send_interval_s),
            heartbeat_s=get_float(v, "BILIBILI_HEARTBEAT", cls.heartbeat_s),
            api_base=v.get("BILIBILI_API_BASE", cls.api_base).rstrip("/"),
            live_api_base=v.get("BILIBILI_LIVE_API_BASE", cls.live_api_base).rstrip("/"),
            www_base=v.get("BILIBILI_WWW_BASE", cls.www_base).rstrip("/"),
            ws_url=v.get("BILIBILI_WS_URL", ""),
        )
