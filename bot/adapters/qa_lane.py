"""The question-answering lane: shop questions answered from the knowledge graph beside Rasa.

One Rasa process completes ~10 custom-action turns per second on this machine, and in a busy live room
most questions put to the bot are single-turn shop questions: a price, a stock level, a shade, "anything
under ¥60?", "do you ship to Canada?". The lane answers them with the question-answering layer
(``knowledge_graph.answers``: cached, batched sentence encodings and graph reads of about a millisecond), in
the same words the custom actions use, and tells Rasa afterwards (a ``product`` slot event on the
viewer's conversation) so a follow-up such as "and in red?" still refers to that product. Rasa keeps the
dialogue: whatever the layer declines (social talk, complaints, several products without a comparison,
questions nothing in the graph answers) joins the Rasa queue as before.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable

from bot.adapters.rasa import RasaClient
from bot.core.ports import Viewer
from knowledge_graph import GraphStore, KnowledgeGraphError, record_interaction, record_open_question
from knowledge_graph.answers import EARLIER_QUESTIONS, Answer, Asker, QuestionAnswerer, asks
from nlu.text.language import normalize_language

log = logging.getLogger(__name__)

COMPLAINT_ANSWERS = frozenset({"shop_faq"})
"""Answers the lane gives to a message that reads as a complaint (see ``QALane.answer``)."""
PERSONAL_ANSWERS = frozenset({"recommend", "superlative", "compare", "filter"})
"""Answers to an upset message about the viewer's own problem ("puffy eyes every morning 😩") or that
rank the catalog for it ("出差带的里最便宜的", "which one's cheaper, broke college student here 💀"): no
complaint."""
REMEMBERED_QUESTIONS = 10_000
"""Conversations whose last questions the lane keeps, for "那精华呢" and "第一个" (the oldest are forgotten
first)."""


class QALane:
    def __init__(
        self,
        store_of: Callable[[], GraphStore],
        rasa: RasaClient | None = None,
        answerer: QuestionAnswerer | None = None,
    ) -> None:
        self._store_of = store_of
        self._rasa = rasa
        self.answerer = answerer or QuestionAnswerer(store_of)
        self._bookkeeping: dict[str, asyncio.Task[None]] = {}  # conversation id -> its context update
        # conversation id -> its last questions, oldest first
        self._previous: OrderedDict[str, tuple[str, ...]] = OrderedDict()

    async def answer(
        self,
        text: str,
        lang: str,
        *,
        asker: Asker | Viewer,
        conversation_id: str,
        context: str | None = None,
        upset: bool = False,
    ) -> Answer | None:
        """The answer, or None to let Rasa handle it (nothing answers it confidently, or the graph is
        unavailable); a ``silent`` answer lets Rasa handle it too, with the product it names.
        ``context``: the SKU the viewer's conversation is about. ``upset``: the message's sentiment is
        negative. A negative question ("will the mascara smudge if I cry? 😭", "爽肤水有酒精吗
        我酒精过敏") is answered like any other; a negative remark is a complaint, which only a shop FAQ
        answers here ("my parcel came smashed" -> how damaged parcels are replaced), and a complaint is
        recorded for the moderators."""
        if not isinstance(asker, Asker):
            asker = Asker(asker.platform, asker.room, asker.viewer_id)
        language = normalize_language(lang) or "en"
        earlier = self._previous.pop(conversation_id, ())
        self._previous[conversation_id] = (*earlier, text)[-EARLIER_QUESTIONS:]
        if len(self._previous) > REMEMBERED_QUESTIONS:
            self._previous.popitem(last=False)
        try:
            found = await self.answerer.answer(
                text,
                language,
                context=context,
                asker=asker,
                earlier=earlier,
            )
        except KnowledgeGraphError as err:
            log.info("QA lane skipped (graph): %s", err)
            return None
        # "my lips are cracked 😭" answered with a lip balm is the viewer's own problem, not a complaint
        personal = found is not None and found.strategy in PERSONAL_ANSWERS
        complains = (
            upset
            and not personal
            and (not asks(text) or (found is not None and found.strategy in COMPLAINT_ANSWERS))
        )
        if found is not None and found.silent:
            return found  # nothing to say (Rasa's reply policy decides); its product stays the context
        if found is None or (complains and found.strategy not in COMPLAINT_ANSWERS):
            return None
        store = self._store_of()
        complaint = text if complains else None
        task = asyncio.create_task(self._after(store, found, language, asker, conversation_id, complaint))
        self._bookkeeping[conversation_id] = task
        task.add_done_callback(functools.partial(self._forget, conversation_id))
        return found

    async def _after(
        self,
        store: GraphStore,
        found: Answer,
        lang: str,
        asker: Asker,
        conversation_id: str,
        complaint: str | None,
    ) -> None:
        """Bookkeeping off the reply's critical path: Rasa's context first (a follow-up waits for it,
        see :meth:`settle`), then the interaction graph. Never raises: a failure costs context, not
        the conversation."""
        try:
            if self._rasa is not None and found.product is not None:
                await self._rasa.set_slots(conversation_id, {"product": found.product, "lang": lang})
            for sku in found.skus[:1]:
                await record_interaction(store, asker.platform, asker.viewer_id, sku)
            if complaint is not None:
                await record_open_question(
                    store, asker.platform, asker.room, asker.viewer_id, complaint, lang, kind="complaint"
                )
        except KnowledgeGraphError as err:
            log.info("interaction not recorded: %s", err)
        except Exception:
            log.exception("QA-lane bookkeeping failed for %s", conversation_id)

    def _forget(self, conversation_id: str, task: asyncio.Task[None]) -> None:
        if self._bookkeeping.get(conversation_id) is task:
            del self._bookkeeping[conversation_id]

    async def settle(self, conversation_id: str) -> None:
        """Wait until Rasa knows this conversation's context from the lane, so a follow-up sent right
        after the answer ("and is it in stock?") cannot overtake the product slot."""
        task = self._bookkeeping.get(conversation_id)
        if task is not None:
            await asyncio.shield(task)
