"""Client for the Rasa server's REST channel (``POST /webhooks/rest/webhook``).

Metadata (platform, room, viewer, language) travels with each message: Rasa hands it to NLU
components, the tracker and custom actions.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or 5xx); the gateway decides how to degrade."""


@dataclass(frozen=True)
class BotReply:
    text: str


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, *, timeout_s: float = 10.0) -> None:
        self._session = session
        self._url = f"{base_url}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send one user message; return the bot's text replies, in order.

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
            return [BotReply(text=item["text"]) for item in data if isinstance(item, dict) and "text" in item]
        raise AssertionError("unreachable")
