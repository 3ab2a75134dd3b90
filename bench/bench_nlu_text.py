"""Per-message cost of chat normalization and sentiment: the reference implementation vs nlu.text.

Texts: the gateway benchmark's generated chat log (``bench_gateway.chat_log(20000)``) and the room
evaluation logs (``bench/rooms``), each message with the language ``detect_language`` gives it, as the
gateway calls ``sentiment(text, lang)``. The reference (``tests/nlu/text/reference_text.py``, the
straightforward implementation the fast code is checked against) and the production code run in this
one process, alternating, best of 3; µs/message.

Run: .venv/bin/python bench/bench_nlu_text.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_gateway import chat_log
from nlu.text import normalizer, sentiment
from nlu.text.language import detect_language
from tests.nlu.text import reference_text
from tests.nlu.text.corpora import room_texts

Pairs = list[tuple[str, str]]


def _per_message_us(fn: Callable[[Pairs], object], pairs: Pairs) -> float:
    start = time.perf_counter()
    fn(pairs)
    return (time.perf_counter() - start) / len(pairs) * 1e6


def _sentiment_of(module: object) -> Callable[[Pairs], object]:
    score = module.sentiment  # type: ignore[attr-defined]
    return lambda pairs: [score(text, lang) for text, lang in pairs]


def _normalize_of(module: object) -> Callable[[Pairs], object]:
    norm = module.normalize  # type: ignore[attr-defined]
    return lambda pairs: [norm(text) for text, _ in pairs]


def _normalize_text_of(module: object) -> Callable[[Pairs], object]:
    norm = module.normalize_text  # type: ignore[attr-defined]
    return lambda pairs: [norm(text) for text, _ in pairs]


def compare(name: str, pairs: Pairs, old: Callable[[Pairs], object], new: Callable[[Pairs], object]) -> None:
    """Best of 3 alternating runs of old and new; prints µs/message and the speed-up."""
    best_old = best_new = float("inf")
    for _ in range(3):
        best_old = min(best_old, _per_message_us(old, pairs))
        best_new = min(best_new, _per_message_us(new, pairs))
    print(f"{name:<30} old {best_old:7.2f} µs/msg   new {best_new:7.2f} µs/msg   x{best_old / best_new:5.1f}")


def main() -> None:
    corpora = {
        "chat_log(20000)": [e.text for e in chat_log(20000)],
        "bench/rooms": room_texts(),
    }
    for label, texts in corpora.items():
        pairs = [(text, detect_language(text)) for text in texts]
        compare(f"sentiment  {label}", pairs, _sentiment_of(reference_text), _sentiment_of(sentiment))
        compare(f"normalize  {label}", pairs, _normalize_of(reference_text), _normalize_of(normalizer))
        compare(
            f"normalize_text  {label}",
            pairs,
            _normalize_text_of(reference_text),
            _normalize_text_of(normalizer),
        )


if __name__ == "__main__":
    main()
