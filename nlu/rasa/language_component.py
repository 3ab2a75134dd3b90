"""Rasa 3.6 component that tags every user message with its language as a ``lang`` entity.

Why an entity: a ``lang`` slot with a ``from_entity`` mapping is then refilled on every turn by
Rasa's own slot extraction, so conditional responses (``condition: slot lang``) and custom actions
see the language of the *current* message without any custom dialogue code.

The language comes from the message metadata when the gateway sends one (``{"lang": "zh"}``: the
platform may know better, e.g. a Bilibili room), else from ``nlu.text.language.detect_language``.
Not trainable and not part of the training graph, so the NLU training data never carries the
``lang`` entity and DIET never learns to tag it.

Imported only by the Rasa runtime (Python 3.10).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    METADATA,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.rasa.component import ConfigComponent
from nlu.text.language import SUPPORTED_LANGUAGES, Language, detect_language, normalize_language

log = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(ConfigComponent, EntityExtractorMixin):
    """Adds ``{"entity": "lang", "value": "en"|"zh"}`` spanning the whole message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default config; every key can be overridden in config.yml."""
        return {
            # Name of the entity this component emits; the domain's `lang` slot maps from it.
            "entity_name": "lang",
            # Answer when the message has no language signal (emotes, digits, empty text) and
            # the metadata names no language. One of nlu.text.language.SUPPORTED_LANGUAGES.
            "default_language": "en",
            # Metadata key the gateway may set to force the language ("zh", "en-US", ...);
            # null to ignore metadata and always detect from the text.
            "metadata_key": "lang",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        """Validate the config once, so a typo fails at model load rather than per message."""
        self._entity_name: str = config["entity_name"]
        self._metadata_key: str | None = config["metadata_key"]
        default = normalize_language(config["default_language"])
        if default is None or not self._entity_name:
            raise InvalidConfigException(
                f"LanguageDetector: default_language must be one of {SUPPORTED_LANGUAGES} and "
                f"entity_name must be set; got {config['default_language']!r}, {self._entity_name!r}"
            )
        self._default: Language = default

    def language_of(self, message: Message) -> Language:
        """Metadata language if valid, else detected from the text."""
        if self._metadata_key:
            metadata = message.get(METADATA)
            if isinstance(metadata, dict) and self._metadata_key in metadata:
                lang = normalize_language(metadata[self._metadata_key])
                if lang is not None:
                    return lang
                log.debug("ignoring unsupported metadata language %r", metadata[self._metadata_key])
        return detect_language(message.get(TEXT), default=self._default)

    def process(self, messages: list[Message]) -> list[Message]:
        """Append the language entity to each message (other extractors append theirs later)."""
        for message in messages:
            text = message.get(TEXT) or ""
            entity = {
                ENTITY_ATTRIBUTE_TYPE: self._entity_name,
                ENTITY_ATTRIBUTE_VALUE: self.language_of(message),
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            entities = [*message.get(ENTITIES, []), *self.add_extractor_name([entity])]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
