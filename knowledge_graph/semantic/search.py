"""Answer a viewer's free-text question with the closest FAQ, or decline.

Pipeline: detect the question's language with ``nlu.text.language.detect_language`` (the
project's one detector), pick the route measured best for that language (``ROUTES``),
encode the question with the route's encoder(s), ask the graph's vector indexes for the
nearest FAQ questions, and answer with the best FAQ whose cosine similarity clears the
route's threshold -- otherwise None, so the bot hands the question to a human instead of
guessing. The answer text is read from the FAQ node in the same query, in the asker's
language when the FAQ has it.

Why the index can never be stale: embeddings are computed *before* an FAQ write and
stored by the same atomic statement that changes the question (see ``editing/faq.py``), and
``reindex`` only overwrites vectors whose question text is still the one it embedded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge_graph.model.text import pick_language
from knowledge_graph.semantic.encoders import encode_async
from knowledge_graph.semantic.vector import (
    FAQ_LANGUAGES,
    VECTOR_FIELDS,
    VectorField,
    search_query,
    vector_write_clause,
)
from knowledge_graph.store import GraphStore
from nlu.text.language import detect_language, normalize_language

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
"""Chat text beyond this is not encoded (encoders truncate anyway; this bounds the cost)."""

CANDIDATES = 5
"""Nearest neighbours fetched per vector index before picking the best."""

EMBEDDING_REVISION = "minilm-l6-v2+use-m3/q1"
"""Stored on each FAQ with its vectors; bump when encoders or embedded text change, then
``python -m knowledge_graph`` reindex (or ``reindex(store)``) recomputes them."""


@dataclass(frozen=True)
class Leg:
    """Search FAQ questions written in ``langs`` with ``encoder``; accept >= ``threshold``."""

    encoder: str
    langs: tuple[str, ...]
    threshold: float


# Chosen by bench/eval_faq.py (README "Semantic FAQ answers", bench/results/faq_eval.json):
# per detected language, the route with the best mean utility ((correct - wrong answers) per
# FAQ corpus - false answers on unrelated chat). English: MiniLM on the English questions
# plus USE on the Chinese ones (cross-language; MiniLM cannot match zh at all, 0.09).
# Chinese and mixed text: USE on both (MiniLM scores 0.24 on Chinese). Thresholds are the
# calibrated cosine similarities of each leg.
# Off-topic questions: these utility-calibrated thresholds answered 5.7 % of CLINC150's
# banking/travel/health/small-talk queries with a shop FAQ. So they now apply only to a question the NLU
# domain guard (nlu/rasa/domain_guard.py) marked in domain (``in_domain=True``); any other question (no
# verdict: the gateway's degraded path, or an unguarded model) must clear ``ROUTES`` below.
IN_DOMAIN_ROUTES: dict[str, tuple[Leg, ...]] = {
    "en": (Leg("minilm", ("en",), 0.45), Leg("use", ("zh",), 0.40)),
    "zh": (Leg("use", ("en", "zh"), 0.48),),
}

# Calibrated by bench/eval_offtopic.py ("calibration" in bench/results/offtopic_eval.json) on CLINC150
# val + oos_val (3,100 off-topic English queries) against the English-detected FAQ paraphrases of
# tests/knowledge_graph/faq_paraphrases.json: each English leg is the lowest threshold at which it alone
# answers <= 0.5 % of CLINC val, so both together stay <= 1 % (MiniLM 0.58, USE cross-language 0.53; the
# paraphrases answered correctly drop, see the JSON). CLINC is English only: the Chinese route keeps its
# bench/eval_faq.py value.
ROUTES: dict[str, tuple[Leg, ...]] = {
    "en": (Leg("minilm", ("en",), 0.58), Leg("use", ("zh",), 0.53)),
    "zh": (Leg("use", ("en", "zh"), 0.48),),
}


@dataclass(frozen=True)
class FaqAnswer:
    """The FAQ that answers a question, in the asker's language when it has one."""

    faq_id: str
    answer: str
    question: str
    language: str
    """Language asked for ("en"/"zh"); ``answer`` falls back to the other when missing."""
    score: float
    """Cosine similarity of the question to the matched FAQ question (0..1 in practice)."""
    encoder: str
    matched: str
    """The embedding property that matched, e.g. ``emb_use_zh``."""


async def answer_question(
    store: GraphStore,
    text: str,
    lang: str | None = None,
    *,
    routes: dict[str, tuple[Leg, ...]] | None = None,
    in_domain: bool | None = None,
) -> FaqAnswer | None:
    """The best FAQ answer for a chat question, or None when nothing is close enough.

    ``lang`` is the asker's language ("en"/"zh", e.g. from message metadata); by default the
    language detected in ``text``. Routing always follows the detected language of the text.
    ``in_domain``: the NLU domain guard's verdict on the question; True selects ``IN_DOMAIN_ROUTES``,
    anything else the stricter ``ROUTES``. ``routes`` overrides both (the evaluation compares encoders).
    """
    question = (text or "").strip()[:MAX_QUESTION_CHARS]
    if not question:
        return None
    detected = detect_language(question)
    answer_lang = (normalize_language(lang) if lang else None) or detected
    legs = (routes or (IN_DOMAIN_ROUTES if in_domain is True else ROUTES))[detected]
    thresholds: dict[str, tuple[str, float]] = {}
    fields: list[VectorField] = []
    for leg in legs:
        for field in VECTOR_FIELDS:
            if field.encoder == leg.encoder and field.lang in leg.langs and field.prop not in thresholds:
                thresholds[field.prop] = (leg.encoder, leg.threshold)
                fields.append(field)
    if not fields:
        return None
    encoders = list(dict.fromkeys(field.encoder for field in fields))
    # Both encoders at once (own locks, own threads): the English route needs MiniLM and USE.
    encoded = await asyncio.gather(*(encode_async(encoder, [question]) for encoder in encoders))
    vectors = {f"v_{encoder}": _rounded(matrix[0]) for encoder, matrix in zip(encoders, encoded, strict=True)}
    rows = await store.read(search_query(store, tuple(fields)), {"k": CANDIDATES, **vectors})
    best: tuple[float, dict[str, Any]] | None = None
    for row in rows:
        margin = float(row["score"]) - thresholds[row["field"]][1]
        if margin >= 0 and (best is None or margin > best[0]):
            best = (margin, row)
    if best is None:
        log.debug("no FAQ close enough to %r (%d candidates)", question, len(rows))
        return None
    row = best[1]
    return FaqAnswer(
        faq_id=row["id"],
        answer=pick_language(answer_lang, row["answer_en"], row["answer_zh"]) or "",
        question=pick_language(answer_lang, row["question_en"], row["question_zh"]) or "",
        language=answer_lang,
        score=float(row["score"]),
        encoder=thresholds[row["field"]][0],
        matched=row["field"],
    )


async def embed_questions(questions: Sequence[tuple[str | None, str | None]]) -> list[dict[str, Any]]:
    """Embedding properties for FAQs given as ``(question_en, question_zh)`` pairs.

    Returns one dict per FAQ mapping every ``VECTOR_FIELDS`` property to a vector (list of
    floats) or None for a blank question, plus ``emb_rev``. All texts of one encoder are
    encoded in one batch (in a worker thread).
    """
    out: list[dict[str, Any]] = [
        {"emb_rev": EMBEDDING_REVISION, **{field.prop: None for field in VECTOR_FIELDS}} for _ in questions
    ]
    texts = {lang: [(q[i] or "").strip() for q in questions] for i, lang in enumerate(FAQ_LANGUAGES)}
    for encoder in dict.fromkeys(field.encoder for field in VECTOR_FIELDS):
        where = [
            (n, field.prop, texts[field.lang][n][:MAX_QUESTION_CHARS])
            for field in VECTOR_FIELDS
            if field.encoder == encoder
            for n in range(len(questions))
            if texts[field.lang][n]
        ]
        if not where:
            continue
        vectors = await encode_async(encoder, [text for _, _, text in where])
        for (n, prop, _), vector in zip(where, vectors, strict=True):
            out[n][prop] = _rounded(vector)
    return out


def _rounded(vector: Any) -> list[float]:
    """6 decimals: cosine is unaffected (< 1e-5) and the query text sent is ~3x smaller."""
    return [round(float(x), 6) for x in vector]


async def reindex(
    store: GraphStore, progress: Callable[[int, int], None] | None = None, *, batch_size: int = 256
) -> int:
    """Recompute every FAQ's embeddings (after an encoder change); return how many were written.

    Pages through FAQs by id. A batch is written only to FAQs whose questions are still the
    ones embedded, so an edit racing with the reindex keeps its own (newer) vectors.
    ``progress(done, total)`` is called after each batch.
    """
    total_rows = await store.read("MATCH (f:FAQ) RETURN count(f) AS n")
    total = int(total_rows[0]["n"]) if total_rows else 0
    write = (
        "UNWIND $rows AS row MATCH (f:FAQ {id: row.id}) "
        "WHERE coalesce(f.question_en, '') = row.question_en "
        "AND coalesce(f.question_zh, '') = row.question_zh "
        f"{vector_write_clause(store, 'f', 'row')}, f.emb_rev = row.emb_rev RETURN count(f) AS n"
    )
    after, done, written = "", 0, 0
    while True:
        rows = await store.read(
            "MATCH (f:FAQ) WHERE f.id > $after RETURN f.id AS id, f.question_en AS question_en, "
            "f.question_zh AS question_zh ORDER BY f.id LIMIT $n",
            {"after": after, "n": batch_size},
        )
        if not rows:
            break
        pairs = [(row["question_en"] or "", row["question_zh"] or "") for row in rows]
        vectors = await embed_questions(pairs)
        payload = [
            {"id": row["id"], "question_en": en, "question_zh": zh, **vec}
            for row, (en, zh), vec in zip(rows, pairs, vectors, strict=True)
        ]
        result = await store.write(write, {"rows": payload})
        written += int(result[0]["n"]) if result else 0
        done += len(rows)
        after = rows[-1]["id"]
        if progress is not None:
            progress(done, total)
    log.info("reindexed %d of %d FAQs on %s", written, total, store.describe())
    return written
