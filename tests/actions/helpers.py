"""Talking to the action server the way Rasa 3.6 does: recorded webhook payloads, replies.

The payloads in fixtures/*.json are what Rasa 3.6.21 really sent to the action server (captured
from `rasa run` with this repo's model); tests change only the message, entities and slots.
"""

from __future__ import annotations

import copy
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

FIXTURES = Path(__file__).with_name("fixtures")


@dataclass(frozen=True)
class ActionServer:
    url: str
    proc: subprocess.Popen[bytes]
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


def recorded_payload(name: str) -> dict[str, Any]:
    """A webhook payload Rasa 3.6.21 really sent (fixtures/<name>.json)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def price_request(
    text: str,
    *,
    products: tuple[tuple[str, int], ...] = (),
    lang: str | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The recorded English ask_price payload with a different message.

    ``products`` are (value, start) pairs for product entities as NLU would tag them; ``lang``
    is the `lang` entity and slot (None: neither, as if NLU had not run LanguageDetector);
    ``slots`` override the slot values Rasa sends (after its own slot extraction).
    """
    payload = copy.deepcopy(recorded_payload("webhook_ask_price_en"))
    tracker = payload["tracker"]
    message = tracker["latest_message"]
    entities: list[dict[str, Any]] = []
    if lang is not None:
        entities.append(
            {"entity": "lang", "value": lang, "start": 0, "end": len(text), "extractor": "LanguageDetector"}
        )
    for value, start in products:
        assert text[start : start + len(value)] == value, "entity span must match the text"
        entities.append(
            {
                "entity": "product",
                "value": value,
                "start": start,
                "end": start + len(value),
                "extractor": "DIET",
            }
        )
    message.update(text=text, entities=entities, metadata=metadata or {})
    message.pop("text_tokens", None)
    tracker["slots"].update(product=products[0][0] if products else None, lang=lang)
    tracker["slots"].update(slots or {})
    for event in reversed(tracker["events"]):  # keep the recorded user event consistent
        if event["event"] == "user":
            rasa_keys = {k: v for k, v in event["metadata"].items() if k in ("model_id", "assistant_id")}
            event.update(text=text, parse_data=message, metadata={**(metadata or {}), **rasa_keys})
            break
    return payload


async def call_action(
    http: aiohttp.ClientSession, server: ActionServer, payload: dict[str, Any]
) -> dict[str, Any]:
    """POST a webhook payload as Rasa does; return {"events": [...], "responses": [...]}."""
    async with http.post(f"{server.url}/webhook", json=payload) as resp:
        body = await resp.text()
        assert resp.status == 200, f"HTTP {resp.status}: {body}\n{server.log()[-2000:]}"
        return json.loads(body)


def reply_text(result: dict[str, Any]) -> str:
    texts = [r["text"] for r in result["responses"] if r.get("text")]
    assert len(texts) == 1, f"expected exactly one text reply, got {result['responses']}"
    return texts[0]


def slot_events(result: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}
