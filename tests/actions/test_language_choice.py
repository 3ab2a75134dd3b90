"""Which language action_answer_price answers in, from a real rasa_sdk Tracker."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.tracker import viewer_language
from tests.actions.helpers import recorded_payload


def tracker(text: str, *, slot: str | None, metadata: dict[str, Any] | None = None) -> Tracker:
    state = recorded_payload("webhook_ask_price_en")["tracker"]
    state["slots"]["lang"] = slot
    state["latest_message"].update(text=text, metadata=metadata or {})
    return Tracker.from_dict(state)


@pytest.mark.parametrize(
    ("text", "slot", "metadata", "expected"),
    [
        ("how much?", "zh", {"lang": "en"}, "zh"),  # the slot (this message, via NLU) wins
        ("how much?", None, {"lang": "zh-CN"}, "zh"),  # then the gateway's metadata
        ("how much?", "fr", {"lang": "zh"}, "zh"),  # an unsupported slot value is ignored
        ("多少钱", None, {"lang": "klingon"}, "zh"),  # then the text itself
        ("how much?", None, None, "en"),
        ("666", None, None, "en"),
    ],
)
def test_viewer_language(text: str, slot: str | None, metadata: dict[str, Any] | None, expected: str) -> None:
    assert viewer_language(tracker(text, slot=slot, metadata=metadata)) == expected
