"""FAQ and streamer reads: one FAQ, the FAQs about a product or the streamer, every FAQ by page.

Queries return FAQ properties by name, never the whole node: the vectors are ~7 KB per
FAQ and nobody above this module needs them.
"""

from __future__ import annotations

from knowledge_graph.model.faq import FAQ, Streamer, _faq_from_row
from knowledge_graph.store import GraphStore

__all__ = ["count_faqs", "get_faq", "get_streamer", "list_all_faqs", "list_faqs", "list_product_faqs"]

_COLUMNS = (
    "f.id AS id, f.question_en AS question_en, f.question_zh AS question_zh, "
    "f.answer_en AS answer_en, f.answer_zh AS answer_zh, f.version AS version"
)
_TARGET_COLUMNS = (
    "CASE WHEN t:Product THEN t.sku END AS product_sku, "
    "CASE WHEN t:Category THEN t.id END AS category_id, "
    "CASE WHEN t:Streamer THEN t.id END AS streamer_id"
)


async def get_faq(store: GraphStore, faq_id: str) -> FAQ | None:
    """The FAQ with this id, or None."""
    rows = await store.read(
        f"MATCH (f:FAQ {{id: $id}}) OPTIONAL MATCH (f)-[:ABOUT]->(t) RETURN {_COLUMNS}, {_TARGET_COLUMNS}",
        {"id": faq_id},
    )
    return _faq_from_row(rows[0]) if rows else None


async def list_faqs(store: GraphStore, sku: str | None = None) -> list[FAQ]:
    """FAQs about product ``sku``, or about the streamer when ``sku`` is None; by id."""
    if sku is None:
        query = f"MATCH (f:FAQ)-[:ABOUT]->(t:Streamer) RETURN {_COLUMNS}, {_TARGET_COLUMNS} ORDER BY id"
    else:
        query = (
            "MATCH (f:FAQ)-[:ABOUT]->(t:Product {sku: $sku}) "
            f"RETURN {_COLUMNS}, {_TARGET_COLUMNS} ORDER BY id"
        )
    rows = await store.read(query, {"sku": sku})
    return [_faq_from_row(row) for row in rows]


async def list_product_faqs(store: GraphStore, skus: list[str]) -> list[FAQ]:
    """The FAQs about any of the products ``skus``, in one read; by id."""
    rows = await store.read(
        "MATCH (f:FAQ)-[:ABOUT]->(t:Product) WHERE t.sku IN $skus "
        f"RETURN {_COLUMNS}, {_TARGET_COLUMNS} ORDER BY id",
        {"skus": skus},
    )
    return [_faq_from_row(row) for row in rows]


async def list_all_faqs(store: GraphStore, after: str = "", limit: int = 1000) -> list[FAQ]:
    """Every FAQ with id > ``after``, by id, at most ``limit`` (page with the last id)."""
    rows = await store.read(
        f"MATCH (f:FAQ) WHERE f.id > $after OPTIONAL MATCH (f)-[:ABOUT]->(t) "
        f"RETURN {_COLUMNS}, {_TARGET_COLUMNS} ORDER BY id LIMIT $limit",
        {"after": after, "limit": limit},
    )
    return [_faq_from_row(row) for row in rows]


async def count_faqs(store: GraphStore) -> int:
    rows = await store.read("MATCH (f:FAQ) RETURN count(f) AS n")
    return int(rows[0]["n"]) if rows else 0


async def get_streamer(store: GraphStore) -> Streamer | None:
    """The streamer (a graph holds one stream's data); None before seeding."""
    rows = await store.read("MATCH (s:Streamer) RETURN s ORDER BY s.id LIMIT 1")
    if not rows:
        return None
    props = rows[0]["s"]
    return Streamer(id=props["id"], name_en=props.get("name_en") or "", name_zh=props.get("name_zh") or "")
