"""What the bot says about the catalog, in English and Chinese: question answering and reply wording.

Shared by the custom actions (actions/) and the gateway (bot/). Names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge_graph.lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, str]] = {
    "INTENT_SHAPES": ("knowledge_graph.answers.answerer", "INTENT_SHAPES"),
    "OFF_TOPIC": ("knowledge_graph.answers.answerer", "OFF_TOPIC"),
    "Answer": ("knowledge_graph.answers.answerer", "Answer"),
    "Asker": ("knowledge_graph.answers.answerer", "Asker"),
    "QuestionAnswerer": ("knowledge_graph.answers.answerer", "QuestionAnswerer"),
    "EARLIER_QUESTIONS": ("knowledge_graph.answers.earlier", "EARLIER_QUESTIONS"),
    "asks": ("knowledge_graph.answers.understand", "asks"),
    "BEIJING": ("knowledge_graph.answers.wording", "BEIJING"),
    "best_promotion": ("knowledge_graph.answers.wording", "best_promotion"),
    "discounted": ("knowledge_graph.answers.wording", "discounted"),
    "format_price": ("knowledge_graph.answers.wording", "format_price"),
    "handoff_reply": ("knowledge_graph.answers.replies", "handoff_reply"),
    "unknown_reply": ("knowledge_graph.answers.replies", "unknown_reply"),
    "product_named": ("knowledge_graph.answers.resolve", "product_named"),
    "answer_question": ("knowledge_graph.semantic.search", "answer_question"),
}
"""Public name -> (module, attribute); each module is imported on first use of one of its names."""

__all__ = [
    "BEIJING",
    "EARLIER_QUESTIONS",
    "INTENT_SHAPES",
    "OFF_TOPIC",
    "Answer",
    "Asker",
    "QuestionAnswerer",
    "answer_question",
    "asks",
    "best_promotion",
    "discounted",
    "format_price",
    "handoff_reply",
    "product_named",
    "unknown_reply",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from knowledge_graph.answers.answerer import INTENT_SHAPES, OFF_TOPIC, Answer, Asker, QuestionAnswerer
    from knowledge_graph.answers.earlier import EARLIER_QUESTIONS
    from knowledge_graph.answers.replies import handoff_reply, unknown_reply
    from knowledge_graph.answers.resolve import product_named
    from knowledge_graph.answers.understand import asks
    from knowledge_graph.answers.wording import BEIJING, best_promotion, discounted, format_price
    from knowledge_graph.semantic.search import answer_question
