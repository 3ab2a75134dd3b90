"""FAQ create/update/delete: versions, conflicts, links, audit entries, validation."""

from __future__ import annotations

import json

import pytest

from knowledge_graph.catalog.faqs import get_faq, list_all_faqs, list_faqs
from knowledge_graph.editing.faq import create_faq, delete_faq, update_faq
from knowledge_graph.errors import NotFound, ValidationError, VersionConflict
from knowledge_graph.model.faq import FAQ
from knowledge_graph.store import GraphStore


def _faq(**changes: object) -> FAQ:
    values: dict[str, object] = {
        "id": "LR-LIP-001#faq9",
        "question_en": "Is it vegan?",
        "question_zh": "是纯素的吗？",
        "answer_en": "Yes, no animal ingredients.",
        "answer_zh": "是的，不含动物成分。",
        "product_sku": "LR-LIP-001",
    }
    values.update(changes)
    return FAQ(**values)  # type: ignore[arg-type]


async def _audit(store: GraphStore, key: str) -> list[dict]:
    rows = await store.read(
        "MATCH (a:AuditEntry {key: $key}) RETURN a.action AS action, a.actor AS actor, a.entity AS entity, "
        "a.changes AS changes ORDER BY a.at, a.id",
        {"key": key},
    )
    return rows


async def test_create_get_and_audit(seeded_store: GraphStore) -> None:
    created = await create_faq(seeded_store, _faq(), actor="alice")
    assert created.version == 1
    assert await get_faq(seeded_store, created.id) == created
    assert created in await list_faqs(seeded_store, "LR-LIP-001")
    assert created.id in {f.id for f in await list_all_faqs(seeded_store)}
    [entry] = await _audit(seeded_store, created.id)
    assert entry["action"] == "create" and entry["actor"] == "alice" and entry["entity"] == "FAQ"
    assert json.loads(entry["changes"])["question_en"] == "Is it vegan?"


async def test_create_twice_is_a_conflict_and_writes_nothing(seeded_store: GraphStore) -> None:
    await create_faq(seeded_store, _faq())
    with pytest.raises(VersionConflict) as info:
        await create_faq(seeded_store, _faq(answer_en="different"))
    assert info.value.expected == 0 and info.value.actual == 1
    stored = await get_faq(seeded_store, "LR-LIP-001#faq9")
    assert stored is not None and stored.answer_en == "Yes, no animal ingredients."
    assert len(await _audit(seeded_store, "LR-LIP-001#faq9")) == 1


async def test_create_about_missing_product_writes_nothing(seeded_store: GraphStore) -> None:
    with pytest.raises(NotFound):
        await create_faq(seeded_store, _faq(product_sku="NOPE-1"))
    assert await get_faq(seeded_store, "LR-LIP-001#faq9") is None


async def test_update_versions_and_conflicts(seeded_store: GraphStore) -> None:
    await create_faq(seeded_store, _faq())
    updated = await update_faq(
        seeded_store, "LR-LIP-001#faq9", {"answer_en": "Yes."}, expected_version=1, actor="bob"
    )
    assert updated.version == 2 and updated.answer_en == "Yes."
    with pytest.raises(VersionConflict) as info:
        await update_faq(seeded_store, "LR-LIP-001#faq9", {"answer_en": "No."}, expected_version=1)
    assert info.value.expected == 1 and info.value.actual == 2
    assert (await get_faq(seeded_store, "LR-LIP-001#faq9")) == updated
    same = await update_faq(seeded_store, "LR-LIP-001#faq9", {"answer_en": "Yes."})
    assert same.version == 2  # nothing changed, nothing written
    entries = await _audit(seeded_store, "LR-LIP-001#faq9")
    assert [e["action"] for e in entries] == ["create", "update"]
    assert json.loads(entries[1]["changes"]) == {"answer_en": ["Yes, no animal ingredients.", "Yes."]}


async def test_update_moves_the_about_link(seeded_store: GraphStore) -> None:
    # the demo catalog has the category "lips"
    await create_faq(seeded_store, _faq())
    moved = await update_faq(seeded_store, "LR-LIP-001#faq9", {"category_id": "lips"})
    assert moved.category_id == "lips" and moved.product_sku is None
    assert await get_faq(seeded_store, "LR-LIP-001#faq9") == moved
    assert "LR-LIP-001#faq9" not in {f.id for f in await list_faqs(seeded_store, "LR-LIP-001")}
    rows = await seeded_store.read("MATCH (:FAQ {id: 'LR-LIP-001#faq9'})-[r:ABOUT]->() RETURN count(r) AS n")
    assert rows[0]["n"] == 1
    with pytest.raises(NotFound):
        await update_faq(seeded_store, "LR-LIP-001#faq9", {"streamer_id": "nobody"})
    assert await get_faq(seeded_store, "LR-LIP-001#faq9") == moved


async def test_delete(seeded_store: GraphStore) -> None:
    await create_faq(seeded_store, _faq())
    with pytest.raises(VersionConflict):
        await delete_faq(seeded_store, "LR-LIP-001#faq9", expected_version=7)
    assert await get_faq(seeded_store, "LR-LIP-001#faq9") is not None
    deleted = await delete_faq(seeded_store, "LR-LIP-001#faq9", expected_version=1, actor="carol")
    assert deleted.id == "LR-LIP-001#faq9"
    assert await get_faq(seeded_store, "LR-LIP-001#faq9") is None
    assert [e["action"] for e in await _audit(seeded_store, "LR-LIP-001#faq9")] == ["create", "delete"]
    with pytest.raises(NotFound):
        await delete_faq(seeded_store, "LR-LIP-001#faq9")
    with pytest.raises(NotFound):
        await update_faq(seeded_store, "LR-LIP-001#faq9", {"answer_en": "x"})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question_en": "", "question_zh": " "}, "question_en"),
        ({"answer_zh": ""}, "answer_zh"),
        ({"question_en": "x" * 2001}, "question_en"),
        ({"id": "bad id!"}, "id"),
        ({"product_sku": None}, "product_sku"),
        ({"category_id": "lips"}, "product_sku"),
        ({"answer_en": "nul\x00"}, "answer_en"),
    ],
)
def test_validation_names_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _faq(**changes)
    assert info.value.field == field


async def test_update_validation_names_the_field(seeded_store: GraphStore) -> None:
    await create_faq(seeded_store, _faq())
    with pytest.raises(ValidationError) as info:
        await update_faq(seeded_store, "LR-LIP-001#faq9", {"version": 5})
    assert info.value.field == "version"
    with pytest.raises(ValidationError) as info:
        await update_faq(seeded_store, "LR-LIP-001#faq9", {"answer_en": ""})
    assert info.value.field == "answer_en"
    with pytest.raises(ValidationError) as info:
        await create_faq(seeded_store, _faq(id="x#1"), actor="not an actor!")
    assert info.value.field == "actor"


async def test_seeded_faqs_carry_versions_and_embeddings(seeded_store: GraphStore) -> None:
    rows = await seeded_store.read(
        "MATCH (f:FAQ) RETURN count(f) AS n, min(f.version) AS v, "
        "sum(CASE WHEN f.emb_use_zh IS NULL OR f.emb_minilm_en IS NULL THEN 1 ELSE 0 END) AS missing"
    )
    assert rows[0]["n"] > 30 and rows[0]["v"] == 1 and rows[0]["missing"] == 0
