"""Fast model choices for the intent classifier, without touching the held-out split.

Trains ``nlu.text.chat_intent_model.ChatIntentModel`` (the part of the pipeline that makes intent
decisions together with DIET) on data/ and scores it on the development split
(tests/nlu/dev_*.yml minus lines that copy training lines) and by stratified k-fold
cross-validation on data/ itself. Seconds per setting instead of minutes per Rasa training.
``--sweep`` tries a small grid of settings. Run: ``.venv-rasa/bin/python bench/dev_nlu.py``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nlu_common import DEV, REPO, in_rasa_runtime

in_rasa_runtime()

from nlu.text.chat_intent_model import ChatIntentModel, ChatIntentSettings  # noqa: E402
from nlu.text.language import detect_language  # noqa: E402
from tests.nlu.split_overlap import examples, overlaps  # noqa: E402


class Embedder:
    """USE-multilingual embeddings of the texts, as the pipeline computes them, memoized."""

    def __init__(self) -> None:
        from nlu.rasa.use_featurizer import _encoder, clean

        self._model = _encoder(2)
        self._clean = clean
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for i in range(0, len(todo), 64):
            batch = todo[i : i + 64]
            vectors = np.asarray(self._model.encode([self._clean(t) for t in batch]), dtype=np.float32)
            self._cache.update(zip(batch, vectors, strict=True))
        return np.stack([self._cache[t] for t in texts])


def scores(gold: list[str], pred: list[str]) -> tuple[float, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(gold, pred)), float(f1_score(gold, pred, average="macro", zero_division=0))


def evaluate(settings: ChatIntentSettings, train, dev, embed: Embedder, folds: int) -> dict[str, tuple]:
    from sklearn.model_selection import StratifiedKFold

    texts = [t for _, t in train]
    intents = [i for i, _ in train]
    model = ChatIntentModel(settings).fit(texts, intents, embed(texts))
    out: dict[str, tuple] = {}
    misses: Counter = Counter()
    for lang, rows in dev.items():
        dev_texts = [t for _, t in rows]
        proba = model.predict_proba(dev_texts, embed(dev_texts))
        pred = [model.labels[k] for k in proba.argmax(axis=1)]
        gold = [i for i, _ in rows]
        out[f"dev_{lang}"] = scores(gold, pred)
        misses.update(f"{lang}:{g}->{p}" for g, p in zip(gold, pred, strict=True) if g != p)
        out.setdefault("lines", []).extend(
            f"[{lang}] {t!r}: {g} -> {p}" for t, g, p in zip(dev_texts, gold, pred, strict=True) if g != p
        )
    if folds:
        langs = [detect_language(t) for t in texts]
        gold_all, pred_all, lang_all = [], [], []
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        for train_idx, test_idx in splitter.split(texts, intents):
            fold = ChatIntentModel(settings).fit(
                [texts[k] for k in train_idx],
                [intents[k] for k in train_idx],
                embed([texts[k] for k in train_idx]),
            )
            test_texts = [texts[k] for k in test_idx]
            proba = fold.predict_proba(test_texts, embed(test_texts))
            pred_all += [fold.labels[k] for k in proba.argmax(axis=1)]
            gold_all += [intents[k] for k in test_idx]
            lang_all += [langs[k] for k in test_idx]
        for lang in ("en", "zh"):
            idx = [k for k, code in enumerate(lang_all) if code == lang]
            out[f"cv_{lang}"] = scores([gold_all[k] for k in idx], [pred_all[k] for k in idx])
    out["misses"] = misses.most_common(12)
    out.setdefault("lines", [])
    return out


def load_splits() -> tuple[list, dict]:
    train = examples(REPO / "data" / "nlu_en.yml") + examples(REPO / "data" / "nlu_zh.yml")
    dev = {}
    for lang, path in DEV.items():
        rows = examples(path)
        found = overlaps(train, rows)
        copies = {text for _, text, *_ in found["exact"] + found["near"]}
        dev[lang] = [(i, t) for i, t in rows if t not in copies]
    return train, dev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds on data/ (0: none)")
    parser.add_argument("--sweep", action="store_true", help="try a small grid of settings")
    parser.add_argument("--show-misses", action="store_true", help="print the misclassified dev lines")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    train, dev = load_splits()
    print(
        f"train {len(train)} lines; dev en {len(dev['en'])}, zh {len(dev['zh'])} (training copies left out)"
    )
    embed = Embedder()
    base = ChatIntentSettings()
    grid = [base]
    if args.sweep:
        grid += [
            replace(base, dense_weight=0.0),
            replace(base, dense_weight=1.5),
            replace(base, dense_weight=2.0),
            replace(base, c=3.0),
            replace(base, c=30.0),
            replace(base, char_max=4),
            replace(base, char_min=2),
            replace(base, use_words=False),
        ]
    for settings in grid:
        started = time.perf_counter()
        result = evaluate(settings, train, dev, embed, args.folds)
        figures = "  ".join(
            f"{k} {a:.3f}/{f:.3f}"
            for k, (a, f) in ((k, v) for k, v in result.items() if k not in ("misses", "lines"))
        )
        print(f"{settings}\n  acc/macro-F1: {figures}  ({time.perf_counter() - started:.0f} s)", flush=True)
        print("  most frequent dev errors:", ", ".join(f"{m} x{n}" for m, n in result["misses"]), flush=True)
        if args.show_misses:
            print("\n".join("    " + line for line in result["lines"]), flush=True)


if __name__ == "__main__":
    main()
