"""Rasa 3.6 entity extractor for ``product`` (from the live catalog), ``size`` and ``colour``.

Products: names, aliases and SKUs come from the gateway (``nlu.text.catalog_names.CatalogNames``,
refreshed in the background every ``ttl_s`` seconds), so a catalog edit reaches NLU without
retraining. The entity value is the product's SKU (a fuzzy "lipstik" still resolves); the span is
what the viewer typed. Until the gateway answers, the product values annotated in the training data
(collected at training time and stored in the model) are used, with the typed text as value.

Sizes and colours: ``nlu.text.attributes`` (lexicon + patterns, canonical values).

Imported only by the Rasa runtime (Python 3.10).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.rasa.component import StoredComponent
from nlu.text.attributes import find_attributes
from nlu.text.catalog_names import CatalogNames, match_key

log = logging.getLogger(__name__)

_FILE = "training_names.json"
_OWN_TYPES = ("product", "size", "colour")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class CatalogEntityExtractor(StoredComponent, EntityExtractorMixin):
    """Adds product/size/colour entities; replaces any other extractor's entities of those types."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # null: $LIVEROOM_CATALOG_URL, else http://127.0.0.1:$LIVEROOM_GATEWAY_PORT/api/v1/catalog/names
            "catalog_url": None,
            # seconds between catalog polls (a poll never blocks a parse)
            "ttl_s": 5.0,
            "timeout_s": 2.0,
            # rapidfuzz ratio (0-100) for a typo to count as a product name
            "fuzzy_threshold": 86.0,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        training_names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.training_names = dict(training_names or {})
        self.catalog = CatalogNames(
            config.get("catalog_url"),
            ttl_s=float(config["ttl_s"]),
            timeout_s=float(config["timeout_s"]),
            fallback_keys=self.training_names,
        )

    @classmethod
    def read_stored(cls, directory: Path) -> dict[str, str]:
        return json.loads((directory / _FILE).read_text(encoding="utf-8"))

    @classmethod
    def not_stored(cls, resource: Resource, err: Exception) -> dict[str, str]:
        log.debug("no training names stored for %s", cls.__name__)
        return {}

    def loaded(self) -> None:
        self.catalog.matcher  # noqa: B018 - starts the first poll now, not on the first message

    def train(self, training_data: TrainingData) -> Resource:
        """Remember the product names annotated in the training data (offline fallback)."""
        names: dict[str, str] = {}
        for example in training_data.entity_examples:
            for entity in example.get(ENTITIES, []):
                if entity.get(ENTITY_ATTRIBUTE_TYPE) == "product":
                    text = example.get(TEXT)[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]
                    key = match_key(text)
                    if key:
                        names.setdefault(key, str(entity.get(ENTITY_ATTRIBUTE_VALUE) or text))
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(
                json.dumps(names, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
        self.training_names = names
        return self._resource

    def extract(self, text: str) -> list[dict[str, Any]]:
        """The entities of one raw text (also used by tests and the benchmark)."""
        entities: list[dict[str, Any]] = []
        products = self.catalog.matcher.find(text)
        for m in products:
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: "product",
                    ENTITY_ATTRIBUTE_VALUE: m.sku,
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    ENTITY_ATTRIBUTE_CONFIDENCE: m.score,
                }
            )
        for a in find_attributes(text):
            # "rose perfume": a colour word inside a product name is part of the name
            if any(m.start < a.end and a.start < m.end for m in products):
                continue
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: a.entity,
                    ENTITY_ATTRIBUTE_VALUE: a.value,
                    ENTITY_ATTRIBUTE_START: a.start,
                    ENTITY_ATTRIBUTE_END: a.end,
                    ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
                }
            )
        return entities

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            kept = [e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) not in _OWN_TYPES]
            found = self.add_extractor_name(self.extract(text))
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages
