"""Writes of the streamer and the FAQs (the questions viewers keep asking, with ready answers).

Graph shape::

    (:Streamer {id, name_en, name_zh})
    (:FAQ {id, question_en, question_zh, answer_en, answer_zh, version,
           emb_minilm_en, emb_use_en, emb_use_zh, emb_rev})
        -[:ABOUT]->(:Product {sku} | :Category {id} | :Streamer {id})

Why embeddings live here: every write that changes a question also writes its vectors
(``emb_*``, see ``knowledge_graph.semantic``), computed *before* the statement and stored
*by* it, so the vector index is never a step behind the text -- no stale answers, even
for a viewer asking in the millisecond after an edit. Single-FAQ writes (``create_faq``,
``update_faq``, ``delete_faq``) are one atomic statement each, version-checked
(optimistic concurrency, ``VersionConflict`` and nothing written when stale) and leave an
``AuditEntry`` from the same statement. ``upsert_faqs`` is the bulk path for seeding and
imports (whose audit entry the importer writes).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from knowledge_graph.catalog.faqs import get_faq
from knowledge_graph.editing.audit import AUDIT_CREATE, audit_params, check_actor
from knowledge_graph.errors import NotFound, ValidationError, VersionConflict
from knowledge_graph.model.faq import _TARGETS, _TEXT_FIELDS, _UPDATABLE, FAQ, Streamer, _faq_row
from knowledge_graph.semantic.search import embed_questions
from knowledge_graph.semantic.vector import vector_write_clause
from knowledge_graph.store import GraphStore, write_lock

log = logging.getLogger(__name__)

_CONFLICT_RETRIES = 3


async def upsert_streamer(store: GraphStore, streamer: Streamer) -> None:
    await store.write(
        "MERGE (s:Streamer {id: $id}) SET s.name_en = $name_en, s.name_zh = $name_zh",
        {"id": streamer.id, "name_en": streamer.name_en, "name_zh": streamer.name_zh},
    )


# --------------------------------------------------------------------------- bulk upsert

_UNCHANGED = " AND ".join(f"coalesce(f.{field}, '') = row.{field}" for field in _TEXT_FIELDS)


def upsert_clause(store: GraphStore, rows_param: str = "rows") -> str:
    """The FAQ upsert as a clause (no RETURN), so a larger statement (the catalog import) can
    include it and stay one atomic write. Rows come from :func:`upsert_rows`."""
    return f"""
UNWIND ${rows_param} AS row
MERGE (f:FAQ {{id: row.id}})
WITH f, row, (f.version IS NOT NULL AND {_UNCHANGED}) AS unchanged
SET f.question_en = row.question_en, f.question_zh = row.question_zh,
    f.answer_en = row.answer_en, f.answer_zh = row.answer_zh, f.emb_rev = row.emb_rev,
    f.version = CASE WHEN unchanged THEN f.version ELSE coalesce(f.version, 0) + 1 END
{vector_write_clause(store, "f", "row")}
WITH f, row
OPTIONAL MATCH (f)-[old:ABOUT]->()
WITH f, row, collect(old) AS olds
FOREACH (r IN olds | DELETE r)
WITH f, row
OPTIONAL MATCH (p:Product {{sku: row.product_sku}})
OPTIONAL MATCH (c:Category {{id: row.category_id}})
OPTIONAL MATCH (s:Streamer {{id: row.streamer_id}})
WITH f, coalesce(p, c, s) AS target
FOREACH (t IN CASE WHEN target IS NULL THEN [] ELSE [target] END | CREATE (f)-[:ABOUT]->(t))
"""


def _upsert_query(store: GraphStore) -> str:
    return upsert_clause(store) + "RETURN count(*) AS n\n"


async def upsert_rows(faqs: list[FAQ]) -> list[dict[str, Any]]:
    """Statement rows for ``faqs``, embeddings computed first (off the event loop)."""
    seen: set[str] = set()
    for faq in faqs:
        if faq.id in seen:
            raise ValidationError("id", f"{faq.id!r} appears twice in one upsert")
        seen.add(faq.id)
    vectors = await embed_questions([(f.question_en, f.question_zh) for f in faqs])
    return [{**_faq_row(f), **vec} for f, vec in zip(faqs, vectors, strict=True)]


async def upsert_faqs(store: GraphStore, faqs: Iterable[FAQ]) -> int:
    """Create or update FAQs by id (one statement, embeddings included) and (re)link each
    to what it is about. ``version`` goes up only for FAQs whose text changed.

    Raises NotFound, before writing anything, if a product, category or streamer is
    missing. Callers with thousands of FAQs pass them in chunks of a few hundred (each
    FAQ carries ~1,800 floats of embeddings).
    """
    faq_list = list(faqs)
    if not faq_list:
        return 0
    rows = await upsert_rows(faq_list)
    await _check_targets_exist(store, faq_list)
    result = await store.write(_upsert_query(store), {"rows": rows})
    count = int(result[0]["n"]) if result else 0
    log.info("upserted %d FAQs into %s", count, store.describe())
    return count


async def _check_targets_exist(store: GraphStore, faqs: list[FAQ]) -> None:
    wanted = {field: sorted({getattr(f, field) for f in faqs} - {None}) for field in _TARGETS}
    rows = await store.read(
        "OPTIONAL MATCH (p:Product) WHERE p.sku IN $product_sku WITH collect(p.sku) AS skus "
        "OPTIONAL MATCH (c:Category) WHERE c.id IN $category_id WITH skus, collect(c.id) AS categories "
        "OPTIONAL MATCH (s:Streamer) WHERE s.id IN $streamer_id "
        "RETURN skus, categories, collect(s.id) AS streamers",
        wanted,
    )
    found = {
        "product_sku": rows[0]["skus"],
        "category_id": rows[0]["categories"],
        "streamer_id": rows[0]["streamers"],
    }
    missing = [key for field in _TARGETS for key in sorted(set(wanted[field]) - set(found[field]))]
    if missing:
        raise NotFound(f"FAQs refer to unknown products/categories/streamers: {', '.join(missing)}")


# --------------------------------------------------------------------------- single-FAQ CRUD


def _target_match(faq: FAQ) -> str:
    field, _key = faq.target
    label, prop = _TARGETS[field]
    return f"MATCH (t:{label} {{{prop}: $target}})"


def _assign(store: GraphStore, version: str) -> str:
    """Clauses writing texts, ``version`` (a Cypher expression) and embeddings from ``$row``."""
    return (
        "SET f.question_en = $row.question_en, f.question_zh = $row.question_zh, "
        "f.answer_en = $row.answer_en, f.answer_zh = $row.answer_zh, "
        f"f.emb_rev = $row.emb_rev, f.version = {version} {vector_write_clause(store, 'f', '$row')}"
    )


async def create_faq(store: GraphStore, faq: FAQ, *, actor: str = "system") -> FAQ:
    """Store a new FAQ (version 1) with its embeddings and an audit entry, atomically.

    Raises VersionConflict (expected 0) if the id exists, NotFound if the product,
    category or streamer it is about does not; nothing is written then.
    """
    check_actor(actor)
    row = await _row_with_vectors(faq)
    query = (
        f"{_target_match(faq)} OPTIONAL MATCH (existing:FAQ {{id: $id}}) "
        "WITH t, existing WHERE existing IS NULL "
        f"CREATE (f:FAQ {{id: $id}})-[:ABOUT]->(t) {_assign(store, '1')} "
        f"{AUDIT_CREATE} RETURN f.version AS version"
    )
    params = {"id": faq.id, "target": faq.target[1], "row": row}
    rows = await store.write(query, {**params, **audit_params(actor, "create", "FAQ", faq.id, faq.content())})
    if not rows:
        await _raise_why_not_written(store, faq, expected=0)
    log.info("FAQ %s created by %s", faq.id, actor)
    return dataclasses.replace(faq, version=int(rows[0]["version"]))


async def update_faq(
    store: GraphStore,
    faq_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    actor: str = "system",
) -> FAQ:
    """Change some fields of an FAQ (texts and/or what it is about); return the new FAQ.

    ``changes`` maps field names (question_en, question_zh, answer_en, answer_zh,
    product_sku, category_id, streamer_id) to new values; setting one target field clears
    the others. Embeddings are recomputed and stored by the same statement, with an audit
    entry of ``{field: [old, new]}``. With ``expected_version`` the write only happens at
    that version (else VersionConflict, nothing written); without it, a concurrent change
    makes us re-read and re-apply ``changes`` (at most 3 times).
    """
    check_actor(actor)
    unknown = sorted(set(changes) - _UPDATABLE)
    if unknown:
        raise ValidationError(unknown[0], f"cannot be changed (allowed: {', '.join(sorted(_UPDATABLE))})")
    if expected_version is not None and (
        isinstance(expected_version, bool) or not isinstance(expected_version, int)
    ):
        raise ValidationError("expected_version", f"must be an integer, got {expected_version!r}")
    for _attempt in range(_CONFLICT_RETRIES):
        current = await get_faq(store, faq_id)
        if current is None:
            raise NotFound(f"no FAQ with id {faq_id!r}")
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(faq_id, expected_version, current.version, entity="FAQ")
        new = _apply(current, changes)
        diff = {k: [v, new.content()[k]] for k, v in current.content().items() if new.content()[k] != v}
        if not diff:
            return current
        row = await _row_with_vectors(new)
        query = (
            f"MATCH (f:FAQ {{id: $id}}) {write_lock('f')} WHERE f.version = $expected {_target_match(new)} "
            "OPTIONAL MATCH (f)-[old:ABOUT]->() "
            "WITH f, t, collect(old) AS olds FOREACH (r IN olds | DELETE r) "
            f"CREATE (f)-[:ABOUT]->(t) {_assign(store, 'f.version + 1')} "
            f"{AUDIT_CREATE} RETURN f.version AS version"
        )
        params = {"id": faq_id, "expected": current.version, "target": new.target[1], "row": row}
        rows = await store.write(query, {**params, **audit_params(actor, "update", "FAQ", faq_id, diff)})
        if rows:
            log.info("FAQ %s updated by %s: %s", faq_id, actor, ", ".join(sorted(diff)))
            return dataclasses.replace(new, version=int(rows[0]["version"]))
        try:
            await _raise_why_not_written(store, new, expected=current.version)
        except VersionConflict:
            if expected_version is not None:
                raise
    raise VersionConflict(faq_id, -1, None if current is None else current.version, entity="FAQ")


async def delete_faq(
    store: GraphStore, faq_id: str, *, expected_version: int | None = None, actor: str = "system"
) -> FAQ:
    """Delete an FAQ (its vectors go with it: it can no longer be an answer); return it.

    One statement with the audit entry (holding the deleted content). Raises NotFound for
    an unknown id and VersionConflict when ``expected_version`` is stale.
    """
    check_actor(actor)
    current = await get_faq(store, faq_id)
    if current is None:
        raise NotFound(f"no FAQ with id {faq_id!r}")
    expected = current.version if expected_version is None else expected_version
    rows = await store.write(
        f"MATCH (f:FAQ {{id: $id}}) {write_lock('f')} WHERE f.version = $expected "
        f"WITH f, f.version AS version DETACH DELETE f {AUDIT_CREATE} RETURN version",
        {"id": faq_id, "expected": expected}
        | audit_params(actor, "delete", "FAQ", faq_id, current.content()),
    )
    if not rows:
        now = await get_faq(store, faq_id)
        if now is None:
            raise NotFound(f"no FAQ with id {faq_id!r}")
        raise VersionConflict(faq_id, expected, now.version, entity="FAQ")
    log.info("FAQ %s deleted by %s", faq_id, actor)
    return current


def _apply(current: FAQ, changes: Mapping[str, Any]) -> FAQ:
    values = dict(changes)
    if any(field in values for field in _TARGETS):
        for field in _TARGETS:
            values.setdefault(field, None)
    try:
        return dataclasses.replace(current, **values)
    except TypeError as err:  # a wrong type that the dataclass could not even accept
        raise ValidationError(next(iter(values), "changes"), str(err)) from None


async def _raise_why_not_written(store: GraphStore, faq: FAQ, *, expected: int) -> None:
    """After a conditional write matched nothing: raise NotFound or VersionConflict."""
    label, prop = _TARGETS[faq.target[0]]
    rows = await store.read(
        f"OPTIONAL MATCH (f:FAQ {{id: $id}}) OPTIONAL MATCH (t:{label} {{{prop}: $target}}) "
        "RETURN f.version AS version, t IS NOT NULL AS target_exists",
        {"id": faq.id, "target": faq.target[1]},
    )
    version, target_exists = rows[0]["version"], rows[0]["target_exists"]
    if not target_exists:
        raise NotFound(f"FAQ {faq.id!r} is about {label.lower()} {faq.target[1]!r}, which does not exist")
    if expected == 0 and version is not None:
        raise VersionConflict(faq.id, 0, int(version), entity="FAQ")
    if expected != 0 and version is None:
        raise NotFound(f"no FAQ with id {faq.id!r}")
    raise VersionConflict(faq.id, expected, None if version is None else int(version), entity="FAQ")


async def _row_with_vectors(faq: FAQ) -> dict[str, Any]:
    vectors = (await embed_questions([(faq.question_en, faq.question_zh)]))[0]
    return {field: getattr(faq, field) for field in _TEXT_FIELDS} | vectors
