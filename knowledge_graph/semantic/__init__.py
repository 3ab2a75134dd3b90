"""Semantic FAQ answers: offline sentence encoders, FAQ vector indexes, question answering.

    from knowledge_graph.semantic import answer_question
    answer = await answer_question(store, "do you ship to Shanghai?")  # FaqAnswer | None

``ensure_faq_vector_indexes(store)`` creates the vector indexes (``schema.migrate`` calls
it); ``reindex(store)`` recomputes every FAQ's embeddings; ``warm_up()`` loads the encoders
ahead of the first question. FAQ writes (``knowledge_graph.editing.faq``) store embeddings in the
same statement as the text, so answers are never stale.
"""

from knowledge_graph.semantic.encoders import ENCODER_NAMES, encode, encode_async, get_encoder, warm_up
from knowledge_graph.semantic.search import (
    EMBEDDING_REVISION,
    IN_DOMAIN_ROUTES,
    ROUTES,
    FaqAnswer,
    Leg,
    answer_question,
    embed_questions,
    reindex,
)
from knowledge_graph.semantic.vector import VECTOR_FIELDS, ensure_faq_vector_indexes, vector_write_clause

__all__ = [
    "EMBEDDING_REVISION",
    "ENCODER_NAMES",
    "IN_DOMAIN_ROUTES",
    "ROUTES",
    "VECTOR_FIELDS",
    "FaqAnswer",
    "Leg",
    "answer_question",
    "embed_questions",
    "encode",
    "encode_async",
    "ensure_faq_vector_indexes",
    "get_encoder",
    "reindex",
    "vector_write_clause",
    "warm_up",
]
