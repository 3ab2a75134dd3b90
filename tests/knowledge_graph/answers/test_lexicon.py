"""The topic cue tables: each cue is listed once, and each topic's label is unique."""

from __future__ import annotations

from collections import Counter

import pytest

from knowledge_graph.answers.lexicon import PRODUCT_TOPICS, SHOP_TOPICS, TOPIC_COVERS


@pytest.mark.parametrize("table", [SHOP_TOPICS, PRODUCT_TOPICS], ids=["shop", "product"])
def test_no_cue_is_listed_twice_in_a_topic_and_labels_are_unique(table) -> None:
    for cues, label in table:
        twice = [cue for cue, n in Counter(cues).items() if n > 1]
        assert not twice, f"{label}: {twice}"
        assert all(cue == cue.strip() and cue for cue in cues), label
    labels = Counter(label for _, label in table)
    assert max(labels.values()) == 1


def test_topic_covers_names_only_shop_topics() -> None:
    labels = {label for _, label in SHOP_TOPICS}
    for specific, general in TOPIC_COVERS.items():
        assert specific in labels and set(general) <= labels, specific
