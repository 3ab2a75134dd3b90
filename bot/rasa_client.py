"""Client for the Rasa server: liveroom's input channel (``POST /webhooks/liveroom/webhook``).

The liveroom channel (nlu/channel.py) answers like Rasa's REST channel and adds the NLU parse of the
message (intent, confidence, language, sentiment), so the gateway learns intent and room mood without
a second call. Metadata (platform, room, viewer, language, audience mood) travels with each message:
Rasa hands it to NLU components, the tracker and custom actions. A plain REST channel answer (a list)
is understood too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or 5xx); the gateway decides how to degrade."""


@dataclass(frozen=True)
class BotReply:
    text: str


@dataclass(frozen=True)
class Parse:
    intent: str | None = None
    confidence: float = 0.0
    lang: str | None = None
    sentiment: float | None = None
    entities: tuple[dict[str, Any], ...] = ()
    action_ms: float | None = None  # time in custom actions this turn (as Rasa saw it)


@dataclass(frozen=True)
class RasaResult:
    replies: list[BotReply]
    parse: Parse | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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
            )
    else:
        raise RasaUnavailable(f"unexpected answer from Rasa: {str(data)[:200]}")
    replies = [
        BotReply(text=m["text"]) for m in messages if isinstance(m, dict) and isinstance(m.get("text"), str)
    ]
    return RasaResult(replies=replies, parse=parse)


class RasaClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        channel: str = "liveroom",
    ) -> None:
        self._session = session
        self.base_url = base_url
        self._url = f"{base_url}/webhooks/{channel}/webhook"
        self._slots_url = f"{base_url}/webhooks/liveroom/slots"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> RasaResult:
        """Send one user message; return the bot's replies (in order) and the NLU parse.

        A refused connection is retried once (Rasa may be restarting); anything after the request
        left (timeouts, dropped connections) is not, because the message may already be in the tracker
        and a retry would answer it twice.
        """
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        for attempt in (1, 2):
            try:
                async with self._session.post(self._url, json=body, timeout=self._timeout) as resp:
                    if resp.status >= 500:
                        raise RasaUnavailable(f"Rasa answered HTTP {resp.status}")
                    if resp.status != 200:
                        raise RasaUnavailable(f"Rasa rejected the message: HTTP {resp.status}")
                    data = await resp.json()
            except aiohttp.ClientConnectorError as err:
                if attempt == 1:
                    await asyncio.sleep(0.2)
                    continue
                raise RasaUnavailable(f"cannot reach Rasa at {self._url}: {err}") from err
            except aiohttp.ClientError as err:
                raise RasaUnavailable(f"Rasa connection failed: {err}") from err
            except TimeoutError as err:
                raise RasaUnavailable(f"Rasa did not answer within {self._timeout.total}s") from err
            return parse_answer(data)
        raise AssertionError("unreachable")

    async def set_slots(self, conversation_id: str, slots: dict[str, Any]) -> bool:
        """Set slots on a conversation through the liveroom channel (``POST /webhooks/liveroom/slots``);
        True if applied.

        Used after the gateway answered without Rasa, so the conversation keeps its context. (Rasa's
        own ``/conversations/{id}/tracker/events`` does not URL-decode the id, so ids such as
        ``simulator:room:小明`` could not be addressed there.)
        """
        body = {"sender": conversation_id, "slots": slots}
        try:
            async with self._session.post(self._slots_url, json=body, timeout=self._timeout) as resp:
                if resp.status == 200:
                    return True
                log.info("Rasa refused slots for %s: HTTP %s", conversation_id, resp.status)
        except (aiohttp.ClientError, TimeoutError) as err:
            log.info("slots for %s not delivered: %s", conversation_id, err)
        return False

    async def healthy(self) -> bool:
        """Rasa's root answers once the server runs (the model is loaded before it listens)."""
        try:
            async with self._session.get(f"{self.base_url}/", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                return resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
