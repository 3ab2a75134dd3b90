"""Rank a set of FAQs against a chat question by meaning, and say when the best one is sure enough.

Used twice by the answerer: against one product's FAQs ("does the mascara come off with water?") and
against the shop's FAQs ("can I return something?"). The question and each FAQ's questions and answers
(both languages) are encoded with the multilingual USE encoder through a ``BatchEncoder``, so an FAQ
text is encoded once per process and a Chinese question finds an English-only FAQ. An FAQ scores the
best cosine similarity of the question to its questions, or to its answer minus ``ANSWER_DISCOUNT`` (a
question often shares words with the answer rather than with how the FAQ was phrased: "do you ship to
Canada?" against "We ship within mainland China only"), plus up to ``WORDS_BONUS`` for repeating one of
its questions' words (:func:`words_shared`: the encoder reads short, noisy Chinese chat poorly), plus
``ANSWER_WORDS_BONUS`` when the question uses a word only that FAQ's answer says and no FAQ question
does ("洗面奶含皂基吗" against "...不含皂基..."), plus ``KIND_BONUS`` when its answer gives the kind of
answer asked (a duration, an amount per use, a distance: ``understand.ANSWER_KINDS``).

Precision first: ``confident`` needs the best score above a threshold AND a margin over the runner-up,
because two close FAQs mean the question is not clearly either, and a wrong answer is worse than a
hand-off. A Rasa intent is a prior, never a filter: FAQs about the intent's topic get ``INTENT_BONUS``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_graph.answers.understand import gives_kind, kinds_asked, topic_words
from knowledge_graph.model.faq import FAQ
from knowledge_graph.semantic.batching import BatchEncoder

ANSWER_DISCOUNT = 0.08
INTENT_BONUS = 0.04
WORDS_BONUS = 0.12
KIND_BONUS = 0.09
ANSWER_WORDS_BONUS = 0.08
MAX_QUESTION_CHARS = 300

# Topic words of the intents whose questions the shop's FAQs answer.
INTENT_TOPICS: dict[str, re.Pattern[str]] = {
    "ask_shipping": re.compile(
        r"\b(ship|ships|shipping|deliver\w*|postage|courier|warehouse|international)\b|发货|包邮|邮费|运费|快递|配送|物流|寄",
        re.IGNORECASE,
    ),
    "ask_store_policy": re.compile(
        r"\b(return\w*|refund\w*|exchange\w*|pay\w*|genuine|authentic|invoice|warranty|expir\w*)\b"
        r"|退|换|付款|支付|正品|发票|保质期|过期|售后",
        re.IGNORECASE,
    ),
    "ask_schedule": re.compile(r"\b(stream\w*|live)\b|直播|开播", re.IGNORECASE),
    "ask_discount": re.compile(r"\b(discount|code|coupon|promo\w*)\b|优惠|折扣|券", re.IGNORECASE),
}


@dataclass(frozen=True)
class Ranked:
    faq: FAQ
    score: float
    runner_up: float
    """The next FAQ's score (0 when there is none)."""

    def confident(self, threshold: float, margin: float) -> bool:
        return self.score >= threshold and self.score - self.runner_up >= margin


def faq_texts(faq: FAQ) -> tuple[list[str], list[str]]:
    """(question texts, answer texts) of an FAQ, non-blank, both languages."""
    questions = [t for t in (faq.question_en, faq.question_zh) if t and t.strip()]
    answers = [t for t in (faq.answer_en, faq.answer_zh) if t and t.strip()]
    return questions, answers


def words_shared(asked: set[str], faq: FAQ) -> float:
    """How much of one of the FAQ's questions the chat question repeats word for word (0-1): the
    share of the FAQ question's topic words (Chinese: character pairs) in the question, damped when
    only one word is shared. Short Chinese chat questions embed poorly ("口红会不会拔干呀 嘴巴本来就干"
    against "会不会拔干？"), but they repeat the FAQ's words. A one-word FAQ question ("Is it sticky?")
    repeated is a whole match."""
    best = 0.0
    for text in faq_texts(faq)[0]:
        words = topic_words(text)
        if words:
            shared = len(words & asked)
            best = max(best, shared / len(words) * min(1.0, shared / min(2, len(words))))
    return best


async def rank(
    encoder: BatchEncoder, question: str, faqs: Sequence[FAQ], *, intent: str | None = None
) -> Ranked | None:
    """The best FAQ for ``question`` with its score and the runner-up's, or None without FAQs."""
    if not faqs or not question.strip():
        return None
    texts: list[str] = [question[:MAX_QUESTION_CHARS]]
    spans: list[tuple[int, int, int]] = []  # per FAQ: first question row, first answer row, end
    for faq in faqs:
        questions, answers = faq_texts(faq)
        start = len(texts)
        texts += questions
        middle = len(texts)
        texts += answers
        spans.append((start, middle, len(texts)))
    matrix = await encoder.vectors(texts)
    asked = topic_words(question)
    similarity = matrix[1:] @ matrix[0]
    topic = INTENT_TOPICS.get(intent or "")
    kinds = kinds_asked(question)
    answer_words = [set().union(*map(topic_words, faq_texts(faq)[1])) for faq in faqs]
    asked_of_all = set().union(*(topic_words(q) for faq in faqs for q in faq_texts(faq)[0]))
    said_once = {
        w for w, n in Counter(w for words in answer_words for w in words).items() if n == 1
    } - asked_of_all
    scores: list[float] = []
    for faq, words, (start, middle, end) in zip(faqs, answer_words, spans, strict=True):
        best = -1.0
        if middle > start:
            best = float(np.max(similarity[start - 1 : middle - 1]))
        if end > middle:
            best = max(best, float(np.max(similarity[middle - 1 : end - 1])) - ANSWER_DISCOUNT)
        if topic is not None and topic.search(" ".join(t for t in faq_texts(faq)[0])):
            best += INTENT_BONUS
        best += WORDS_BONUS * words_shared(asked, faq)
        if asked & words & said_once:
            best += ANSWER_WORDS_BONUS
        if kinds and gives_kind(kinds, faq_texts(faq)[1]):
            best += KIND_BONUS
        scores.append(best)
    order = sorted(range(len(faqs)), key=lambda i: -scores[i])
    runner_up = scores[order[1]] if len(order) > 1 else 0.0
    return Ranked(faqs[order[0]], scores[order[0]], runner_up)
