"""The Twitch :class:`Connector`: twitchio 3 for OAuth/Helix, our EventSub socket for receiving.

* login: twitchio ``Client.login`` (app token by client credentials) and ``add_token`` for the bot's
  user token; twitchio validates it hourly and refreshes it on expiry or a 401.
* receive: :class:`EventSubSocket`; subscriptions are created through twitchio's Helix client with the
  bot's user token (EventSub WebSocket requires a user token).
* send: Helix Send Chat Message via ``PartialUser.send_message``; before sending, messages are split to
  500 characters on word boundaries; the gateway's pacer keeps to :attr:`send_limit` (20 / 30 s, 100 as
  moderator). A 429 pauses every send until its ``Ratelimit-Reset`` and the part is retried.
* moderate: Helix Delete Chat Messages (``DELETE moderation/chat``, one message id) and Ban User with a
  duration (``POST moderation/bans``) through twitchio's ``PartialUser.delete_chat_messages`` /
  ``timeout_user`` with the bot's user token (scopes in ``MODERATION_SCOPES``; the bot must be a
  moderator). They are no messages but honour the 429 pause: all Helix calls of one
  token share Twitch's rate-limit bucket. A refusal (403 not a moderator, 400, 404) is logged -> False.
* lift a timeout (the dashboard's undo): Helix Unban User (``DELETE moderation/bans``, same scope as
  Ban User), which removes a ban or a timeout; 400 "user is not banned" -> :class:`NotTimedOut`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp
import twitchio
from twitchio.eventsub.enums import SubscriptionType

from connectors.base import ChatEvent, Connector, EventSink, NotTimedOut, OutboundMessage, SendLimit
from connectors.limits import Backoff, SendPause, split_message
from connectors.twitch.config import MAX_TIMEOUT_S, TwitchConfig, configure_endpoints_from, eventsub_url
from connectors.twitch.errors import TwitchAuthError, TwitchError, TwitchModerationError, TwitchSendError
from connectors.twitch.eventsub import EventSubSocket
from connectors.twitch.payloads import PLATFORM, SUBSCRIPTIONS

log = logging.getLogger(__name__)

MAX_429_RETRIES = 3
#: shown to the viewer and in the channel's mod log
TIMEOUT_REASON = "liveroom: automated chat moderation"


class TwitchConnector(Connector):
    platform = PLATFORM
    can_lift_timeout = True

    def __init__(
        self,
        *,
        config: TwitchConfig | None = None,
        bot_name: str = "liveroom",
        **_: object,
    ) -> None:
        self.config = config or TwitchConfig.from_env()
        self.bot_name = bot_name
        self.send_limit = SendLimit(
            self.config.effective_send_limit, self.config.send_window_s, self.config.max_chars
        )
        self.pause = SendPause()
        self._client: twitchio.Client | None = None
        self._session: aiohttp.ClientSession | None = None
        self.eventsub: EventSubSocket | None = None
        self.subscription_failures: list[str] = []
        self._rate_limit_reset: float | None = None  # unix time from the last 429's Ratelimit-Reset

    async def start(self, sink: EventSink) -> None:
        cfg = self.config
        configure_endpoints_from(cfg)  # TWITCH_API_BASE & co.: tests and local stand-ins only
        # our session, lent to twitchio, so a trace hook can read Ratelimit-Reset off 429 responses
        # (twitchio's HTTPException does not carry the response headers)
        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(self._on_request_end)
        self._session = aiohttp.ClientSession(trace_configs=[trace])
        client = twitchio.Client(
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
            bot_id=cfg.bot_id,
            fetch_client_user=False,
            session=self._session,
        )
        try:
            await client.login(load_tokens=False, save_tokens=False)
            await client.add_token(cfg.user_token, cfg.refresh_token)
        except (twitchio.TwitchioException, aiohttp.ClientError) as err:
            await client.close()
            await self._session.close()
            raise TwitchAuthError(f"twitch login failed: {type(err).__name__}") from err
        self._client = client
        self.eventsub = EventSubSocket(
            url=eventsub_url(),
            keepalive_s=cfg.keepalive_s,
            grace_s=cfg.keepalive_grace_s,
            subscribe=self._subscribe_all,
            sink=sink,
            stats=self.stats,
            session=self._session,
            backoff=Backoff(base_s=cfg.backoff_base_s, cap_s=cfg.backoff_cap_s),
            own_user_id=cfg.bot_id,
        )
        self.eventsub.start()

    async def _on_request_end(
        self, _session: aiohttp.ClientSession, _ctx: object, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            reset = params.response.headers.get("Ratelimit-Reset", "")
            self._rate_limit_reset = float(reset) if reset.isascii() and reset.isdigit() else None

    async def _subscribe_all(self, session_id: str) -> None:
        """Subscribe a fresh session to every configured event in every channel.

        Chat is required (failure -> the session is retried); the others are optional (a channel that
        did not grant them is logged once per session and skipped).
        """
        assert self._client is not None
        for channel in self.config.channel_ids:
            for sub_type in self.config.events:
                version, condition = SUBSCRIPTIONS[sub_type]
                try:
                    await self._client._http.create_eventsub_subscription(  # twitchio's Helix client
                        type=SubscriptionType(sub_type),
                        version=version,
                        condition=condition(channel, self.config.bot_id),
                        transport={"method": "websocket", "session_id": session_id},
                        token_for=self.config.bot_id,
                    )
                except twitchio.HTTPException as err:
                    if sub_type == "channel.chat.message":
                        raise TwitchError(
                            f"cannot subscribe to chat in {channel}: HTTP {err.status}"
                        ) from err
                    self.subscription_failures.append(f"{channel}:{sub_type}:{err.status}")
                    log.warning("twitch: no %s in channel %s (HTTP %s)", sub_type, channel, err.status)

    async def stop(self) -> None:
        if self.eventsub is not None:
            await self.eventsub.stop()
        if self._session is not None:
            await self._session.close()
        if self._client is not None:
            await self._client.close()
        self._client = self._session = self.eventsub = None

    async def send(self, message: OutboundMessage) -> None:
        """Send within Twitch's limits. A part that still cannot be sent is counted and logged."""
        if self._client is None:
            raise TwitchError("connector not started")
        text = message.text
        if message.mention and not message.reply_to:
            text = f"@{message.mention} {text}"
        channel = self._client.create_partialuser(message.room)
        for index, part in enumerate(split_message(text, self.config.max_chars)):
            reply_to = message.reply_to if index == 0 else None
            try:
                await self._send_part(channel, part, reply_to)
            except TwitchSendError as err:
                self.stats.sent("failed", err.reason)
                log.warning("twitch channel %s: message not sent: %s", message.room, err)
                return

    async def _send_part(self, channel: twitchio.PartialUser, text: str, reply_to: str | None) -> None:
        for _ in range(MAX_429_RETRIES + 1):
            try:
                async with self.pause.slot() as waited:
                    self.stats.waited(waited)
                    await channel.send_message(
                        text,
                        sender=self.config.bot_id,
                        token_for=self.config.bot_id,
                        reply_to_message_id=reply_to,
                    )
            except twitchio.MessageRejectedError as err:
                raise TwitchSendError("rejected", str(err.code)) from err
            except twitchio.HTTPException as err:
                if err.status == 429:
                    # pause every send until Twitch's Ratelimit-Reset (or a default), then retry
                    self.stats.sent("retried", "429")
                    self.pause.pause_for(self._retry_after())
                    continue
                raise TwitchSendError(f"http_{err.status}") from err
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                raise TwitchSendError("network", repr(err)) from err
            self.stats.sent("sent")
            return
        raise TwitchSendError("429", f"still rate limited after {MAX_429_RETRIES} retries")

    def _retry_after(self) -> float:
        reset, self._rate_limit_reset = self._rate_limit_reset, None
        if reset is None:
            return self.config.retry_after_429_s
        return min(max(0.0, reset - time.time()) + 0.05, 60.0)

    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        """Delete ``event``'s message or time its chatter out, as the bot (a moderator of the channel).

        False (logged) when not started, for an unknown action, an event without a message id (Helix
        would delete *every* message of the channel without one), or when Twitch refuses.
        """
        if self._client is None:
            log.warning("twitch: cannot %s, connector not started", action)
            return False
        bot = self.config.bot_id
        channel = self._client.create_partialuser(event.room)
        call: Callable[[], Awaitable[object]]
        if action == "delete":
            if not event.message_id or event.message_id.startswith("follow:"):
                log.warning("twitch channel %s: no chat message id to delete", event.room)
                return False
            message_id = event.message_id

            def call() -> Awaitable[object]:
                return channel.delete_chat_messages(moderator=bot, message_id=message_id, token_for=bot)

        elif action == "timeout":
            if not event.viewer_id:
                log.warning("twitch channel %s: no viewer id to time out", event.room)
                return False
            duration = min(max(1, int(timeout_s)), MAX_TIMEOUT_S)
            viewer = event.viewer_id

            def call() -> Awaitable[object]:
                return channel.timeout_user(
                    moderator=bot, user=viewer, duration=duration, reason=TIMEOUT_REASON, token_for=bot
                )

        else:
            log.warning("twitch: unknown moderation action %r", action)
            return False
        try:
            await self._helix_moderation(call)
        except TwitchModerationError as err:
            log.warning("twitch channel %s: %s of %s refused: %s", event.room, action, event.message_id, err)
            return False
        log.info("twitch channel %s: %s done for %s", event.room, action, event.message_id)
        return True

    async def lift_timeout(self, room: str, viewer_id: str) -> None:
        """Unban ``viewer_id`` in channel ``room`` as the bot: Helix answers 204 when a ban or timeout
        was removed and 400 "user is not banned" when there was none (-> :class:`NotTimedOut`); other
        refusals raise :class:`TwitchModerationError` (403 not a moderator, 429s, network)."""
        if self._client is None:
            raise TwitchModerationError("not_started", "connector not started")
        if not viewer_id:
            raise TwitchModerationError("no_viewer", "no viewer id to unban")
        bot = self.config.bot_id
        channel = self._client.create_partialuser(room)
        try:
            await self._helix_moderation(
                lambda: channel.unban_user(moderator=bot, user_id=viewer_id, token_for=bot)
            )
        except TwitchModerationError as err:
            log.warning("twitch channel %s: lifting the timeout of %s refused: %s", room, viewer_id, err)
            if err.reason == "http_400" and "not banned" in str(err).lower():
                raise NotTimedOut(f"twitch: {err}") from err
            raise
        log.info("twitch channel %s: timeout of %s lifted", room, viewer_id)

    async def _helix_moderation(self, call: Callable[[], Awaitable[object]]) -> None:
        """One Helix moderation request; a 429 pauses every Helix call of the bot until the reset and
        retries (as for sends), other errors raise :class:`TwitchModerationError`."""
        for _ in range(MAX_429_RETRIES + 1):
            await self.pause.wait_unpaused()
            try:
                await call()
            except twitchio.HTTPException as err:
                if err.status == 429:
                    self.pause.pause_for(self._retry_after())
                    continue
                detail = err.extra.get("message", "") if isinstance(err.extra, dict) else ""
                raise TwitchModerationError(f"http_{err.status}", str(detail)) from err
            except twitchio.TwitchioException as err:  # e.g. no usable user token for the bot
                raise TwitchModerationError("twitchio", type(err).__name__) from err
            except (aiohttp.ClientError, asyncio.TimeoutError) as err:
                raise TwitchModerationError("network", repr(err)) from err
            return
        raise TwitchModerationError("429", f"still rate limited after {MAX_429_RETRIES} retries")
