"""`make eval`: liveroom's NLU pipeline vs Rasa's default (`rasa init`) config on the held-out split.

Both configs are trained on data/ (the train split; models reused by content hash under
var/eval/models) and evaluated on tests/nlu/heldout_{en,zh}.yml, which training never reads. The
product extractor sees the demo catalog through a stand-in of the gateway's catalog endpoint.

Writes var/eval/report.md, var/eval/report.json and var/eval/confusion_<config>.png; prints the
headline figures. Run: ``.venv-rasa/bin/python bench/eval_nlu.py`` (re-executes itself there when
started with another interpreter). ``--only liveroom`` skips the baseline. ``--split dev`` scores on
tests/nlu/dev_*.yml instead (model choices; report in var/eval/dev/), so the held-out split is only
read for final figures. Lines that copy a training line are left out of either split.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nlu_common import CONFIGS, DEV, EVAL_DIR, HELDOUT, catalog_server, in_rasa_runtime, train_nlu

in_rasa_runtime()

ENTITY_TYPES = ("product", "size", "colour")
log = logging.getLogger(__name__)


def load_heldout(path: Path) -> list[dict[str, Any]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    examples = []
    for message in data.intent_examples:
        entities = [
            (e["entity"], e["start"], e["end"])
            for e in message.get("entities") or []
            if e["entity"] in ENTITY_TYPES
        ]
        examples.append({"text": message.get("text"), "intent": message.get("intent"), "entities": entities})
    return examples


def without_training_copies(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop examples whose text is a copy or near copy of a training line (tests/nlu/split_overlap.py):
    those measure memory. The held-out split has none (tests/nlu/test_splits.py); the dev split, the
    previous held-out set, has some."""
    from tests.nlu.split_overlap import REPO, overlaps
    from tests.nlu.split_overlap import examples as nlu_examples

    train = nlu_examples(REPO / "data" / "nlu_en.yml") + nlu_examples(REPO / "data" / "nlu_zh.yml")
    plain = [(e["intent"], e["text"]) for e in examples]
    found = overlaps(train, plain)
    copies = {text for intent, text, *_ in found["exact"] + found["near"]}
    kept = [e for e in examples if e["text"] not in copies]
    if len(kept) < len(examples):
        log.info(
            "left out %d of %d examples that copy training lines", len(examples) - len(kept), len(examples)
        )
    return kept


async def predict(model: Path, examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    # let the extractor fetch the catalog before the first parse
    await asyncio.sleep(1.0)
    out = []
    for example in examples:
        parsed = await agent.parse_message(example["text"])
        intent = (parsed.get("intent") or {}).get("name")
        ranking = parsed.get("intent_ranking") or []
        if intent == "nlu_fallback" and len(ranking) > 1:
            # the evaluation scores the classifier; the fallback is a dialogue decision
            intent = ranking[1]["name"] if ranking[0]["name"] == "nlu_fallback" else ranking[0]["name"]
        entities = [
            (e["entity"], e["start"], e["end"])
            for e in parsed.get("entities") or []
            if e["entity"] in ENTITY_TYPES
        ]
        out.append(
            {"intent": intent, "entities": entities, "fallback": parsed["intent"]["name"] == "nlu_fallback"}
        )
    return out


def intent_metrics(gold: list[str], pred: list[str]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    p, r, f, _support = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)), 4),
        "per_intent": {
            label: {
                "precision": round(float(p[i]), 3),
                "recall": round(float(r[i]), 3),
                "f1": round(float(f[i]), 3),
            }
            for i, label in enumerate(labels)
        },
    }


def entity_metrics(gold: list[list[tuple]], pred: list[list[tuple]]) -> dict[str, Any]:
    """Exact-span F1 per entity type (type, start and end must all match)."""
    result = {}
    for etype in ENTITY_TYPES:
        tp = fp = fn = 0
        for g, p in zip(gold, pred, strict=True):
            gs = {e for e in g if e[0] == etype}
            ps = {e for e in p if e[0] == etype}
            tp += len(gs & ps)
            fp += len(ps - gs)
            fn += len(gs - ps)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[etype] = {
            "support": tp + fn,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    return result


def confusion_png(name: str, gold: list[str], pred: list[str], path: Path, title: str = "held-out") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(gold) | set(pred))
    matrix = confusion_matrix(gold, pred, labels=labels)
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticklabels(labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{name}: {title} intents (en + zh)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate(
    name: str, model: Path, heldout: dict[str, list[dict[str, Any]]], out_dir: Path = EVAL_DIR
) -> dict[str, Any]:
    result: dict[str, Any] = {"model": str(model), "languages": {}}
    all_gold: list[str] = []
    all_pred: list[str] = []
    gold_entities: list[list[tuple]] = []
    pred_entities: list[list[tuple]] = []
    misses: list[dict[str, str]] = []
    fallbacks = Counter()
    predictions = {}
    for lang, examples in heldout.items():
        predictions[lang] = asyncio.run(predict(model, examples))
    for lang, examples in heldout.items():
        preds = predictions[lang]
        gold = [e["intent"] for e in examples]
        pred = [p["intent"] for p in preds]
        result["languages"][lang] = intent_metrics(gold, pred)
        fallbacks[lang] = sum(p["fallback"] for p in preds)
        all_gold += gold
        all_pred += pred
        gold_entities += [e["entities"] for e in examples]
        pred_entities += [p["entities"] for p in preds]
        misses += [
            {"lang": lang, "text": e["text"], "true": e["intent"], "predicted": p["intent"]}
            for e, p in zip(examples, preds, strict=True)
            if e["intent"] != p["intent"]
        ]
    texts = [e["text"] for examples in heldout.values() for e in examples]
    result["entity_misses"] = [
        {"text": text, "missed": sorted(set(g) - set(p)), "spurious": sorted(set(p) - set(g))}
        for text, g, p in zip(texts, gold_entities, pred_entities, strict=True)
        if set(g) != set(p)
    ]
    result["overall"] = intent_metrics(all_gold, all_pred)
    result["entities"] = entity_metrics(gold_entities, pred_entities)
    result["fallback_rate"] = {lang: round(fallbacks[lang] / len(heldout[lang]), 4) for lang in heldout}
    result["misses"] = misses
    png = out_dir / f"confusion_{name}.png"
    confusion_png(name, all_gold, all_pred, png, "held-out" if out_dir == EVAL_DIR else "dev")
    result["confusion_png"] = png.name
    return result


def report_md(
    results: dict[str, Any],
    train_s: dict[str, float | None],
    counts: dict[str, int],
    split: str = "heldout",
) -> str:
    names = list(results)
    if split == "heldout":
        title, source = "held-out split", "tests/nlu/heldout_*.yml; written apart from the training data"
    else:
        title, source = "development split", "tests/nlu/dev_*.yml; used for model choices, not a final figure"
    lines = [f"# NLU evaluation ({title})", ""]
    lines.append(
        f"Examples: en {counts['en']}, zh {counts['zh']} ({source}; lines that are copies or near copies of "
        "a training line are left out: tests/nlu/split_overlap.py). Trained on data/nlu_*.yml."
    )
    lines += ["", "| metric | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]

    def row(label: str, get) -> None:
        lines.append(f"| {label} | " + " | ".join(get(results[n]) for n in names) + " |")

    for lang in ("en", "zh"):
        row(f"intent accuracy {lang}", lambda r, lang=lang: f"{r['languages'][lang]['accuracy']:.3f}")
        row(f"intent macro-F1 {lang}", lambda r, lang=lang: f"{r['languages'][lang]['macro_f1']:.3f}")
    row("intent accuracy all", lambda r: f"{r['overall']['accuracy']:.3f}")
    row("intent macro-F1 all", lambda r: f"{r['overall']['macro_f1']:.3f}")
    for etype in ENTITY_TYPES:
        row(f"entity F1 {etype} (exact span)", lambda r, e=etype: f"{r['entities'][e]['f1']:.3f}")
    row(
        "below fallback threshold en/zh",
        lambda r: f"{r['fallback_rate']['en']:.2f} / {r['fallback_rate']['zh']:.2f}",
    )
    row(
        "training time (s; Rasa's node cache can shorten it)",
        lambda r: "reused" if train_s[r["name"]] is None else f"{train_s[r['name']]:.0f}",
    )
    lines += ["", "## Per-intent F1 (en + zh)", "", "| intent | " + " | ".join(names) + " |"]
    lines.append("| --- |" + " --- |" * len(names))
    for intent in sorted(results[names[0]]["overall"]["per_intent"]):
        vals = [f"{results[n]['overall']['per_intent'].get(intent, {}).get('f1', 0):.3f}" for n in names]
        lines.append(f"| {intent} | " + " | ".join(vals) + " |")
    lines += ["", "## Confusion matrices", ""]
    for n in names:
        lines.append(f"![{n}]({results[n]['confusion_png']})")
    first = names[0]
    lines += ["", f"## Misclassified held-out examples ({first})", ""]
    for miss in results[first]["misses"][:60]:
        lines.append(f"- [{miss['lang']}] `{miss['text']}`: {miss['true']} -> {miss['predicted']}")
    lines += ["", f"## Entity differences ({first}; type, start, end)", ""]
    for miss in results[first].get("entity_misses", [])[:40]:
        lines.append(f"- `{miss['text']}`: missed {miss['missed']}, spurious {miss['spurious']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(CONFIGS), help="evaluate one config only")
    parser.add_argument(
        "--config", nargs=2, metavar=("NAME", "PATH"), help="evaluate this config only (ablations)"
    )
    parser.add_argument(
        "--split",
        choices=("heldout", "dev"),
        default="heldout",
        help="dev: score on tests/nlu/dev_*.yml (for model choices) into var/eval/dev/",
    )
    args = parser.parse_args()
    configs = dict(CONFIGS)
    if args.config:
        configs = {args.config[0]: Path(args.config[1]).resolve()}
    logging.basicConfig(level=logging.WARNING)
    out_dir = EVAL_DIR if args.split == "heldout" else EVAL_DIR / "dev"
    out_dir.mkdir(parents=True, exist_ok=True)
    split = HELDOUT if args.split == "heldout" else DEV
    heldout = {lang: without_training_copies(load_heldout(path)) for lang, path in split.items()}
    names = [args.only] if args.only else list(configs)
    results: dict[str, Any] = {}
    train_s: dict[str, float | None] = {}
    with catalog_server():
        for name in names:
            print(f"== {name}: training (or reusing) on data/ ...", flush=True)
            model, seconds = train_nlu(name, configs[name])
            train_s[name] = seconds
            started = time.perf_counter()
            results[name] = evaluate(name, model, heldout, out_dir)
            results[name]["name"] = name
            results[name]["training_seconds"] = seconds
            print(f"   evaluated in {time.perf_counter() - started:.0f} s", flush=True)
    counts = {lang: len(examples) for lang, examples in heldout.items()}
    (out_dir / "report.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "report.md").write_text(report_md(results, train_s, counts, args.split), encoding="utf-8")
    for name, r in results.items():
        langs = ", ".join(
            f"{lang} acc {m['accuracy']:.3f} macro-F1 {m['macro_f1']:.3f}"
            for lang, m in r["languages"].items()
        )
        ents = ", ".join(f"{e} F1 {m['f1']:.3f}" for e, m in r["entities"].items())
        print(f"{name}: {langs}; {ents}")
    print(f"report: {out_dir / 'report.md'}")


if __name__ == "__main__":
    main()
