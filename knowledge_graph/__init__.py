"""liveroom's knowledge graph: products, their names in chat, FAQs.

Typical use (actions/, bot/)::

    from knowledge_graph import GraphConfig, open_store, find_product_mentioned

    store = open_store(GraphConfig.from_env())
    product = await find_product_mentioned(store, "这个口红多少钱")
    if product:
        reply = f"{product.name('zh')} {product.price} {product.currency}"

Modules: config (where the graph is), store (the backend seam), catalog (products),
faq (streamer and FAQs), schema (indexes), seed (catalog files), falkordb_server (run a
local FalkorDB), errors (the exception tree). Backends load lazily, so importing this
package does not import the Neo4j driver.

Streamer editing: entities (Variant, Category, Promotion, StreamSession), crud (products)
and editing (the others) -- one audited, version-checked statement per write; queries
(variants_of, active_promotions, next_stream); fuzzy (typo-tolerant lookup, also behind
``find_product(..., fuzzy=True)``); transfer / transfer_csv (import/export); audit.
"""

from knowledge_graph.audit import AuditEntry, list_audit
from knowledge_graph.catalog import (
    Mention,
    Product,
    count_products,
    find_mentions,
    find_product,
    find_product_mentioned,
    find_products,
    get_product,
    list_products,
    set_price,
    upsert_products,
)
from knowledge_graph.config import GraphConfig
from knowledge_graph.entities import Category, Promotion, StreamSession, Variant
from knowledge_graph.errors import (
    GraphUnavailable,
    InUse,
    KnowledgeGraphError,
    NotFound,
    QueryFailed,
    ValidationError,
    VersionConflict,
)
from knowledge_graph.faq import FAQ, Streamer, list_faqs
from knowledge_graph.queries import active_promotions, next_stream, variants_of
from knowledge_graph.schema import migrate
from knowledge_graph.seed import seed_if_empty
from knowledge_graph.store import GraphStore, open_store
from knowledge_graph.text import normalize_key

__all__ = [
    "FAQ",
    "AuditEntry",
    "Category",
    "GraphConfig",
    "GraphStore",
    "GraphUnavailable",
    "InUse",
    "KnowledgeGraphError",
    "Mention",
    "NotFound",
    "Product",
    "Promotion",
    "QueryFailed",
    "StreamSession",
    "Streamer",
    "ValidationError",
    "Variant",
    "VersionConflict",
    "active_promotions",
    "count_products",
    "find_mentions",
    "find_product",
    "find_product_mentioned",
    "find_products",
    "get_product",
    "list_audit",
    "list_faqs",
    "list_products",
    "migrate",
    "next_stream",
    "normalize_key",
    "open_store",
    "seed_if_empty",
    "set_price",
    "upsert_products",
    "variants_of",
]
