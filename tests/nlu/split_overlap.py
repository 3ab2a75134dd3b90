"""Exact and near duplicates between the NLU training data (data/nlu_*.yml) and the evaluation splits.

A held-out example that is a copy or a near copy of a training line measures memory, not
understanding. Lines are compared after the chat normalizer (case, full-width forms, @mentions,
emotes, repeated letters) with punctuation and spaces removed; "near" means a difflib similarity
ratio >= ``NEAR`` on that key. ``python tests/nlu/split_overlap.py [split.yml ...]`` prints the
counts and the pairs; ``tests/nlu/test_splits.py`` asserts there are none.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from nlu.text.normalizer import normalize_text  # noqa: E402

NEAR = 0.9
_DROP = re.compile(r"[\W_]+|emote[a-z]+", re.UNICODE)


def examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) pairs of a Rasa 3 NLU YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in doc.get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:])
                pairs.append((block["intent"], text))
    return pairs


def key(text: str) -> str:
    return _DROP.sub("", normalize_text(text))


def overlaps(train: list[tuple[str, str]], split: list[tuple[str, str]]) -> dict[str, list]:
    """Exact (same key) and near (ratio >= NEAR) pairs of split lines with training lines."""
    by_key = {key(t): (i, t) for i, t in train}
    keys = list(by_key)
    exact, near = [], []
    for intent, text in split:
        k = key(text)
        if not k:
            continue
        if k in by_key:
            exact.append((intent, text, *by_key[k]))
            continue
        for other in difflib.get_close_matches(k, keys, n=1, cutoff=NEAR):
            near.append((intent, text, *by_key[other]))
    return {"exact": exact, "near": near}


def main(paths: list[str]) -> int:
    train = examples(REPO / "data" / "nlu_en.yml") + examples(REPO / "data" / "nlu_zh.yml")
    splits = [Path(p) for p in paths] or sorted((REPO / "tests" / "nlu").glob("*.yml"))
    total = 0
    for path in splits:
        found = overlaps(train, examples(path))
        n = len(examples(path))
        print(f"{path.name}: {n} lines, exact {len(found['exact'])}, near {len(found['near'])}")
        for kind in ("exact", "near"):
            for intent, text, train_intent, train_text in found[kind]:
                print(f"  {kind}: [{intent}] {text!r} ~ train [{train_intent}] {train_text!r}")
        total += len(found["exact"]) + len(found["near"])
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
