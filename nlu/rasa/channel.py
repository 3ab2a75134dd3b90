"""Rasa input channel for the liveroom gateway: the REST webhook plus the NLU parse of the message.

Registered in credentials.yml as ``nlu.rasa.channel.LiveroomInput``; Rasa serves it at
``POST /webhooks/liveroom/webhook`` with the REST channel's request body
``{"sender", "message", "metadata"}``. The answer is

    {"messages": [<the REST channel's bot messages>],
     "parse": {"intent": "ask_price", "confidence": 0.97,
               "entities": [{"entity", "value", "start", "end"}...],
               "lang": "en", "sentiment": 0.42}}

so the gateway gets the viewer's intent, language and sentiment (room mood) without a second call.

When the gateway says how a message was addressed (metadata ``addressed``, ``shop_question``,
``question``), the reply policy (nlu/text/reply_policy.py) runs on the parse first: a message the bot should
not answer (chatter, social talk not addressed to the bot, off-topic) does not run its turn at all and
the answer is ``{"messages": [], "parse": {..., "policy": {"reply": false, "reason": "chitchat"}}}``;
a turn that ran carries ``"policy": {"reply": true, "reason": ...}``.

``POST /webhooks/liveroom/slots`` ``{"sender": "...", "slots": {"product": "LR-SKN-001", ...}}``
appends slot events to that conversation (under its lock) and answers ``{"ok": true}``. Unlike Rasa's
``/conversations/{id}/tracker/events`` the conversation id travels in the body: Rasa 3.6 does not
percent-decode the path, so ids with ``:`` or non-ASCII characters (``simulator:room:小李``) cannot
be addressed there.
Viewer text is data, never instructions: a leading ``/`` (Rasa's ``/intent{entities}`` syntax) is
dropped before Rasa sees the text, and ``EXTERNAL_*`` intents are removed from its parse before any
policy runs (nlu/text/viewer_text.py); only the gateway triggers those, through ``trigger_intent``.

``parse`` is read from the conversation's tracker after the message was handled (its latest user
message); it is ``null`` when the message could not be handled. Imported only by the Rasa runtime.

Both POST endpoints require ``Authorization: Bearer <LIVEROOM_RASA_TOKEN>`` (the token the supervisor
gives Rasa and the gateway; bot/adapters/rasa.py sends it), compared in constant time: without it anyone
who can reach Rasa could talk as any viewer or set slots in any conversation. A missing or wrong token
is answered 401 with a JSON error, counted (``refused`` in ``GET /webhooks/liveroom/``) and logged
(never the token itself). With no token configured the channel is open, like Rasa's own API without
``--auth-token``, and says so once at startup.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES
from rasa.shared.core.events import ActionExecuted, DefinePrevUserUtteredFeaturization, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from nlu.text.language import normalize_language
from nlu.text.reply_policy import Addressing, Verdict, decide
from nlu.text.sentiment import sentiment
from nlu.text.viewer_text import as_chat_text, without_external_intents

log = logging.getLogger(__name__)

_ENTITY_KEYS = ("entity", "value", "start", "end")
TOKEN_ENV = "LIVEROOM_RASA_TOKEN"
REFUSAL_LOG_INTERVAL_S = 10.0  # a flood of bad requests logs one line per interval, with its count


def summarize_parse(parse_data: dict[str, Any] | None, text: str | None) -> dict[str, Any] | None:
    """The part of Rasa's parse result the gateway needs (see the module docstring)."""
    if not isinstance(parse_data, dict):
        return None
    intent = parse_data.get("intent") or {}
    entities = [
        {k: e.get(k) for k in _ENTITY_KEYS}
        for e in parse_data.get("entities") or []
        if isinstance(e, dict) and e.get("entity") not in ("lang", "audience_mood")
    ]
    lang = None
    for e in parse_data.get("entities") or []:
        if isinstance(e, dict) and e.get("entity") == "lang":
            lang = normalize_language(e.get("value"))
    score = parse_data.get("sentiment")
    if not isinstance(score, (int, float)):
        score = sentiment(text, lang)
    # nlu.rasa.domain_guard's {"score": 0..1, "in_domain": bool}, as set; None from a model without the guard.
    domain = parse_data.get("domain")
    return {
        "intent": intent.get("name"),
        "confidence": float(intent.get("confidence") or 0.0),
        "entities": entities,
        "lang": lang,
        "sentiment": float(score),
        "domain": domain if isinstance(domain, dict) else None,
    }


def custom_action_seconds(events: list[Any]) -> float:
    """Time the latest turn spent in custom actions, read from the tracker's event timestamps.

    An ``ActionExecuted`` event is logged when its action has finished (Rasa logs a
    ``user_featurization`` marker just before it, which is skipped here), so for a custom action (not
    one of Rasa's built-in ``action_*``) the gap to the event before it is the action server round trip
    plus the policy prediction that chose it. The gateway exports it as
    ``liveroom_action_latency_seconds``."""
    last_user = max((i for i, e in enumerate(events) if isinstance(e, UserUttered)), default=None)
    if last_user is None:
        return 0.0
    total, previous = 0.0, events[last_user].timestamp
    for event in events[last_user + 1 :]:
        if isinstance(event, DefinePrevUserUtteredFeaturization):
            continue
        name = event.action_name if isinstance(event, ActionExecuted) else None
        if name and name.startswith("action_") and name not in DEFAULT_ACTION_NAMES:
            total += max(0.0, event.timestamp - previous)
        previous = event.timestamp
    return total


class LiveroomInput(RestInput):
    """REST channel whose webhook also returns the NLU parse (intent, entities, lang, sentiment)."""

    def __init__(self, token: str | None = None) -> None:
        """``token`` defaults to ``LIVEROOM_RASA_TOKEN`` from Rasa's environment (empty: no auth)."""
        self._token = (os.environ.get(TOKEN_ENV, "") if token is None else token).encode("utf-8")
        self.refused = 0  # requests answered 401 since startup
        self._refused_unlogged = 0
        self._refusal_logged_at = float("-inf")
        if not self._token:
            log.warning(
                "liveroom channel: %s is not set, its webhooks accept requests from anyone", TOKEN_ENV
            )

    @classmethod
    def name(cls) -> str:
        return "liveroom"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> LiveroomInput:
        return cls()

    def authorized(self, request: Request) -> bool:
        """True when the request carries the configured token (always, when none is configured)."""
        if not self._token:
            return True
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"), self._token)

    def refuse(self, request: Request) -> HTTPResponse:
        """401 for a request without the right token: counted, and logged at most once per interval."""
        self.refused += 1
        self._refused_unlogged += 1
        now = time.monotonic()
        if now - self._refusal_logged_at >= REFUSAL_LOG_INTERVAL_S:
            log.warning(
                "liveroom channel: refused %d request(s) without a valid token (latest: %s %s from %s)",
                self._refused_unlogged,
                request.method,
                request.path,
                request.ip,
            )
            self._refused_unlogged, self._refusal_logged_at = 0, now
        return response.json(
            {"error": "missing or wrong token: send 'Authorization: Bearer <LIVEROOM_RASA_TOKEN>'"},
            status=401,
        )

    def blueprint(self, on_new_message) -> Blueprint:  # type: ignore[no-untyped-def]
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "refused": self.refused})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorized(request):
                return self.refuse(request)
            if not isinstance(request.json, dict):
                return response.json({"error": "expected a JSON object"}, status=400)
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            if not isinstance(sender_id, str) or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            answer = await self.handle(
                getattr(request.app.ctx, "agent", None),
                on_new_message,
                sender_id,
                text,
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            return response.json(answer)

        @hook.route("/slots", methods=["POST"])
        async def set_slots(request: Request) -> HTTPResponse:
            if not self.authorized(request):
                return self.refuse(request)
            body = request.json
            sender_id = body.get("sender") if isinstance(body, dict) else None
            slots = body.get("slots") if isinstance(body, dict) else None
            if not isinstance(sender_id, str) or not sender_id or not isinstance(slots, dict):
                return response.json({"error": "expected {sender: str, slots: {name: value}}"}, status=400)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or agent.processor is None:
                return response.json({"error": "no model loaded"}, status=503)
            known = {slot.name for slot in agent.domain.slots}
            unknown = sorted(name for name in slots if name not in known)
            if unknown:
                return response.json({"error": f"unknown slots: {', '.join(unknown)}"}, status=400)
            from rasa.server import update_conversation_with_events
            from rasa.shared.core.events import SlotSet

            events = [SlotSet(name, value) for name, value in slots.items()]
            async with agent.lock_store.lock(sender_id):
                tracker = await update_conversation_with_events(
                    sender_id, agent.processor, agent.domain, events
                )
                await agent.tracker_store.save(tracker)
            return response.json({"ok": True})

        return hook

    async def handle(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        text: str,
        *,
        input_channel: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Handle one viewer message with Rasa's ``agent``: the webhook's answer (module docstring).

        Viewer text is data, never a command: a leading ``/`` is dropped before Rasa sees it
        (``as_chat_text``) and gateway-only intents are removed from its parse (``_viewer_parse``)."""
        collector = CollectingOutputChannel()
        handled = False
        verdict: Verdict | None = None
        try:
            message = UserMessage(
                as_chat_text(text), collector, sender_id, input_channel=input_channel, metadata=metadata
            )
            message.parse_data = await self._viewer_parse(agent, message)
            verdict = self._policy_verdict(message.parse_data, metadata)
            if verdict is not None and not verdict.run:
                parse = summarize_parse(message.parse_data, text)
                if parse is not None:
                    parse["policy"] = {"reply": False, "reason": verdict.reason}
                return {"messages": [], "parse": parse}
            if verdict is not None and verdict.intent and message.parse_data is not None:
                message.parse_data["intent"] = {
                    **(message.parse_data.get("intent") or {}),
                    "name": verdict.intent,
                }
            await on_new_message(message)
            handled = True
        except asyncio.CancelledError:
            log.error("liveroom channel: handling timed out for %s", sender_id)
        except Exception:
            log.exception("liveroom channel: failed to handle a message of %s", sender_id)
        parse = await self._latest_parse(agent, sender_id, text) if handled else None
        if parse is not None and verdict is not None:
            parse["policy"] = {"reply": True, "reason": verdict.reason}
        return {"messages": collector.messages, "parse": parse}

    @staticmethod
    def _policy_verdict(parse_data: dict[str, Any] | None, metadata: dict[str, Any] | None) -> Verdict | None:
        """The reply policy's verdict (nlu/text/reply_policy.py) when the gateway said how the message was
        addressed; None (run the turn as Rasa would) for other senders or without a parse."""
        addressing = Addressing.from_metadata(metadata)
        if addressing is None or parse_data is None:
            return None
        return decide(parse_data, addressing)

    @staticmethod
    async def _viewer_parse(agent: Any, message: UserMessage) -> dict[str, Any] | None:
        """The NLU parse of a viewer message, without the intents only the gateway may trigger.

        Rasa parses a message in ``handle_message`` unless it already carries ``parse_data``; parsing
        here instead (the same call, once) lets the channel drop ``EXTERNAL_*`` intents before any
        policy sees them (``nlu.text.viewer_text.without_external_intents``). The gateway triggers those
        through ``trigger_intent``, which never comes through this channel. None without a model
        (Rasa then ignores the message anyway)."""
        processor = getattr(agent, "processor", None)
        if processor is None:
            return None
        return without_external_intents(await processor.parse_message(message))

    @staticmethod
    async def _latest_parse(agent: Any, sender_id: str, text: str) -> dict[str, Any] | None:
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        try:
            tracker = await store.retrieve(sender_id)
        except Exception:  # a tracker store failure must not lose the bot's answer
            log.exception("liveroom channel: cannot read the tracker of %s", sender_id)
            return None
        if tracker is None or tracker.latest_message is None:
            return None
        parse = summarize_parse(tracker.latest_message.parse_data, text)
        if parse is not None:
            parse["action_ms"] = round(custom_action_seconds(list(tracker.events)) * 1000, 1)
        return parse
