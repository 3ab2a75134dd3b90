"""Builds bot/core/toxicity_model.npz: per language, logistic regression over hashed character 1-3-grams
(``bot.core.toxicity.features``, the exact function the bot serves with), weights stored as float16.

Data, fetched locally and never committed (var/ is git-ignored):

* Chinese: COLD (github.com/thu-coai/COLDataset, Apache-2.0), ``COLDataset/{train,dev}.csv`` ->
  ``var/eval-data/cold/``;
* English: TweetEval offensive (github.com/cardiffnlp/tweeteval, from OLID/OffensEval 2019),
  ``datasets/offensive/{train,val,test}_{text,labels}.txt`` -> ``var/eval-data/tweeteval_offensive/``.

E.g. ``git clone --depth 1 https://github.com/thu-coai/COLDataset /tmp/cold && mkdir -p var/eval-data/cold
&& cp /tmp/cold/COLDataset/{train,dev}.csv var/eval-data/cold/`` (same for TweetEval).

Split (bench/toxicity_data.py, fixed before tuning): fit on train, choose the regularization and the
thresholds on dev/val, held-out test files never read here except to drop their texts from fit/tune.
Thresholds: the model only speaks where the lexicon is silent, so the false-positive budget is counted
on the tune set's safe rows the lexicon left clean: ``warn`` allows WARN_FPR of all safe rows, ``delete``
DELETE_FPR. The COLD test set is harder than its dev set (dev-calibrated rates come out several times
higher on test), hence the small budgets.

    .venv/bin/python bench/train_toxicity.py   (about a minute; needs scikit-learn, training only)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from bench.toxicity_data import Labelled, available, fit_and_tune
from bot.core.toxicity import MODEL_PATH, N_BITS, features, lexicon_toxicity, model_input

C_GRID = (0.5, 1.0, 2.0, 4.0)
WARN_FPR = 0.001
DELETE_FPR = 0.0002


def matrix(data: Labelled, lang: str, n_bits: int = N_BITS) -> csr_matrix:
    """Binary hashed n-grams, each row scaled to unit length (as ``LinearModel.probability`` does)."""
    indptr, indices, values = [0], [], []
    for text in data.texts:
        ids = features(model_input(text, lang), n_bits)
        indices += ids
        values += [1.0 / np.sqrt(len(ids))] * len(ids) if ids else []
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(data), 1 << n_bits), dtype=np.float32)


def threshold(scores: np.ndarray, labels: np.ndarray, lexicon_clean: np.ndarray, budget: float) -> float:
    """Lowest probability whose false positives among the lexicon-clean safe rows stay within ``budget``
    (a share of all safe rows)."""
    safe = labels == 0
    allowed = int(budget * safe.sum())
    negatives = np.sort(scores[safe & lexicon_clean])[::-1]
    if allowed >= len(negatives):
        return 0.5
    return float(max(0.5, np.nextafter(negatives[allowed], 1.0)))


def train_language(lang: str, fit: Labelled, tune: Labelled) -> dict[str, np.ndarray]:
    x_fit, x_tune = matrix(fit, lang), matrix(tune, lang)
    y_fit, y_tune = np.array(fit.labels), np.array(tune.labels)
    best: tuple[float, float, LogisticRegression] | None = None
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=3000).fit(x_fit, y_fit)
        ap = average_precision_score(y_tune, model.decision_function(x_tune))
        print(f"  {lang} C={c}: tune average precision {ap:.3f}")
        if best is None or ap > best[0]:
            best = (ap, c, model)
    assert best is not None
    _, c, model = best
    weights = model.coef_[0].astype(np.float16)
    bias = float(model.intercept_[0])
    # thresholds on the float16 weights the bot will use
    z = x_tune @ weights.astype(np.float32) + bias
    prob = 1 / (1 + np.exp(-z))
    clean = np.array([lexicon_toxicity(t)[0] == 0 for t in tune.texts])
    warn = threshold(prob, y_tune, clean, WARN_FPR)
    delete = threshold(prob, y_tune, clean, DELETE_FPR)
    if delete <= warn:  # too few tune rows to tell the two apart: the model alone never deletes
        delete = 2.0
    caught = ((prob >= warn) & clean & (y_tune == 1)).sum()
    print(f"  {lang}: C={c} warn>={warn:.3f} delete>={delete:.3f}; model adds {caught}/{y_tune.sum()}")
    return {
        f"w_{lang}": weights,
        f"b_{lang}": np.float32(bias),
        f"warn_{lang}": np.float32(warn),
        f"delete_{lang}": np.float32(delete),
        f"c_{lang}": np.float32(c),
    }


def main() -> None:
    splits = fit_and_tune()
    if not splits:
        sys.exit("no training data under var/eval-data/: fetch COLD / TweetEval first (see the docstring)")
    have = available()
    if ("zh" in splits and not have["cold_test"]) or ("en" in splits and not have["en_test"]):
        sys.exit("the held-out test files must be present so that their texts are kept out of training")
    arrays: dict[str, np.ndarray] = {"n_bits": np.int32(N_BITS), "langs": np.array(sorted(splits))}
    for lang, (fit, tune) in sorted(splits.items()):
        print(f"{lang}: fit {len(fit)} rows, tune {len(tune)} rows")
        arrays.update(train_language(lang, fit, tune))
    np.savez_compressed(MODEL_PATH, **arrays)
    print(f"wrote {MODEL_PATH.relative_to(MODEL_PATH.parents[2])} ({MODEL_PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
