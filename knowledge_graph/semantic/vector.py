"""The only place where FAQ vector storage, indexing and search differ per backend.

Each FAQ keeps one embedding per (encoder, language of its question) in ``VECTOR_FIELDS``
as a node property ``emb_<encoder>_<lang>`` (e.g. ``emb_use_zh`` = USE vector of
``question_zh``); a property is absent when that question is blank. Every such property has a cosine vector
index, so a search can ask "nearest English questions under MiniLM" or "nearest questions
in any language under USE" and merge the results.

Dialects:

* FalkorDB stores a vector only through ``vecf32(list)`` (a plain list is kept as a list
  and silently not indexed), indexes with ``CREATE VECTOR INDEX FOR (f:FAQ) ON (f.p)`` and
  searches with ``db.idx.vector.queryNodes(label, property, k, vecf32($v))``, whose
  ``score`` is the cosine *distance* (0 = same direction).
* Neo4j 5 stores a plain ``LIST<FLOAT>``, indexes with ``CREATE VECTOR INDEX name ...
  OPTIONS {indexConfig: ...}`` and searches with ``db.index.vector.queryNodes(name, k, $v)``,
  whose ``score`` is ``(1 + cosine) / 2``.

Both are turned into plain cosine similarity here, so thresholds mean the same on both.
Labels, property and index names are code constants, never input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from knowledge_graph.errors import QueryFailed
from knowledge_graph.semantic.encoders import DIMENSIONS
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)

FAQ_LANGUAGES: tuple[str, ...] = ("en", "zh")


@dataclass(frozen=True)
class VectorField:
    """One indexed embedding property of ``:FAQ``."""

    encoder: str
    lang: str

    @property
    def prop(self) -> str:
        return f"emb_{self.encoder}_{self.lang}"

    @property
    def dim(self) -> int:
        return DIMENSIONS[self.encoder]

    @property
    def index_name(self) -> str:
        """Neo4j index name (FalkorDB names vector indexes by label and property)."""
        return f"faq_{self.prop}"


VECTOR_FIELDS: tuple[VectorField, ...] = (
    VectorField("minilm", "en"),
    VectorField("use", "en"),
    VectorField("use", "zh"),
)
"""The embeddings ``search.ROUTES`` searches. MiniLM vectors of Chinese questions are not
stored: the evaluation found them useless (accuracy@1 0.24 on Chinese paraphrases), and
each stored field costs encode time on every write and an index."""
_NEO4J_INDEX_NAMES = frozenset(field.index_name for field in VECTOR_FIELDS)


def vector_write_clause(store: GraphStore, node: str, row: str) -> str:
    """Clause(s) writing every embedding property of ``node`` from map ``row``.

    ``row.<property>`` may be null (blank question): the property is then removed, which
    also removes the FAQ from that index. On FalkorDB (4.x) ``SET n.v = vecf32(...)`` on a
    node that already has ``n.v`` silently keeps the old vector -- the index would then
    answer from the old question -- so the properties are removed first; ``REMOVE`` then
    ``SET`` in one statement is applied and re-indexed (tests/knowledge_graph/
    test_semantic.py::test_answers_follow_every_edit guards this). ``vecf32(null)`` is null.
    """
    if store.dialect == "falkordb":
        removed = ", ".join(f"{node}.{field.prop}" for field in VECTOR_FIELDS)
        assigned = ", ".join(f"{node}.{field.prop} = vecf32({row}.{field.prop})" for field in VECTOR_FIELDS)
        return f"REMOVE {removed} SET {assigned}"
    return "SET " + ", ".join(f"{node}.{field.prop} = {row}.{field.prop}" for field in VECTOR_FIELDS)


async def ensure_faq_vector_indexes(store: GraphStore) -> list[str]:
    """Create the missing FAQ vector indexes; return the properties indexed now. Idempotent.

    ``schema.migrate`` calls this; it is separate because vector DDL is per dialect and
    the dimensions come from the encoders.
    """
    created: list[str] = []
    if store.dialect == "falkordb":
        rows = await store.read(
            "CALL db.indexes() YIELD label, properties, types WHERE label = 'FAQ' RETURN properties, types"
        )
        existing = {
            prop
            for row in rows
            for prop in row["properties"]
            if "VECTOR" in (row["types"] or {}).get(prop, [])
        }
        for field in VECTOR_FIELDS:
            if field.prop in existing:
                continue
            try:
                await store.write(
                    f"CREATE VECTOR INDEX FOR (f:FAQ) ON (f.{field.prop}) "
                    f"OPTIONS {{dimension: {field.dim}, similarityFunction: 'cosine'}}"
                )
            except QueryFailed as err:
                if "already indexed" in str(err):
                    continue
                raise
            created.append(field.prop)
    else:
        rows = await store.read(
            "SHOW INDEXES YIELD name, type, options WHERE type = 'VECTOR' RETURN name, options"
        )
        existing = {row["name"] for row in rows}
        for row in rows:
            # Neo4j >= 5.23 quantizes vectors by default: its scores then drift from the cosine the
            # thresholds were calibrated on, so an index made that way is rebuilt exact.
            config = (row["options"] or {}).get("indexConfig") or {}
            if row["name"] in _NEO4J_INDEX_NAMES and config.get("vector.quantization.enabled"):
                await store.write(f"DROP INDEX `{row['name']}` IF EXISTS")
                existing.discard(row["name"])
        for field in VECTOR_FIELDS:
            if field.index_name in existing:
                continue
            await store.write(
                f"CREATE VECTOR INDEX {field.index_name} IF NOT EXISTS FOR (f:FAQ) ON f.{field.prop} "
                f"OPTIONS {{indexConfig: {{`vector.dimensions`: {field.dim}, "
                "`vector.similarity_function`: 'cosine', `vector.quantization.enabled`: false}}"
            )
            created.append(field.prop)
    if created:
        log.info("created FAQ vector indexes on %s: %s", store.describe(), ", ".join(created))
    return created


NEO4J_BEAM = 2
"""Neo4j's HNSW search explores about as many candidates as it is asked for, so asking for 4 x k and
keeping the best k finds the exact nearest FAQ as often as FalkorDB does (bench_graph_backends.py)."""

_RESULT_COLUMNS = (
    "node.id AS id, node.question_en AS question_en, node.question_zh AS question_zh, "
    "node.answer_en AS answer_en, node.answer_zh AS answer_zh"
)


def search_query(store: GraphStore, fields: tuple[VectorField, ...]) -> str:
    """One statement returning the ``$k`` nearest FAQs of ``$v`` in each of ``fields``.

    Columns: id, score (cosine similarity), field (the property matched), the question
    and answer texts. One FAQ can appear once per field; callers keep its best score.
    """
    branches = []
    for field in fields:
        if store.dialect == "falkordb":
            call = (
                f"CALL db.idx.vector.queryNodes('FAQ', '{field.prop}', $k, vecf32($v_{field.encoder})) "
                "YIELD node, score WITH node, 1.0 - score AS cosine"
            )
        else:
            call = (
                f"CALL db.index.vector.queryNodes('{field.index_name}', {NEO4J_BEAM} * $k, "
                f"$v_{field.encoder}) "
                "YIELD node, score WITH node, 2.0 * score - 1.0 AS cosine ORDER BY cosine DESC LIMIT $k"
            )
        branches.append(f"{call} RETURN cosine AS score, '{field.prop}' AS field, {_RESULT_COLUMNS}")
    return " UNION ALL ".join(branches)
