"""`make eval`'s report generation (bench/eval_nlu.py) on a small made-up result: metrics per
language, per-intent F1, entity F1 and the confusion-matrix picture."""

from __future__ import annotations

from pathlib import Path

from bench import eval_nlu


def test_metrics_and_report_are_written(tmp_path: Path, monkeypatch) -> None:
    gold = ["greet", "greet", "ask_price", "ask_stock"]
    pred = ["greet", "ask_price", "ask_price", "ask_stock"]
    metrics = eval_nlu.intent_metrics(gold, pred)
    assert metrics["accuracy"] == 0.75
    assert metrics["per_intent"]["ask_stock"]["f1"] == 1.0
    entities = eval_nlu.entity_metrics(
        [[("product", 0, 5)], [("size", 3, 4)], []], [[("product", 0, 5)], [], [("product", 1, 2)]]
    )
    assert entities["product"] == {"support": 1, "precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert entities["size"]["recall"] == 0.0

    png = tmp_path / "confusion.png"
    eval_nlu.confusion_png("liveroom", gold, pred, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    result = {
        "name": "liveroom",
        "languages": {"en": metrics, "zh": metrics},
        "overall": metrics,
        "entities": entities | {"colour": entities["size"]},
        "fallback_rate": {"en": 0.1, "zh": 0.0},
        "misses": [{"lang": "en", "text": "hi there", "true": "greet", "predicted": "ask_price"}],
        "confusion_png": png.name,
    }
    report = eval_nlu.report_md({"liveroom": result}, {"liveroom": 12.0}, {"en": 4, "zh": 4})
    assert "| intent accuracy en | 0.750 |" in report
    assert "| intent macro-F1 zh |" in report
    assert "| entity F1 product (exact span) | 0.667 |" in report
    assert "![liveroom](confusion.png)" in report
    assert "`hi there`: greet -> ask_price" in report


def test_dev_report_and_training_copies_are_left_out(tmp_path: Path) -> None:
    kept = eval_nlu.without_training_copies(
        [
            {"intent": "greet", "text": "@bot HELLO!!!", "entities": []},  # `hello` is a training line
            {"intent": "greet", "text": "a greeting training never had, surely", "entities": []},
        ]
    )
    assert [e["text"] for e in kept] == ["a greeting training never had, surely"]

    gold, pred = ["greet", "thanks"], ["greet", "greet"]
    metrics = eval_nlu.intent_metrics(gold, pred)
    result = {
        "name": "liveroom",
        "languages": {"en": metrics, "zh": metrics},
        "overall": metrics,
        "entities": eval_nlu.entity_metrics([[], []], [[], []]),
        "fallback_rate": {"en": 0.0, "zh": 0.0},
        "misses": [],
        "entity_misses": [{"text": "serum pls", "missed": [("product", 0, 5)], "spurious": []}],
        "confusion_png": "c.png",
    }
    report = eval_nlu.report_md({"liveroom": result}, {"liveroom": None}, {"en": 2, "zh": 2}, "dev")
    assert report.startswith("# NLU evaluation (development split)")
    assert "`serum pls`: missed [('product', 0, 5)]" in report
