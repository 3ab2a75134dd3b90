"""Which product a name or a chat message names: exact keys first, typo-tolerant fallbacks on request."""

from __future__ import annotations

import logging

from knowledge_graph.catalog.key_index import find_product_fuzzy, fuzzy_mention, keys_in_text
from knowledge_graph.catalog.products import find_products
from knowledge_graph.model.product import Mention, Product, _product_from_graph
from knowledge_graph.model.text import normalize_key
from knowledge_graph.store import GraphStore

__all__ = ["MAX_MENTION_TEXT", "Mention", "find_mentions", "find_product", "find_product_mentioned"]

log = logging.getLogger(__name__)

MAX_MENTION_TEXT = 1000
"""Chat text beyond this many (normalized) characters is ignored by mention search."""


async def find_product(store: GraphStore, name: str, *, fuzzy: bool = False) -> Product | None:
    """The one product named ``name`` (SKU, name or alias, either language), else None.

    Also None when the name is ambiguous (two products share it): a chat bot should ask
    rather than quote the wrong price. Use ``find_products`` to see all matches.

    With ``fuzzy=True`` a name that matches no key exactly is retried with typo
    tolerance ("lipstik" -> the product with the alias "lipstick"); see
    ``knowledge_graph.catalog.key_index`` for how and how fast.
    """
    matches = await find_products(store, name)
    if not matches and fuzzy:
        return await find_product_fuzzy(store, name)
    if len(matches) > 1:
        log.debug("name %r is ambiguous: %s", name, [p.sku for p in matches])
        return None
    return matches[0] if matches else None


async def find_mentions(store: GraphStore, text: str) -> list[Mention]:
    """Products named in a free chat message, as non-overlapping mentions in text order.

    Longer keys win over keys they overlap ("matte lipstick" beats "lipstick"), then the
    earlier one. Keys of space-delimited scripts must sit on word boundaries ("lip" is
    not found in "lipstick"); CJK keys match as substrings ("口红" in "这个口红多少钱").

    How it scales: no graph index can answer "which stored keys occur in this text", so
    the keys are matched in process against the key index of ``knowledge_graph.catalog.key_index``
    (a set of all ``Alias.key`` values, reloaded when the catalog generation changes):
    every boundary-respecting substring whose length is one of the stored key lengths is
    probed in the set -- a few thousand probes for a chat line, independent of catalog
    size -- and only the products of the keys found are read, through the ``Alias.key``
    index (a scan with ``$text CONTAINS a.key`` took ~17 ms at 70,000 keys).
    """
    normalized = normalize_key(text)[:MAX_MENTION_TEXT]
    if not normalized:
        return []
    found = await keys_in_text(store, normalized)
    if not found:
        return []
    rows = await store.read(
        "MATCH (a:Alias)-[:NAME_OF]->(p:Product) WHERE a.key IN $keys RETURN a.key AS key, p",
        {"keys": sorted(found)},
    )
    by_key: dict[str, dict[str, Product]] = {}
    for row in rows:
        by_key.setdefault(row["key"], {})[row["p"]["sku"]] = _product_from_graph(row["p"])
    candidates = [
        Mention(key, found[key], tuple(products[sku] for sku in sorted(products)))
        for key, products in by_key.items()
    ]
    candidates.sort(key=lambda m: (-len(m.key), m.start))
    chosen: list[Mention] = []
    for mention in candidates:
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


async def find_product_mentioned(store: GraphStore, text: str, *, fuzzy: bool = False) -> Product | None:
    """Which product does this chat message talk about? None if none (or ambiguous).

    "how much is the matte lipstick?" -> Matte Lipstick; "这个口红多少钱" -> the product
    with the alias 口红. The longest key found wins, then the earliest; if that key
    belongs to several products the answer is None. See ``find_mentions`` for details.
    ``fuzzy=True`` adds a typo-tolerant fallback (``knowledge_graph.catalog.key_index.fuzzy_mention``).
    """
    mentions = await find_mentions(store, text)
    if not mentions:
        if fuzzy:
            return await fuzzy_mention(store, text)
        return None
    best = min(mentions, key=lambda m: (-len(m.key), m.start))
    if len(best.products) > 1:
        log.debug("mention %r is ambiguous: %s", best.key, [p.sku for p in best.products])
        return None
    return best.products[0]
