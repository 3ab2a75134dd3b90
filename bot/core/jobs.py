"""A message on its way to an answer (``Job``) and the rules that read it: who it is addressed to, which
lane tries it first, whether identical askers may share one answer."""

from __future__ import annotations

import re
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TypeVar

from bot.core.audience import AudienceSnapshot
from bot.core.ports import RasaResult
from bot.core.triage import Priority, TriageResult
from connectors.base import ChatEvent
from nlu.text.reply_policy import Addressing, is_real_question

VIEWER_CONTEXTS = 5000  # per room
T = TypeVar("T")
PRIORITY_ORDER = {Priority.COMMAND: 0, Priority.DIRECTED: 1, Priority.CHATTER: 2}

NEGATIVE = -0.4
"""Messages at or below this sentiment are complaints to the QA lane: only a shop FAQ that answers them
("my parcel came smashed" -> how damaged parcels are replaced) is given there, and the complaint is
recorded for the moderators; anything else goes to Rasa, whose actions handle complaints."""

#: intents whose turn does something for the asker (records their complaint or question for the
#: moderators, greets them): each asker gets a turn of their own, never a copy of another's reply
PERSONAL_INTENTS = frozenset(
    {"complain", "nlu_fallback", "ask_store_policy", "greet", "goodbye", "thanks", "praise"}
)

DEICTIC = re.compile(
    r"\b(it|this|that|these|those|they|them|one)\b|这个|那个|这款|那款|它|这|那", re.IGNORECASE
)


@dataclass(order=True)
class Job:
    priority: int
    seq: int
    event: ChatEvent = field(compare=False)
    triage: TriageResult = field(compare=False)
    lang: str = field(compare=False, default="en")
    received: float = field(compare=False, default_factory=time.monotonic)
    addressing: Addressing = field(compare=False, default_factory=Addressing)
    #: the product this viewer's conversation is about, as far as the gateway saw (answer sharing)
    context: str | None = field(compare=False, default=None)
    #: the message's sentiment (nlu/text/sentiment.py), -1..1
    sentiment: float = field(compare=False, default=0.0)


def loggable(name: str) -> str:
    """A viewer-chosen name as it may appear in a log line: quoted and escaped (``repr``) when it holds
    a newline, a control or a bidi character, so it cannot forge or reorder log lines; else as is."""
    return name if name.isprintable() else repr(name)


def remember(recent: OrderedDict[str, T], viewer_id: str, value: T) -> None:
    """Set a viewer's entry as the most recent, forgetting the least recent past VIEWER_CONTEXTS."""
    recent.pop(viewer_id, None)
    recent[viewer_id] = value
    if len(recent) > VIEWER_CONTEXTS:
        recent.popitem(last=False)


def question_for_the_bot(job: Job) -> bool:
    """A real question addressed to the bot: the only thing handed to the moderators. "@bot 666" and
    "@bot YEA?" are not."""
    return job.addressing.addressed and is_real_question(job.event.text)


def asks_something(job: Job) -> bool:
    """A message that deserves an answer (or an honest hand-off) when Rasa said nothing: a shop
    question, or a question for the bot."""
    return job.addressing.shop_question or question_for_the_bot(job)


def shareable(result: RasaResult) -> bool:
    """A Rasa answer identical askers may share: not silenced for one of them, not personal."""
    parse = result.parse
    if parse is None:
        return True
    return parse.silenced is None and parse.intent not in PERSONAL_INTENTS


def addressing(event: ChatEvent, triage: TriageResult, bot_name: str, follow_up: bool = False) -> Addressing:
    """How a message was addressed, for the reply policy (nlu/text/reply_policy.py): a command, a mention
    of the bot, a reply to one of the bot's messages (``extra["reply_parent_user"]``, set by the
    connectors whose platform says whom a reply answers), or a ``follow_up`` in a conversation the bot
    is having with this viewer (see ``Room.in_conversation``)."""
    parent = event.extra.get("reply_parent_user")
    replied = isinstance(parent, str) and parent.casefold() == bot_name.casefold()
    return Addressing(
        addressed=triage.addressed or replied,
        follow_up=follow_up,
        shop_question=triage.shop_question,
        question=triage.question,
        to_streamer=triage.to_streamer,
    )


def takes_qa_lane(job: Job) -> bool:
    """Does the question-answering lane try this message first? Shop questions the reply policy lets the
    bot answer (nlu/text/reply_policy.py): addressed to it, recognised as a shop question by triage, or a
    question following up on the viewer's conversation with the bot. Commands never."""
    if job.triage.priority is Priority.COMMAND:
        return False
    a = job.addressing
    return a.addressed or a.shop_question or (a.follow_up and a.question and job.context is not None)


def coalesce_key(event: ChatEvent, job: Job) -> tuple[str, ...] | None:
    """Identical questions share an answer only when the question text and its context are the same:
    the product the question names, else the product the asker's conversation is about (two viewers
    asking "how much?" about different products must not share). A deictic question ("is it
    waterproof?") about no known product is never shared."""
    text = " ".join(unicodedata.normalize("NFKC", event.text).casefold().split())
    context = job.triage.product or job.context
    if context is None and DEICTIC.search(text):
        return None
    return (event.platform, event.room, job.lang, text, context or "")


def audience_metadata(snapshot: AudienceSnapshot) -> dict[str, object]:
    """What Rasa learns about the room with every message (mood drives response variations)."""
    return {
        "audience_mood": snapshot.mood,
        "room_sentiment": snapshot.sentiment,
        "active_viewers": snapshot.active_viewers,
        "hot_products": [name for name, _ in snapshot.hot_products],
    }
