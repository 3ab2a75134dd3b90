"""A fake YouTube Data API v3 (live chat part) and Google's OAuth token endpoint, over aiohttp.

Written from the API reference (https://developers.google.com/youtube/v3/live/docs/), not from our
client: the paths under ``/youtube/v3``, the query parameters (``part``, ``liveChatId``, ``pageToken``,
``maxResults``, ``id``), ``Authorization: Bearer``, the resource shapes (``youtube#liveChatMessage``
with ``snippet`` / ``authorDetails``, ``youtube#liveChatMessageListResponse`` with ``nextPageToken``,
``pollingIntervalMillis``, ``offlineAt``, ``pageInfo``; ``youtube#liveChatBan``), int64 fields as JSON
strings (``amountMicros``, ``banDurationSeconds``) and the error body ``{"error": {"code", "message",
"errors": [{"message", "domain", "reason"}]}}``. The token endpoint takes a form-encoded
``grant_type=refresh_token`` with the client id/secret, as Google's does.

Undocumented details, chosen plainly: page tokens are opaque strings (here ``p<index>``); the reason
for deleting an unknown ban is ``liveChatBanNotFound`` (404); the length check of an inserted message
answers 400 ``invalidValue``. Every request is recorded raw in :attr:`FakeYouTube.requests`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

API = "/youtube/v3"
BOT_CHANNEL = "UCbot000000000000000000a"
QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)


def iso(ts: float | None = None) -> str:
    stamp = datetime.fromtimestamp(time.time() if ts is None else ts, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def error_body(code: int, reason: str, message: str, domain: str = "youtube.liveChat") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


def author(
    channel: str = "UCviewer0000000000000001",
    name: str = "viewer",
    *,
    owner: bool = False,
    moderator: bool = False,
    sponsor: bool = False,
    verified: bool = False,
) -> dict[str, Any]:
    return {
        "channelId": channel,
        "channelUrl": f"http://www.youtube.com/channel/{channel}",
        "displayName": name,
        "profileImageUrl": "https://yt3.ggpht.com/photo.jpg",
        "isVerified": verified,
        "isChatOwner": owner,
        "isChatSponsor": sponsor,
        "isChatModerator": moderator,
    }


_ids = itertools.count(1)


def message(
    type_: str,
    details: dict[str, Any] | None = None,
    *,
    by: dict[str, Any] | None = None,
    chat: str = "chat-1",
    display: str = "",
    msg_id: str = "",
    published: float | None = None,
) -> dict[str, Any]:
    """A liveChatMessage resource of ``type_``; ``details`` goes under the type's documented key."""
    by = by or author()
    key = {
        "textMessageEvent": "textMessageDetails",
        "superChatEvent": "superChatDetails",
        "superStickerEvent": "superStickerDetails",
        "fanFundingEvent": "fanFundingEventDetails",
        "newSponsorEvent": "newSponsorDetails",
        "memberMilestoneChatEvent": "memberMilestoneChatDetails",
        "membershipGiftingEvent": "membershipGiftingDetails",
        "giftMembershipReceivedEvent": "giftMembershipReceivedDetails",
        "messageDeletedEvent": "messageDeletedDetails",
        "messageRetractedEvent": "messageRetractedDetails",
        "userBannedEvent": "userBannedDetails",
        "pollEvent": "pollDetails",
    }.get(type_)
    snippet: dict[str, Any] = {
        "type": type_,
        "liveChatId": chat,
        "authorChannelId": by["channelId"],
        "publishedAt": iso(published),
        "hasDisplayContent": bool(display),
        "displayMessage": display,
    }
    if key and details is not None:
        snippet[key] = details
    return {
        "kind": "youtube#liveChatMessage",
        "etag": f"etag-{next(_ids)}",
        "id": msg_id or f"LCC.fake-{next(_ids)}",
        "snippet": snippet,
        "authorDetails": by,
    }


def text(body: str, **kwargs: Any) -> dict[str, Any]:
    return message("textMessageEvent", {"messageText": body}, display=body, **kwargs)


@dataclass
class Chat:
    items: list[dict[str, Any]] = field(default_factory=list)
    ended: bool = False  # list answers 403 liveChatEnded
    disabled: bool = False  # list answers 403 liveChatDisabled
    offline_at: str = ""  # offlineAt in list answers


@dataclass
class FakeYouTube:
    client_id: str = "client-id.apps.googleusercontent.com"
    client_secret: str = "client-secret"
    refresh_token: str = "1//refresh-secret"
    expires_in: int = 3599
    polling_interval_ms: int = 100
    chats: dict[str, Chat] = field(default_factory=lambda: {"chat-1": Chat()})
    #: video id -> live chat id (videos.list liveStreamingDetails.activeLiveChatId)
    videos: dict[str, str] = field(default_factory=lambda: {"vid-1": "chat-1"})
    #: the token owner's active broadcast's chat (liveBroadcasts.list broadcastStatus=active), "" = none
    my_active_chat: str = "chat-1"
    valid_tokens: set[str] = field(default_factory=set)
    token_grants: int = 0
    refresh_refused: bool = False
    quota_exceeded: bool = False
    #: answered to the next list requests, in order: (HTTP status, reason)
    fail_next: list[tuple[int, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    bans: dict[str, dict[str, Any]] = field(default_factory=dict)
    _next: itertools.count = field(default_factory=lambda: itertools.count(1))
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_post("/token", self._token)
        app.router.add_get(f"{API}/liveChat/messages", self._list)
        app.router.add_post(f"{API}/liveChat/messages", self._insert)
        app.router.add_delete(f"{API}/liveChat/messages", self._delete)
        app.router.add_post(f"{API}/liveChat/bans", self._ban)
        app.router.add_delete(f"{API}/liveChat/bans", self._unban)
        app.router.add_get(f"{API}/liveBroadcasts", self._broadcasts)
        app.router.add_get(f"{API}/videos", self._videos)
        return app

    # -- test controls -------------------------------------------------------------------------
    def push(self, *items: dict[str, Any], chat: str = "chat-1") -> None:
        self.chats[chat].items.extend(items)

    def revoke_tokens(self) -> None:
        """Access tokens stop working (expired early / revoked); the refresh token still works."""
        self.valid_tokens.clear()

    def calls(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"] == API + path]

    # -- plumbing ------------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": raw.decode("utf-8", "replace"),
                "at": time.monotonic(),
            }
        )
        return await handler(request)

    def _authorized(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or token not in self.valid_tokens:
            body = error_body(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential.",
                domain="global",
            )
            body["error"]["errors"][0].update({"location": "Authorization", "locationType": "header"})
            body["error"]["status"] = "UNAUTHENTICATED"
            return web.json_response(
                body, status=401, headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            )
        if self.quota_exceeded:
            return web.json_response(
                error_body(
                    403,
                    "quotaExceeded",
                    QUOTA_MESSAGE,
                    domain="youtube.quota",
                ),
                status=403,
            )
        return None

    @staticmethod
    def _error(code: int, reason: str, message: str = "") -> web.Response:
        return web.json_response(error_body(code, reason, message or reason), status=code)

    # -- OAuth ---------------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return web.json_response(
                {"error": "invalid_request", "error_description": "form expected"}, status=400
            )
        form = await request.post()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return web.json_response(
                {"error": "invalid_client", "error_description": "Unauthorized"}, status=401
            )
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
            or self.refresh_refused
        ):
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Bad Request"}, status=400
            )
        self.token_grants += 1
        token = f"ya29.fake-{self.token_grants}"
        self.valid_tokens.add(token)
        return web.json_response(
            {
                "access_token": token,
                "expires_in": self.expires_in,
                "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
                "token_type": "Bearer",
            }
        )

    # -- liveChatMessages ----------------------------------------------------------------------
    async def _list(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if self.fail_next:
            code, reason = self.fail_next.pop(0)
            return self._error(code, reason)
        q = request.query
        if "liveChatId" not in q:
            return self._error(400, "liveChatIdRequired")
        if not q.get("part") or not set(q["part"].split(",")) <= {"id", "snippet", "authorDetails"}:
            return self._error(400, "invalidPart")
        chat = self.chats.get(q["liveChatId"])
        if chat is None:
            return self._error(
                404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be found."
            )
        if chat.ended:
            return self._error(403, "liveChatEnded", "The specified live chat is no longer live.")
        if chat.disabled:
            return self._error(
                403, "liveChatDisabled", "Live chat is not enabled for the specified broadcast."
            )
        max_results = int(q.get("maxResults", "500"))
        if not 200 <= max_results <= 2000:
            return self._error(400, "invalidValue", "maxResults")
        token = q.get("pageToken", "p0")
        if not token.startswith("p") or not token[1:].isdigit():
            return self._error(400, "pageTokenInvalid")
        start = int(token[1:])
        page = chat.items[start : start + max_results]
        body: dict[str, Any] = {
            "kind": "youtube#liveChatMessageListResponse",
            "etag": f"etag-list-{start}",
            "nextPageToken": f"p{start + len(page)}",
            "pollingIntervalMillis": self.polling_interval_ms,
            "pageInfo": {"totalResults": len(chat.items), "resultsPerPage": len(page)},
            "items": page,
        }
        if chat.offline_at:
            body["offlineAt"] = chat.offline_at
        return web.json_response(body)

    async def _insert(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if request.query.get("part") != "snippet":
            return self._error(400, "invalidPart")
        body = await request.json()
        snippet = body.get("snippet") or {}
        chat = self.chats.get(snippet.get("liveChatId", ""))
        if chat is None:
            return self._error(404, "liveChatNotFound")
        if chat.ended:
            return self._error(403, "liveChatEnded")
        text_ = (snippet.get("textMessageDetails") or {}).get("messageText", "")
        if snippet.get("type") != "textMessageEvent" or not text_:
            return self._error(400, "messageTextRequired")
        if len(text_) > 200:
            return self._error(400, "invalidValue", "messageText is longer than 200 characters")
        item = text(text_, by=author(BOT_CHANNEL, "liveroom bot"), chat=snippet["liveChatId"])
        del item["authorDetails"]  # insert answers with the snippet part only
        chat.items.append({**item, "authorDetails": author(BOT_CHANNEL, "liveroom bot")})
        return web.json_response(item)

    async def _delete(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        target = request.query.get("id", "")
        for chat_id, chat in self.chats.items():
            for item in chat.items:
                if item["id"] == target and item["snippet"]["type"] == "textMessageEvent":
                    item["snippet"]["type"] = "tombstone"
                    item["snippet"]["hasDisplayContent"] = False
                    chat.items.append(
                        message(
                            "messageDeletedEvent",
                            {"deletedMessageId": target},
                            by=author(BOT_CHANNEL, "liveroom bot"),
                            chat=chat_id,
                        )
                    )
                    return web.Response(status=204)
        return self._error(404, "liveChatMessageNotFound")

    # -- liveChatBans --------------------------------------------------------------------------
    async def _ban(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if request.query.get("part") != "snippet":
            return self._error(400, "invalidPart")
        snippet = (await request.json()).get("snippet") or {}
        if not snippet.get("liveChatId"):
            return self._error(400, "liveChatIdRequired")
        if snippet["liveChatId"] not in self.chats:
            return self._error(404, "liveChatNotFound")
        channel = (snippet.get("bannedUserDetails") or {}).get("channelId")
        if not channel:
            return self._error(400, "bannedUserChannelIdRequired")
        if snippet.get("type") not in ("permanent", "temporary"):
            return self._error(400, "invalidValue", "snippet.type")
        ban_id = f"ban-{next(self._next)}"
        resource = {
            "kind": "youtube#liveChatBan",
            "etag": f"etag-{ban_id}",
            "id": ban_id,
            "snippet": {
                "liveChatId": snippet["liveChatId"],
                "type": snippet["type"],
                "bannedUserDetails": {"channelId": channel},
            },
        }
        if snippet["type"] == "temporary":
            resource["snippet"]["banDurationSeconds"] = str(snippet.get("banDurationSeconds") or "300")
        self.bans[ban_id] = resource
        return web.json_response(resource)

    async def _unban(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        if self.bans.pop(request.query.get("id", ""), None) is None:
            return self._error(404, "liveChatBanNotFound")
        return web.Response(status=204)

    # -- finding the chat ----------------------------------------------------------------------
    async def _broadcasts(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        items = []
        if request.query.get("broadcastStatus") == "active" and self.my_active_chat:
            items.append(
                {
                    "kind": "youtube#liveBroadcast",
                    "etag": "etag-b",
                    "id": "vid-1",
                    "snippet": {"title": "live", "liveChatId": self.my_active_chat},
                }
            )
        return web.json_response(
            {
                "kind": "youtube#liveBroadcastListResponse",
                "etag": "etag-bl",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                "items": items,
            }
        )

    async def _videos(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        items = []
        for video in request.query.get("id", "").split(","):
            if video in self.videos:
                details = {"actualStartTime": iso()}
                if self.videos[video]:
                    details["activeLiveChatId"] = self.videos[video]
                items.append(
                    {"kind": "youtube#video", "etag": "etag-v", "id": video, "liveStreamingDetails": details}
                )
        return web.json_response({"kind": "youtube#videoListResponse", "etag": "etag-vl", "items": items})
