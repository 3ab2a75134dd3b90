"""When the bot speaks: the reply policy applied to every parsed viewer message before Rasa's turn runs.

A live room is mostly chatter: hype, emotes, chants, viewers talking to the streamer or to each other.
Every intent but chitchat has a canned reply or an action behind it, so letting each parsed message run
its turn makes the bot thank cheering, welcome emotes and "pass to the moderators" a bare "YEA?". The
policy decides from the intent and what the gateway knows about the message (``Addressing``, sent as
message metadata):

- the bot speaks when it is *addressed* (a mention, a reply to the bot, a question to the bot), or when
  the message is a *shop question* it can answer: a shop intent on a message the gateway triaged as a
  shopping question (its words, not the model's confidence, decide: chatter the model was sure about
  was wrong more often than right);
- social intents (greet, thanks, praise, goodbye, "are you a bot") only when addressed, and an unsure
  greeting or goodbye only with a greeting's or farewell's words (nlu/text/social_cues.py);
- a shop intent on a message the domain guard calls off-topic becomes ``out_of_scope`` when addressed
  (a polite "I only know the shop") and silence otherwise: no shop content for a cold remedy;
- low confidence (``nlu_fallback``, which ends in the FAQ-or-hand-off action) only for a message
  addressed to the bot or a shop question; the action records an open question only for a real
  question put to the bot, so nothing is "passed to the moderators" that nobody will follow up.

Silence is decided *before* the turn, so a silent message costs no policy prediction, no custom action
and leaves no record for moderators. Pure functions: imported by the Rasa channel (Python 3.10) and by
the gateway's tests and evaluations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nlu.text.social_cues import folded_without_mentions, has_cue

SOCIAL_INTENTS = frozenset({"greet", "goodbye", "thanks", "praise", "bot_challenge"})
SHOP_INTENTS = frozenset(
    {
        "ask_price",
        "ask_product_info",
        "ask_stock",
        "ask_variant",
        "ask_shipping",
        "ask_discount",
        "ask_recommendation",
        "ask_schedule",
        "ask_streamer",
        "ask_store_policy",
    }
)
#: social intents a viewer the bot just answered may send without naming it ("thanks!!"); anything
#: else they say next ("no way", "L + ratio") is chatter like anyone's
FOLLOW_UP_INTENTS = frozenset({"thanks"})
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
#: Below this confidence a greeting or goodbye needs its words (nlu/text/social_cues.py). On tests/nlu's
#: held-out split and CLINC150's test greetings and goodbyes, no greeting the model got right was below it
#: without a cue; the misparsed shop messages and remarks seen were at 0.44.
SURE_SOCIAL_CONFIDENCE = 0.5


#: Question form, on NFKC-casefolded text. The gateway's triage reads the same patterns.
QUESTION_EN = re.compile(
    r"\b(how much|how many|how long|how do|how does|how can|how to|what|when|where|which|who|why|is it|"
    r"is there|are there|is the|does it|do you|can i|can you|could you|any)\b"
)
QUESTION_ZH = re.compile(r"多少|吗|么|呢|什么|啥|怎么|咋|哪|几|有没有|能不能|可不可以|是不是|求")
_LATIN_WORD = re.compile(r"[a-z0-9']+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def is_real_question(text: str) -> bool:
    """A message that asks something a person could follow up: a question word with something to ask
    about, or a question mark after a few words. "YEA?", "??", "what?" and "啥" are reactions, not
    questions, nor is "在吗" ("you there?"); "is the serum in stock", "wait what is this?" and "有货吗" are
    questions."""
    folded = folded_without_mentions(text)
    size = len(_LATIN_WORD.findall(folded)) + len(_CJK.findall(folded))
    if (QUESTION_EN.search(folded) or QUESTION_ZH.search(folded)) and size >= 3:
        return True
    return "?" in folded and size >= 3


@dataclass(frozen=True)
class Addressing:
    """What the gateway's triage knows about a message, sent to Rasa as metadata."""

    addressed: bool = False  # a mention of the bot, a reply to it, or a command
    #: the viewer's next message right after the bot answered them: their "thanks!!" is for the bot
    follow_up: bool = False
    shop_question: bool = False  # shopping words in question form, or a product named in a question
    question: bool = False  # question form (a question word or a question mark)
    to_streamer: bool = False  # names the streamer and no product: the streamer's to answer

    def as_metadata(self) -> dict[str, bool]:
        return {
            "addressed": self.addressed,
            "follow_up": self.follow_up,
            "shop_question": self.shop_question,
            "question": self.question,
            "to_streamer": self.to_streamer,
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> Addressing | None:
        """None when the sender said nothing about addressing (Rasa's own REST clients, shell, tests):
        the policy then stays out of the way and every message runs its turn as Rasa would."""
        if not isinstance(metadata, Mapping) or "addressed" not in metadata:
            return None
        return cls(
            addressed=metadata.get("addressed") is True,
            follow_up=metadata.get("follow_up") is True,
            shop_question=metadata.get("shop_question") is True,
            question=metadata.get("question") is True,
            to_streamer=metadata.get("to_streamer") is True,
        )


@dataclass(frozen=True)
class Verdict:
    """Run the turn (with ``intent`` replacing the parsed one when set), or stay silent for ``reason``."""

    run: bool
    reason: str
    intent: str | None = None


def _in_domain(parse: Mapping[str, Any]) -> bool:
    """The domain guard's verdict; a parse without one (older model) counts as in the shop's domain."""
    domain = parse.get("domain")
    if isinstance(domain, Mapping) and isinstance(domain.get("in_domain"), bool):
        return bool(domain["in_domain"])
    return True


def _sure_social(parse: Mapping[str, Any], intent: str) -> bool:
    """A greeting or goodbye the model was sure of, or one whose words say so (nlu/text/social_cues.py)."""
    intent_data = parse.get("intent") or {}
    confidence = intent_data.get("confidence") if isinstance(intent_data, Mapping) else None
    if isinstance(confidence, (int, float)) and confidence >= SURE_SOCIAL_CONFIDENCE:
        return True
    return has_cue(intent, str(parse.get("text") or ""))


def decide(parse: Mapping[str, Any], addressing: Addressing) -> Verdict:
    """The reply policy for one parsed message (see the module docstring)."""
    intent_data = parse.get("intent") or {}
    intent = intent_data.get("name") if isinstance(intent_data, Mapping) else None
    addressed = addressing.addressed
    if intent in SHOP_INTENTS:
        if not _in_domain(parse):
            if addressed:
                return Verdict(True, "off_topic_addressed", OUT_OF_SCOPE)
            return Verdict(False, "off_topic")
        if addressed or addressing.shop_question:
            return Verdict(True, "shop_question")
        # replayed real rooms: confident shop intents on chatter were wrong more often than right
        # ("这是录播吗" -> the streamer's profile, "最矮的哪个" -> a recommendation)
        return Verdict(False, "not_addressed")
    if intent in SOCIAL_INTENTS:
        if addressed:
            if not _sure_social(parse, intent):
                # the model's guess without its words: a question is handed to the FAQ-or-hand-off
                # action, anything else is chatter ("eyes puffy every morning" is no greeting)
                if is_real_question(str(parse.get("text") or "")):
                    return Verdict(True, "unsure_social_question", FALLBACK_INTENT)
                return Verdict(False, "unsure_social")
            return Verdict(True, "social_addressed")
        if addressing.follow_up and intent in FOLLOW_UP_INTENTS:
            return Verdict(True, "thanks_after_an_answer")
        return Verdict(False, "social_not_addressed")
    if intent == "complain":
        if addressed or addressing.shop_question:
            return Verdict(True, "complaint")
        return Verdict(False, "not_addressed")
    if intent == OUT_OF_SCOPE:
        return Verdict(True, "out_of_scope_addressed") if addressed else Verdict(False, "not_addressed")
    if intent == FALLBACK_INTENT:
        # the FAQ-or-hand-off action hands off only a real question put to the bot, and answers an
        # unsure "小助手你好" with the greeting the model guessed
        if addressing.shop_question or addressed:
            return Verdict(True, "unsure")
        return Verdict(False, "unsure_not_addressed")
    if intent == "chitchat":
        return Verdict(False, "chitchat")
    return Verdict(False, "no_intent")
