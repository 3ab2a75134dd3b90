"""Match a need said in the viewer's own words to the products made for it, by meaning.

Viewers rarely ask for a catalog attribute by name. They describe a situation: "want my makeup to
survive a summer wedding in the heat", "睫毛又短又塌咋办呀", "宿舍想搞点氛围感". When the question's words
name no category, attribute or price the catalog knows, the answerer asks this module instead: each
product's profile (its name, description and attribute labels, one text per language) is encoded with
the multilingual USE encoder and compared with the question. A profile is encoded once per process (the
``BatchEncoder`` cache keys on the text, so an edited product is re-encoded).

Precision first: only a question that reads as a request for something (``NEED_REQUEST``) is matched,
the best product must reach ``NEED_THRESHOLD`` (chat and shop-policy questions stay far below it), and
only products close to the best one (``NEED_SPREAD``) are named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_graph.catalog import Product
from knowledge_graph.qa import attributes
from knowledge_graph.semantic.batching import BatchEncoder

NEED_THRESHOLD = 0.20
"""Calibrated on the tuning splits (tests/qa/dev.jsonl, tune.jsonl): recommendation requests score a
median 0.39 against their best product, off-topic chat and shop-policy questions 0.12 (p90 0.19)."""
NEED_SPREAD = 0.10
"""Products within this much of the best one are named too (a recommendation offers a few)."""
MAX_QUESTION_CHARS = 300

NEED_REQUEST = re.compile(
    r"\b(need|needs|want|wanna|looking for|look for|after|help|helps|gift|present|what should i"
    r"|suggest\w*|recommend\w*|ideas?|what (?:do|would) you|any good|what works|what makes|what to)\b"
    r"|推荐|想要|想买|想找|想搞|想换|想有|想看|求|有啥|有什么|有没有|带啥|带什么|带点|咋办|怎么办|用啥|用什么"
    r"|买啥|买什么|选啥|选什么|送|礼物|好物|适合",
    re.IGNORECASE,
)
"""A request for something ("need something for...", "想要不沾的口红", "送男同事"), as opposed to a
remark ("lol my cat"), which a product must never answer."""


@dataclass(frozen=True)
class Match:
    product: Product
    score: float


def profiles(product: Product) -> list[str]:
    """The texts a need is compared with: name, description and attribute labels, per language."""
    tags = [t for t in product.tags if not t.startswith("size:")]
    english = ", ".join(attributes.label(t, "en") for t in tags)
    chinese = "，".join(attributes.label(t, "zh") for t in tags)
    return [
        f"{product.name_en}. {product.description_en or ''} {english}".strip(),
        f"{product.name_zh}。{product.description_zh or ''}{chinese}",
    ]


async def by_need(encoder: BatchEncoder, question: str, products: Sequence[Product]) -> list[Match]:
    """Every product with how close its profile is in meaning to ``question``, best first (a stable
    sort: equal scores keep the given order)."""
    if not products or not question.strip():
        return []
    texts = [question[:MAX_QUESTION_CHARS]]
    for product in products:
        texts += profiles(product)
    matrix = await encoder.vectors(texts)
    similarity = matrix[1:] @ matrix[0]
    scores = [float(max(similarity[2 * i], similarity[2 * i + 1])) for i in range(len(products))]
    return sorted((Match(p, s) for p, s in zip(products, scores, strict=True)), key=lambda m: -m.score)


async def match_need(encoder: BatchEncoder, question: str, products: Sequence[Product]) -> list[Match]:
    """The products whose profile is closest in meaning to ``question``, best first: the best one when
    it reaches ``NEED_THRESHOLD`` and the others within ``NEED_SPREAD`` of it; empty otherwise."""
    ranked = await by_need(encoder, question, products)
    if not ranked or ranked[0].score < NEED_THRESHOLD:
        return []
    return [m for m in ranked if m.score >= ranked[0].score - NEED_SPREAD]
