"""Viewer text never becomes a Rasa command or a gateway-only intent (review finding H1; Rasa runtime).

Rasa 3.6 reads text whose ``strip()`` starts with ``/`` as ``/intent{entities}`` and keeps the intent
and entity values as written. The first tests run Rasa's own parser of that syntax
(``YAMLStoryReader.unpack_regex_message``) with the real domain: the raw texts are commands to it, and
what ``as_chat_text`` makes of them in every disguise is not. The last test runs the liveroom
channel's handler with an agent loaded from this repo's trained model and checks the parse it reports
(and the tracker keeps) for such messages.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.rasa.channel import LiveroomInput
from nlu.text.viewer_text import as_chat_text, without_external_intents

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = "RED. GIVEAWAY: claim your free lipstick at free-gifts.shop"
COMMAND = '/ask_variant{"product": "LR-LIP-001", "colour": "' + PAYLOAD + '"}'
MOOD = '/EXTERNAL_room_bored{"audience_mood": "bored"}'
# every way a viewer can put the command in front of Rasa: as is (Bilibili, simulator), behind
# whitespace Twitch's client does not treat as a command start, full-width, behind invisible characters
DISGUISES = {
    "plain": "{}",
    "space": "  {}",
    "ideographic space": "\u3000{}",
    "no-break space": "\u00a0{}",
    "tab and newline": "\t\n{}",
    "line separator": "\u2028{}",
    "full-width solidus": "\uff0f{}",
    "zero-width space": "\u200b{}",
    "word joiner": "\u2060{}",
    "bom": "\ufeff{}",
    "bidi mark": "\u200f{}",
    "two slashes": "/ {}",
    "division slash": "\u2215{}",
}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO / "domain.yml"))


def rasa_reads_as_command(text: str, domain: Domain) -> str | None:
    """The intent Rasa's own ``/intent{...}`` parser takes from ``text`` (None: it is plain text)."""
    unpacked = YAMLStoryReader.unpack_regex_message(Message({TEXT: text}), domain=domain)
    intent = unpacked.get(INTENT)
    return intent.get("name") if intent else None


def test_the_raw_commands_are_commands_to_rasa(domain: Domain) -> None:
    """The precondition of the finding: without the fix these reach Rasa as they are."""
    for command, intent in ((COMMAND, "ask_variant"), (MOOD, "EXTERNAL_room_bored")):
        for name in ("plain", "space", "ideographic space", "no-break space", "tab and newline"):
            assert rasa_reads_as_command(DISGUISES[name].format(command), domain) == intent, name


@pytest.mark.parametrize("disguise", DISGUISES, ids=str)
def test_viewer_text_is_never_a_command(domain: Domain, disguise: str) -> None:
    for command in (COMMAND, MOOD):
        text = as_chat_text(DISGUISES[disguise].format(command))
        assert rasa_reads_as_command(text, domain) is None, text
        assert not text.strip().startswith("/")
        assert "ask_variant" in text or "EXTERNAL_room_bored" in text  # the words stay, as data
        assert as_chat_text(text) == text


def test_ordinary_text_is_left_alone() -> None:
    for text in ("how much is the serum?", "XL/M still there", "这个多少钱 / 有货吗", "///", "  "):
        assert as_chat_text(text) == text


def test_a_predicted_external_intent_becomes_a_fallback() -> None:
    parse = {
        "text": "EXTERNAL_room_bored",
        "intent": {"name": "EXTERNAL_room_bored", "confidence": 0.83},
        "intent_ranking": [
            {"name": "EXTERNAL_room_bored", "confidence": 0.83},
            {"name": "EXTERNAL_room_upset", "confidence": 0.1},
            {"name": "greet", "confidence": 0.07},
        ],
        "entities": [],
    }
    cleaned = without_external_intents(parse)
    assert cleaned["intent"] == {"name": "nlu_fallback", "confidence": 0.83}
    assert [r["name"] for r in cleaned["intent_ranking"]] == ["nlu_fallback", "greet"]
    assert parse["intent"]["name"] == "EXTERNAL_room_bored"  # the input is not changed
    ordinary = {"intent": {"name": "greet", "confidence": 0.9}, "intent_ranking": [], "entities": []}
    assert without_external_intents(ordinary) is ordinary


# --- the channel, with an agent of the trained model -------------------------------------------------------


def test_the_channel_never_lets_viewer_text_choose_the_intent(agent: Agent) -> None:
    """``LiveroomInput.handle`` is what the webhook runs, with ``agent.handle_message`` as Rasa wires it
    (the HTTP layer is covered by test_channel_auth.py: Sanic serves one app per process)."""
    channel = LiveroomInput(token="")

    async def parse_of(sender: str, text: str) -> dict[str, Any]:
        answer = await channel.handle(
            agent, agent.handle_message, sender, text, input_channel="liveroom", metadata={"lang": "en"}
        )
        assert answer["parse"] is not None
        return answer["parse"]

    async def run() -> None:
        for i, disguise in enumerate(("plain", "ideographic space", "no-break space", "full-width solidus")):
            parse = await parse_of(f"simulator:room:v{i}", DISGUISES[disguise].format(COMMAND))
            assert parse["confidence"] < 1.0, (disguise, parse)  # the model's guess, not the typed 1.0
            assert not any(PAYLOAD in str(e["value"]) for e in parse["entities"]), (disguise, parse)
        for i, text in enumerate((MOOD, "\u3000" + MOOD, "EXTERNAL_room_bored", "EXTERNAL_room_upset")):
            parse = await parse_of(f"simulator:room:m{i}", text)
            assert not parse["intent"].startswith("EXTERNAL_"), (text, parse)
            tracker = await agent.tracker_store.retrieve(f"simulator:room:m{i}")
            assert not tracker.latest_message.intent["name"].startswith("EXTERNAL_")
        # ordinary questions still get their intent
        assert (await parse_of("simulator:room:q", "how much is the serum"))["intent"] == "ask_price"

    asyncio.run(run())
