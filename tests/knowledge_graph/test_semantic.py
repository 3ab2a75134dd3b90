"""Semantic FAQ answers on a real graph: paraphrases, languages, threshold, edits, reindex.

Shop questions are asked with ``in_domain=True`` (the NLU domain guard's verdict on them, as the
actions pass it), which selects ``IN_DOMAIN_ROUTES``; without a verdict the stricter ``ROUTES`` apply."""

from __future__ import annotations

import asyncio

import pytest

from knowledge_graph.catalog.faqs import get_faq
from knowledge_graph.editing.faq import create_faq, delete_faq, update_faq
from knowledge_graph.model.faq import FAQ
from knowledge_graph.semantic import VECTOR_FIELDS, answer_question, reindex
from knowledge_graph.store import GraphStore


@pytest.mark.parametrize(
    ("question", "faq_id", "lang"),
    [
        ("how soon do you ship my order", "lulu#faq1", "en"),
        ("下单后多久发货", "lulu#faq1", "zh"),
        ("can I send it back if I don't like it", "lulu#faq2", "en"),
        ("支持退货吗", "lulu#faq2", "zh"),
        ("这个lipstick拔干吗", "LR-LIP-001#faq1", "zh"),
        ("does the gloss feel sticky", "LR-LIP-002#faq1", "en"),
        ("防晒霜防水吗", "LR-SKN-002#faq2", "zh"),
    ],
)
async def test_paraphrases_find_their_faq_in_the_askers_language(
    seeded_store: GraphStore, question: str, faq_id: str, lang: str
) -> None:
    answer = await answer_question(seeded_store, question, in_domain=True)
    for _ in range(20):  # Neo4j's vector indexes are refreshed shortly after a write, not at commit
        if answer is not None:
            break
        await asyncio.sleep(0.5)
        answer = await answer_question(seeded_store, question, in_domain=True)
    assert answer is not None, question
    assert answer.faq_id == faq_id
    faq = await get_faq(seeded_store, faq_id)
    assert faq is not None
    assert answer.answer == faq.answer(lang)
    assert answer.language == lang
    assert 0.0 < answer.score <= 1.0


async def test_answer_language_follows_the_caller(seeded_store: GraphStore) -> None:
    answer = await answer_question(seeded_store, "do you accept returns", lang="zh-CN")
    assert answer is not None and answer.faq_id == "lulu#faq2"
    assert answer.language == "zh"
    assert answer.answer == "未拆封商品支持7天无理由退货。"


@pytest.mark.parametrize(
    "text", ["what game are you playing later", "哈哈哈哈哈笑死", "主播唱首歌吧", "", "   ", "666"]
)
async def test_unrelated_chat_gets_no_answer(seeded_store: GraphStore, text: str) -> None:
    assert await answer_question(seeded_store, text) is None


@pytest.mark.parametrize(
    ("text", "near"),
    [
        # off-topic questions close to a shop FAQ: the in-domain thresholds would answer them
        ("can i return my rental car early", "lulu#faq2"),
        ("how long does it take to ship my credit card", "lulu#faq1"),
    ],
)
async def test_off_topic_questions_without_a_verdict_need_the_calibrated_similarity(
    seeded_store: GraphStore, text: str, near: str
) -> None:
    loose = await answer_question(seeded_store, text, in_domain=True)
    assert loose is not None and loose.faq_id == near  # what the pre-issue-14 thresholds did
    assert await answer_question(seeded_store, text) is None
    assert await answer_question(seeded_store, text, in_domain=False) is None
    # a shop question close enough still gets its answer without a verdict (the degraded path)
    plain = await answer_question(seeded_store, "do you accept returns")
    assert plain is not None and plain.faq_id == "lulu#faq2"


async def test_cross_language_faqs_written_in_one_language(seeded_store: GraphStore) -> None:
    zh_only = FAQ(
        id="lulu#gift",
        question_en="",
        question_zh="可以帮忙包装成礼物吗？",
        answer_en="",
        answer_zh="可以，备注“礼物”即可免费礼盒包装。",
        streamer_id="lulu",
    )
    en_only = FAQ(
        id="lulu#giftcard",
        question_en="Do you sell gift cards?",
        question_zh="",
        answer_en="Yes, e-gift cards from 100 yuan, in the shop menu.",
        answer_zh="",
        streamer_id="lulu",
    )
    await create_faq(seeded_store, zh_only)
    await create_faq(seeded_store, en_only)
    english = await answer_question(seeded_store, "can you gift wrap my order?", in_domain=True)
    assert english is not None and english.faq_id == "lulu#gift"
    assert english.answer == zh_only.answer_zh  # the only language it has
    chinese = await answer_question(seeded_store, "你们有卖礼品卡吗", in_domain=True)
    assert chinese is not None and chinese.faq_id == "lulu#giftcard"


async def test_answers_follow_every_edit(seeded_store: GraphStore) -> None:
    store = seeded_store
    before = await answer_question(store, "what time do you go live", in_domain=True)
    assert before is not None and before.faq_id == "lulu#faq3"
    faq = await get_faq(store, "lulu#faq3")
    assert faq is not None
    await update_faq(
        store,
        "lulu#faq3",
        {
            "question_en": "Do you offer gift cards?",
            "question_zh": "有礼品卡吗？",
            "answer_en": "Yes, in the shop tab.",
            "answer_zh": "有的，在店铺页。",
        },
        expected_version=faq.version,
        actor="alice",
    )
    new = await answer_question(store, "can I buy a gift card", in_domain=True)
    assert new is not None and new.faq_id == "lulu#faq3" and new.answer == "Yes, in the shop tab."
    new_zh = await answer_question(store, "你们卖礼品卡吗", in_domain=True)
    assert new_zh is not None and new_zh.faq_id == "lulu#faq3" and new_zh.answer == "有的，在店铺页。"
    stale = await answer_question(store, "what time do you go live", in_domain=True)
    assert stale is None or stale.faq_id != "lulu#faq3"
    await delete_faq(store, "lulu#faq3", actor="alice")
    gone = await answer_question(store, "can I buy a gift card", in_domain=True)
    assert gone is None or gone.faq_id != "lulu#faq3"


async def test_reindex_restores_missing_vectors(seeded_store: GraphStore) -> None:
    clear = ", ".join(f"f.{field.prop} = null" for field in VECTOR_FIELDS)
    await seeded_store.write(f"MATCH (f:FAQ {{id: 'lulu#faq1'}}) SET {clear}")
    missing = await answer_question(seeded_store, "how soon do you ship my order")
    assert missing is None or missing.faq_id != "lulu#faq1"
    progress: list[tuple[int, int]] = []
    written = await reindex(seeded_store, lambda done, total: progress.append((done, total)), batch_size=10)
    total = progress[-1][1]
    assert written == total and progress[-1] == (total, total) and len(progress) == -(-total // 10)
    found = await answer_question(seeded_store, "how soon do you ship my order")
    assert found is not None and found.faq_id == "lulu#faq1"


async def test_injection_strings_are_data(seeded_store: GraphStore) -> None:
    nasty = "'}) MATCH (n) DETACH DELETE n // \" ` $x {{}} \\ 口红"
    faq = FAQ(
        id="lulu#nasty",
        question_en=f"Is this {nasty} safe?",
        question_zh="",
        answer_en=nasty,
        answer_zh="",
        streamer_id="lulu",
    )
    await create_faq(seeded_store, faq, actor="mallory")
    stored = await get_faq(seeded_store, "lulu#nasty")
    assert stored is not None and stored.answer_en == nasty and stored.question_en == faq.question_en
    assert await answer_question(seeded_store, nasty) is not None  # matched as text, nothing executed
    rows = await seeded_store.read("MATCH (p:Product) RETURN count(p) AS n")
    assert rows[0]["n"] > 0
