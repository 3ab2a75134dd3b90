"""Intent model for live chat: logistic regression over n-grams and multilingual sentence embeddings.

Why next to DIET: the training data is a few thousand short lines, and a linear model over
TF-IDF character n-grams (typos, "priceee", Chinese sub-words), chat words (jieba segments of the
normalized text) and the USE sentence embedding (meaning across phrasings and languages) is a
strong, fast text classifier in that regime. It trains in seconds, so model choices can be made
by cross-validation and on the development split (bench/dev_nlu.py) instead of one multi-minute
Rasa training per try. ``nlu.rasa.chat_intent_classifier`` wraps it as a Rasa component and blends its
probabilities with DIET's ranking.

Pure Python + numpy/scipy/scikit-learn (Python 3.10 in the Rasa runtime); the embeddings are
passed in, so this module does not load the sentence encoder itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.text.normalizer import normalize_text

log = logging.getLogger(__name__)


def chat_words(text: str) -> list[str]:
    """Words of a chat line: jieba segments of the normalized text, spaces dropped (module level so
    the fitted vectorizer pickles)."""
    import jieba

    return [word for word in jieba.cut(normalize_text(text)) if word.strip()]


@dataclass(frozen=True)
class ChatIntentSettings:
    """Hyper-parameters (chosen on the development split and by cross-validation on data/)."""

    char_min: int = 1
    char_max: int = 5
    use_words: bool = True
    dense_weight: float = 1.0
    c: float = 10.0
    max_iter: int = 3000

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ChatIntentSettings:
        settings = cls(
            char_min=int(config.get("char_min", cls.char_min)),
            char_max=int(config.get("char_max", cls.char_max)),
            use_words=bool(config.get("use_words", cls.use_words)),
            dense_weight=float(config.get("dense_weight", cls.dense_weight)),
            c=float(config.get("C", cls.c)),
            max_iter=int(config.get("max_iter", cls.max_iter)),
        )
        if not 1 <= settings.char_min <= settings.char_max <= 8:
            raise ValueError(f"char n-gram range must satisfy 1 <= min <= max <= 8, got {settings}")
        if settings.c <= 0 or settings.dense_weight < 0:
            raise ValueError(f"C must be > 0 and dense_weight >= 0, got {settings}")
        return settings


class ChatIntentModel:
    """Fit on (text, intent, embedding) triples; ``predict_proba`` gives one row per text over
    ``labels``. ``embeddings`` may be None (then only the n-gram features are used)."""

    def __init__(self, settings: ChatIntentSettings | None = None) -> None:
        self.settings = settings or ChatIntentSettings()
        self._chars: TfidfVectorizer | None = None
        self._words: TfidfVectorizer | None = None
        self._classifier: LogisticRegression | None = None
        self._uses_dense = False

    @property
    def labels(self) -> list[str]:
        if self._classifier is None:
            return []
        return [str(label) for label in self._classifier.classes_]

    def _matrix(self, texts: list[str], embeddings: np.ndarray | None, *, fit: bool) -> csr_matrix:
        assert self._chars is not None
        parts = [self._chars.fit_transform(texts) if fit else self._chars.transform(texts)]
        if self._words is not None:
            parts.append(self._words.fit_transform(texts) if fit else self._words.transform(texts))
        if self._uses_dense:
            if embeddings is None:
                # a model trained with embeddings, served without: zeros keep the shapes (weaker)
                log.warning("sentence embeddings missing at prediction time; n-grams only")
                embeddings = np.zeros((len(texts), self._dense_dim), dtype=np.float32)
            parts.append(csr_matrix(np.asarray(embeddings, dtype=np.float32) * self.settings.dense_weight))
        return hstack(parts).tocsr()

    def fit(
        self, texts: list[str], intents: list[str], embeddings: np.ndarray | None = None
    ) -> ChatIntentModel:
        if len(texts) != len(intents) or not texts:
            raise ValueError(
                f"need as many intents as texts (got {len(texts)} texts, {len(intents)} intents)"
            )
        if len(set(intents)) < 2:
            raise ValueError("need at least two intents to train an intent classifier")
        s = self.settings
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(s.char_min, s.char_max),
            preprocessor=normalize_text,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self._words = (
            TfidfVectorizer(analyzer=chat_words, sublinear_tf=True, dtype=np.float32) if s.use_words else None
        )
        self._uses_dense = embeddings is not None and s.dense_weight > 0
        self._dense_dim = int(np.asarray(embeddings).shape[1]) if self._uses_dense else 0
        matrix = self._matrix(texts, embeddings, fit=True)
        self._classifier = LogisticRegression(C=s.c, max_iter=s.max_iter)
        self._classifier.fit(matrix, intents)
        log.info(
            "chat intent model: %d examples, %d intents, %d features",
            len(texts),
            len(self.labels),
            matrix.shape[1],
        )
        return self

    def predict_proba(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        if self._classifier is None:
            raise RuntimeError("ChatIntentModel.predict_proba before fit")
        return self._classifier.predict_proba(self._matrix(texts, embeddings, fit=False))
