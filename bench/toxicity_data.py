"""Where the toxicity data lives and how it is split; shared by bench/train_toxicity.py and
bench/eval_toxicity.py so that both see the same split.

Nothing here is committed data: the sets are fetched into ``var/eval-data/`` (git-ignored), see
bench/train_toxicity.py for the commands. The split is fixed before any tuning:

* fit: COLD ``train.csv`` + TweetEval offensive ``train``;
* tune (model regularization, score thresholds, lexicon choices): COLD ``dev.csv`` + TweetEval ``val``;
* held out, reported only: the shipped COLD test file (``../shared/data/eval/cold_test.csv``, or
  ``LIVEROOM_COLD_TEST``) and TweetEval ``test``.

Any text that also occurs in a held-out file is dropped from fit/tune (COLD repeats a few dozen texts
across its splits), and ``assert_disjoint`` checks it.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "var" / "eval-data"
COLD = DATA / "cold"
TWEETEVAL = DATA / "tweeteval_offensive"
COLD_TEST = Path(
    os.environ.get("LIVEROOM_COLD_TEST", REPO.parent / "shared" / "data" / "eval" / "cold_test.csv")
)


@dataclass(frozen=True)
class Labelled:
    texts: list[str]
    labels: list[int]  # 1 offensive, 0 safe
    kinds: list[str] | None = None  # COLD test's fine-grained label, e.g. "anti-bias" for safe rows

    def __len__(self) -> int:
        return len(self.texts)

    def without(self, drop: set[str]) -> Labelled:
        kept = [(t, y) for t, y in zip(self.texts, self.labels, strict=True) if t.strip() not in drop]
        return Labelled([t for t, _ in kept], [y for _, y in kept])


# COLD's fine-grained labels (test split only)
COLD_KINDS = {
    "0": "other non-offensive",
    "1": "attacking individuals",
    "2": "attacking groups",
    "3": "anti-bias",
}


def read_cold(path: Path) -> Labelled:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = (
        [COLD_KINDS.get(r["fine-grained-label"], "?") for r in rows]
        if "fine-grained-label" in rows[0]
        else None
    )
    return Labelled([r["TEXT"] for r in rows], [int(r["label"]) for r in rows], kinds)


def read_tweeteval(split: str) -> Labelled:
    texts = (TWEETEVAL / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (TWEETEVAL / f"{split}_labels.txt").read_text(encoding="utf-8").split()]
    return Labelled(texts, labels)


def available() -> dict[str, bool]:
    return {
        "cold_test": COLD_TEST.exists(),
        "cold_fit": (COLD / "train.csv").exists() and (COLD / "dev.csv").exists(),
        "en_test": (TWEETEVAL / "test_text.txt").exists(),
        "en_fit": (TWEETEVAL / "train_text.txt").exists() and (TWEETEVAL / "val_text.txt").exists(),
    }


def held_out() -> dict[str, Labelled]:
    """The report-only sets present on this machine: ``zh`` (COLD test), ``en`` (TweetEval test)."""
    have = available()
    out: dict[str, Labelled] = {}
    if have["cold_test"]:
        out["zh"] = read_cold(COLD_TEST)
    if have["en_test"]:
        out["en"] = read_tweeteval("test")
    return out


def _held_out_texts() -> set[str]:
    return {t.strip() for part in held_out().values() for t in part.texts}


def fit_and_tune() -> dict[str, tuple[Labelled, Labelled]]:
    """Per language, (fit, tune) with every held-out text removed."""
    have = available()
    drop = _held_out_texts()
    out: dict[str, tuple[Labelled, Labelled]] = {}
    if have["cold_fit"]:
        out["zh"] = (read_cold(COLD / "train.csv").without(drop), read_cold(COLD / "dev.csv").without(drop))
    if have["en_fit"]:
        out["en"] = (read_tweeteval("train").without(drop), read_tweeteval("val").without(drop))
    return out


def assert_disjoint() -> dict[str, int]:
    """Rows of fit/tune data per language, after checking that none of their texts is held out."""
    drop = _held_out_texts()
    sizes: dict[str, int] = {}
    for lang, (fit, tune) in fit_and_tune().items():
        overlap = {t.strip() for t in fit.texts + tune.texts} & drop
        assert not overlap, f"{len(overlap)} held-out texts in the {lang} training data"
        sizes[lang] = len(fit) + len(tune)
    return sizes
