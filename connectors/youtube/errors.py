"""Errors of the YouTube connector.

Hierarchy::

    ConnectorError (connectors.base)
    └── YouTubeError
        ├── YouTubeConfigError     missing or invalid settings
        ├── ApiError               the Data API answered an error body (status, reason); network
        │   │                      failures are ApiError(0, "network")
        │   └── AuthError          the token endpoint or the API rejected the credentials (after one
        │                          refresh): nothing helps until they are fixed
        ├── QuotaRefused           our own pacer refused a call: it would eat the units polling needs
        └── YouTubeModerationError a delete/ban/unban was refused (also base.ModerationError)
"""

from __future__ import annotations

from connectors.base import ConnectorError, ModerationError


class YouTubeError(ConnectorError):
    """Root of the YouTube connector's errors."""


class YouTubeConfigError(YouTubeError):
    pass


class ApiError(YouTubeError):
    """An error answer: HTTP ``status`` and the first ``errors[].reason`` (``quotaExceeded``,
    ``liveChatEnded``...), the stable label used in logs and metrics."""

    def __init__(self, status: int, reason: str, message: str = "") -> None:
        super().__init__(f"HTTP {status} {reason}: {message}" if message else f"HTTP {status} {reason}")
        self.status = status
        self.reason = reason


class AuthError(ApiError):
    pass


class QuotaRefused(YouTubeError):
    """The call would leave less quota than polling needs for the rest of the stream (or the quota is
    exhausted until its reset); ``reason`` is the metric label."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class YouTubeModerationError(YouTubeError, ModerationError):
    """A moderation call failed; ``reason`` is the API's reason, ``quota``, ``network``..."""
