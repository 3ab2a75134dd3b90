"""Rasa 3.6 component: how much is a message about this shop? (issue 14, the off-topic guard)

A live-stream cosmetics shop bot must not answer "what should I take for a cold" with a serum or a
travel-safety question with the shipping line. The intent model alone cannot tell: it only knows our
intents, so a banking or travel question lands in the nearest shop intent often enough (10-12 % of
CLINC150 queries at confidence >= 0.4 before this component). This component scores every message
in [0, 1] from four pieces of evidence and sets the top-level parse key

    "domain": {"score": <float 0..1>, "in_domain": <bool>}   (in_domain = score >= threshold)

which ``nlu.rasa.channel.summarize_parse`` hands to the gateway; the reply policy answers with shop
content (an intent's answer, an FAQ) only when ``in_domain`` is true.

Evidence, combined in log-odds (``score = sigmoid(z)``):

* ``p``: a logistic regression on the USE sentence embedding (``nlu.rasa.use_featurizer``), trained on the
  shop intents' examples (positives) against ``out_of_scope`` (negatives) of data/nlu_*.yml;
* ``m``: nearest-neighbour margin, mean cosine of the 3 closest shop examples minus that of the 3
  closest out-of-scope examples (local evidence the linear model smooths over);
* ``s``: the intent model's probability mass on the shop intents (its ranking, when present);
* shop words (payment, returns, shades, skin, shipping, the stream... ``SHOP_WORDS``) and a catalog
  ``product`` entity from ``nlu.rasa.product_extractor``: each adds a fixed amount to ``z``. They carry
  questions the training data has no intent for ("how do I pay?", "can I return something?").

``z = (logit(p) + margin_scale * m + logit(s)) / 3 + word_bonus * words + product_bonus * product``
(the mean leaves out ``s`` when no intent ranking is present).

Only data in the repo trains it. The threshold is calibrated outside (bench/eval_offtopic.py on
CLINC150 val + oos_val against our development split; see config.yml). Social lines (greetings,
thanks, emotes) are neither shop nor off-topic questions: their score is usually low, so the guard
is meant to gate shop answers, not social replies.

Imported only by the Rasa runtime (Python 3.10).
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.rasa.component import StoredComponent
from nlu.text.normalizer import normalize_text
from nlu.text.reply_policy import SHOP_INTENTS as REPLY_POLICY_SHOP_INTENTS

log = logging.getLogger(__name__)

DOMAIN = "domain"
_MODEL_FILE = "domain_guard.npz"

# The shop intents (the reply policy's, one definition): their examples are the guard's in-domain side.
SHOP_INTENTS = tuple(sorted(REPLY_POLICY_SHOP_INTENTS))

# Words that only a shop / live-stream viewer would use (generic ones such as "buy", "cost", "order",
# "recommend" are left out: "how much does a flight cost" must not count). Matched on the normalized
# text (lower case, half-width, repeated letters folded).
SHOP_WORDS = re.compile(
    r"\b(?:pay|paying|payment|checkout|check out|alipay|wechat pay|paypal|refunds?|returns?|returning"
    r"|exchange it|links?|lnk|cart|coupons?|discounts?|promo|voucher|free gift|ship|ships|shipping"
    r"|shipped|delivery|postage|courier|tracking|in stock|sold out|restock|shades?|swatch|texture"
    r"|skin|skincare|oily|acne|pores|lipsticks?|lip ?gloss|lip ?balm|lips|serums?|creams?|toner"
    r"|cleanser|sunscreen|spf|foundation|concealer|mascara|eyeliner|eyeshadow|palette|blush|primer"
    r"|makeup|make-up|cushion|perfume|moisturi[sz]er|genuine|authentic|streamer|stream|streaming"
    r"|live ?stream|lulu)\b"
    r"|付款|支付|付钱|退货|退款|换货|链接|购物车|下单|拍下|优惠|折扣|券|包邮|发货|快递|物流|有货|现货|缺货|补货"
    r"|色号|试色|肤质|皮肤|油皮|干皮|敏感肌|口红|唇|精华|面霜|乳液|水乳|爽肤水|洁面|防晒|粉底|遮瑕|睫毛|眼线"
    r"|眼影|腮红|妆|香水|正品|直播|主播|露露|多少钱|价格|价钱|尺码|颜色",
    re.IGNORECASE,
)


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def shop_words(text: str) -> bool:
    return bool(SHOP_WORDS.search(normalize_text(text or "")))


class GuardModel:
    """The trained part: a linear model on the embedding and the example matrices for the margin."""

    def __init__(self, coef: np.ndarray, intercept: float, inside: np.ndarray, outside: np.ndarray) -> None:
        self.coef = np.asarray(coef, dtype=np.float32).reshape(-1)
        self.intercept = float(intercept)
        self.inside = _unit(inside)
        self.outside = _unit(outside)

    @classmethod
    def fit(cls, inside: np.ndarray, outside: np.ndarray, c: float) -> GuardModel:
        from sklearn.linear_model import LogisticRegression

        inside, outside = _unit(inside), _unit(outside)
        x = np.vstack([inside, outside])
        y = np.r_[np.ones(len(inside)), np.zeros(len(outside))]
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(x, y)
        return cls(lr.coef_[0], float(lr.intercept_[0]), inside, outside)

    def evidence(self, embeddings: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Per row: (probability of a shop message, nearest-neighbour margin)."""
        e = _unit(embeddings)
        p = 1.0 / (1.0 + np.exp(-(e @ self.coef + self.intercept)))

        def top(ref: np.ndarray) -> np.ndarray:
            sims = e @ ref.T
            kk = min(k, ref.shape[0])
            return np.sort(np.partition(sims, -kk, axis=1)[:, -kk:], axis=1).mean(axis=1)

        return p, top(self.inside) - top(self.outside)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "coef": self.coef,
            "intercept": np.asarray([self.intercept]),
            "inside": self.inside.astype(np.float16),
            "outside": self.outside.astype(np.float16),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> GuardModel:
        return cls(
            arrays["coef"],
            float(arrays["intercept"][0]),
            arrays["inside"].astype(np.float32),
            arrays["outside"].astype(np.float32),
        )


def combine(
    p: float,
    margin: float,
    shop_mass: float | None,
    words: bool,
    product: bool,
    config: dict[str, Any],
) -> float:
    """The domain score in [0, 1] from the evidence (formula in the module docstring)."""
    parts = [_logit(p), float(config["margin_scale"]) * float(margin)]
    if shop_mass is not None:
        parts.append(_logit(shop_mass))
    z = sum(parts) / len(parts)
    z += float(config["word_bonus"]) * words + float(config["product_bonus"]) * product
    return 1.0 / (1.0 + math.exp(-z))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DomainGuard(StoredComponent):
    """Sets ``domain = {"score", "in_domain"}`` on every message (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # score >= threshold -> in_domain (calibrate it: bench/eval_offtopic.py --calibrate)
            "threshold": 0.5,
            "in_domain_intents": list(SHOP_INTENTS),
            "out_of_domain_intents": ["out_of_scope"],
            "dense_alias": "use_multilingual",
            "C": 3.0,
            "neighbours": 3,
            "margin_scale": 10.0,
            "word_bonus": 1.5,
            "product_bonus": 1.5,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: GuardModel | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._model = model
        self._shop = frozenset(config["in_domain_intents"])
        threshold = float(config["threshold"])
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        self.threshold = threshold

    @classmethod
    def read_stored(cls, directory: Path) -> GuardModel:
        with np.load(directory / _MODEL_FILE) as arrays:
            return GuardModel.from_arrays(arrays)

    @classmethod
    def not_stored(cls, resource: Resource, err: Exception) -> None:
        log.warning(
            "no trained domain guard in %s (%s): every message counts as in domain", resource.name, err
        )

    def _embedding(self, message: Message) -> np.ndarray | None:
        _sequence, sentence = message.get_dense_features(TEXT, [self._config["dense_alias"]])
        if sentence is None:
            return None
        return np.asarray(sentence.features, dtype=np.float32).reshape(-1)

    def train(self, training_data: TrainingData) -> Resource:
        outside_intents = set(self._config["out_of_domain_intents"])
        inside, outside = [], []
        for message in training_data.intent_examples:
            intent = message.get(INTENT)
            if intent not in self._shop and intent not in outside_intents:
                continue
            vector = self._embedding(message)
            if vector is not None:
                (inside if intent in self._shop else outside).append(vector)
        if not inside or not outside:
            log.warning(
                "domain guard not trained: %d in-domain and %d out-of-domain examples with '%s' features",
                len(inside),
                len(outside),
                self._config["dense_alias"],
            )
            return self._resource
        self._model = GuardModel.fit(np.stack(inside), np.stack(outside), float(self._config["C"]))
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / _MODEL_FILE, **self._model.to_arrays())
        return self._resource

    def _shop_mass(self, message: Message) -> float | None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        if not ranking:
            return None
        return sum(float(r.get("confidence") or 0.0) for r in ranking if r.get(INTENT_NAME_KEY) in self._shop)

    def score(self, message: Message) -> float | None:
        """The domain score of one processed message, or None without a model or features."""
        vector = self._embedding(message) if self._model is not None else None
        if vector is None:
            return None
        p, margin = self._model.evidence(vector, int(self._config["neighbours"]))
        text = message.get(TEXT) or ""
        product = any(e.get("entity") == "product" for e in message.get(ENTITIES) or [])
        return combine(
            float(p[0]), float(margin[0]), self._shop_mass(message), shop_words(text), product, self._config
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not isinstance(message.get(TEXT), str):
                continue
            score = self.score(message)
            if score is None:  # untrained or no features: do not block the shop (old behaviour)
                result = {"score": 1.0, "in_domain": True}
            else:
                result = {"score": round(score, 4), "in_domain": score >= self.threshold}
            message.set(DOMAIN, result, add_to_output=True)
        return messages
