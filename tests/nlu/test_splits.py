"""The evaluation split measures understanding, not memory: no held-out line is a copy or a near copy
(difflib ratio >= 0.9 after chat normalization) of a training line in data/nlu_*.yml, and every
intent has enough held-out examples in each language for a per-intent F1."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.nlu.split_overlap import REPO, examples, key, overlaps

TRAIN = examples(REPO / "data" / "nlu_en.yml") + examples(REPO / "data" / "nlu_zh.yml")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_heldout_has_no_copies_of_training_lines(lang: str) -> None:
    heldout = examples(REPO / "tests" / "nlu" / f"heldout_{lang}.yml")
    found = overlaps(TRAIN, heldout)
    assert found["exact"] == [], found["exact"][:10]
    assert found["near"] == [], found["near"][:10]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_heldout_covers_every_training_intent_without_repeats(lang: str) -> None:
    heldout = examples(REPO / "tests" / "nlu" / f"heldout_{lang}.yml")
    per_intent = Counter(intent for intent, _ in heldout)
    assert set(per_intent) == {intent for intent, _ in TRAIN}
    assert min(per_intent.values()) >= 20, per_intent
    keys = [key(text) for _, text in heldout]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]


def test_overlap_check_catches_near_copies() -> None:
    train = [("ask_price", "how much is the serum")]
    found = overlaps(
        train, [("ask_price", "@bot HOW MUCH is the serum??? KEKW"), ("ask_price", "how mcuh is the serum")]
    )
    assert len(found["exact"]) == 1
    assert len(found["near"]) == 1
    assert overlaps(train, [("ask_stock", "is the serum in stock")]) == {"exact": [], "near": []}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_training_has_at_least_40_examples_per_intent(lang: str) -> None:
    per_intent = Counter(intent for intent, _ in examples(REPO / "data" / f"nlu_{lang}.yml"))
    assert min(per_intent.values()) >= 40, per_intent
