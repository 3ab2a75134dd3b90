"""OAuth 2.0 access tokens from a refresh token (Google's token endpoint, "refresh_token" grant).

The bot never sees a user: an operator authorizes the bot's Google account once (README) and stores
the refresh token. Access tokens live about an hour; :class:`TokenSource` refreshes one shortly before
it expires, and again when the API answers 401 (the token was revoked or expired early) - once per
401: if the fresh token is rejected as well, the credentials are wrong and :class:`AuthError` says so.
Tokens never appear in logs or exceptions.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import aiohttp

from connectors.youtube.config import YouTubeConfig
from connectors.youtube.errors import ApiError, AuthError

log = logging.getLogger(__name__)


class TokenSource:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: YouTubeConfig,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._config = config
        self._clock = clock
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.refreshes = 0

    async def token(self) -> str:
        """A valid access token, refreshed first when it expires within the margin."""
        async with self._lock:
            if not self._token or self._clock() >= self._expires_at - self._config.refresh_margin_s:
                await self._refresh()
            return self._token

    async def refresh_after_401(self, rejected: str) -> str:
        """The API rejected ``rejected``: refresh unless another caller already did."""
        async with self._lock:
            if self._token == rejected:
                await self._refresh()
            return self._token

    async def _refresh(self) -> None:
        form = {
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
            "refresh_token": self._config.refresh_token,
            "grant_type": "refresh_token",
        }
        try:
            async with self._session.post(
                self._config.token_url,
                data=form,
                timeout=aiohttp.ClientTimeout(total=self._config.request_timeout_s),
            ) as resp:
                body = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise ApiError(0, "network", f"token endpoint: {type(err).__name__}") from None
        if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            # {"error": "invalid_grant", "error_description": "..."}: revoked / expired refresh token,
            # wrong client secret; a 5xx is worth retrying, a 400/401 is not
            error = str(body.get("error", "")) if isinstance(body, dict) else ""
            if status >= 500:
                raise ApiError(status, "token_endpoint", error)
            raise AuthError(status, error or "token_refused", "the refresh token was refused")
        self._token = str(body["access_token"])
        self._expires_at = self._clock() + float(body.get("expires_in") or 3600)
        self.refreshes += 1
        log.info("youtube: access token refreshed (valid %ss)", body.get("expires_in"))
