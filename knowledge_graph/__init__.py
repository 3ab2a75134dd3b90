"""liveroom's knowledge graph: products, their names in chat, FAQs, and the public API other folders use.

Typical use (actions/, bot/)::

    from knowledge_graph import GraphConfig, find_product_mentioned, open_store

    store = open_store(GraphConfig.from_env())
    product = await find_product_mentioned(store, "这个口红多少钱")

Every name below is imported on first use, so ``from knowledge_graph import GraphStore`` does not
load the seed, schema, FAQ or transfer code. The folders: model/ (validated value objects, no I/O),
store/ (the database seam and backends), catalog/ (reads: products, FAQs, which product a text names),
editing/ (audited, version-checked writes), answers/ (question answering and reply wording),
transfer/ (import/export), semantic/ (embedding search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge_graph.lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, str]] = {
    "GraphConfig": ("knowledge_graph.config", "GraphConfig"),
    "GraphUnavailable": ("knowledge_graph.errors", "GraphUnavailable"),
    "InUse": ("knowledge_graph.errors", "InUse"),
    "KnowledgeGraphError": ("knowledge_graph.errors", "KnowledgeGraphError"),
    "NotFound": ("knowledge_graph.errors", "NotFound"),
    "QueryFailed": ("knowledge_graph.errors", "QueryFailed"),
    "ValidationError": ("knowledge_graph.errors", "ValidationError"),
    "VersionConflict": ("knowledge_graph.errors", "VersionConflict"),
    "GraphStore": ("knowledge_graph.store", "GraphStore"),
    "open_store": ("knowledge_graph.store", "open_store"),
    "FalkorDBServer": ("knowledge_graph.store.server", "FalkorDBServer"),
    "Mention": ("knowledge_graph.model.product", "Mention"),
    "Product": ("knowledge_graph.model.product", "Product"),
    "Category": ("knowledge_graph.model.entities", "Category"),
    "Promotion": ("knowledge_graph.model.entities", "Promotion"),
    "StreamSession": ("knowledge_graph.model.entities", "StreamSession"),
    "Variant": ("knowledge_graph.model.entities", "Variant"),
    "normalize_key": ("knowledge_graph.model.text", "normalize_key"),
    "now_ms": ("knowledge_graph.model.timeutil", "now_ms"),
    "now_ms_or": ("knowledge_graph.model.timeutil", "now_ms_or"),
    "count_products": ("knowledge_graph.catalog.products", "count_products"),
    "find_products": ("knowledge_graph.catalog.products", "find_products"),
    "get_product": ("knowledge_graph.catalog.products", "get_product"),
    "list_products": ("knowledge_graph.catalog.products", "list_products"),
    "find_mentions": ("knowledge_graph.catalog.mentions", "find_mentions"),
    "find_product": ("knowledge_graph.catalog.mentions", "find_product"),
    "find_product_mentioned": ("knowledge_graph.catalog.mentions", "find_product_mentioned"),
    "check_expected": ("knowledge_graph.editing.products", "check_expected"),
    "set_price": ("knowledge_graph.editing.products", "set_price"),
    "upsert_products": ("knowledge_graph.editing.products", "upsert_products"),
    "AuditEntry": ("knowledge_graph.editing.audit", "AuditEntry"),
    "list_audit": ("knowledge_graph.editing.audit", "list_audit"),
    "list_categories": ("knowledge_graph.editing.catalog_items", "list_categories"),
    "FOR_MODERATORS": ("knowledge_graph.editing.open_questions", "FOR_MODERATORS"),
    "OpenQuestion": ("knowledge_graph.editing.open_questions", "OpenQuestion"),
    "close_as_faq": ("knowledge_graph.editing.open_questions", "close_as_faq"),
    "list_not_carried": ("knowledge_graph.editing.open_questions", "list_not_carried"),
    "list_open_questions": ("knowledge_graph.editing.open_questions", "list_open_questions"),
    "question_key": ("knowledge_graph.editing.open_questions", "question_key"),
    "record_open_question": ("knowledge_graph.editing.open_questions", "record_open_question"),
    "FAQ": ("knowledge_graph.model.faq", "FAQ"),
    "Streamer": ("knowledge_graph.model.faq", "Streamer"),
    "get_faq": ("knowledge_graph.catalog.faqs", "get_faq"),
    "get_streamer": ("knowledge_graph.catalog.faqs", "get_streamer"),
    "list_all_faqs": ("knowledge_graph.catalog.faqs", "list_all_faqs"),
    "list_faqs": ("knowledge_graph.catalog.faqs", "list_faqs"),
    "create_faq": ("knowledge_graph.editing.faq", "create_faq"),
    "delete_faq": ("knowledge_graph.editing.faq", "delete_faq"),
    "update_faq": ("knowledge_graph.editing.faq", "update_faq"),
    "record_interaction": ("knowledge_graph.interactions", "record_interaction"),
    "active_promotions": ("knowledge_graph.queries", "active_promotions"),
    "next_stream": ("knowledge_graph.queries", "next_stream"),
    "variants_of": ("knowledge_graph.queries", "variants_of"),
    "migrate": ("knowledge_graph.schema", "migrate"),
    "seed_if_empty": ("knowledge_graph.seed", "seed_if_empty"),
    "warm_up_encoders": ("knowledge_graph.semantic.encoders", "warm_up"),
    "bundle_to_json": ("knowledge_graph.transfer.bundle", "bundle_to_json"),
    "check_references": ("knowledge_graph.transfer.bundle", "check_references"),
    "dumps": ("knowledge_graph.transfer.bundle", "dumps"),
    "export_bundle": ("knowledge_graph.transfer.bundle", "export_bundle"),
    "faq_from_json": ("knowledge_graph.transfer.bundle", "faq_from_json"),
    "faq_to_json": ("knowledge_graph.transfer.bundle", "faq_to_json"),
    "import_bundle": ("knowledge_graph.transfer.bundle", "import_bundle"),
    "parse_json": ("knowledge_graph.transfer.bundle", "parse_json"),
    "bundle_to_csv": ("knowledge_graph.transfer.csv", "bundle_to_csv"),
    "parse_csv": ("knowledge_graph.transfer.csv", "parse_csv"),
}
"""Public name -> (module, attribute); each module is imported on first use of one of its names."""

__all__ = [
    "FAQ",
    "FOR_MODERATORS",
    "AuditEntry",
    "Category",
    "FalkorDBServer",
    "GraphConfig",
    "GraphStore",
    "GraphUnavailable",
    "InUse",
    "KnowledgeGraphError",
    "Mention",
    "NotFound",
    "OpenQuestion",
    "Product",
    "Promotion",
    "QueryFailed",
    "StreamSession",
    "Streamer",
    "ValidationError",
    "Variant",
    "VersionConflict",
    "active_promotions",
    "bundle_to_csv",
    "bundle_to_json",
    "check_expected",
    "check_references",
    "close_as_faq",
    "count_products",
    "create_faq",
    "delete_faq",
    "dumps",
    "export_bundle",
    "faq_from_json",
    "faq_to_json",
    "find_mentions",
    "find_product",
    "find_product_mentioned",
    "find_products",
    "get_faq",
    "get_product",
    "get_streamer",
    "import_bundle",
    "list_all_faqs",
    "list_audit",
    "list_categories",
    "list_faqs",
    "list_not_carried",
    "list_open_questions",
    "list_products",
    "migrate",
    "next_stream",
    "normalize_key",
    "now_ms",
    "now_ms_or",
    "open_store",
    "parse_csv",
    "parse_json",
    "question_key",
    "record_interaction",
    "record_open_question",
    "seed_if_empty",
    "set_price",
    "update_faq",
    "upsert_products",
    "variants_of",
    "warm_up_encoders",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


if TYPE_CHECKING:
    from knowledge_graph.catalog.faqs import get_faq, get_streamer, list_all_faqs, list_faqs
    from knowledge_graph.catalog.mentions import find_mentions, find_product, find_product_mentioned
    from knowledge_graph.catalog.products import count_products, find_products, get_product, list_products
    from knowledge_graph.config import GraphConfig
    from knowledge_graph.editing.audit import AuditEntry, list_audit
    from knowledge_graph.editing.catalog_items import list_categories
    from knowledge_graph.editing.faq import create_faq, delete_faq, update_faq
    from knowledge_graph.editing.open_questions import (
        FOR_MODERATORS,
        OpenQuestion,
        close_as_faq,
        list_not_carried,
        list_open_questions,
        question_key,
        record_open_question,
    )
    from knowledge_graph.editing.products import check_expected, set_price, upsert_products
    from knowledge_graph.errors import (
        GraphUnavailable,
        InUse,
        KnowledgeGraphError,
        NotFound,
        QueryFailed,
        ValidationError,
        VersionConflict,
    )
    from knowledge_graph.interactions import record_interaction
    from knowledge_graph.model.entities import Category, Promotion, StreamSession, Variant
    from knowledge_graph.model.faq import FAQ, Streamer
    from knowledge_graph.model.product import Mention, Product
    from knowledge_graph.model.text import normalize_key
    from knowledge_graph.model.timeutil import now_ms, now_ms_or
    from knowledge_graph.queries import active_promotions, next_stream, variants_of
    from knowledge_graph.schema import migrate
    from knowledge_graph.seed import seed_if_empty
    from knowledge_graph.semantic.encoders import warm_up as warm_up_encoders
    from knowledge_graph.store import GraphStore, open_store
    from knowledge_graph.store.server import FalkorDBServer
    from knowledge_graph.transfer.bundle import (
        bundle_to_json,
        check_references,
        dumps,
        export_bundle,
        faq_from_json,
        faq_to_json,
        import_bundle,
        parse_json,
    )
    from knowledge_graph.transfer.csv import bundle_to_csv, parse_csv
