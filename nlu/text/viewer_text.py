"""Viewer text is data for Rasa, never instructions (review finding H1).

Rasa 3.6 reads a message whose ``text.strip()`` starts with ``/`` as ``/<intent>@<confidence>{entities}``
(``RegexMessageHandler``, and ``YAMLStoryReader.unpack_regex_message``): the intent and the entities are
taken as written and the NLU pipeline's own result is thrown away. From live chat that let any viewer
choose the intent, entity values the bot then repeated in its reply, the ``lang`` and ``audience_mood``
entities, and the ``EXTERNAL_*`` intents that only the gateway may trigger (through Rasa's
``trigger_intent`` API, which never parses text). Twitch's web client keeps a leading ``/`` for its
own commands, but a leading U+3000 or U+00A0 gets it through and ``str.strip()`` removes it again.

Two rules, applied by the gateway before it sends a message (bot/adapters/rasa.py) and again by the
liveroom input channel when Rasa receives one (nlu/rasa/channel.py), so neither alone is load-bearing:

* :func:`as_chat_text` drops a leading run of slashes (``/``, full-width ``／`` and other slash
  look-alikes) together with the whitespace and invisible format characters (zero-width space, word
  joiner, BOM, ...) around it. What is left never starts with ``/`` after any strip or NFKC
  normalisation, and the words the viewer typed after the slash still reach the NLU model.
* :func:`without_external_intents` turns a parse whose intent is an ``EXTERNAL_*`` intent (the model
  is trained on their literal names, ``data/nlu_external.yml``) into ``nlu_fallback`` and removes them
  from the ranking: typed text never triggers what only the gateway may trigger.

Pure Python (3.10+, standard library only): the Rasa runtime and the gateway both import it.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

EXTERNAL_PREFIX = "EXTERNAL_"
FALLBACK_INTENT = "nlu_fallback"

# Slash look-alikes NFKC does not fold to "/" (it does fold U+FF0F FULLWIDTH SOLIDUS): fraction
# slash, division slash, big solidus. Rasa itself only reacts to "/", but a later normalising step
# (or another Rasa version) must not turn any of these into one.
_SLASH_LOOKALIKES = frozenset("\u2044\u2215\u29f8")


def _is_slash(char: str) -> bool:
    return char == "/" or char in _SLASH_LOOKALIKES or unicodedata.normalize("NFKC", char) == "/"


def _is_blank(char: str) -> bool:
    """Whitespace (what ``str.strip`` removes, U+3000 and U+00A0 included), controls and invisible
    format characters (U+200B zero-width space, U+2060 word joiner, U+FEFF, bidi marks ...)."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def as_chat_text(text: str) -> str:
    """``text`` without a leading slash run, so Rasa cannot read it as ``/intent{entities}``.

    Only the start of the message matters to Rasa. Text with no slash there is returned unchanged;
    text that is nothing but slashes and blanks is returned unchanged too (its would-be intent name
    is made of slashes, never an intent of the domain)."""
    cut = 0
    for i, char in enumerate(text):
        if _is_slash(char):
            cut = i + 1
        elif not _is_blank(char):
            break
    if not cut:
        return text
    rest = text[cut:]
    return rest if any(not _is_blank(c) for c in rest) else text


def is_external_intent(name: object) -> bool:
    """True for the intents only the gateway triggers (``EXTERNAL_room_bored`` ...)."""
    return isinstance(name, str) and name.startswith(EXTERNAL_PREFIX)


def without_external_intents(parse_data: dict[str, Any]) -> dict[str, Any]:
    """A copy of Rasa's parse of viewer text in which no ``EXTERNAL_*`` intent is predicted or ranked.

    A predicted external intent becomes ``nlu_fallback`` (the FAQ / moderator hand-off answers it, as
    any message the model cannot place), with the same confidence."""
    intent = parse_data.get("intent")
    ranking = parse_data.get("intent_ranking")
    external_top = isinstance(intent, dict) and is_external_intent(intent.get("name"))
    external_ranked = isinstance(ranking, list) and any(
        isinstance(r, dict) and is_external_intent(r.get("name")) for r in ranking
    )
    if not (external_top or external_ranked):
        return parse_data
    cleaned = copy.deepcopy(parse_data)
    if external_top:
        cleaned["intent"] = {"name": FALLBACK_INTENT, "confidence": intent.get("confidence", 0.0)}
    if isinstance(ranking, list):
        kept = [
            r
            for r in cleaned["intent_ranking"]
            if not (isinstance(r, dict) and is_external_intent(r.get("name")))
        ]
        if external_top:
            kept.insert(0, dict(cleaned["intent"]))
        cleaned["intent_ranking"] = kept
    return cleaned
