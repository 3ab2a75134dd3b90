"""``action_answer_price``: answer "how much is X?" from the knowledge graph, in the viewer's language."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.graph import get_store
from knowledge_graph import GraphStore, KnowledgeGraphError, Product, find_product, find_product_mentioned
from knowledge_graph.answers import replies
from nlu.language import Language, detect_language, normalize_language

log = logging.getLogger(__name__)

PRODUCT_SLOT = "product"
LANG_SLOT = "lang"
# The whole lookup must fit well inside the gateway's wait for Rasa (10 s by default); a slow
# graph gets the polite "can't reach the product list" answer instead of silence.
LOOKUP_TIMEOUT_S = 4.0


def viewer_language(tracker: Tracker) -> Language:
    """The language to answer in: the ``lang`` slot (set from this message by NLU), else the
    message metadata's ``lang``, else detected from the message text."""
    lang = normalize_language(tracker.get_slot(LANG_SLOT))
    if lang is not None:
        return lang
    message = tracker.latest_message or {}
    metadata = message.get("metadata")
    if isinstance(metadata, dict):
        lang = normalize_language(metadata.get("lang"))
        if lang is not None:
            return lang
    return detect_language(message.get("text"))


async def requested_product(store: GraphStore, tracker: Tracker) -> Product | None:
    """Which product the viewer asks about, most specific evidence first.

    1. a ``product`` entity NLU tagged in this message (exact name, alias or SKU);
    2. any catalog name or alias mentioned in the message text (NLU may miss a new product);
    3. the ``product`` slot, i.e. the product of an earlier turn ("and how much is it?"),
       but only when this message named no product at all: a viewer who names something we
       do not sell must be asked, not answered about a different product.
    """
    message = tracker.latest_message or {}
    named = [
        value.strip()
        for value in tracker.get_latest_entity_values(PRODUCT_SLOT)
        if isinstance(value, str) and value.strip()
    ]
    for value in dict.fromkeys(named):
        product = await find_product(store, value)
        if product is not None:
            return product
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        product = await find_product_mentioned(store, text)
        if product is not None:
            return product
    if named:
        return None
    remembered = tracker.get_slot(PRODUCT_SLOT)
    if isinstance(remembered, str) and remembered.strip():
        return await find_product(store, remembered)
    return None


class ActionAnswerPrice(Action):
    """Reply with the product's price and stock, and remember the product for follow-ups."""

    def name(self) -> str:
        return "action_answer_price"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = viewer_language(tracker)
        from actions.qa_first import (  # imports this module's slot names
            answered_by_qa,
            hand_off_if_put_to_the_bot,
        )

        first = await answered_by_qa(dispatcher, tracker, lang, "ask_price")
        if first.events is not None:
            return first.events
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT_S):
                product = await requested_product(get_store(), tracker)
        except (KnowledgeGraphError, TimeoutError) as err:
            # Expected while the graph restarts; the viewer gets a polite answer, the log the cause.
            log.warning(
                "price lookup failed for conversation %s: %s",
                tracker.sender_id,
                str(err) or type(err).__name__,
            )
            dispatcher.utter_message(text=replies.graph_unavailable(lang))
            return []
        if product is None:
            dispatcher.utter_message(text=replies.which_product(lang))
            return [SlotSet(PRODUCT_SLOT, None)]
        if first.declined:  # "how much face wash do i need each time": no price was read
            events = await hand_off_if_put_to_the_bot(dispatcher, tracker, lang)
            if events is not None:
                return events
        dispatcher.utter_message(text=replies.price_reply(product, lang))
        return [SlotSet(PRODUCT_SLOT, product.sku)]
