"""Rasa 3.6 component: per-message sentiment and the room mood from metadata.

* ``sentiment``: a score in [-1, 1] (``nlu.text.sentiment``) set on the parse result (``/model/parse``
  returns it; ``nlu.rasa.channel.LiveroomInput`` hands it to the gateway for the room mood).
* ``audience_mood`` entity: the gateway sends ``metadata["audience_mood"]`` (neutral|happy|bored|upset;
  ``metadata["mood"]`` is read too);
  it becomes an entity, so the ``audience_mood`` slot is refreshed by Rasa's own slot mapping and
  conditional responses vary by it. Messages without a valid mood leave the slot unchanged.

Imported only by the Rasa runtime (Python 3.10).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.rasa.component import ConfigComponent
from nlu.text.language import normalize_language
from nlu.text.sentiment import sentiment

MOODS = ("neutral", "happy", "bored", "upset")
SENTIMENT = "sentiment"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ChatSignals(ConfigComponent, EntityExtractorMixin):
    """Sets ``sentiment`` on every message and the ``audience_mood`` entity from metadata."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"mood_metadata_keys": ["audience_mood", "mood"], "mood_entity": "audience_mood"}

    def __init__(self, config: dict[str, Any]) -> None:
        self._mood_keys = list(config["mood_metadata_keys"])
        self._mood_entity = config["mood_entity"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            lang = None
            for entity in message.get(ENTITIES, []):
                if entity.get("entity") == "lang":
                    lang = normalize_language(entity.get("value"))
            message.set(SENTIMENT, sentiment(text, lang), add_to_output=True)
            metadata = message.get(METADATA)
            mood = None
            if isinstance(metadata, dict):
                mood = next((metadata[k] for k in self._mood_keys if isinstance(metadata.get(k), str)), None)
            if isinstance(mood, str) and mood.strip().lower() in MOODS:
                entity = {
                    "entity": self._mood_entity,
                    "value": mood.strip().lower(),
                    "start": 0,
                    "end": len(text),
                }
                entity["confidence_entity"] = 1.0
                message.set(
                    ENTITIES,
                    [*message.get(ENTITIES, []), *self.add_extractor_name([entity])],
                    add_to_output=True,
                )
        return messages
