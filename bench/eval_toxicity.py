"""How well does the toxicity detector work on real offensive-language data, and what does it cost?

Held-out sets (bench/toxicity_data.py; never used for fitting or tuning, checked for overlap):

* zh: COLD test (``../shared/data/eval/cold_test.csv``; label 1 offensive, 0 safe, which includes
  "anti-bias" texts that discuss race/gender/region without attacking anyone);
* en: TweetEval offensive test (OLID), if fetched into ``var/eval-data/tweeteval_offensive/``.

For each, and for the old lexicon (baseline), the new lexicon alone, and the shipped detector (lexicon +
model): precision, recall, F1 and the false-positive rate on safe rows, counting a message as flagged at
any action (warn or worse) and at delete-or-worse; on COLD also per fine-grained kind (anti-bias safe
rows vs other safe rows), and the model's recall at fixed false-positive rates (its ceiling). Cost:
µs/message over the test texts and over short clean chat lines (the common case in a live room).
Writes bench/results/toxicity_eval.json.

    .venv/bin/python bench/eval_toxicity.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result
from bench.toxicity_baseline import toxicity as baseline
from bench.toxicity_data import Labelled, assert_disjoint, available, held_out
from bot.core.toxicity import assess, lexicon_toxicity, load_model, toxicity

DETECTORS: dict[str, Callable[[str], tuple[int, str]]] = {
    "baseline (old lexicon)": baseline,
    "lexicon": lexicon_toxicity,
    "shipped (lexicon + model)": toxicity,
}
# short clean lines typical of a shopping / gaming stream, written for this benchmark
CLEAN_CHAT = [
    "hi everyone",
    "how much is the serum?",
    "lol 666",
    "PogChamp",
    "link pls",
    "is it available in size M?",
    "this is sick",
    "killing it today",
    "gg",
    "when is the next giveaway",
    "主播好",
    "这个口红多少钱",
    "有M码吗",
    "666666",
    "哈哈哈哈",
    "主播今天好漂亮",
    "发货要多久",
    "笑死我了",
    "求链接",
    "卧槽 这波牛逼",
]


def scores(data: Labelled, detect: Callable[[str], tuple[int, str]], at_least: int) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for text, label in zip(data.texts, data.labels, strict=True):
        flagged = detect(text)[0] >= at_least
        tp += flagged and label == 1
        fp += flagged and label == 0
        fn += (not flagged) and label == 1
        tn += (not flagged) and label == 0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "fp_rate_safe": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        "tp": tp,
        "fp": fp,
        "safe_rows": fp + tn,
        "offensive_rows": tp + fn,
    }


def flagged_by_kind(data: Labelled, detect: Callable[[str], tuple[int, str]]) -> dict[str, str]:
    """ "flagged/rows" per fine-grained kind: anti-bias rows (safe texts that discuss bias) vs the rest."""
    assert data.kinds is not None
    totals: dict[str, list[int]] = {}
    for text, kind in zip(data.texts, data.kinds, strict=True):
        counts = totals.setdefault(kind, [0, 0])
        counts[0] += detect(text)[0] >= 1
        counts[1] += 1
    return {kind: f"{hit}/{rows}" for kind, (hit, rows) in sorted(totals.items())}


def recall_at_fp_rates(
    data: Labelled, score: Callable[[str], float], rates: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05)
) -> dict[str, float]:
    """How much the shipped model could catch at each false-positive rate on safe rows if its threshold
    were read off the held-out set itself: an optimistic bound for this model, whatever the tuning."""
    scored = [(score(t), y) for t, y in zip(data.texts, data.labels, strict=True)]
    safe = sorted((s for s, y in scored if y == 0), reverse=True)
    offensive = [s for s, y in scored if y == 1]
    curve = {}
    for rate in rates:
        cut = safe[min(len(safe) - 1, int(rate * len(safe)))]
        curve[f"{rate:.1%}"] = round(sum(s > cut for s in offensive) / len(offensive), 3)
    return curve


def us_per_message(texts: list[str], detect: Callable[[str], object], repeat: int = 3) -> float:
    """Best of ``repeat`` passes, mean µs per message."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            detect(text)
        best = min(best, time.perf_counter() - start)
    return round(best / len(texts) * 1e6, 1)


def main() -> None:
    have = available()
    sets = held_out()
    if "zh" not in sets:
        print("COLD test file absent (../shared/data/eval/cold_test.csv or LIVEROOM_COLD_TEST): zh skipped")
    if "en" not in sets:
        print("TweetEval offensive test absent (var/eval-data/tweeteval_offensive/): en skipped")
    if not sets:
        print("no held-out set on this machine: nothing measured, bench/results/toxicity_eval.json kept")
        return
    if have["cold_fit"] or have["en_fit"]:
        sizes = assert_disjoint()
        print(f"overlap check passed: no held-out text among the fit/tune rows {sizes}")
    else:
        sizes = {}
        print("fit/tune data not fetched: overlap check skipped (see bench/train_toxicity.py)")
    if load_model() is None:
        print("bot/core/toxicity_model.npz absent: the shipped detector runs its lexicon only")
    results: dict[str, object] = {"sets": {}, "overlap_checked_rows": sizes}
    for lang, data in sets.items():
        print(
            f"\n{lang}: {len(data)} rows ({sum(data.labels)} offensive, {len(data) - sum(data.labels)} safe)"
        )
        print(
            f"  {'detector':28s} {'flag':>6s} {'P':>6s} {'R':>6s} {'F1':>6s} {'FP safe':>8s} {'µs/msg':>7s}"
        )
        per_set: dict[str, object] = {"rows": len(data)}
        for name, detect in DETECTORS.items():
            entry: dict[str, object] = {"us_per_message": us_per_message(data.texts, detect)}
            for label, at_least in (("warn+", 1), ("delete+", 2)):
                s = scores(data, detect, at_least)
                entry[label] = s
                print(
                    f"  {name:28s} {label:>7s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} "
                    f"{s['fp_rate_safe']:8.2%} {entry['us_per_message']:7.1f}"
                )
            if data.kinds:
                entry["flagged_by_kind"] = flagged_by_kind(data, detect)
            per_set[name] = entry
        if data.kinds:
            for name in DETECTORS:
                print(f"  {name:28s} flagged (warn+) per COLD kind: {per_set[name]['flagged_by_kind']}")
        results["sets"][lang] = per_set  # type: ignore[index]
    model = load_model()
    if model is not None:
        results["model_recall_at_fp_rate"] = {}
        for lang, data in sets.items():
            curve = recall_at_fp_rates(data, model.probability)
            results["model_recall_at_fp_rate"][lang] = curve  # type: ignore[index]
            print(f"\n{lang}: the model alone, recall at a false-positive rate of {curve}")
            print("  (thresholds read off this held-out set: an optimistic bound, not the shipped setting)")
    clean = CLEAN_CHAT * 50
    cost = {name: us_per_message(clean, detect) for name, detect in DETECTORS.items()}
    flagged = [text for text in CLEAN_CHAT if assess(text).severity]
    print(f"\nclean chat lines, µs/message: {cost}; flagged: {flagged or 'none'}")
    results["clean_chat_us_per_message"] = cost
    results["clean_chat_flagged"] = flagged
    path = write_result("toxicity_eval", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
