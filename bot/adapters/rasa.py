"""Client for the Rasa server: liveroom's input channel (``POST /webhooks/liveroom/webhook``).

The liveroom channel (nlu/rasa/channel.py) answers like Rasa's REST channel and adds the NLU parse of the
message (intent, confidence, language, sentiment), so the gateway learns intent and room mood without
a second call. Metadata (platform, room, viewer, language, audience mood) travels with each message:
Rasa hands it to NLU components, the tracker and custom actions. A plain REST channel answer (a list)
is understood too.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.core.ports import BotReply, Parse, RasaResult, RasaUnavailable
from nlu.text.viewer_text import as_chat_text

__all__ = ["BotReply", "Parse", "RasaClient", "RasaResult", "RasaUnavailable", "parse_answer"]

log = logging.getLogger(__name__)


def _silenced(raw: object) -> str | None:
    """The reason from the channel's ``policy`` object ({"reply": bool, "reason": str}) when it says
    the bot stays silent."""
    if not isinstance(raw, dict) or raw.get("reply") is True:
        return None
    reason = raw.get("reason")
    return reason[:64] if isinstance(reason, str) else None


def parse_answer(data: object) -> RasaResult:
    """Read either channel's answer; anything unexpected is a RasaUnavailable (a counted failure)."""
    if isinstance(data, list):
        messages, parse = data, None
    elif isinstance(data, dict) and isinstance(data.get("messages"), list):
        messages, raw = data["messages"], data.get("parse")
        parse = None
        if isinstance(raw, dict):
            sentiment = raw.get("sentiment")
            parse = Parse(
                intent=raw.get("intent") if isinstance(raw.get("intent"), str) else None,
                confidence=float(raw.get("confidence") or 0.0),
                lang=raw.get("lang") if isinstance(raw.get("lang"), str) else None,
                sentiment=float(sentiment) if isinstance(sentiment, (int, float)) else None,
                entities=tuple(e for e in raw.get("entities") or [] if isinstance(e, dict)),
                action_ms=float(raw["action_ms"]) if isinstance(raw.get("action_ms"), (int, float)) else None,
                silenced=_silenced(raw.get("policy")),
            )
    else:
        raise RasaUnavailable(f"unexpected answer from Rasa: {str(data)[:200]}")
    replies = [
        BotReply(text=m["text"]) for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)
    ]
    return RasaResult(replies=replies, parse=parse)


class RasaClient:
    """Talks to one Rasa server or to several replicas that share their conversations.

    Replicas (``LIVEROOM_RASA_URLS``) share one tracker store (PostgreSQL) and one lock store (Redis),
    so any replica can continue any conversation. A conversation is routed to the same replica while
    it lives (hash of the sender id: its tracker stays warm there); when that replica refuses the
    connection or answers 5xx, the turn goes to the next live one, which reads the same tracker.

    Every request goes through ``_request``, which adds the Rasa token (``LIVEROOM_RASA_TOKEN``): as
    ``?token=`` to calls of Rasa's HTTP API (``rasa run --auth-token``: everything outside ``/webhooks/``
    and the root) and as a bearer header to the webhooks (the liveroom channel's own check), so a
    method added later cannot forget it.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str | Sequence[str],
        *,
        timeout_s: float = 10.0,
        channel: str = "liveroom",
        token: str | None = None,
        down_for_s: float = 5.0,
        on_failover: Callable[[str, str], None] | None = None,
    ) -> None:
        """``on_failover(owner, taken_by)`` is called for every turn that moved off its (down) owner
        replica: the gateway counts it as ``liveroom_rasa_failovers_total{replica=owner}``."""
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.replicas = [u.rstrip("/") for u in urls if u.strip()]
        if not self.replicas:
            raise ValueError("RasaClient needs at least one Rasa URL")
        self._session = session
        self.base_url = self.replicas[0]
        self._webhook_path = f"/webhooks/{channel}/webhook"
        self._url = f"{self.base_url}{self._webhook_path}"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._token = token or None
        self._down_for_s = down_for_s
        self._down_until: dict[str, float] = {}
        self.failovers = 0  # turns that moved to another replica (its replica was down)
        self._on_failover = on_failover

    # --- routing ---------------------------------------------------------------------------------------
    def replica_for(self, conversation_id: str) -> str:
        """The replica that owns a conversation while it is up (stable across gateway restarts)."""
        return self.replicas[zlib.crc32(conversation_id.encode("utf-8")) % len(self.replicas)]

    def _candidates(self, conversation_id: str) -> list[str]:
        """The owner first, then the others in ring order; replicas that just failed go last."""
        first = self.replicas.index(self.replica_for(conversation_id))
        ring = self.replicas[first:] + self.replicas[:first]
        now = time.monotonic()
        return sorted(ring, key=lambda url: self._down_until.get(url, 0.0) > now)

    def _mark_down(self, replica: str, reason: str) -> None:
        if self._down_until.get(replica, 0.0) <= time.monotonic():
            log.warning("Rasa replica %s failed (%s); routing around it", replica, reason)
        self._down_until[replica] = time.monotonic() + self._down_for_s

    def _request(
        self,
        method: str,
        replica: str,
        path: str,
        *,
        json: object = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> Any:
        """The one place requests to Rasa are made (returns aiohttp's request context manager).

        The webhooks take the token as ``Authorization: Bearer`` (the liveroom channel checks it,
        nlu/rasa/channel.py); Rasa's HTTP API only reads it from the ``token`` query parameter."""
        params, headers = None, None
        if self._token and path.startswith("/webhooks/"):
            headers = {"Authorization": f"Bearer {self._token}"}
        elif self._token and path != "/":
            params = {"token": self._token}
        return self._session.request(
            method,
            f"{replica}{path}",
            json=json,
            params=params,
            headers=headers,
            timeout=timeout or self._timeout,
        )

    async def _post_routed(self, conversation_id: str, path: str, body: dict[str, Any]) -> Any:
        """POST to the conversation's replica, failing over on refused connections and 5xx.

        When every replica refused the connection, they are tried once more after 0.2 s (Rasa may be
        restarting). A 5xx or a connection reset/closed by the replica moves the turn to the next
        replica but is never retried on the same one; a timeout is not retried at all, because the
        message may already be in the tracker and a retry would answer it twice. (A replica that dies
        after storing the message but before answering leaves that message twice in the shared
        tracker; the viewer still gets one answer, since the first never reached the gateway.)
        """
        candidates, owner = self._candidates(conversation_id), self.replica_for(conversation_id)
        last_error, only_refused = "no replica", True
        for attempt in (1, 2):
            for replica in candidates:
                try:
                    async with self._request("POST", replica, path, json=body) as resp:
                        if resp.status >= 500:
                            self._mark_down(replica, f"HTTP {resp.status}")
                            last_error, only_refused = f"Rasa answered HTTP {resp.status}", False
                            continue
                        if resp.status != 200:
                            raise RasaUnavailable(f"Rasa rejected the request: HTTP {resp.status}")
                        data = await resp.json()
                except aiohttp.ClientConnectorError as err:
                    self._mark_down(replica, "connection refused")
                    last_error = f"cannot reach Rasa at {replica}: {err}"
                    continue
                except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
                    # a pooled keep-alive connection to a replica that died: reset / closed before
                    # any answer. Another replica takes the turn (one replica alone: no retry)
                    self._mark_down(replica, f"connection lost: {err}")
                    last_error, only_refused = f"Rasa connection failed: {err}", False
                    if len(candidates) == 1:
                        raise RasaUnavailable(last_error) from err
                    continue
                except aiohttp.ClientError as err:
                    raise RasaUnavailable(f"Rasa connection failed: {err}") from err
                except TimeoutError as err:
                    raise RasaUnavailable(f"Rasa did not answer within {self._timeout.total}s") from err
                if replica != owner:
                    self.failovers += 1
                    if self._on_failover is not None:
                        self._on_failover(owner, replica)
                    log.info(
                        "conversation %s continued on replica %s (owner %s is down)",
                        conversation_id,
                        replica,
                        owner,
                    )
                return data
            if attempt == 1 and only_refused:
                await asyncio.sleep(0.2)
            else:
                break
        raise RasaUnavailable(last_error)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> RasaResult:
        """Send one viewer message; return the bot's replies (in order) and the NLU parse.

        The text is data, never a command: a leading ``/`` (in any disguise) would make Rasa read it as
        ``/intent{entities}``, so it is dropped here (``nlu.text.viewer_text.as_chat_text``; the liveroom
        channel drops it again on arrival). The gateway's own intents go through ``trigger_intent``."""
        body = {"sender": conversation_id, "message": as_chat_text(text), "metadata": metadata}
        return parse_answer(await self._post_routed(conversation_id, self._webhook_path, body))

    async def set_slots(self, conversation_id: str, slots: dict[str, Any]) -> bool:
        """Set slots on a conversation through the liveroom channel (``POST /webhooks/liveroom/slots``);
        True if applied.

        Used after the gateway answered without Rasa, so the conversation keeps its context. (Rasa's
        own ``/conversations/{id}/tracker/events`` does not URL-decode the id, so ids such as
        ``simulator:room:小明`` could not be addressed there.)
        """
        body = {"sender": conversation_id, "slots": slots}
        try:
            await self._post_routed(conversation_id, "/webhooks/liveroom/slots", body)
            return True
        except RasaUnavailable as err:
            log.info("slots for %s not delivered: %s", conversation_id, err)
        return False

    async def trigger_intent(self, conversation_id: str, intent: str, entities: dict[str, Any]) -> RasaResult:
        """Trigger an external intent (``POST /conversations/{id}/trigger_intent``) so the bot acts on
        its own, e.g. on a room mood change (bot/mood.py); returns the messages the bot produced.

        Rasa keeps the id as it appears in the path (no URL-decoding), so callers use ASCII-safe ids.
        """
        path = f"/conversations/{quote(conversation_id, safe=':')}/trigger_intent"
        body = {"name": intent, "entities": entities}
        return parse_answer(await self._post_routed(conversation_id, path, body))

    async def status(self, replica: str | None = None) -> dict[str, Any]:
        """Rasa's ``GET /status`` (model id and fingerprint) of one replica: an HTTP API call, so it
        carries the token; RasaUnavailable if it cannot be read (401 = wrong or missing token)."""
        url = replica or self.base_url
        try:
            async with self._request("GET", url, "/status") as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa /status answered HTTP {resp.status}")
                data = await resp.json()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise RasaUnavailable(f"Rasa /status failed: {err}") from err
        if not isinstance(data, dict):
            raise RasaUnavailable("Rasa /status did not answer a JSON object")
        return data

    async def healthy(self) -> bool:
        """Rasa answers when any replica's root does (the model is loaded before it listens)."""
        for replica in self.replicas:
            try:
                async with self._request("GET", replica, "/", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return True
            except (aiohttp.ClientError, TimeoutError):
                continue
        return False
