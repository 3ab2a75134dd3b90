"""Errors of the Bilibili connector.

Hierarchy::

    ConnectorError (connectors.base)
    └── BilibiliError
        ├── FrameError        a WebSocket frame that is not valid danmaku framing (reason = metric label)
        ├── ApiError          an HTTP API answered code != 0 (code, message)
        │   └── AuthError     not logged in / csrf / token rejected (-101, -111, auth reply != 0)
        ├── NotMuted          a mute to lift is not in the room's mute list (also base.NotTimedOut)
        ├── BilibiliModerationError  lifting a mute was refused (also base.ModerationError)
        └── ConfigError       missing or invalid configuration
"""

from __future__ import annotations

from connectors.base import ConnectorError, ModerationError, NotTimedOut


class BilibiliError(ConnectorError):
    """Root of the Bilibili connector's errors."""


class FrameError(BilibiliError):
    """Undecodable framing; ``reason`` is a short, stable label used in drop metrics."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class ApiError(BilibiliError):
    def __init__(self, endpoint: str, code: int, message: str) -> None:
        super().__init__(f"{endpoint} answered code {code}: {message}")
        self.endpoint = endpoint
        self.code = code


class AuthError(ApiError):
    """Credentials are missing or rejected; retrying will not help until they are fixed."""


class NotMuted(BilibiliError, NotTimedOut):
    """The viewer is not in the room's mute list (any more), so there is no mute to lift."""


class BilibiliModerationError(BilibiliError, ModerationError):
    """A room-admin call was refused; ``reason`` is ``code_<n>`` (Bilibili's code) or ``network``."""


class ConfigError(BilibiliError):
    pass
