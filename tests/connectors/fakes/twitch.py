"""A fake Twitch: OAuth (token, validate), Helix (users, eventsub/subscriptions, chat/messages,
moderation/chat, moderation/bans) and the EventSub WebSocket ``/ws`` (welcome, keepalive, notification,
session_reconnect, revocation).

Written from Twitch's public EventSub / Helix documentation. It enforces what real Twitch enforces and
a client could get wrong: user token on WebSocket subscriptions, the session id being live, 401 for an
expired token (so twitchio refreshes), the chat send limit (violations are recorded, not just
rejected), and 429 with Ratelimit-Reset on demand (shared by every Helix call, like Twitch's per-token
bucket). Moderation answers as documented for Delete Chat Messages (204; 400 for a moderator's or the
broadcaster's message, 404 unknown message), Ban User (200 with data; 400 bad body / not bannable,
403 when the bot is not a moderator, 401 without the scope) and Unban User (204; 400 "user is not
banned" when no ban or timeout is in force); every moderation request is recorded
raw (:attr:`FakeTwitch.moderation_requests`). Tests drive it through :meth:`notify`,
:meth:`send_reconnect`, :meth:`redeliver_last` and the ``silent`` flag (open but dead).

Notifications wait in an outbox until a subscribed session takes them, so a test can check that
nothing is lost or duplicated across hand-overs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
BOT_ID = "1000"
CHANNEL_ID = "2000"
USER_TOKEN = "user-token-secret"
MAX_BAN_DURATION_S = 1_209_600
SCOPES = [
    "user:read:chat",
    "user:write:chat",
    "user:bot",
    "moderator:manage:chat_messages",
    "moderator:manage:banned_users",
    "moderator:read:blocked_terms",
    "moderator:read:chat_settings",
    "moderator:read:unban_requests",
    "moderator:read:warnings",
    "moderator:read:moderators",
    "moderator:read:vips",
    "moderator:manage:automod",
]
#: what Create EventSub Subscription checks for the moderation types (Twitch's EventSub reference):
#: version, condition keys, and every scope group (one scope of each tuple: read or manage)
MODERATION_SUBSCRIPTIONS: dict[str, tuple[str, frozenset[str], list[tuple[str, ...]]]] = {
    "channel.moderate": (
        "2",
        frozenset({"broadcaster_user_id", "moderator_user_id"}),
        [
            ("moderator:read:blocked_terms", "moderator:manage:blocked_terms"),
            ("moderator:read:chat_settings", "moderator:manage:chat_settings"),
            ("moderator:read:unban_requests", "moderator:manage:unban_requests"),
            ("moderator:read:banned_users", "moderator:manage:banned_users"),
            ("moderator:read:chat_messages", "moderator:manage:chat_messages"),
            ("moderator:read:warnings", "moderator:manage:warnings"),
            ("moderator:read:moderators",),
            ("moderator:read:vips",),
        ],
    ),
    "automod.message.hold": (
        "2",
        frozenset({"broadcaster_user_id", "moderator_user_id"}),
        [("moderator:manage:automod",)],
    ),
    "automod.message.update": (
        "2",
        frozenset({"broadcaster_user_id", "moderator_user_id"}),
        [("moderator:manage:automod",)],
    ),
}
REFRESH_TOKEN = "refresh-token-secret"


def chat_message(
    chatter_id: str,
    name: str,
    text: str,
    message_id: str,
    *,
    broadcaster: str = "Streamer",
    color: str = "#FF0000",
    **extra: Any,
) -> dict[str, Any]:
    """A ``channel.chat.message`` event in the documented shape (one text fragment); ``extra`` replaces
    fields (``cheer``, ``badges``, ``reply``...)."""
    event: dict[str, Any] = {
        "broadcaster_user_id": CHANNEL_ID,
        "broadcaster_user_login": broadcaster.lower(),
        "broadcaster_user_name": broadcaster,
        "chatter_user_id": chatter_id,
        "chatter_user_login": name.lower(),
        "chatter_user_name": name,
        "message_id": message_id,
        "message": {"text": text, "fragments": [{"type": "text", "text": text}]},
        "color": color,
        "badges": [],
        "message_type": "text",
        "cheer": None,
        "reply": None,
        "channel_points_custom_reward_id": None,
    }
    event.update(extra)
    return event


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class _Session:
    id: str
    ws: web.WebSocketResponse
    keepalive_s: float
    subscribed: set[str] = field(default_factory=set)


@dataclass
class FakeTwitch:
    base_url: str = ""
    valid_user_tokens: set[str] = field(default_factory=lambda: {USER_TOKEN})
    app_tokens: set[str] = field(default_factory=set)
    send_limit: int = 20
    send_window_s: float = 30.0
    rate_limit_next: int = 0  # answer the next N chat sends with 429
    drop_next: int = 0  # answer the next N chat sends "not sent" (Twitch's drop_reason: msg_duplicate)
    silent: bool = False
    ping_while_silent: bool = False
    sessions: dict[str, _Session] = field(default_factory=dict)
    active: _Session | None = None
    outbox: deque[dict[str, Any]] = field(default_factory=deque)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    delivered_text: list[str] = field(default_factory=list)  # the frames exactly as sent
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    chat_sent: list[dict[str, Any]] = field(default_factory=list)
    send_times: deque[float] = field(default_factory=deque)
    limit_violations: int = 0
    blocked_until: float = 0.0  # after a 429: the Ratelimit-Reset handed out
    sends_during_block: int = 0  # sends before that reset (a client ignoring the header)
    frames_sent: int = 0  # every WebSocket frame of every session (for the accounting check)
    refreshes: int = 0
    connects: int = 0
    #: channels where the bot account is a moderator (else moderation answers 403)
    moderator_in: set[str] = field(default_factory=lambda: {CHANNEL_ID})
    #: scopes of the bot's user token
    scopes: list[str] = field(default_factory=lambda: list(SCOPES))
    #: chatters whose messages may not be deleted / who may not be banned (other moderators)
    channel_moderators: set[str] = field(default_factory=set)
    #: message_id -> chatter id of chat messages notified (what Delete Chat Messages can find)
    messages: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    chat_cleared: int = 0  # DELETE moderation/chat without message_id: the whole chat was wiped
    bans: list[dict[str, Any]] = field(default_factory=list)
    #: every moderation request as received: method, path, raw query string, query, body (raw), status,
    #: and the response body sent
    moderation_requests: list[dict[str, Any]] = field(default_factory=list)
    _pending_reconnects: dict[str, _Session] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/oauth2/token", self._token)
        app.router.add_get("/oauth2/validate", self._validate)
        app.router.add_get("/helix/users", self._users)
        app.router.add_post("/helix/eventsub/subscriptions", self._subscribe)
        app.router.add_post("/helix/chat/messages", self._chat_send)
        app.router.add_delete("/helix/moderation/chat", self._delete_chat_message)
        app.router.add_post("/helix/moderation/bans", self._ban_user)
        app.router.add_delete("/helix/moderation/bans", self._unban_user)
        app.router.add_get("/ws", self._ws)
        return app

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/ws"

    # -- test controls -------------------------------------------------------------------------
    def notify(
        self, sub_type: str, event: dict[str, Any] | str, *, version: str = "1", timestamp: str | None = None
    ) -> str:
        """Queue one notification in the documented envelope. ``event`` may be the event's JSON text:
        it is then sent byte for byte inside the envelope (real captures). The payload's subscription
        is the client's own subscription of that type when there is one (id, version, condition,
        transport), as Twitch sends it."""
        message_id = str(uuid.uuid4())
        if isinstance(event, dict) and sub_type == "channel.chat.message" and "message_id" in event:
            self.messages[str(event["message_id"])] = str(event.get("chatter_user_id", ""))
        sub = next((s for s in reversed(self.subscriptions) if s["type"] == sub_type), None)
        if sub is not None:
            version = sub["version"]
            subscription = {k: sub[k] for k in ("id", "status", "type", "version", "condition", "transport")}
            subscription.update(cost=sub["cost"], created_at=sub["created_at"])
        else:
            subscription = {
                "id": str(uuid.uuid4()),
                "type": sub_type,
                "version": version,
                "status": "enabled",
                "condition": {},
                "cost": 0,
            }
        envelope = {
            "metadata": {
                "message_id": message_id,
                "message_type": "notification",
                "message_timestamp": timestamp or _now_iso(),
                "subscription_type": sub_type,
                "subscription_version": version,
            },
            "payload": {"subscription": subscription, "event": event},
        }
        if isinstance(event, str):
            head = json.dumps({**envelope, "payload": {"subscription": subscription, "event": None}})
            assert head.endswith("null}}")
            self.outbox.append({"raw": head[: -len("null}}")] + event + "}}"})
        else:
            self.outbox.append(envelope)
        self._wakeup.set()
        return message_id

    async def redeliver_last(self) -> None:
        """Send the last delivered notification again with the same message_id (at-least-once)."""
        assert self.active is not None
        self.frames_sent += 1
        await self.active.ws.send_str(json.dumps(self.delivered[-1]))

    async def send_raw(self, text: str | bytes) -> None:
        """One frame exactly as given on the active socket (malformed-input tests)."""
        assert self.active is not None
        self.frames_sent += 1
        if isinstance(text, bytes):
            await self.active.ws.send_bytes(text)
        else:
            await self.active.ws.send_str(text)

    async def send_reconnect(self) -> None:
        """session_reconnect on the active socket; it keeps carrying events until the client moves."""
        old = self.active
        assert old is not None
        reconnect_id = secrets.token_hex(6)
        self._pending_reconnects[reconnect_id] = old
        self.frames_sent += 1
        await old.ws.send_str(
            self._envelope(
                "session_reconnect",
                {
                    "session": {
                        "id": old.id,
                        "status": "reconnecting",
                        "keepalive_timeout_seconds": None,
                        "reconnect_url": f"{self.ws_url}?reconnect_id={reconnect_id}",
                        "connected_at": _now_iso(),
                    }
                },
            )
        )

    def active_ban(self, broadcaster_id: str, user_id: str) -> dict[str, Any] | None:
        """The ban or timeout of ``user_id`` in force now, if any: a user has one ban state, set by the
        latest Ban User (a new timeout replaces the old one) and cleared by Unban User or running out."""
        latest = next(
            (
                b
                for b in reversed(self.bans)
                if (b["broadcaster_id"], b["user_id"]) == (broadcaster_id, user_id)
            ),
            None,
        )
        if latest is None or latest["lifted"]:
            return None
        running = latest["end_time"] is None or datetime.fromisoformat(latest["end_time"]) > datetime.now(UTC)
        return latest if running else None

    def lift_by_hand(self, user_id: str, broadcaster_id: str = CHANNEL_ID) -> None:
        """A human moderator lifts the ban in Twitch's own UI (the bot's later unban finds none)."""
        ban = self.active_ban(broadcaster_id, user_id)
        if ban is not None:
            ban["lifted"] = True

    async def close_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for session in list(self.sessions.values()):
            await session.ws.close()

    # -- OAuth / Helix ---------------------------------------------------------------------------
    def _bearer(self, request: web.Request) -> str:
        return request.headers.get("Authorization", "").partition(" ")[2]

    def _unauthorized(self) -> web.Response:
        return web.json_response(
            {"error": "Unauthorized", "status": 401, "message": "invalid access token"}, status=401
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = {**request.query, **(await request.post())}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"status": 403, "message": "invalid client secret"}, status=403)
        if form.get("grant_type") == "client_credentials":
            token = "app-" + secrets.token_hex(8)
            self.app_tokens.add(token)
            return web.json_response({"access_token": token, "expires_in": 5_000_000, "token_type": "bearer"})
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == REFRESH_TOKEN:
            self.refreshes += 1
            token = "user-" + secrets.token_hex(8)
            self.valid_user_tokens.add(token)
            return web.json_response(
                {
                    "access_token": token,
                    "refresh_token": REFRESH_TOKEN,
                    "expires_in": 14_400,
                    "scope": self.scopes,
                    "token_type": "bearer",
                }
            )
        return web.json_response({"status": 400, "message": "Invalid refresh token"}, status=400)

    async def _validate(self, request: web.Request) -> web.Response:
        token = self._bearer(request)
        if token in self.app_tokens:
            return web.json_response({"client_id": CLIENT_ID, "scopes": [], "expires_in": 5_000_000})
        if token in self.valid_user_tokens:
            return web.json_response(
                {
                    "client_id": CLIENT_ID,
                    "login": "liveroom_bot",
                    "user_id": BOT_ID,
                    "expires_in": 14_400,
                    "scopes": self.scopes,
                }
            )
        return self._unauthorized()

    async def _users(self, request: web.Request) -> web.Response:
        ids = request.query.getall("id", [])
        return web.json_response(
            {
                "data": [
                    {
                        "id": i,
                        "login": f"user{i}",
                        "display_name": f"User{i}",
                        "type": "",
                        "broadcaster_type": "",
                        "description": "",
                        "profile_image_url": "",
                        "offline_image_url": "",
                        "view_count": 0,
                        "created_at": "2020-01-01T00:00:00Z",
                    }
                    for i in ids
                ]
            }
        )

    async def _subscribe(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.valid_user_tokens:
            return self._unauthorized()
        body = await request.json()
        session = self.sessions.get(body.get("transport", {}).get("session_id", ""))
        if session is None:
            return web.json_response({"status": 400, "message": "session does not exist"}, status=400)
        refused = self._check_moderation_subscription(body)
        if refused is not None:
            return refused
        session.subscribed.add(body["type"])
        sub = {
            "id": str(uuid.uuid4()),
            "status": "enabled",
            "type": body["type"],
            "version": body["version"],
            "condition": body["condition"],
            "created_at": _now_iso(),
            "cost": 0,
            "transport": {"method": "websocket", "session_id": session.id, "connected_at": _now_iso()},
        }
        self.subscriptions.append(sub)
        return web.json_response(
            {"data": [sub], "total": len(self.subscriptions), "total_cost": 0, "max_total_cost": 10},
            status=202,
        )

    def _check_moderation_subscription(self, body: dict[str, Any]) -> web.Response | None:
        """400 for a wrong version/condition, 403 for a missing scope, as Create EventSub Subscription."""
        rule = MODERATION_SUBSCRIPTIONS.get(body.get("type", ""))
        if rule is None:
            return None
        version, keys, scope_groups = rule
        condition = body.get("condition") or {}
        if body.get("version") != version or set(condition) != keys:
            return web.json_response({"status": 400, "message": "invalid version or condition"}, status=400)
        if condition.get("moderator_user_id") != BOT_ID or not all(
            any(scope in self.scopes for scope in group) for group in scope_groups
        ):
            return web.json_response(
                {"status": 403, "message": "subscription missing proper authorization"}, status=403
            )
        if condition.get("broadcaster_user_id") not in self.moderator_in:
            return web.json_response(
                {"status": 403, "message": "subscription missing proper authorization"}, status=403
            )
        return None

    def _rate_limited(self) -> web.Response | None:
        """429 with Ratelimit-Reset while ``rate_limit_next`` > 0 (any Helix call of the bot's token);
        calls arriving before a handed-out reset are counted in ``sends_during_block``."""
        reset = str(int(time.time()) + 1)
        if time.time() < self.blocked_until:
            self.sends_during_block += 1
        if self.rate_limit_next <= 0:
            return None
        self.rate_limit_next -= 1
        self.blocked_until = float(reset)
        return web.json_response(
            {"error": "Too Many Requests", "status": 429, "message": "rate limited"},
            status=429,
            headers={
                "Ratelimit-Limit": str(self.send_limit),
                "Ratelimit-Remaining": "0",
                "Ratelimit-Reset": reset,
            },
        )

    async def _chat_send(self, request: web.Request) -> web.Response:
        if self._bearer(request) not in self.valid_user_tokens | self.app_tokens:
            return self._unauthorized()
        body = await request.json()
        limited = self._rate_limited()
        if limited is not None:
            return limited
        now = time.monotonic()
        while self.send_times and self.send_times[0] + self.send_window_s <= now:
            self.send_times.popleft()
        if len(self.send_times) >= self.send_limit:
            self.limit_violations += 1  # real Twitch would lock the bot out for ~30 min here
        self.send_times.append(now)
        if len(body.get("message", "")) > 500:
            return web.json_response({"status": 400, "message": "message too long"}, status=400)
        if self.drop_next > 0:
            self.drop_next -= 1
            drop = {"code": "msg_duplicate", "message": "Your message is identical to the one you sent"}
            return web.json_response({"data": [{"message_id": "", "is_sent": False, "drop_reason": drop}]})
        self.chat_sent.append(body)
        return web.json_response(
            {"data": [{"message_id": str(uuid.uuid4()), "is_sent": True, "drop_reason": None}]}
        )

    # -- Helix moderation -------------------------------------------------------------------------
    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
        return web.json_response(
            {"error": names[status], "status": status, "message": message}, status=status
        )

    async def _moderation_checks(self, request: web.Request, scope: str) -> web.Response | None:
        """What Twitch checks before any moderation call: user token, its scope, moderator_id = the
        token's user, required query fields, the rate limit, and the bot being a moderator."""
        if self._bearer(request) not in self.valid_user_tokens:
            return self._unauthorized()
        if scope not in self.scopes:
            return self._error(401, f"Missing scope: {scope}")
        query = request.query
        if not query.get("broadcaster_id") or not query.get("moderator_id"):
            return self._error(400, "Missing required parameter broadcaster_id or moderator_id")
        if query["moderator_id"] != BOT_ID:
            return self._error(401, "The ID in moderator_id must match the user ID in the user access token.")
        limited = self._rate_limited()
        if limited is not None:
            return limited
        if query["broadcaster_id"] not in self.moderator_in and query["broadcaster_id"] != BOT_ID:
            return self._error(403, "The user in moderator_id is not one of the broadcaster's moderators.")
        return None

    async def _record(self, request: web.Request, response: web.Response) -> web.Response:
        self.moderation_requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query_string": request.query_string,
                "query": dict(request.query),
                "content_type": request.headers.get("Content-Type", ""),
                "body": await request.read(),
                "status": response.status,
                "response": response.body or b"",
            }
        )
        return response

    async def _delete_chat_message(self, request: web.Request) -> web.Response:
        """DELETE /helix/moderation/chat: 204 No Content, or one of the documented errors."""
        failed = await self._moderation_checks(request, "moderator:manage:chat_messages")
        if failed is not None:
            return await self._record(request, failed)
        message_id = request.query.get("message_id")
        if message_id is None:  # documented: without message_id, every message in the chat is removed
            self.chat_cleared += 1
            return await self._record(request, web.Response(status=204))
        chatter = self.messages.get(message_id)
        if chatter is None:
            return await self._record(request, self._error(404, "The ID in message_id was not found."))
        if chatter == request.query["broadcaster_id"]:
            return await self._record(
                request, self._error(400, "You may not delete the broadcaster's messages.")
            )
        if chatter in self.channel_moderators:
            return await self._record(
                request, self._error(400, "You may not delete another moderator's messages.")
            )
        del self.messages[message_id]
        self.deleted.append(message_id)
        return await self._record(request, web.Response(status=204))

    async def _ban_user(self, request: web.Request) -> web.Response:
        """POST /helix/moderation/bans with {"data": {"user_id", "duration"?, "reason"?}}: 200 with the
        ban (end_time set for a timeout), or one of the documented errors."""
        failed = await self._moderation_checks(request, "moderator:manage:banned_users")
        if failed is not None:
            return await self._record(request, failed)
        try:
            data = (await request.json())["data"]
            user_id = str(data["user_id"])
        except (ValueError, KeyError, TypeError):
            return await self._record(request, self._error(400, "Missing required field data.user_id"))
        duration = data.get("duration")
        if duration is not None and (
            not isinstance(duration, int) or not 1 <= duration <= MAX_BAN_DURATION_S
        ):
            return await self._record(
                request, self._error(400, "The value in the duration field is not valid.")
            )
        if len(str(data.get("reason", ""))) > 500:
            return await self._record(request, self._error(400, "The text in the reason field is too long."))
        broadcaster = request.query["broadcaster_id"]
        if user_id in (broadcaster, BOT_ID) or user_id in self.channel_moderators:
            return await self._record(
                request, self._error(400, "The user specified in the user_id field may not be banned.")
            )
        now = datetime.now(UTC)
        end = (now + timedelta(seconds=duration)).isoformat().replace("+00:00", "Z") if duration else None
        ban = {
            "broadcaster_id": broadcaster,
            "moderator_id": request.query["moderator_id"],
            "user_id": user_id,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "end_time": end,
        }
        self.bans.append({**ban, "duration": duration, "reason": data.get("reason", ""), "lifted": False})
        return await self._record(request, web.json_response({"data": [ban]}))

    async def _unban_user(self, request: web.Request) -> web.Response:
        """DELETE /helix/moderation/bans?broadcaster_id&moderator_id&user_id: removes a ban or a
        timeout. 204 No Content, or 400 when user_id is missing or the user is not banned."""
        failed = await self._moderation_checks(request, "moderator:manage:banned_users")
        if failed is not None:
            return await self._record(request, failed)
        user_id = request.query.get("user_id")
        if not user_id:
            return await self._record(request, self._error(400, "Missing required parameter user_id"))
        ban = self.active_ban(request.query["broadcaster_id"], user_id)
        if ban is None:
            return await self._record(request, self._error(400, "user is not banned"))
        ban["lifted"] = True
        return await self._record(request, web.Response(status=204))

    # -- EventSub WebSocket --------------------------------------------------------------------------
    def _envelope(self, message_type: str, payload: dict[str, Any]) -> str:
        return json.dumps(
            {
                "metadata": {
                    "message_id": str(uuid.uuid4()),
                    "message_type": message_type,
                    "message_timestamp": _now_iso(),
                },
                "payload": payload,
            }
        )

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connects += 1
        old = self._pending_reconnects.pop(request.query.get("reconnect_id", ""), None)
        keepalive = float(request.query.get("keepalive_timeout_seconds", old.keepalive_s if old else 10))
        session = _Session(id=secrets.token_hex(8), ws=ws, keepalive_s=keepalive)
        if old is not None:
            session.subscribed = set(old.subscribed)  # subscriptions carry over on reconnect
        self.sessions[session.id] = session
        self.frames_sent += 1
        await ws.send_str(
            self._envelope(
                "session_welcome",
                {
                    "session": {
                        "id": session.id,
                        "status": "connected",
                        "keepalive_timeout_seconds": keepalive,
                        "reconnect_url": None,
                        "connected_at": _now_iso(),
                    }
                },
            )
        )
        self.active = session
        self._wakeup.set()
        pump = asyncio.create_task(self._pump(session))
        self._tasks.add(pump)
        if old is not None:  # Twitch closes the old connection once the new one is welcomed
            closing = asyncio.create_task(old.ws.close())
            self._tasks.add(closing)
            closing.add_done_callback(self._tasks.discard)
        try:
            async for _ in ws:
                await ws.close(code=4001)  # clients must not send anything
        finally:
            await asyncio.gather(
                pump, return_exceptions=True
            )  # it stops by itself once the socket is closed, re-queueing an unsent message
            self._tasks.discard(pump)
            self.sessions.pop(session.id, None)
        return ws

    async def _pump(self, session: _Session) -> None:
        """Keepalives when idle; notifications from the outbox while this is the subscribed session."""
        loop = asyncio.get_running_loop()
        last_sent = loop.time()
        while not session.ws.closed:
            if self.silent:
                if self.ping_while_silent and not session.ws.closed:
                    await session.ws.ping()  # transport alive, protocol dead
                await asyncio.sleep(0.05)
                last_sent = loop.time()
                continue
            if self.outbox and self.active is session and session.subscribed:
                message = self.outbox.popleft()
                text = message["raw"] if "raw" in message else json.dumps(message)
                try:  # shielded: see FakeBilibili._pump; a failed write keeps the message queued
                    await asyncio.shield(session.ws.send_str(text))
                except (ConnectionError, RuntimeError):
                    self.outbox.appendleft(message)
                    return
                self.frames_sent += 1
                self.delivered.append(json.loads(text) if "raw" in message else message)
                self.delivered_text.append(text)
                last_sent = loop.time()
                continue
            if loop.time() - last_sent >= session.keepalive_s / 2:
                self.frames_sent += 1
                await session.ws.send_str(self._envelope("session_keepalive", {}))
                last_sent = loop.time()
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=0.05)
