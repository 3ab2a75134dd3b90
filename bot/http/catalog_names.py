"""``GET /api/v1/catalog/names``: every product's names and aliases, for the NLU entity extractor.

Rasa's product extractor runs in the Python 3.10 runtime, which has no graph-DB client; it polls this
endpoint instead, so a catalog edit reaches NLU without retraining. The body carries a content hash as
``version`` and ``ETag``; a poll with ``If-None-Match`` costs a 304 when nothing changed.

The endpoint is anonymous (Rasa has no session), so its cost must not grow with the request rate or the
catalog (security review H3). The body and its ETag are built once per catalog generation (every
statement that changes product names bumps ``CatalogMeta.generation``,
knowledge_graph/catalog/products.py) and
cached: a request reads nothing from the graph while the cache is younger than ``fresh_s``, then one
indexed read of the generation (shared by concurrent requests) tells whether the cached body is still
current. Only a new generation reads the products again, and builds the body off the event loop. Each
client address is rate-limited too (bot/http/rate_limit.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.http.errors import json_error
from bot.http.rate_limit import refuse_if_limited
from bot.services import GRAPH, NAMES_CACHE
from knowledge_graph import GraphStore, GraphUnavailable, Product, list_products

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NamesBody:
    generation: int | None
    etag: str
    body: bytes


def render_names(products: Sequence[Product]) -> tuple[str, bytes]:
    """(ETag, JSON body): CPU work proportional to the catalog, run in a worker thread."""
    entries = [
        {
            "sku": p.sku,
            "names": {"en": p.name_en, "zh": p.name_zh},
            "aliases": {"en": list(p.aliases_en), "zh": list(p.aliases_zh)},
        }
        for p in sorted(products, key=lambda p: p.sku)
    ]
    digest = hashlib.sha256(json.dumps(entries, ensure_ascii=False, sort_keys=True).encode())
    version = digest.hexdigest()[:16]
    return f'"{version}"', json.dumps({"version": version, "products": entries}).encode()


async def catalog_generation(store: GraphStore) -> int | None:
    rows = await store.read("MATCH (m:CatalogMeta {id: 'catalog'}) RETURN m.generation AS g")
    return int(rows[0]["g"]) if rows and rows[0]["g"] is not None else None


class NamesCache:
    """The current body per catalog generation (see the module docstring)."""

    def __init__(self, fresh_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.fresh_s = fresh_s
        self._clock = clock
        self._current: NamesBody | None = None
        self._checked = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, store: GraphStore) -> NamesBody:
        current = self._current
        if current is not None and self._clock() - self._checked < self.fresh_s:
            return current
        async with self._lock:  # one generation read (and at most one rebuild) for concurrent requests
            current = self._current
            if current is not None and self._clock() - self._checked < self.fresh_s:
                return current
            generation = await catalog_generation(store)
            if current is None or generation is None or generation != current.generation:
                products = await list_products(store)
                etag, body = await asyncio.to_thread(render_names, products)
                current = self._current = NamesBody(generation, etag, body)
            self._checked = self._clock()
            return current


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/catalog/names", catalog_names)


async def catalog_names(request: web.Request) -> web.Response:
    refused = refuse_if_limited(request)
    if refused is not None:
        return refused
    cache = request.app.get(NAMES_CACHE)
    if cache is None:  # the app mounts it with a cache (bot/app.py); a bare route builds one per request
        cache = NamesCache(fresh_s=0)
    try:
        names = await cache.get(request.app[GRAPH])
    except GraphUnavailable as err:
        log.warning("catalog names: knowledge graph unavailable: %s", err)
        return json_error(503, "knowledge graph unavailable")  # no error text: it names the graph's host
    if request.headers.get("If-None-Match") == names.etag:
        return web.Response(status=304, headers={"ETag": names.etag})
    return web.Response(body=names.body, content_type="application/json", headers={"ETag": names.etag})
