"""The question sets of the question-answering evaluation (tests/qa/{dev,heldout}.jsonl) and its scoring
(bench/qa_questions.py, bench/eval_qa.py): every line valid, the held-out set sharing nothing with dev,
enough questions per category and language; must / must_not, hand-offs in both languages, off-topic."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.eval_qa import Asked, figures
from bench.qa_questions import (
    CATEGORIES,
    LANGS,
    SPLITS,
    Question,
    QuestionError,
    classify,
    is_handoff,
    load_questions,
    split_overlap,
)
from knowledge_graph.answers.replies import handoff_reply, unknown_reply, which_product, which_product_for

MIN_TOTAL = 40  # per category and language, both splits together
MIN_HELDOUT = 15  # per category and language, held-out split


@pytest.fixture(scope="module")
def question_sets() -> dict[str, list[Question]]:
    missing = [str(path.name) for path in SPLITS.values() if not path.exists()]
    if missing:
        pytest.skip(f"tests/qa/{' and '.join(missing)} not written yet (issue 15: the question sets)")
    return {split: load_questions(path) for split, path in SPLITS.items()}


def _per_cell(questions: list[Question]) -> Counter[tuple[str, str]]:
    counts = Counter((q.category, q.lang) for q in questions)
    return Counter({(c, lang): counts[(c, lang)] for c in CATEGORIES for lang in LANGS})


@pytest.mark.parametrize("tuning", ["dev", "tune"])
def test_heldout_shares_no_question_with_the_tuning_sets(
    question_sets: dict[str, list[Question]], tuning: str
) -> None:
    assert split_overlap(question_sets[tuning], question_sets["heldout"]) == []
    shared_ids = {q.id for q in question_sets[tuning]} & {q.id for q in question_sets["heldout"]}
    assert shared_ids == set()


def test_enough_questions_per_category_and_language(question_sets: dict[str, list[Question]]) -> None:
    total = _per_cell(question_sets["dev"] + question_sets["heldout"])
    heldout = _per_cell(question_sets["heldout"])
    assert {cell: n for cell, n in total.items() if n < MIN_TOTAL} == {}
    assert {cell: n for cell, n in heldout.items() if n < MIN_HELDOUT} == {}


# --- the loader ---------------------------------------------------------------------------------------
GOOD = {"id": "q1", "category": "product_faq", "lang": "en", "text": "is the serum ok for sensitive skin?"}


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "q.jsonl"
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loader_reads_defaults_and_optional_fields(tmp_path: Path) -> None:
    full = {**GOOD, "id": "q2", "context": ["how much is it?"], "addressed": False, "must": [["a", "b"]],
            "must_not": ["c"], "expect": "no_shop_answer"}  # fmt: skip
    first, second = load_questions(_write(tmp_path, GOOD, "", full))
    assert (first.context, first.addressed, first.must, first.must_not, first.expect) == (
        (),
        True,
        (),
        (),
        "answer",
    )
    assert first.source.endswith("q.jsonl:1") and second.source.endswith("q.jsonl:3")
    assert second.must == (("a", "b"),) and second.messages("liveroom") == ["how much is it?", full["text"]]
    assert first.messages("liveroom") == ["@liveroom " + GOOD["text"]]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**GOOD, "colour": "red"}, "unknown keys ['colour']"),
        ({**GOOD, "text": "   "}, "text must not be empty"),
        ({**GOOD, "category": "chitchat"}, "category 'chitchat'"),
        ({**GOOD, "lang": "fr"}, "lang 'fr'"),
        ({**GOOD, "addressed": "yes"}, "addressed must be true or false"),
        ({**GOOD, "must": ["waterproof"]}, "must group 1"),
        ({**GOOD, "must": [[]]}, "must group 1 must not be empty"),
        ({**GOOD, "must_not": "¥79.90"}, "must_not must be a list"),
        ({**GOOD, "context": [""]}, "context must be a list of non-empty strings"),
        ({**GOOD, "expect": "silence"}, "expect 'silence'"),
        ({**GOOD, "id": 7}, "id must be a string"),
        ({"id": "q9", "lang": "en", "text": "hi"}, "missing keys ['category']"),
        ("[1, 2]", "a line must be a JSON object"),
        ("{not json", "Expecting property name"),
    ],
)
def test_loader_names_file_line_and_problem(tmp_path: Path, row: object, message: str) -> None:
    with pytest.raises(QuestionError, match=r"q\.jsonl:2: ") as err:
        load_questions(_write(tmp_path, {**GOOD, "id": "ok"}, row))
    assert message in str(err.value)


def test_loader_refuses_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(QuestionError, match=r"q\.jsonl:2: duplicate id 'q1' \(first at .*q\.jsonl:1\)"):
        load_questions(_write(tmp_path, GOOD, {**GOOD, "text": "another question"}))


def test_overlap_compares_text_and_context_after_normalisation() -> None:
    def q(qid: str, text: str, context: tuple[str, ...] = ()) -> Question:
        return Question(qid, "follow_up", "en", text, context, source=qid)

    dev = [q("d1", "is it in stock", ("how much is the serum",)), q("d2", "do you ship to canada")]
    heldout = [
        q("h1", "@liveroom IS IT IN STOCK??", ("How much is the serum?",)),  # the same after normalising
        q("h2", "is it in stock", ("tell me about the scented candle please",)),  # another context
        q("h3", "what shades does the cushion come in"),
    ]
    assert split_overlap(dev, heldout) == [("exact", "h1", "d1")]


# --- scoring ------------------------------------------------------------------------------------------
MASCARA = Question(
    "m1", "product_faq", "en", "does the mascara come off with water?",
    must=(("waterproof", "oil"), ("remover", "卸")), must_not=("¥79.90", "Mascara: "),
)  # fmt: skip
OFF_TOPIC = Question(
    "o1", "off_topic", "en", "capital of peru?", must_not=("¥", "Try these"), expect="no_shop_answer"
)


def test_every_must_group_by_any_of_its_strings_case_insensitive() -> None:
    assert classify(MASCARA, ["@ann It's WATERPROOF: use an eye makeup Remover."]) == ("correct", "")
    assert classify(MASCARA, ["用卸妆油 oil first"]) == ("correct", "")
    outcome, why = classify(MASCARA, ["It's waterproof, so water alone won't do."])
    assert outcome == "wrong" and why == "missing one of remover | 卸"
    assert classify(MASCARA, ["It is waterproof.", "Use a remover."])[0] == "correct"  # across replies


def test_must_not_makes_a_reply_wrong() -> None:
    outcome, why = classify(MASCARA, ["Waterproof Mascara: waterproof, use a remover (¥79.90)"])
    assert outcome == "wrong"
    assert why == "contains '¥79.90'; contains 'Mascara: '"
    assert classify(MASCARA, ["waterproof; remover; ￥79.90"])[0] == "wrong"  # full-width yen folds (NFKC)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_handoffs_in_both_languages_are_recognised(lang: str) -> None:
    texts = [handoff_reply(lang), unknown_reply(lang), which_product(lang), which_product_for(lang, "stock"),
             which_product_for(lang, "something else")]  # fmt: skip
    for text in texts:
        assert is_handoff(text) and is_handoff(f"@some_viewer {text}") and is_handoff(f"@a @b  {text} ")
        assert classify(MASCARA, [f"@ann {text}"]) == ("handoff", "handed off")
        assert classify(OFF_TOPIC, [f"@ann {text}"]) == ("correct", "")
    assert not is_handoff(handoff_reply(lang) + " Waterproof Mascara is ¥79.90")
    assert not is_handoff("Waterproof Mascara: lengthening mascara (¥79.90)")


def test_a_handoff_beside_an_answer_is_judged_by_the_answer() -> None:
    assert classify(MASCARA, [handoff_reply("en"), "waterproof; take it off with a remover"])[0] == "correct"
    assert classify(MASCARA, [handoff_reply("en"), "Mascara: ¥79.90"])[0] == "wrong"


def test_silence() -> None:
    assert classify(MASCARA, []) == ("silent", "no reply within the timeout")
    assert classify(OFF_TOPIC, []) == ("correct", "")


def test_off_topic_is_wrong_only_with_shop_content() -> None:
    assert classify(OFF_TOPIC, ["Lima, I think!"]) == ("correct", "")
    assert classify(OFF_TOPIC, ["@ann Try these: Matte Lipstick!"]) == ("wrong", "contains 'Try these'")


def test_figures_per_category_language_and_targets() -> None:
    def asked(category: str, lang: str, outcome: str, latency: float | None = 1.0) -> Asked:
        result = Asked(Question(f"{category}{lang}{outcome}", category, lang, "q"), "heldout")
        result.outcome, result.latency_s = outcome, latency
        return result

    results = [asked("shop_faq", "en", "correct") for _ in range(19)] + [
        asked("shop_faq", "zh", "wrong", 3.0)
    ]
    results += [asked("compare", "zh", "handoff"), asked("compare", "zh", "silent", None)]
    fig = figures(results)
    assert fig["per_category_lang"]["shop_faq/en"]["accuracy_pct"] == 100.0
    assert fig["per_category_lang"]["shop_faq/zh"] == {
        "n": 1, "correct": 0, "wrong": 1, "handoff": 0, "silent": 0, "accuracy_pct": 0.0, "wrong_pct": 100.0
    }  # fmt: skip
    assert fig["per_category"]["shop_faq"]["accuracy_pct"] == 95.0
    compare = fig["per_category"]["compare"]
    assert (compare["n"], compare["handoff"], compare["silent"], compare["accuracy_pct"]) == (2, 1, 1, 0.0)
    assert fig["overall"]["wrong_pct"] == round(100 / 22, 2)
    assert fig["latency"]["n"] == 21
    targets = fig["targets"]
    assert targets["accuracy_shop_faq"]["pass"] is True and targets["accuracy_compare"]["pass"] is False
    assert targets["min_category_accuracy_pct"]["value"] == 0.0 and targets["wrong_pct"]["pass"] is False
