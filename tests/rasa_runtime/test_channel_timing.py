"""The liveroom channel reports how long the turn spent in custom actions (Rasa runtime only)."""

from __future__ import annotations

from rasa.shared.core.events import (
    ActionExecuted,
    DefinePrevUserUtteredFeaturization,
    SlotSet,
    UserUttered,
)

from nlu.rasa.channel import custom_action_seconds


def test_only_custom_actions_of_the_latest_turn_count() -> None:
    events = [
        UserUttered("how much is the serum", timestamp=10.0),
        ActionExecuted("action_answer_price", timestamp=10.5),  # an earlier turn: not counted
        ActionExecuted("action_listen", timestamp=10.6),
        UserUttered("and is it in stock?", timestamp=20.0),
        ActionExecuted("action_extract_slots", timestamp=20.01),  # Rasa's own action: not counted
        SlotSet("lang", "en", timestamp=20.02),
        DefinePrevUserUtteredFeaturization(False, timestamp=20.119),  # logged right before the action
        ActionExecuted("action_answer_stock", timestamp=20.12),
        ActionExecuted("utter_anything_else", timestamp=20.13),
        ActionExecuted("action_listen", timestamp=20.14),
    ]
    assert abs(custom_action_seconds(events) - 0.10) < 1e-6


def test_no_user_message_means_no_time() -> None:
    assert custom_action_seconds([ActionExecuted("action_listen", timestamp=1.0)]) == 0.0
