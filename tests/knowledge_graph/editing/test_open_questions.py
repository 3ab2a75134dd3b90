"""Open questions for moderators: the same question asked again while open is counted, not repeated."""

from __future__ import annotations

from knowledge_graph.editing.open_questions import (
    FOR_MODERATORS,
    close_as_faq,
    list_not_carried,
    list_open_questions,
    question_key,
    record_open_question,
)
from knowledge_graph.store import GraphStore


async def test_the_same_open_question_is_counted_on_one_record(store: GraphStore) -> None:
    first = await record_open_question(store, "twitch", "r1", "ann", "Do you ship to Canada?", "en")
    again = await record_open_question(store, "twitch", "r1", "bob", "do you ship to  canada", "en")
    await record_open_question(store, "twitch", "r1", "cy", "ＤＯ ＹＯＵ ship to Canada???", "en")
    assert again.id == first.id
    listed = await list_open_questions(store)
    assert [(q.text, q.count, q.viewer_id) for q in listed] == [("Do you ship to Canada?", 3, "ann")]


async def test_other_rooms_kinds_and_closed_questions_are_separate(store: GraphStore) -> None:
    await record_open_question(store, "twitch", "r1", "ann", "where is my order", "en")
    await record_open_question(store, "twitch", "r2", "ann", "where is my order", "en")
    await record_open_question(store, "twitch", "r1", "ann", "where is my order", "en", kind="complaint")
    assert sorted((q.room, q.kind, q.count) for q in await list_open_questions(store)) == [
        ("r1", "complaint", 1),
        ("r1", "question", 1),
        ("r2", "question", 1),
    ]
    await store.write("MATCH (q:OpenQuestion {room: 'r2'}) SET q.status = 'faq'", {})
    await record_open_question(store, "twitch", "r2", "bob", "where is my order", "en")
    r2 = [q for q in await list_open_questions(store) if q.room == "r2"]
    assert [(q.viewer_id, q.count) for q in r2] == [("bob", 1)]  # a new record after the old one closed


async def test_a_question_closed_as_an_faq_leaves_the_open_list(store: GraphStore) -> None:
    asked = await record_open_question(store, "twitch", "r1", "ann", "is it vegan?", "en")
    assert await close_as_faq(store, asked.id, "lulu#faq9")
    assert await list_open_questions(store) == []
    rows = await store.read(
        "MATCH (q:OpenQuestion {id: $id}) RETURN q.status AS s, q.faq_id AS f", {"id": asked.id}
    )
    assert rows == [{"s": "faq", "f": "lulu#faq9"}]
    assert not await close_as_faq(store, "no-such-question", "lulu#faq9")


def test_question_key_ignores_case_width_spacing_and_punctuation() -> None:
    assert question_key("  Is it   VEGAN?! ") == question_key("is it vegan") == "is it vegan"
    assert question_key("包邮吗？") == question_key("包邮吗") != question_key("包邮")


async def test_not_carried_asks_are_listed_apart_from_what_moderators_answer(store: GraphStore) -> None:
    await record_open_question(store, "twitch", "r1", "ann", "do you ship to Canada?", "en", at=1_000)
    await record_open_question(
        store, "twitch", "r1", "bob", "Do you sell hair straighteners?", "en", at=2_000, kind="not_carried"
    )
    await record_open_question(store, "twitch", "r1", "cy", "有卷发棒吗", "zh", at=3_000, kind="not_carried")
    await record_open_question(
        store, "twitch", "r1", "dee", "do you sell HAIR straighteners", "en", at=4_000, kind="not_carried"
    )
    moderators = await list_open_questions(store, kinds=FOR_MODERATORS)
    assert [(q.text, q.kind) for q in moderators] == [("do you ship to Canada?", "question")]
    asks = await list_not_carried(store)
    assert [(q.text, q.count, q.at, q.last_at) for q in asks] == [
        ("Do you sell hair straighteners?", 2, 2_000, 4_000),  # asked again last: first
        ("有卷发棒吗", 1, 3_000, None),
    ]
    assert len(await list_open_questions(store)) == 3  # all kinds by default (bench/eval_room.py)
