"""Our EventSub WebSocket session: welcome, keepalive deadline, session_reconnect hand-over, dedup.

twitchio 3 does the OAuth, token refresh and Helix calls; its own EventSub socket dispatches parsed
objects without the frame-level hooks this connector needs (every frame counted, dedup by the
envelope's ``message_id``, a keepalive deadline visible as connection state). So the socket is ours,
following the documented protocol:

* connect to ``WSS?keepalive_timeout_seconds=K``; the first frame must be ``session_welcome``;
  then subscribe (a fresh session has no subscriptions);
* any frame resets the deadline ``K + grace``; silence past it = DEAD, replaced by a fresh session that
  subscribes again;
* ``session_reconnect``: open ``reconnect_url`` *while still reading the old socket*, switch after its
  welcome (subscriptions carry over, no resubscribe), drain the old socket until Twitch closes it;
* revocation of the chat subscription replaces the session too (it would otherwise keep sending
  keepalives while no chat can arrive);
* notifications are deduplicated by ``metadata.message_id`` (Twitch delivers at least once, and may
  deliver across the hand-over on both sockets).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace

import aiohttp

from connectors.accounting import ConnectorStats, ConnState
from connectors.base import EventSink
from connectors.limits import Backoff
from connectors.tasks import cancel_and_wait
from connectors.twitch.payloads import Skip, WebsocketMessage, to_event

log = logging.getLogger(__name__)

SEEN_MESSAGE_IDS = 20_000
WELCOME_TIMEOUT_S = 11.0  # Twitch sends the welcome immediately; 10 s is its subscribe deadline
DRAIN_TIMEOUT_S = 30.0  # the old socket lives at most this long after session_reconnect
STATE_ROOM = "eventsub"  # one socket carries every channel; its state is reported under this name


class _Dead(Exception):
    pass


class EventSubSocket:
    """Keeps one EventSub WebSocket session alive and delivers its notifications to a sink."""

    def __init__(
        self,
        *,
        url: str,
        keepalive_s: float,
        grace_s: float,
        subscribe: Callable[[str], Awaitable[None]],
        sink: EventSink,
        stats: ConnectorStats,
        session: aiohttp.ClientSession,
        backoff: Backoff,
        own_user_id: str = "",
    ) -> None:
        self._url = f"{url}?keepalive_timeout_seconds={keepalive_s:g}"
        self._deadline_s = keepalive_s + grace_s
        self._subscribe = subscribe
        self._sink = sink
        self._stats = stats
        self._session = session
        self._backoff = backoff
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._own_user_id = own_user_id
        self._task: asyncio.Task[None] | None = None
        self._drains: set[asyncio.Task[None]] = set()
        self._current: aiohttp.ClientWebSocketResponse | None = None
        self.session_id: str | None = None
        self.ready = asyncio.Event()
        #: seconds from a session_reconnect message to the new socket's welcome (events keep flowing
        #: on the old socket meanwhile, so this is not a delivery gap)
        self.last_handover_s: float | None = None

    def start(self) -> None:
        self._stats.set_state(STATE_ROOM, ConnState.CONNECTING)
        self._task = asyncio.create_task(self._run(), name="twitch-eventsub")

    async def stop(self) -> None:
        await cancel_and_wait(self._task, *self._drains)
        self._stats.set_state(STATE_ROOM, ConnState.DISCONNECTED)

    async def _run(self) -> None:
        while True:
            try:
                ws = self._current = await self._session.ws_connect(self._url, autoping=True)
                try:
                    await self._welcome(ws)
                    await self._subscribe(self.session_id or "")
                    self._stats.set_state(STATE_ROOM, ConnState.CONNECTED)
                    self.ready.set()
                    self._backoff.reset()
                    await self._listen(ws)
                finally:
                    await ws.close()
                    if self._current is not None:
                        await self._current.close()
            except asyncio.CancelledError:
                raise
            except (_Dead, aiohttp.ClientError, OSError, TimeoutError) as err:
                log.warning("twitch eventsub: session replaced: %s", err)
            except Exception as err:  # subscribe failures (HTTP errors) must not end the connector
                log.error("twitch eventsub: session failed: %r", err)
            self.ready.clear()
            self._stats.set_state(STATE_ROOM, ConnState.DEAD)
            self._stats.set_state(STATE_ROOM, ConnState.RECONNECTING)
            await asyncio.sleep(self._backoff.next_delay())

    async def _welcome(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read until session_welcome (anything else first is counted and dropped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WELCOME_TIMEOUT_S
        while True:
            message = await self._receive(ws, max(0.0, deadline - loop.time()), "welcome")
            if message is None:
                continue
            if message["metadata"].get("message_type") == "session_welcome":
                self.session_id = message["payload"]["session"]["id"]
                self._stats.handled("session_welcome")
                return
            self._stats.dropped("before_welcome")

    async def _receive(
        self, ws: aiohttp.ClientWebSocketResponse, timeout: float, waiting_for: str
    ) -> WebsocketMessage | None:
        """One frame as a message, or None if it was counted as a drop. Raises _Dead on silence/close."""
        try:
            # an absolute bound: aiohttp's own receive timeout restarts after each (auto-answered) ping,
            # so a socket that only pings would never count as silent
            async with asyncio.timeout(timeout):
                frame = await ws.receive()
        except TimeoutError:
            raise _Dead(f"no {waiting_for} within {timeout:.1f}s") from None
        if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            raise _Dead(f"closed by Twitch ({ws.close_code})")
        if frame.type == aiohttp.WSMsgType.ERROR:
            raise _Dead(f"socket error {ws.exception()!r}")
        if frame.type != aiohttp.WSMsgType.TEXT:
            self._stats.dropped("binary_frame")
            return None
        try:
            message: WebsocketMessage = json.loads(frame.data)
            message["metadata"]["message_type"]
        except (ValueError, KeyError, TypeError):
            self._stats.dropped("invalid_json")
            return None
        return message

    async def _listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            message = await self._receive(ws, self._deadline_s, "keepalive")
            if message is None:
                continue
            kind = message["metadata"]["message_type"]
            if kind == "notification":
                await self._process_notification(message)
            elif kind == "session_keepalive":
                self._stats.handled("session_keepalive")
            elif kind == "session_reconnect":
                self._stats.handled("session_reconnect")
                ws = self._current = await self._process_reconnect(ws, message)
            elif kind == "revocation":
                self._stats.handled("revocation")
                sub = message["payload"].get("subscription", {})
                log.warning(
                    "twitch eventsub: subscription %s revoked: %s", sub.get("type"), sub.get("status")
                )
                if sub.get("type") == "channel.chat.message":
                    # keepalives would go on, but no chat would ever arrive: "connected but dead".
                    # A fresh session subscribes again; if that is refused the state stays non-connected.
                    raise _Dead(f"chat subscription revoked ({sub.get('status')})")
            else:
                self._stats.dropped("unknown_message_type")

    async def _process_reconnect(
        self, old: aiohttp.ClientWebSocketResponse, message: WebsocketMessage
    ) -> aiohttp.ClientWebSocketResponse:
        url = message["payload"]["session"]["reconnect_url"] or self._url
        log.info("twitch eventsub: session_reconnect, moving to a new socket")
        started = asyncio.get_running_loop().time()
        new = await self._session.ws_connect(url, autoping=True)
        drain = asyncio.create_task(self._drain(old))  # keep reading the old one meanwhile
        self._drains.add(drain)
        drain.add_done_callback(self._drains.discard)
        try:
            await self._welcome(new)
        except BaseException:
            await new.close()
            raise
        self.last_handover_s = asyncio.get_running_loop().time() - started
        return new

    async def _drain(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async with asyncio.timeout(DRAIN_TIMEOUT_S):
                while True:
                    message = await self._receive(ws, DRAIN_TIMEOUT_S, "drain")
                    if message is None:
                        continue
                    if message["metadata"]["message_type"] == "notification":
                        await self._process_notification(message)
                    else:
                        self._stats.handled("old_session_" + message["metadata"]["message_type"])
        except (_Dead, TimeoutError):
            pass
        finally:
            await ws.close()

    async def _process_notification(self, message: WebsocketMessage) -> None:
        message_id = message["metadata"].get("message_id", "")
        if message_id in self._seen:
            self._stats.dropped("duplicate")
            return
        self._seen[message_id] = None
        if len(self._seen) > SEEN_MESSAGE_IDS:
            self._seen.popitem(last=False)
        try:
            event = to_event(message)
        except Skip as skip:
            self._stats.dropped(skip.reason)
            return
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            log.info("twitch eventsub: malformed notification %s: %r", message_id, err)
            self._stats.dropped("bad_payload")
            return
        if event.notice is not None:
            if self._own_user_id and event.notice.moderator_id == self._own_user_id:
                # the bot's own delete/timeout, reported back by channel.moderate: marked, so the
                # moderators' log does not list it next to the gateway's record of the same decision
                event = replace(event, notice=replace(event.notice, by_bot=True))
        elif self._own_user_id and event.viewer_id == self._own_user_id:
            self._stats.dropped("own_message")  # EventSub echoes the bot's own chat messages
            return
        try:
            await self._sink(event)
        except Exception:
            log.exception("twitch eventsub: sink failed for %s", event.message_id)
            self._stats.dropped("sink_error")
            return
        self._stats.delivered()
