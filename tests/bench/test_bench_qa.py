"""The QA capacity benchmark's question mix (bench/bench_qa.py): what it sends, without a stack."""

from __future__ import annotations

from bench.bench_qa import MIX_CATEGORIES, distinct_texts, fold, mark, question_events, question_mix
from bench.qa_questions import SPLITS, Question, load_questions


def q(id_: str, category: str, text: str, context: tuple[str, ...] = (), expect: str = "answer") -> Question:
    return Question(id_, category, "en", text, context, expect=expect)


def test_mix_keeps_context_free_shop_questions_only() -> None:
    questions = [
        q("a", "product_faq", "is the mascara waterproof?"),
        q("b", "follow_up", "and in red?", context=("how much is the lipstick?",)),
        q("c", "off_topic", "who won the game last night?", expect="no_shop_answer"),
        q("d", "price", "how much is the serum?"),  # a price-only category is never in the mix
        q("e", "promotion", "any discount codes today"),
        q("f", "shop_faq", "IS THE MASCARA  waterproof?"),  # the same question as "a" once folded
    ]
    assert question_mix(questions) == ["is the mascara waterproof?", "any discount codes today"]


def test_mix_of_the_dev_split() -> None:
    questions = load_questions(SPLITS["dev"])
    mix = question_mix(questions)
    by_text = {x.text: x for x in questions}
    assert len(mix) > 300
    assert all(by_text[t].category in MIX_CATEGORIES and not by_text[t].context for t in mix)
    assert not any(by_text[t].category in ("off_topic", "follow_up") for t in mix)
    assert len({fold(t) for t in mix}) == len(mix)


def test_texts_stay_distinct_over_many_passes() -> None:
    mix = ["is it vegan?", "do you ship abroad?", "any deals?"]
    texts = distinct_texts(mix, 0, 3 * 60)
    assert texts[:3] == mix  # the first pass is the mix as written
    assert texts[3] == "is it vegan? 🙂"
    assert len({fold(t) for t in texts}) == len(texts)
    # a later slice continues the cycle: steps of one run never repeat what earlier steps sent
    assert distinct_texts(mix, 7, 5) == texts[7:12]
    assert len({mark(n) for n in range(500)}) == 500


def test_each_question_has_its_own_viewer_and_mentions_the_bot() -> None:
    events = question_events(["a?", "b?", "c?"], "liveroom", "room1", rate=2.0, tag="x")
    assert [e.text for e in events] == ["@liveroom a?", "@liveroom b?", "@liveroom c?"]
    assert len({e.viewer_id for e in events}) == 3
    assert all(e.display_name == e.viewer_id and e.viewer_id.startswith("qx") for e in events)
    assert [e.timestamp for e in events] == [0.0, 0.5, 1.0]
