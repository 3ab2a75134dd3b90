"""``GET /api/v1/catalog/names``: every product's names and aliases, for the NLU entity extractor.

Rasa's product extractor runs in the Python 3.10 runtime, which has no graph-DB client; it polls this
endpoint instead, so a catalog edit reaches NLU without retraining. The body carries a content hash as
``version`` and ``ETag``; a poll with ``If-None-Match`` costs a 304 when nothing changed.
"""

from __future__ import annotations

import hashlib
import json

from aiohttp import web

from knowledge_graph.catalog import list_products
from knowledge_graph.errors import GraphUnavailable
from knowledge_graph.store import GraphStore

GRAPH = web.AppKey("graph", GraphStore)


async def catalog_names(request: web.Request) -> web.Response:
    try:
        products = await list_products(request.app[GRAPH])
    except GraphUnavailable as err:
        raise web.HTTPServiceUnavailable(
            text=json.dumps({"error": f"knowledge graph unavailable: {err}"}), content_type="application/json"
        ) from err
    entries = [
        {
            "sku": p.sku,
            "names": {"en": p.name_en, "zh": p.name_zh},
            "aliases": {"en": list(p.aliases_en), "zh": list(p.aliases_zh)},
        }
        for p in sorted(products, key=lambda p: p.sku)
    ]
    version = hashlib.sha256(json.dumps(entries, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[
        :16
    ]
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return web.json_response({"version": version, "products": entries}, headers={"ETag": etag})
