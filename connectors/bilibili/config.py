"""Bilibili connector configuration: rooms, cookie credentials, limits and (for tests) base URLs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.base import SendLimit
from connectors.bilibili.errors import ConfigError
from connectors.settings import layered, load, setting


def _room_ids(raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(r) for r in raw.replace(" ", "").split(",") if r)
    except ValueError:
        raise ConfigError("BILIBILI_ROOM_IDS must be comma-separated numbers") from None


def _base(raw: str) -> str:
    return raw.rstrip("/")


@dataclass(frozen=True)
class BilibiliConfig:
    """Everything the connector needs; cookies are optional (anonymous = receive only, masked names).

    ``sessdata``/``bili_jct`` are secrets: excluded from ``repr`` and never logged. Every setting has
    an env var ``BILIBILI_<FIELD>`` unless it names another.
    """

    room_ids: tuple[int, ...] = setting(parse=_room_ids)
    sessdata: str = field(default="", repr=False)
    bili_jct: str = field(default="", repr=False)
    buvid3: str = field(default="", repr=False)
    uid: int = 0
    max_chars: int = 20
    #: one danmaku per this many seconds per bot account: the send limit the gateway's pacer keeps to
    #: (about one per 3 s is safe; faster gets code 10031 "too fast")
    send_interval_s: float = setting("BILIBILI_SEND_INTERVAL", default=3.0)
    heartbeat_s: float = setting("BILIBILI_HEARTBEAT", default=30.0)
    #: no bytes (not even a heartbeat reply) for this long after a heartbeat -> connection is dead
    heartbeat_reply_timeout_s: float = setting(None, default=10.0)
    auth_timeout_s: float = setting(None, default=5.0)
    max_decompressed: int = setting(None, default=1 << 20)
    backoff_base_s: float = setting(None, default=1.0)
    backoff_cap_s: float = setting(None, default=60.0)
    api_base: str = setting(parse=_base, default="https://api.bilibili.com")
    live_api_base: str = setting(parse=_base, default="https://api.live.bilibili.com")
    www_base: str = setting(parse=_base, default="https://www.bilibili.com")
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
    def send_limit(self) -> SendLimit:
        return SendLimit(1, max(self.send_interval_s, 1e-3), self.max_chars)

    @property
    def can_send(self) -> bool:
        return bool(self.sessdata and self.bili_jct)

    @property
    def dead_after_s(self) -> float:
        return self.heartbeat_s + self.heartbeat_reply_timeout_s

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> BilibiliConfig:
        """From the environment and the git-ignored ``BILIBILI_CREDENTIALS_FILE`` (``bilibili.secret``)."""
        return load(cls, layered(env, "BILIBILI_CREDENTIALS_FILE", "bilibili.secret"), "BILIBILI_")
