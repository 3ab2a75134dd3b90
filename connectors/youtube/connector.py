"""The YouTube :class:`Connector`: polls liveChatMessages.list, sends and moderates through the Data API.

* find the chat: ``YOUTUBE_LIVE_CHAT_ID``, else the video's ``activeLiveChatId``, else the token's own
  active broadcast; none -> state ``not_found``, looked for again every ``discover_every_s``.
* receive: liveChatMessages.list with the previous ``nextPageToken``, then wait
  ``max(pollingIntervalMillis, what the quota allows)`` (:mod:`connectors.youtube.quota`). The first
  answer replays recent history: items older than ``backlog_s`` before start are dropped ("backlog"),
  so the bot does not answer questions asked before it came. ``chatEndedEvent``, ``offlineAt`` or
  the error ``liveChatEnded`` -> state ``ended`` and polling stops.
* send: liveChatMessages.insert, split to 200 characters on word boundaries like the other connectors
  (the API rejects longer text), paced by the gateway's pacer to ``send_limit`` (``send_per_s``) and
  refused (counted ``refused/quota``) when the units left would not pay for polling until the end of
  the stream.
* moderate: "delete" -> liveChatMessages.delete; "timeout" -> liveChatBans.insert ``temporary`` with
  ``banDurationSeconds``; "ban" -> ``permanent``. The ban id the API returns is remembered per viewer
  so :meth:`lift_timeout` can liveChatBans.delete it (the API has no way to look a ban up). The chat
  echoes the bot's own deletes and bans (messageDeletedEvent / userBannedEvent): they are dropped
  ("own_moderation"), since a MODERATION event means an action the bot did not take; the bot's own
  messages likewise ("own_message").
* errors: ``quotaExceeded`` -> state ``quota_exceeded`` until midnight Pacific; 401 -> one token refresh,
  then ``auth_failed`` (polling stops); ``liveChatDisabled`` -> ``chat_disabled``, ``liveChatNotFound``
  -> ``not_found`` (both retried slowly: the broadcaster may fix it); 5xx, 429/rateLimitExceeded,
  network -> ``reconnecting`` with capped exponential backoff and full jitter.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from connectors.accounting import ConnState
from connectors.base import ChatEvent, Connector, EventSink, NotTimedOut, OutboundMessage
from connectors.limits import Backoff, SendPause, split_message
from connectors.tasks import cancel_and_wait
from connectors.youtube.api import YouTubeApi
from connectors.youtube.config import MAX_TIMEOUT_S, YouTubeConfig
from connectors.youtube.errors import (
    ApiError,
    AuthError,
    QuotaRefused,
    YouTubeError,
    YouTubeModerationError,
)
from connectors.youtube.oauth import TokenSource
from connectors.youtube.payloads import PLATFORM, ChatEnded, PayloadError, Skip, parse_page, to_event
from connectors.youtube.quota import QuotaBudget

log = logging.getLogger(__name__)

#: ids of the bot's own messages, kept to drop their echo from the next polls
OWN_MEMORY = 500
#: viewers whose ban ids are remembered for lifting
BAN_MEMORY = 5000
RETRY_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "backendError", "network"})


def _action_key(event: ChatEvent) -> tuple[str, str]:
    notice = event.notice
    assert notice is not None
    if notice.action == "delete":
        return "delete", notice.target_message_id
    return "ban", notice.target_id


class YouTubeConnector(Connector):
    platform = PLATFORM
    can_lift_timeout = True

    def __init__(
        self,
        *,
        config: YouTubeConfig | None = None,
        bot_name: str = "liveroom",
        quota: QuotaBudget | None = None,
        backlog_s: float = 30.0,
        **_: object,
    ) -> None:
        self.config = config or YouTubeConfig.from_env()
        self.bot_name = bot_name
        cfg = self.config
        self.send_limit = cfg.send_limit
        self.pause = SendPause()
        self.quota = quota or QuotaBudget(
            daily_quota=cfg.daily_quota,
            stream_s=cfg.stream_hours * 3600,
            max_poll_s=cfg.max_poll_s,
            used=cfg.quota_used_at_start,
            costs=dict(cfg.quota_costs),
        )
        self.backlog_s = backlog_s
        self.room = cfg.room
        self.live_chat_id = cfg.live_chat_id
        self.bot_channel_id = cfg.bot_channel_id
        self.page_token: str | None = None
        self.last_poll_interval_s = 0.0
        self._session: aiohttp.ClientSession | None = None
        self.api: YouTubeApi | None = None
        self._task: asyncio.Task[None] | None = None
        self._sink: EventSink | None = None
        self._started_at = 0.0
        self._own_ids: OrderedDict[str, None] = OrderedDict()
        self._bans: OrderedDict[tuple[str, str], str] = OrderedDict()
        #: ("delete", message id) / ("ban", channel id) the bot did, to recognise their echo in chat
        self._own_actions: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._backoff = Backoff(base_s=cfg.backoff_base_s, cap_s=cfg.backoff_cap_s)
        self._rng = random.Random()
        self.stopped = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        self._started_at = time.time()
        self._session = aiohttp.ClientSession()
        tokens = TokenSource(self._session, self.config)
        self.api = YouTubeApi(self._session, self.config, tokens, self.quota)
        self.stats.set_state(self.room, ConnState.CONNECTING)
        self._publish_quota()
        self._task = asyncio.create_task(self._run(), name=f"youtube-{self.room}")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        if self._session is not None:
            await self._session.close()
        self._task = self._session = self.api = None
        self.stats.set_state(self.room, ConnState.DISCONNECTED)

    def _publish_quota(self) -> None:
        self.stats.set_quota(**self.quota.figures())

    # -- receiving ---------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            while True:
                try:
                    delay = await self._step()
                except Exception:  # a bug here must not end polling silently
                    log.exception("youtube %s: poll loop failed", self.room)
                    self.stats.set_state(self.room, ConnState.DEAD)
                    delay = max(self._backoff.next_delay(), self.config.min_poll_s)
                if delay is None:
                    return
                await asyncio.sleep(delay)
        finally:
            self.stopped.set()

    async def _step(self) -> float | None:
        """One discovery or poll; returns how long to wait before the next, None to stop for good."""
        assert self.api is not None
        try:
            if not self.live_chat_id:
                chat = await self._discover()
                self._publish_quota()
                if chat is None:
                    log.info("youtube %s: no active live chat, looking again later", self.room)
                    self.stats.set_state(self.room, ConnState.NOT_FOUND)
                    return self.config.discover_every_s
                self.live_chat_id, self.page_token = chat, None
            if self.quota.remaining < self.quota.cost("liveChatMessages.list"):
                return self._quota_exceeded()  # our own count says the day's units are gone
            data = await self.api.list_messages(self.live_chat_id, self.page_token)
            page = parse_page(data)
        except AuthError as err:
            log.error("youtube %s: credentials rejected after a refresh: %s", self.room, err)
            self.stats.set_state(self.room, ConnState.AUTH_FAILED)
            return None
        except QuotaRefused:
            return self._quota_exceeded()
        except ApiError as err:
            return self._api_error(err)
        except PayloadError as err:
            log.warning("youtube %s: unusable list answer: %s", self.room, err)
            self.stats.dropped(err.reason)
            self.stats.set_state(self.room, ConnState.RECONNECTING)
            return self._backoff.next_delay()
        finally:
            self._publish_quota()
        self.stats.set_state(self.room, ConnState.CONNECTED)
        self._backoff.reset()
        self.page_token = page.next_page_token or self.page_token
        try:
            for item in page.items:
                await self._process(item)
        except ChatEnded:
            self._ended("chatEndedEvent")
            return None
        if page.offline_at is not None:
            self._ended("offlineAt")
            return None
        self.last_poll_interval_s = self.quota.poll_interval(page.polling_interval_s, self.config.min_poll_s)
        return self.last_poll_interval_s

    async def _discover(self) -> str | None:
        assert self.api is not None
        if self.config.video_id:
            return await self.api.active_chat_of_video(self.config.video_id)
        return await self.api.active_chat_of_mine()

    def _ended(self, why: str) -> None:
        log.info("youtube %s: live chat ended (%s), polling stopped", self.room, why)
        self.stats.set_state(self.room, ConnState.ENDED)

    def _quota_exceeded(self) -> float:
        wait = self.quota.seconds_to_reset() + self._rng.uniform(1, 60)
        log.error("youtube %s: daily quota exceeded, waiting %.0f s for the reset", self.room, wait)
        self.stats.set_state(self.room, ConnState.QUOTA_EXCEEDED)
        return wait

    def _api_error(self, err: ApiError) -> float | None:
        reason = err.reason
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            return self._quota_exceeded()
        if reason == "liveChatEnded":
            self._ended("liveChatEnded")
            return None
        if reason == "liveChatDisabled":
            log.error("youtube %s: live chat is disabled for this broadcast", self.room)
            self.stats.set_state(self.room, ConnState.CHAT_DISABLED)
            return self.config.discover_every_s
        if reason in ("liveChatNotFound", "notFound"):
            log.error("youtube %s: live chat %s not found", self.room, self.live_chat_id)
            self.stats.set_state(self.room, ConnState.NOT_FOUND)
            if not self.config.live_chat_id:
                self.live_chat_id, self.page_token = "", None  # look for the next broadcast
            return self.config.discover_every_s
        if reason.startswith("pageToken"):  # an expired or unknown token: start from the chat's tail
            log.warning("youtube %s: page token refused (%s), starting over", self.room, reason)
            self.page_token = None
            self.stats.set_state(self.room, ConnState.RECONNECTING)
            return self._backoff.next_delay()
        if err.status in (0, 429) or err.status >= 500 or reason in RETRY_REASONS:
            log.warning("youtube %s: poll failed, retrying with backoff: %s", self.room, err)
            self.stats.set_state(self.room, ConnState.RECONNECTING)
            return self._backoff.next_delay()
        # 400 / 403 forbidden / insufficientPermissions: a reconnect will not fix it; retry slowly
        log.error("youtube %s: poll refused: %s", self.room, err)
        self.stats.set_state(self.room, ConnState.DEAD)
        return max(self._backoff.next_delay(), self.config.discover_every_s)

    async def _process(self, item: Any) -> None:
        try:
            event = to_event(item, self.room)
        except ChatEnded:
            self.stats.handled("chat_ended")
            raise
        except Skip as skip:
            self.stats.dropped(skip.reason)
            return
        except PayloadError as err:
            log.info("youtube %s: dropped item: %s", self.room, err)
            self.stats.dropped(err.reason)
            return
        if event.message_id in self._own_ids or (
            self.bot_channel_id and event.viewer_id == self.bot_channel_id
        ):
            self.stats.dropped("own_message")
            return
        if event.notice is not None and _action_key(event) in self._own_actions:
            del self._own_actions[_action_key(event)]
            # the echo of the bot's own delete / ban: ChatEvent MODERATION is what the bot did not do
            self.stats.dropped("own_moderation")
            return
        if event.timestamp < self._started_at - self.backlog_s:
            self.stats.dropped("backlog")
            return
        assert self._sink is not None
        try:
            await self._sink(event)
        except Exception:  # the gateway's problem must not stop polling
            log.exception("youtube %s: sink failed for %s", self.room, event.message_id)
            self.stats.dropped("sink_error")
            return
        self.stats.delivered()

    # -- sending -----------------------------------------------------------------------------
    async def send(self, message: OutboundMessage) -> None:
        """Split to 200 characters, pace, respect the quota; failures are counted and logged."""
        if self.api is None:
            raise YouTubeError("connector not started")
        text = message.text
        if message.mention:  # YouTube chat has no replies: address the viewer by name
            text = f"@{message.mention} {text}"
        parts = split_message(text, self.config.max_chars)
        for index, part in enumerate(parts):
            if not self.live_chat_id or self.stats.states.get(self.room) is ConnState.ENDED:
                self._refuse(len(parts) - index, "failed", "no_chat")
                return
            if not self.quota.may_spend("liveChatMessages.insert"):
                log.warning("youtube %s: message refused, the quota left is kept for polling", self.room)
                self._refuse(len(parts) - index, "refused", "quota")
                return
            if not await self._send_part(part):
                self._refuse(len(parts) - index - 1, "failed", "previous_part")
                return

    def _refuse(self, count: int, outcome: str, reason: str) -> None:
        for _ in range(count):
            self.stats.sent(outcome, reason)

    async def _send_part(self, text: str) -> bool:
        assert self.api is not None
        for attempt in range(2):
            try:
                async with self.pause.slot() as waited:
                    self.stats.waited(waited)
                    data = await self.api.insert_message(self.live_chat_id, text)
            except QuotaRefused as err:
                self.stats.sent("refused", err.reason)
                return False
            except ApiError as err:
                if err.reason in ("rateLimitExceeded", "userRateLimitExceeded") and attempt == 0:
                    self.stats.sent("retried", err.reason)
                    self.pause.pause_for(5.0)
                    continue
                self.stats.sent("failed", err.reason)
                log.warning("youtube %s: message not sent: %s", self.room, err)
                return False
            finally:
                self._publish_quota()
            self._remember_own(data)
            self.stats.sent("sent")
            return True
        return False

    def _remember_own(self, data: dict[str, Any]) -> None:
        if data.get("id"):
            self._own_ids[str(data["id"])] = None
            if len(self._own_ids) > OWN_MEMORY:
                self._own_ids.popitem(last=False)
        author = (data.get("snippet") or {}).get("authorChannelId")
        if author and not self.bot_channel_id:
            self.bot_channel_id = str(author)

    # -- moderation --------------------------------------------------------------------------
    async def moderate(self, event: ChatEvent, action: str, timeout_s: int) -> bool:
        """ "delete" the event's message, "timeout" its author for ``timeout_s`` (1 s - 24 h), or "ban"
        them for good. False (logged) when not started, refused by the quota pacer or by YouTube."""
        if self.api is None or not self.live_chat_id:
            log.warning("youtube: cannot %s, no live chat", action)
            return False
        api = self.api
        call: Callable[[], Awaitable[Any]]
        if action == "delete":
            method = "liveChatMessages.delete"

            def call() -> Awaitable[Any]:
                return api.delete_message(event.message_id)

        elif action in ("timeout", "ban"):
            if not event.viewer_id:
                log.warning("youtube %s: no channel id to %s", event.room, action)
                return False
            method = "liveChatBans.insert"
            duration = None if action == "ban" else min(max(1, int(timeout_s)), MAX_TIMEOUT_S)

            def call() -> Awaitable[Any]:
                return api.insert_ban(self.live_chat_id, event.viewer_id, duration)

        else:
            log.warning("youtube: unknown moderation action %r", action)
            return False
        # noted before the call: the next poll may bring the echo before the call's answer is read
        key = ("delete", event.message_id) if action == "delete" else ("ban", event.viewer_id)
        self._own_actions[key] = None
        if len(self._own_actions) > OWN_MEMORY:
            self._own_actions.popitem(last=False)
        try:
            result = await self._moderation_call(method, call)
        except YouTubeModerationError as err:
            self._own_actions.pop(key, None)
            log.warning("youtube %s: %s of %s refused: %s", event.room, action, event.message_id, err)
            return False
        if action != "delete" and isinstance(result, dict) and result.get("id"):
            self._bans[event.room, event.viewer_id] = str(result["id"])
            if len(self._bans) > BAN_MEMORY:
                self._bans.popitem(last=False)
        log.info("youtube %s: %s done for %s", event.room, action, event.message_id)
        return True

    async def lift_timeout(self, room: str, viewer_id: str) -> None:
        """liveChatBans.delete the ban this connector made. :class:`NotTimedOut` when YouTube no longer
        knows it (404: it ran out or a human lifted it); :class:`YouTubeModerationError` "unknown_ban"
        when this connector made none (before a restart, or by a human): the API cannot look bans up,
        so it cannot tell whether the viewer is timed out."""
        if self.api is None:
            raise YouTubeModerationError("not_started", "connector not started")
        ban_id = self._bans.get((room, viewer_id))
        if ban_id is None:
            raise YouTubeModerationError("unknown_ban", f"no ban of {viewer_id} made by this connector")
        api = self.api
        try:
            await self._moderation_call("liveChatBans.delete", lambda: api.delete_ban(ban_id))
        except YouTubeModerationError as err:
            if err.reason in ("liveChatBanNotFound", "notFound"):
                self._bans.pop((room, viewer_id), None)
                raise NotTimedOut(f"youtube: {err}") from err
            raise
        self._bans.pop((room, viewer_id), None)
        log.info("youtube %s: ban of %s lifted", room, viewer_id)

    async def _moderation_call(self, method: str, call: Callable[[], Awaitable[Any]]) -> Any:
        if not self.quota.may_spend(method):
            raise YouTubeModerationError("quota", "the quota left is kept for polling")
        try:
            return await call()
        except QuotaRefused as err:
            raise YouTubeModerationError("quota", str(err)) from err
        except ApiError as err:
            reason = "notFound" if err.reason == "http_404" else err.reason
            raise YouTubeModerationError(reason, str(err)) from err
        finally:
            self._publish_quota()
