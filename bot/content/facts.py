"""What a pre-stream piece is made of, read once: the schedule, promotions, catalog, stock and the last
recorded stream, as :class:`Facts`.

:func:`gather` does a handful of graph reads and one read-only SQLite read in a worker thread; the preview
(bot/content/preview.py) and the run-of-show (bot/content/runofshow.py) are pure functions of its result,
so the CLI, the report page and the tests see the same pieces for the same data.

Sources:

* the schedule: the stream running at ``now`` or the next one (``queries.next_stream``), and the one after
  it for the outro;
* promotions valid at the stream's start (``queries.active_promotions``);
* new and restocked products: the graph keeps no per-product created/updated timestamps, but every edit
  leaves an :mod:`~knowledge_graph.editing.audit` entry in the same statement. "New" is a Product
  ``create`` entry,
  "restocked" a Product or Variant ``update`` whose ``stock`` went from 0 to more, both since the latest
  recorded session started (else the last 7 days). A catalog import (seeding) writes one Catalog entry, not
  one per product, so imported products are neither;
* what viewers asked last time: the latest recorded session's questions per catalog product and its asks
  for products the shop does not sell (``demand``);
* the interaction graph: ``Product.askers`` (distinct viewers who ever asked about it), the popularity
  signal recommendations use (knowledge_graph/interactions.py);
* stock, product and per shade (variants).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.web.report_data import _connect
from knowledge_graph import (
    Category,
    GraphStore,
    Product,
    Promotion,
    StreamSession,
    active_promotions,
    get_streamer,
    list_audit,
    list_categories,
    list_products,
    next_stream,
    normalize_key,
)

__all__ = ["Facts", "LastStream", "gather", "read_last_stream"]

LOOKBACK_S = 7 * 86400


@dataclass
class LastStream:
    session: str | None = None
    started: float | None = None
    asks: Counter[str] = field(default_factory=Counter)
    """SKU -> questions naming it."""
    demand: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Facts:
    now_ms: int
    streamer: tuple[str, str]
    stream: StreamSession | None
    following: StreamSession | None
    promotions: list[Promotion]
    products: list[Product]
    categories: dict[str, Category]
    askers: dict[str, int]
    shades_out: dict[str, list[str]]
    new: list[str]
    restocked: list[str]
    last: LastStream
    since_ms: int

    def product(self, sku: str) -> Product:
        return next(p for p in self.products if p.sku == sku)


def read_last_stream(db: Path, products: list[Product]) -> LastStream:
    """The latest recorded session's questions per product (by SKU) and its not-carried demand."""
    conn = _connect(db)
    if conn is None:
        return LastStream()
    try:
        head = conn.execute("SELECT id, started FROM sessions ORDER BY started DESC LIMIT 1").fetchone()
        if head is None:
            return LastStream()
        session = str(head["id"])
        keys = {key: p.sku for p in products for key, _ in p.match_keys()}
        asks: Counter[str] = Counter()
        for name, n in conn.execute(
            "SELECT product, COUNT(*) FROM questions WHERE session = ? AND product IS NOT NULL "
            "GROUP BY product",
            (session,),
        ):
            sku = keys.get(normalize_key(str(name)))
            if sku:
                asks[sku] += int(n)
        try:
            demand = [
                (str(text), int(n))
                for text, n in conn.execute(
                    "SELECT min(text), SUM(asks) n FROM demand WHERE session = ? GROUP BY qkey "
                    "ORDER BY n DESC, min(text) LIMIT 10",
                    (session,),
                )
            ]
        except sqlite3.OperationalError:
            demand = []
        return LastStream(session, float(head["started"]), asks, demand)
    finally:
        conn.close()


async def gather(store: GraphStore, db: Path, now: float | None = None) -> Facts:
    now_ms = int((time.time() if now is None else now) * 1000)
    stream = await next_stream(store, now_ms)
    following = await next_stream(store, stream.ends_at) if stream is not None else None
    at = max(now_ms, stream.starts_at) if stream is not None else now_ms
    promotions = await active_promotions(store, at)
    products = await list_products(store)
    categories = {c.id: c for c in await list_categories(store)}
    streamer = await get_streamer(store)
    askers = {
        str(r["sku"]): int(r["askers"])
        for r in await store.read("MATCH (p:Product) RETURN p.sku AS sku, coalesce(p.askers, 0) AS askers")
    }
    variant_rows = await store.read(
        "MATCH (p:Product)-[:HAS_VARIANT]->(v:Variant) "
        "RETURN p.sku AS sku, v.id AS id, v.colour AS colour, v.size AS size, v.stock AS stock ORDER BY v.id"
    )
    shades_out: dict[str, list[str]] = {}
    variant_sku: dict[str, str] = {}
    for r in variant_rows:
        variant_sku[str(r["id"])] = str(r["sku"])
        if int(r["stock"] or 0) == 0:
            shades_out.setdefault(str(r["sku"]), []).append(str(r["colour"] or r["size"] or r["id"]))
    last = await asyncio.to_thread(read_last_stream, db, products)
    since_ms = int(last.started * 1000) if last.started else now_ms - LOOKBACK_S * 1000
    in_stock = {p.sku for p in products if p.stock > 0}
    new: list[str] = []
    restocked: list[str] = []
    for entity in ("Product", "Variant"):
        for entry in reversed(await list_audit(store, entity, limit=2000)):
            if entry.at < since_ms:
                continue
            sku = entry.key if entity == "Product" else variant_sku.get(entry.key, "")
            if sku not in in_stock:
                continue
            stock = entry.changes.get("stock")
            if entity == "Product" and entry.action == "create" and sku not in new:
                new.append(sku)
            elif (
                entry.action == "update"
                and isinstance(stock, list)
                and len(stock) == 2
                and not stock[0]
                and (stock[1] or 0) > 0
                and sku not in restocked
                and sku not in new
            ):
                restocked.append(sku)
    return Facts(
        now_ms=now_ms,
        streamer=(streamer.name_en, streamer.name_zh) if streamer else ("", ""),
        stream=stream,
        following=following,
        promotions=promotions,
        products=products,
        categories=categories,
        askers=askers,
        shades_out=shades_out,
        new=new,
        restocked=restocked,
        last=last,
        since_ms=since_ms,
    )
