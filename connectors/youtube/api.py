"""The Data API calls the connector makes, with Bearer auth, one refresh on 401 and quota accounting.

Paths and parameters as documented (https://developers.google.com/youtube/v3/live/docs/):

* ``GET  /liveChat/messages?liveChatId&part=snippet,authorDetails&maxResults&pageToken`` (list)
* ``POST /liveChat/messages?part=snippet`` with a liveChatMessage (insert, textMessageEvent)
* ``DELETE /liveChat/messages?id`` (delete, 204)
* ``POST /liveChat/bans?part=snippet`` with a liveChatBan (insert: permanent or temporary + duration)
* ``DELETE /liveChat/bans?id`` (delete a ban by the id insert returned, 204)
* ``GET  /liveBroadcasts?part=snippet&broadcastStatus=active`` (the token's own active broadcast)
* ``GET  /videos?part=liveStreamingDetails&id`` (any live video's activeLiveChatId)

Errors are ``{"error": {"code", "message", "errors": [{"reason", "domain", "message"}]}}``; the first
``reason`` becomes :class:`ApiError.reason`. Every request is charged to the :class:`QuotaBudget`
before it is sent (YouTube charges failed requests too).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from connectors.youtube.config import YouTubeConfig
from connectors.youtube.errors import ApiError, AuthError, QuotaRefused
from connectors.youtube.oauth import TokenSource
from connectors.youtube.quota import QuotaBudget

log = logging.getLogger(__name__)


def error_reason(status: int, body: object) -> tuple[str, str]:
    """(reason, message) of an error answer; bodies that are not the documented shape get ``http_<n>``."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        errors = error.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("reason"):
            return str(errors[0]["reason"]), str(error.get("message", ""))
        return f"http_{status}", str(error.get("message", ""))
    return f"http_{status}", ""


class YouTubeApi:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: YouTubeConfig,
        tokens: TokenSource,
        budget: QuotaBudget,
    ) -> None:
        self._session = session
        self._config = config
        self._tokens = tokens
        self.budget = budget

    async def _call(
        self,
        method: str,
        http: str,
        path: str,
        params: dict[str, str],
        body: dict[str, Any] | None = None,
    ) -> Any:
        """One API request; a 401 refreshes the token and retries once, a second 401 is AuthError."""
        if self.budget.exhausted and self.budget.remaining == 0:
            raise QuotaRefused("quota_exceeded", "waiting for the daily reset")
        token = await self._tokens.token()
        for attempt in range(2):
            self.budget.spend(method)
            status, payload = await self._request(http, path, params, body, token)
            if status == 401 and attempt == 0:
                log.info("youtube: %s answered 401, refreshing the access token once", method)
                token = await self._tokens.refresh_after_401(token)
                continue
            break
        if status in (200, 204):
            return payload
        reason, message = error_reason(status, payload)
        if status == 401:
            raise AuthError(status, reason, message)
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            self.budget.mark_exhausted()
        raise ApiError(status, reason, message)

    async def _request(
        self, http: str, path: str, params: dict[str, str], body: dict[str, Any] | None, token: str
    ) -> tuple[int, Any]:
        url = f"{self._config.api_base}{path}"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with self._session.request(
                http,
                url,
                params=params,
                json=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._config.request_timeout_s),
            ) as resp:
                if resp.status == 204:
                    return 204, None
                try:
                    payload = await resp.json(content_type=None)
                except ValueError:
                    payload = None
                return resp.status, payload
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ApiError(0, "network", type(err).__name__) from None

    # -- live chat ---------------------------------------------------------------------------
    async def list_messages(self, live_chat_id: str, page_token: str | None) -> dict[str, Any]:
        params = {
            "liveChatId": live_chat_id,
            "part": "snippet,authorDetails",
            "maxResults": str(self._config.max_results),
        }
        if page_token:
            params["pageToken"] = page_token
        data = await self._call("liveChatMessages.list", "GET", "/liveChat/messages", params)
        if not isinstance(data, dict):
            raise ApiError(200, "bad_response", "list answer is not an object")
        return data

    async def insert_message(self, live_chat_id: str, text: str) -> dict[str, Any]:
        body = {
            "snippet": {
                "liveChatId": live_chat_id,
                "type": "textMessageEvent",
                "textMessageDetails": {"messageText": text},
            }
        }
        data = await self._call(
            "liveChatMessages.insert", "POST", "/liveChat/messages", {"part": "snippet"}, body
        )
        return data if isinstance(data, dict) else {}

    async def delete_message(self, message_id: str) -> None:
        await self._call("liveChatMessages.delete", "DELETE", "/liveChat/messages", {"id": message_id})

    async def insert_ban(self, live_chat_id: str, channel_id: str, duration_s: int | None) -> dict[str, Any]:
        """A temporary ban of ``duration_s`` seconds, or a permanent one when ``duration_s`` is None."""
        snippet: dict[str, Any] = {
            "liveChatId": live_chat_id,
            "type": "permanent" if duration_s is None else "temporary",
            "bannedUserDetails": {"channelId": channel_id},
        }
        if duration_s is not None:
            snippet["banDurationSeconds"] = str(duration_s)  # unsigned long: a JSON string, like all int64
        data = await self._call(
            "liveChatBans.insert", "POST", "/liveChat/bans", {"part": "snippet"}, {"snippet": snippet}
        )
        return data if isinstance(data, dict) else {}

    async def delete_ban(self, ban_id: str) -> None:
        await self._call("liveChatBans.delete", "DELETE", "/liveChat/bans", {"id": ban_id})

    # -- finding the chat --------------------------------------------------------------------
    async def active_chat_of_video(self, video_id: str) -> str | None:
        data = await self._call(
            "videos.list", "GET", "/videos", {"part": "liveStreamingDetails", "id": video_id}
        )
        for item in (data or {}).get("items") or ():
            chat = ((item or {}).get("liveStreamingDetails") or {}).get("activeLiveChatId")
            if chat:
                return str(chat)
        return None

    async def active_chat_of_mine(self) -> str | None:
        data = await self._call(
            "liveBroadcasts.list",
            "GET",
            "/liveBroadcasts",
            {"part": "snippet", "broadcastStatus": "active", "broadcastType": "all"},
        )
        for item in (data or {}).get("items") or ():
            chat = ((item or {}).get("snippet") or {}).get("liveChatId")
            if chat:
                return str(chat)
        return None
