"""Answer actions for the catalog intents, from the knowledge graph, in the viewer's language.

Every action resolves the viewer's language like ``action_answer_price`` and, when it is about a
product, the product the same way (entity in this message, then a name in the text, then the
``product`` slot of an earlier turn), and sets the ``product`` slot so follow-ups refer to it.
A graph that is down or slow gets the polite "can't reach the product list" reply, never silence.

The fallback chain ends here: ``action_faq_or_handoff`` answers from the semantic FAQ search
(``knowledge_graph.semantic``) when a FAQ is close enough, else hands the question off to the
moderators (``knowledge_graph.editing.open_questions``) with a polite reply; chatter that is not a question
gets no reply at all.
"""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.graph import LOOKUP_TIMEOUT_S, get_store
from actions.qa_first import (
    FAQ_TIMEOUT_S,
    answered_by_qa,
    hand_off,
    hand_off_if_put_to_the_bot,
    record_for_moderators,
)
from actions.tracker import (
    PRODUCT_SLOT,
    about_the_shop,
    best_guess,
    conversation_parts,
    domain_verdict,
    put_to_the_bot,
    requested_product,
    viewer_language,
)
from knowledge_graph import (
    GraphStore,
    KnowledgeGraphError,
    Product,
    active_promotions,
    get_product,
    get_streamer,
    list_faqs,
    next_stream,
    normalize_key,
    now_ms,
    variants_of,
)
from knowledge_graph.answers import replies
from nlu.text.language import Language
from nlu.text.reply_policy import is_real_question
from nlu.text.social_cues import has_cue

log = logging.getLogger(__name__)

# Intents whose reply is harmless even when the model was unsure (the utterance is in the domain).
SOCIAL_RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_thanks",
    "praise": "utter_praise",
    "bot_challenge": "utter_iamabot",
}


class GraphAction(Action, ABC):
    """Runs ``answer`` with the store under a timeout; a graph failure gets a polite reply. With
    ``intent`` set, the question-answering layer gets the first try (``answered_by_qa``)."""

    what = "info"
    intent: str | None = None

    async def declined(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language
    ) -> list[dict[str, Any]] | None:
        """What to do when the question-answering layer ran and had no confident answer. The layer read
        the whole question ("how much of the face wash do i need each time", "is the rose edt just
        plain rose"), so the action's own template (a price, the list of versions, the deals) would be a
        guess at it: a question put to the bot is handed off; None (the template) otherwise."""
        return await hand_off_if_put_to_the_bot(dispatcher, tracker, lang)

    @abstractmethod
    async def answer(
        self, store: GraphStore, dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = viewer_language(tracker)
        if self.intent is not None:
            first = await answered_by_qa(dispatcher, tracker, lang, self.intent)
            if first.events is not None:
                return first.events
            if first.declined:
                events = await self.declined(dispatcher, tracker, lang)
                if events is not None:
                    return events
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT_S):
                return await self.answer(get_store(), dispatcher, tracker, lang)
        except (KnowledgeGraphError, TimeoutError) as err:
            log.warning(
                "%s failed for %s: %s", self.name(), tracker.sender_id, str(err) or type(err).__name__
            )
            dispatcher.utter_message(text=replies.graph_unavailable(lang))
            return []


class ProductAction(GraphAction):
    """A question about one product; asks which one when none is known."""

    async def declined(self, dispatcher, tracker, lang) -> list[dict[str, Any]] | None:
        """As ``GraphAction.declined``, but with no product known at all the action asks which one."""
        if await requested_product(get_store(), tracker) is None:
            return None
        return await hand_off_if_put_to_the_bot(dispatcher, tracker, lang)

    async def answer(
        self, store: GraphStore, dispatcher: CollectingDispatcher, tracker: Tracker, lang: Language
    ) -> list[dict[str, Any]]:
        product = await requested_product(store, tracker)
        if product is None:
            dispatcher.utter_message(text=replies.which_product_for(lang, self.what))
            return [SlotSet(PRODUCT_SLOT, None)]
        await self.about(store, product, dispatcher, tracker, lang)
        return [SlotSet(PRODUCT_SLOT, product.sku)]

    @abstractmethod
    async def about(
        self,
        store: GraphStore,
        product: Product,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        lang: Language,
    ) -> None:
        raise NotImplementedError


class ActionAnswerStock(ProductAction):
    what = "stock"
    intent = "ask_stock"

    def name(self) -> str:
        return "action_answer_stock"

    async def about(self, store, product, dispatcher, tracker, lang) -> None:
        dispatcher.utter_message(text=replies.stock_reply(product, lang))


class ActionAnswerProductInfo(ProductAction):
    what = "info"
    intent = "ask_product_info"

    async def declined(self, dispatcher, tracker, lang) -> list[dict[str, Any]] | None:
        """No confident answer from the product's FAQs or attributes: a description would be a guess, so
        the question is handed off; with no product known at all the action asks which one."""
        if await requested_product(get_store(), tracker) is None:
            return None
        return await hand_off(dispatcher, tracker, lang)  # whoever it was put to

    def name(self) -> str:
        return "action_answer_product_info"

    async def about(self, store, product, dispatcher, tracker, lang) -> None:
        dispatcher.utter_message(text=replies.info_reply(product, lang))


def _latest(tracker: Tracker, entity: str) -> str | None:
    values = [v for v in tracker.get_latest_entity_values(entity) if isinstance(v, str) and v.strip()]
    return values[0] if values else None


def _catalog_value(asked: str | None, offered: Iterable[str | None]) -> str | None:
    """The catalog's own spelling of ``asked`` among ``offered`` (the product's variant values), or None."""
    if asked is None:
        return None
    key = normalize_key(asked)
    return next((value for value in offered if value and normalize_key(value) == key), None)


class ActionAnswerVariant(ProductAction):
    """Size/colour availability from the product's variants (``queries.variants_of``).

    The reply names sizes and colours only as the catalog spells them, never as the entity value: that
    value is viewer text (and Rasa's ``/intent{entities}`` syntax once let a viewer set it to anything,
    review H1), so echoing it let anyone make the bot post their words. A size or colour the product
    does not have is answered with what it does have."""

    what = "variant"
    intent = "ask_variant"

    async def declined(self, dispatcher, tracker, lang) -> list[dict[str, Any]] | None:
        """A size or colour NLU read ("is the gloss in chartreuse") is answered with the catalog's own
        (what it does come in); anything else the layer could not read is handed off."""
        if _latest(tracker, "size") or _latest(tracker, "colour"):
            return None
        return await super().declined(dispatcher, tracker, lang)

    def name(self) -> str:
        return "action_answer_variant"

    async def about(self, store, product, dispatcher, tracker, lang) -> None:
        size, colour = _latest(tracker, "size"), _latest(tracker, "colour")
        every = await variants_of(store, product.sku)
        labels = [_variant_label(v.colour, v.size, v.id) for v in every]
        catalog_size = _catalog_value(size, (v.size for v in every))
        catalog_colour = _catalog_value(colour, (v.colour for v in every))
        if every and ((size and not catalog_size) or (colour and not catalog_colour)):
            dispatcher.utter_message(text=replies.variant_not_offered(product, lang, labels))
            return
        chosen = (
            await variants_of(store, product.sku, size=catalog_size, colour=catalog_colour)
            if (catalog_size or catalog_colour)
            else every
        )
        wanted = " ".join(x for x in (catalog_colour, catalog_size) if x)
        matches = [(_variant_label(v.colour, v.size, v.id), v.stock) for v in chosen]
        dispatcher.utter_message(text=replies.variant_reply(product, lang, matches, wanted, len(every)))


def _variant_label(colour: str | None, size: str | None, variant_id: str) -> str:
    return " ".join(x for x in (colour, size) if x) or variant_id


class ActionAnswerDiscount(GraphAction):
    intent = "ask_discount"

    def name(self) -> str:
        return "action_answer_discount"

    async def answer(self, store, dispatcher, tracker, lang) -> list[dict[str, Any]]:
        product = await requested_product(store, tracker)
        promotions = await active_promotions(store, now_ms(), product.sku if product else None)
        titles = [(p.code, p.title(lang) or "") for p in promotions]
        dispatcher.utter_message(text=replies.discount_reply(titles, lang, product))
        return [SlotSet(PRODUCT_SLOT, product.sku)] if product else []


class ActionAnswerSchedule(GraphAction):
    def name(self) -> str:
        return "action_answer_schedule"

    async def answer(self, store, dispatcher, tracker, lang) -> list[dict[str, Any]]:
        now = now_ms()
        dispatcher.utter_message(text=replies.schedule_text(await next_stream(store, now), now, lang))
        return []


class ActionAnswerStreamer(GraphAction):
    def name(self) -> str:
        return "action_answer_streamer"

    async def answer(self, store, dispatcher, tracker, lang) -> list[dict[str, Any]]:
        streamer = await get_streamer(store)
        dispatcher.utter_message(text=replies.streamer_reply(streamer.name(lang) if streamer else None, lang))
        return []


class ActionRecommend(GraphAction):
    """Products viewers asked about together (``knowledge_graph.recommend``), popularity fallback."""

    intent = "ask_recommendation"

    async def declined(self, dispatcher, tracker, lang) -> list[dict[str, Any]]:
        """A request the layer could not read ("something for my mum?"): ask what they are after
        rather than list whatever is popular."""
        dispatcher.utter_message(text=replies.recommend_reply([], lang))
        return []

    def name(self) -> str:
        return "action_recommend"

    async def answer(self, store, dispatcher, tracker, lang) -> list[dict[str, Any]]:
        from knowledge_graph import recommend

        product = await requested_product(store, tracker)
        if product is not None:
            recs = await recommend.recommend_for_product(store, product.sku, 3)
        else:
            platform, _room, viewer = conversation_parts(tracker)
            try:
                recs = await recommend.recommend_for_viewer(store, platform, viewer, 3)
            except KnowledgeGraphError:  # e.g. a platform name the interaction graph rejects
                recs = await recommend.popular_products(store, 3)
        names: list[str] = []
        for rec in recs:
            found = await get_product(store, rec.sku)
            if found is not None:
                names.append(found.name(lang))
        dispatcher.utter_message(text=replies.recommend_reply(names, lang))
        return []


async def _faq_answer(
    store: GraphStore,
    text: str,
    lang: Language,
    about: re.Pattern[str] | None = None,
    in_domain: bool | None = None,
) -> str | None:
    """The semantic FAQ answer, or None (no module, an off-topic question, nothing close enough, encoder
    failure, or -- with ``about`` -- a closest FAQ whose question and answer do not match that topic).
    ``in_domain``: the domain guard's verdict; False never gets an FAQ, None gets the stricter thresholds
    (``knowledge_graph.semantic.search.ROUTES``)."""
    if in_domain is False:
        log.info("no FAQ for an off-topic question %r", text[:60])
        return None
    from knowledge_graph.answers import answer_question  # loads the sentence encoders' code: on first use

    try:
        async with asyncio.timeout(FAQ_TIMEOUT_S):
            found = await answer_question(store, text, lang=lang, in_domain=in_domain)
    except (KnowledgeGraphError, TimeoutError) as err:
        log.warning("FAQ search failed: %s", str(err) or type(err).__name__)
        return None
    except Exception:  # the hand-off must still happen when the FAQ search itself is broken
        log.exception("FAQ search raised")
        return None
    if found is None or not found.answer:
        return None
    if about is not None and not about.search(f"{found.question} {found.answer}"):
        log.info("closest FAQ %s is off topic for %r", found.faq_id, text[:60])
        return None
    return found.answer


# A shipping FAQ talks about shipping: a short chat question ("包邮吗") can be nearest in embedding
# space to an unrelated one ("能卸妆吗"), which must not answer it.
SHIPPING_TOPIC = re.compile(
    r"\b(ship|ships|shipped|shipping|deliver|delivers|delivery|postage|courier|warehouse)\b"
    r"|发货|包邮|邮费|运费|快递|配送|物流|寄",
    re.IGNORECASE,
)


async def _shipping_faq(store: GraphStore, lang: Language) -> str | None:
    """The streamer's shipping FAQ (the shop-wide one), in the viewer's language when it has it."""
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_S):
            faqs = await list_faqs(store)
    except (KnowledgeGraphError, TimeoutError) as err:
        log.warning("shipping FAQ lookup failed: %s", str(err) or type(err).__name__)
        return None
    for faq in faqs:
        if SHIPPING_TOPIC.search(f"{faq.question_en} {faq.question_zh}"):
            first, second = (faq.answer_zh, faq.answer_en) if lang == "zh" else (faq.answer_en, faq.answer_zh)
            return first or second or None
    return None


class ActionAnswerShipping(Action):
    """Shipping questions: the closest FAQ when it is about shipping, else the shop's shipping FAQ,
    else the standard shipping line."""

    def name(self) -> str:
        return "action_answer_shipping"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        lang = viewer_language(tracker)
        first = await answered_by_qa(dispatcher, tracker, lang, "ask_shipping")
        if first.events is not None:
            return first.events
        text = (tracker.latest_message or {}).get("text") or ""
        store = get_store()
        answer = await _faq_answer(store, text, lang, about=SHIPPING_TOPIC, in_domain=domain_verdict(tracker))
        answer = answer or await _shipping_faq(store, lang)
        dispatcher.utter_message(text=answer or replies.shipping_fallback(lang))
        return []


class ActionFaqOrHandoff(Action):
    """Low NLU confidence: FAQ answer, else polite hand-off recorded for moderators."""

    def name(self) -> str:
        return "action_faq_or_handoff"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        lang = viewer_language(tracker)
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if not text:
            return []
        declined = False
        if put_to_the_bot(tracker) and domain_verdict(tracker) is not False:
            # no intent: the model was unsure, so its best guess must not shape the question
            first = await answered_by_qa(dispatcher, tracker, lang, None)
            if first.events is not None:
                return first.events
            declined = first.declined
        store = get_store()
        # The layer ranks the shop's and the product's FAQs itself; the plain semantic search (any FAQ of
        # any product) only stands in when the layer could not run.
        answer = None if declined else await _faq_answer(store, text, lang, in_domain=domain_verdict(tracker))
        if answer:
            dispatcher.utter_message(text=answer)
            return []
        if not is_real_question(text):
            # Not a question: a harmless social reply when that is the model's best guess
            # ("hi bot" at low confidence), otherwise chatter the model was unsure about: stay quiet.
            guess = best_guess(tracker) or ""
            social = SOCIAL_RESPONSES.get(guess) if has_cue(guess, text) else None
            if social:  # not "link pls" guessed as a goodbye: an unsure greeting needs a greeting's words
                dispatcher.utter_message(response=social)
            return []
        if not put_to_the_bot(tracker):
            return []  # a shop question to the room the FAQ could not answer: no promise of a follow-up
        recorded = await record_for_moderators(tracker, text, lang, "question")
        # "passed to the moderators" only when it was: a failed record gets an honest "I don't know"
        dispatcher.utter_message(
            text=replies.handoff_reply(lang) if recorded else replies.unknown_reply(lang)
        )
        return []


class ActionFlagComplaint(Action):
    """A complaint about the shop (an order, a delivery, a product) is recorded for moderators and
    told a moderator will follow up; any other complaint, or one that could not be recorded, gets an
    apology that promises nothing (``replies.complaint_reply``)."""

    def name(self) -> str:
        return "action_flag_complaint"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if not text:
            return []
        lang = viewer_language(tracker)
        recorded = about_the_shop(tracker) and await record_for_moderators(tracker, text, lang, "complaint")
        mood = tracker.get_slot("audience_mood")
        reply = replies.complaint_reply(lang, recorded, mood if isinstance(mood, str) else None)
        dispatcher.utter_message(text=reply)
        return []


class ActionAnswerPrice(Action):
    """Reply with the product's price and stock, and remember the product for follow-ups."""

    def name(self) -> str:
        return "action_answer_price"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        lang = viewer_language(tracker)
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
