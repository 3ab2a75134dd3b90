"""Errors of the Twitch connector.

Hierarchy::

    ConnectorError (connectors.base)
    └── TwitchError
        ├── TwitchConfigError    missing/invalid settings (client id, tokens, channels)
        ├── TwitchAuthError      token rejected and not refreshable (wraps twitchio's errors)
        ├── TwitchSendError      a message could not be sent (rejected, repeated 429s, HTTP error)
        └── TwitchModerationError  a delete/timeout/unban was refused (not a moderator, 429s, HTTP error);
                                   also a ModerationError (connectors.base)
"""

from __future__ import annotations

from connectors.base import ConnectorError, ModerationError


class TwitchError(ConnectorError):
    """Root of the Twitch connector's errors."""


class TwitchConfigError(TwitchError):
    pass


class TwitchAuthError(TwitchError):
    pass


class TwitchSendError(TwitchError):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class TwitchModerationError(TwitchError, ModerationError):
    """A Helix moderation call failed; ``reason`` is short (``http_403``, ``429``, ``network``)."""
