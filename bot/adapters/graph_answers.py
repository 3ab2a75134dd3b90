"""Answers the gateway gives from the knowledge graph itself, without Rasa.

``!price <product>`` and ``!schedule`` commands, and the semantic FAQ answer used while Rasa or the
action server is down. The reply wording and the rule for which product a message names are shared
with the custom actions (knowledge_graph.answers) so viewers get the same answer whichever path
served them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.core.commands import GraphCommand
from bot.core.ports import FaqAnswer
from knowledge_graph import (
    GraphStore,
    active_promotions,
    next_stream,
    record_open_question,
)
from knowledge_graph.answers import product_named, replies
from nlu.text.language import normalize_language


def graph_commands(store_of: Callable[[], GraphStore]) -> dict[str, GraphCommand]:
    """The commands answered from the graph; ``store_of()`` returns the gateway's store."""

    async def price(arg: str, lang: str) -> str:
        language = normalize_language(lang) or "en"
        store: GraphStore = store_of()
        product = await product_named(store, arg, names=(arg,)) if arg else None
        if product is None:
            return replies.which_product(language)
        promotions = await active_promotions(store, int(time.time() * 1000), product.sku)
        return replies.price_reply(product, language, promotions)

    async def schedule(arg: str, lang: str) -> str:
        language = normalize_language(lang) or "en"
        now = int(time.time() * 1000)
        return replies.schedule_text(await next_stream(store_of(), now), now, language)

    return {"price": price, "schedule": schedule}


class GraphFaqAnswerer:
    """(question, lang) -> a confident FAQ answer from the semantic index, or None.

    It also records the questions the gateway hands off to moderators (``record_hand_off``), so a
    question Rasa left unanswered lands in the same open-question list as the action server's hand-offs.
    """

    def __init__(self, store_of: Callable[[], GraphStore]) -> None:
        self._store_of = store_of

    async def __call__(self, text: str, lang: str) -> str | None:
        from knowledge_graph.answers import answer_question  # loads the encoders lazily

        found = await answer_question(self._store_of(), text, lang)
        return found.answer if found else None

    async def record_hand_off(self, platform: str, room: str, viewer_id: str, text: str, lang: str) -> None:
        await record_open_question(self._store_of(), platform, room, viewer_id, text, lang)


def faq_answerer(store_of: Callable[[], GraphStore]) -> FaqAnswer:
    """The gateway's FAQ answerer (a ``GraphFaqAnswerer``)."""
    return GraphFaqAnswerer(store_of)
