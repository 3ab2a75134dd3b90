"""Reading the Tracker: the viewer's language, who and where they are, what they said before, and
which product they ask about."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from knowledge_graph import GraphStore, Product
from knowledge_graph.answers import EARLIER_QUESTIONS, product_named
from nlu.text.language import Language, detect_language, normalize_language
from nlu.text.reply_policy import Addressing

PRODUCT_SLOT = "product"
LANG_SLOT = "lang"

# A complaint is recorded for moderators only when it is about the shop: an order, a delivery, a
# payment, a product. "this stream is boring" gets an apology, not a promise that someone follows up.
SHOP_COMPLAINT = re.compile(
    r"\b(order|orders|ordered|package|parcel|delivery|delivered|shipping|shipped|refund|return|returned|"
    r"broken|damaged|leaking|fake|quality|product|item|received|arrived|never came|"
    r"wrong (?:colou?r|size|item)|missing|customer service|charged|payment|paid|allergic|rash|breakout|"
    r"expired)\b"
    r"|订单|快递|物流|发货|退款|退货|质量|假货|坏了|破了|断了|漏了|收到|没到|客服|扣款|扣了|扣钱|多扣|付款|付了|"
    r"商品|产品|过敏|烂脸|过期",
    re.IGNORECASE,
)


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
    """Which product the viewer asks about (``knowledge_graph.answers.product_named``): a ``product``
    entity NLU tagged in this message, else a catalog name in the text, else the ``product`` slot of an
    earlier turn when this message named no product at all."""
    message = tracker.latest_message or {}
    return await product_named(
        store,
        message.get("text"),
        names=tracker.get_latest_entity_values(PRODUCT_SLOT),
        remembered=tracker.get_slot(PRODUCT_SLOT),
    )


def conversation_parts(tracker: Tracker) -> tuple[str, str, str]:
    """(platform, room, viewer_id) from the message metadata, else from the sender id
    ``platform:room:viewer`` the gateway uses."""
    message = tracker.latest_message or {}
    metadata = message.get("metadata") if isinstance(message.get("metadata"), dict) else {}
    parts = (tracker.sender_id or "").split(":", 2)
    parts += [""] * (3 - len(parts))
    platform = str(metadata.get("platform") or parts[0] or "unknown")[:128]
    room = str(metadata.get("room") or parts[1] or "")[:128]
    viewer = str(metadata.get("viewer_id") or parts[2] or tracker.sender_id or "")[:128]
    return platform, room, viewer


def put_to_the_bot(tracker: Tracker) -> bool:
    """The gateway says the viewer addressed the bot (nlu/text/reply_policy.py); senders that say nothing
    about addressing (Rasa's shell, tests, other clients) count as addressing it."""
    addressing = Addressing.from_metadata((tracker.latest_message or {}).get("metadata"))
    return addressing is None or addressing.addressed


def earlier_questions(tracker: Tracker) -> tuple[str, ...]:
    """The viewer's messages before the latest one, oldest first (as many as a reference such as
    "第一个" or "the cheaper one" reaches back to), as the gateway's QA lane keeps them."""
    said = [
        text
        for event in tracker.events
        if event.get("event") == "user" and isinstance(text := event.get("text"), str) and text.strip()
    ]
    return tuple(said[:-1][-EARLIER_QUESTIONS:])


def best_guess(tracker: Tracker) -> str | None:
    """The highest-ranked real intent of the latest message (below the fallback threshold)."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    for entry in ranking:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name and name != "nlu_fallback":
            return name
    return None


def about_the_shop(tracker: Tracker) -> bool:
    """The latest message names a product or talks about an order, a delivery, a payment..."""
    message = tracker.latest_message or {}
    if any(isinstance(e, dict) and e.get("entity") == "product" for e in message.get("entities") or []):
        return True
    return bool(SHOP_COMPLAINT.search(message.get("text") or ""))


def domain_verdict(tracker: Tracker) -> bool | None:
    """The NLU domain guard's ``in_domain`` for the latest message (nlu/rasa/domain_guard.py).

    None when the guard did not run."""
    domain = (tracker.latest_message or {}).get("domain")
    verdict = domain.get("in_domain") if isinstance(domain, dict) else None
    return verdict if isinstance(verdict, bool) else None
