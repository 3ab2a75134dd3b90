"""Triage's product and streamer names, refreshed from the catalog while the gateway runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.core.triage import Triage
from knowledge_graph import get_streamer, list_products
from knowledge_graph.errors import KnowledgeGraphError
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)


async def refresh_catalog_names(
    store_of: Callable[[], GraphStore], triage: Triage, interval_s: float = 15.0
) -> None:
    """Keep triage's product and streamer names in step with the streamer's catalog edits."""
    while True:
        try:
            products = await list_products(store_of())
            triage.set_product_names(
                name
                for p in products
                for name in (p.sku, p.name_en, p.name_zh, *p.aliases_en, *p.aliases_zh)
                if name
            )
            streamer = await get_streamer(store_of())
            if streamer is not None:
                triage.set_streamer_names(n for n in (streamer.name_en, streamer.name_zh) if n)
        except KnowledgeGraphError as err:
            log.info("catalog names not refreshed (graph unavailable): %s", err)
        await asyncio.sleep(interval_s)
