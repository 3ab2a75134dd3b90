"""The liveroom channel applies the reply policy before the turn runs (Rasa runtime, trained model).

A message the gateway marks as not addressed to the bot and that is no shop question ends without a
turn: no reply, nothing in the tracker, and the parse says why. The same words addressed to the bot run
their turn as before. Senders that say nothing about addressing (Rasa's shell, other clients) are not
affected."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.agent import Agent

from nlu.rasa.channel import LiveroomInput
from nlu.text.reply_policy import Addressing


def answer_of(agent: Agent, sender: str, text: str, addressing: Addressing | None) -> dict[str, Any]:
    channel = LiveroomInput(token="")
    metadata: dict[str, Any] = {"lang": "en"}
    if addressing is not None:
        metadata.update(addressing.as_metadata())
    return asyncio.run(
        channel.handle(agent, agent.handle_message, sender, text, input_channel="liveroom", metadata=metadata)
    )


def test_social_talk_not_for_the_bot_runs_no_turn(agent: Agent) -> None:
    answer = answer_of(agent, "simulator:p:ann", "thank you so much for the stream", Addressing())
    assert answer["messages"] == []
    assert answer["parse"]["policy"] == {"reply": False, "reason": "social_not_addressed"}
    assert answer["parse"]["intent"] == "thanks"
    tracker = asyncio.run(agent.tracker_store.retrieve("simulator:p:ann"))
    assert tracker is None or tracker.latest_message is None or not tracker.latest_message.text


def test_the_same_words_addressed_to_the_bot_get_their_reply(agent: Agent) -> None:
    answer = answer_of(agent, "simulator:p:bob", "thank you so much", Addressing(addressed=True))
    assert answer["parse"]["policy"]["reply"] is True
    assert [m.get("text") for m in answer["messages"]], answer
    unaware = answer_of(agent, "simulator:p:cy", "thank you so much", None)  # no addressing metadata
    assert "policy" not in unaware["parse"] and unaware["messages"]
