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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from knowledge_graph.answers import attributes
from knowledge_graph.model.faq import FAQ
from knowledge_graph.model.product import Product
from knowledge_graph.semantic.batching import BatchEncoder

NEED_THRESHOLD = 0.20
"""Calibrated on the tuning splits (tests/qa/dev.jsonl, tune.jsonl): recommendation requests score a
median 0.39 against their best product, off-topic chat and shop-policy questions 0.12 (p90 0.19)."""
FAQ_DISCOUNT = 0.15
"""A product's own FAQs say what it does in viewers' words ("Can it hold hot tea? Yes, ... 12 hours"), so a
need matches them more closely than the profile: their similarity counts this much less (chat that is no
request scores up to ~0.23 against the closest FAQ, 0.08 after the discount)."""
NEED_SPREAD = 0.10
"""Products within this much of the best one are named too (a recommendation offers a few)."""
MAX_QUESTION_CHARS = 300

NEED_REQUEST = re.compile(
    r"\b(need|needs|want|wanna|looking for|look for|after|help|helps|gift|present|what should i"
    r"|suggest\w*|recommend\w*|ideas?|what (?:do|would) you|any good|what works|what makes|what to"
    r"|(?:something|anything) (?:to|that) (?:make|keep|help|stop|fix|get))\b"
    r"|推荐|想要|想买|想找|想搞|想换|想有|想看|求|有啥|有什么|有没有|带啥|带什么|带点|咋办|怎么办|用啥|用什么"
    r"|买啥|买什么|选啥|选什么|送(?![了过达到货])|礼物|好物|适合",  # not "快递送了三趟": delivered
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


def faq_texts_by_product(faqs: Iterable[FAQ]) -> dict[str, list[str]]:
    """Each product's FAQs as texts to match a need with (question and answer, per language)."""
    texts: dict[str, list[str]] = {}
    for faq in faqs:
        if faq.product_sku is not None:
            said = [f"{faq.question_en} {faq.answer_en}".strip(), f"{faq.question_zh}{faq.answer_zh}".strip()]
            texts.setdefault(faq.product_sku, []).extend(t for t in said if t)
    return texts


async def by_need(
    encoder: BatchEncoder,
    question: str,
    products: Sequence[Product],
    faqs: Mapping[str, Sequence[str]] | None = None,
) -> list[Match]:
    """Every product with how close its profile, or one of its FAQs (``faqs``: SKU -> texts, see
    ``FAQ_DISCOUNT``), is in meaning to ``question``, best first (a stable sort: equal scores keep the
    given order)."""
    if not products or not question.strip():
        return []
    faqs = faqs or {}
    texts = [question[:MAX_QUESTION_CHARS]]
    spans: list[tuple[int, int]] = []  # each product's profiles, then its FAQs
    for product in products:
        start = len(texts) - 1
        texts += profiles(product)
        texts += faqs.get(product.sku, ())
        spans.append((start, len(texts) - 1))
    matrix = await encoder.vectors(texts)
    similarity = matrix[1:] @ matrix[0]
    scores = [
        max(
            float(max(similarity[start], similarity[start + 1])),
            float(max(similarity[start + 2 : end], default=-1.0)) - FAQ_DISCOUNT,
        )
        for start, end in spans
    ]
    return sorted((Match(p, s) for p, s in zip(products, scores, strict=True)), key=lambda m: -m.score)


async def match_need(
    encoder: BatchEncoder,
    question: str,
    products: Sequence[Product],
    faqs: Mapping[str, Sequence[str]] | None = None,
) -> list[Match]:
    """The products closest in meaning to ``question`` (``by_need``), best first: the best one when
    it reaches ``NEED_THRESHOLD`` and the others within ``NEED_SPREAD`` of it; empty otherwise."""
    ranked = await by_need(encoder, question, products, faqs)
    if not ranked or ranked[0].score < NEED_THRESHOLD:
        return []
    return [m for m in ranked if m.score >= ranked[0].score - NEED_SPREAD]
