"""The question-answering layer's first try at an action's question, shared by every answer action.

The gateway's QA lane and the custom actions answer with the same layer (``knowledge_graph.answers``), so a
question gets the same answer whichever path serves it; an action adds Rasa's intent as a prior and
the conversation's ``product`` slot as context, and falls back to its own answer when the layer
declines.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.graph import LOOKUP_TIMEOUT_S, get_answerer, get_store
from actions.tracker import PRODUCT_SLOT, conversation_parts, earlier_questions, put_to_the_bot
from knowledge_graph import KnowledgeGraphError, record_open_question
from knowledge_graph.answers import INTENT_SHAPES, OFF_TOPIC, Answer, Asker, asks, replies
from nlu.text.language import Language
from nlu.text.reply_policy import is_real_question

log = logging.getLogger(__name__)

# The layer encodes the question (USE); the first call in a process loads the encoder.
FAQ_TIMEOUT_S = 6.0


@dataclass(frozen=True)
class QAFirst:
    """What the layer's first try did: ``events`` to return when it answered (or when nothing is to be
    said: ``[]``, no message); ``declined`` when it ran
    and had no confident answer (the action's own answer must then not guess either), as opposed to
    failing (graph down: the action's own answer is the fallback)."""

    events: list[dict[str, Any]] | None
    declined: bool = False


async def answered_by_qa(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language, intent: str | None
) -> QAFirst:
    """Let the question-answering layer (``knowledge_graph.answers``, the same one the gateway's QA lane
    uses) answer the latest message, with Rasa's ``intent`` as a prior."""
    message = tracker.latest_message or {}
    text = (message.get("text") or "").strip()
    if not text:
        return QAFirst(None)
    platform, room, viewer = conversation_parts(tracker)
    context = tracker.get_slot(PRODUCT_SLOT)
    try:
        async with asyncio.timeout(FAQ_TIMEOUT_S):
            found: Answer | None = await get_answerer().answer(
                text,
                lang,
                context=context if isinstance(context, str) else None,
                intent=intent,
                asker=Asker(platform, room, viewer),
                earlier=earlier_questions(tracker),
            )
    except (KnowledgeGraphError, TimeoutError) as err:
        log.warning("QA layer failed for %s: %s", tracker.sender_id, str(err) or type(err).__name__)
        return QAFirst(None)
    if found is None:
        if intent in INTENT_SHAPES and not (is_real_question(text) or asks(text)):
            # a remark the intent matched ("买的睫毛膏刷完像苍蝇腿😂" as ask_stock): the layer read no
            # question, so the action's own stock, price or deals answer would be a guess; the room hears
            # nothing. Shipping keeps its own shop-FAQ answer: "parcel still not here" is asked that way.
            return QAFirst([], declined=True)
        return QAFirst(None, declined=True)
    if found.silent:  # "promo code for genshin": not ours to list our codes for; "the cushion is 🔥"
        if found.strategy == OFF_TOPIC.strategy and put_to_the_bot(tracker):
            dispatcher.utter_message(response="utter_out_of_scope")
        return QAFirst([SlotSet(PRODUCT_SLOT, found.product)] if found.product else [])
    dispatcher.utter_message(text=found.text)
    return QAFirst([SlotSet(PRODUCT_SLOT, found.product)] if found.product else [])


async def record_for_moderators(tracker: Tracker, text: str, lang: Language, kind: str) -> bool:
    """Record an open question or complaint for moderators; False when the graph could not take it.
    The same open text in a room is counted on one record (knowledge_graph/editing/open_questions.py)."""
    platform, room, viewer = conversation_parts(tracker)
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_S):
            await record_open_question(get_store(), platform, room, viewer, text, lang, kind=kind)
    except (KnowledgeGraphError, TimeoutError) as err:
        log.warning("could not record the %s of %s: %s", kind, tracker.sender_id, err)
        return False
    return True


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language
) -> list[dict[str, Any]]:
    """The question is recorded for the moderators with the polite hand-off (an honest "I don't know"
    when it could not be recorded)."""
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    recorded = bool(text) and await record_for_moderators(tracker, text, lang, "question")
    dispatcher.utter_message(text=replies.handoff_reply(lang) if recorded else replies.unknown_reply(lang))
    return []


async def hand_off_if_put_to_the_bot(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language
) -> list[dict[str, Any]] | None:
    """After the layer declined a question: the action's own template (a price, the list of versions,
    the deals) would be a guess at what the layer read in full ("how much of the face wash do i need
    each time", "is the rose edt just plain rose"), so a question put to the bot is handed off; None
    (the template may answer) for one said to the room."""
    if not put_to_the_bot(tracker):
        return None
    return await hand_off(dispatcher, tracker, lang)
