"""Recommendations from the interaction graph (see ``interactions.py`` for its shape).

"Viewers who asked about X also asked about Y": item-item collaborative filtering over
the precomputed ``ALSO_ASKED`` co-occurrence counts, then two boosts and a fallback:

* score(Y) = sum over the viewer's products X of  w(X) * co(X, Y) / sqrt(askers(X))
  divided by askers(Y) ** POPULARITY_DAMPING -- so a product everyone asks about does
  not win every list -- where w(X) = RECENCY_DECAY ** (rank of X by recency), because
  what a viewer asked about last says most about what they ask next;
* x CATEGORY_BOOST when Y is in a category the viewer (or the product) is in;
* x PROMOTION_BOOST when a promotion valid now applies to Y;
* products the viewer already asked about or bought, and products out of stock, are
  never recommended;
* popularity fallback (distinct askers, same boosts) fills the list for new viewers and
  when co-occurrence has fewer than ``k`` candidates.

Constants were tuned on one generated log and measured on another (bench/eval_recommend.py;
figures in README "Recommendations"). Each call is two or three small reads; scoring
happens here in Python over at most ``_POOL`` (+ exclusions) candidates per read.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge_graph.errors import ValidationError
from knowledge_graph.interactions import viewer_key
from knowledge_graph.model.timeutil import now_ms
from knowledge_graph.store import GraphStore

log = logging.getLogger(__name__)

# Tuned on generated log seed 1 (hit-rate@3): recency decay 0.4 > 0.6 > 0.8 > 1.0; popularity
# damping 0.0 >= 0.3 > 0.6; category boost 1.0-1.5 within noise (2.5 hurts: the generated
# viewers also ask across categories); promotion boost barely moves hit-rate, it exists for
# the streamer's sake. Reported figures come from other seeds (bench/eval_recommend.py).
RECENCY_DECAY = 0.4
POPULARITY_DAMPING = 0.0
CATEGORY_BOOST = 1.2
PROMOTION_BOOST = 1.3
MAX_SEEDS = 5
"""Only the viewer's most recent products seed the co-occurrence walk: it bounds the cost,
and with RECENCY_DECAY 0.4 the 6th most recent would weigh 1% anyway."""
_POOL = 50
POPULAR_TTL_S = 5.0
"""How long the popularity ranking (one scan of all products) is reused per store: the
fallback may lag the chat by a few seconds, new viewers do not pay a scan each."""
_popular_cache: weakref.WeakKeyDictionary[GraphStore, tuple[float, int, list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)
_MAX_K = 50

# FalkorDB note: filters such as ``WHERE NOT y.sku IN $exclude`` cost ~0.4 ms *per row* there
# (600 rows: 250 ms), so exclusions, stock and promotions are applied here in Python on
# small candidate lists instead; each query is then an index seek plus a traversal.
_HISTORY = """
MATCH (v:Viewer {key: $key})-[r:ASKED_ABOUT|BOUGHT]->(x:Product)
RETURN x.sku AS sku, x.category AS category, max(r.last_at) AS last_at
ORDER BY last_at DESC, sku
"""

_CO_OCCURRING = """
UNWIND $seeds AS s
MATCH (x:Product {sku: s.sku})-[c:ALSO_ASKED]->(y:Product)
WITH y, sum(s.w * toFloat(c.count) / sqrt(toFloat(coalesce(x.askers, 1)))) AS co
ORDER BY co DESC, y.sku LIMIT $pool
RETURN y.sku AS sku, co, coalesce(y.askers, 0) AS askers, y.category AS category, y.stock AS stock
"""

_POPULAR = """
MATCH (p:Product) WHERE p.askers > 0
RETURN p.sku AS sku, p.askers AS askers, p.category AS category, p.stock AS stock
ORDER BY askers DESC, sku LIMIT $pool
"""

_PROMOTED = """
MATCH (pr:Promotion)-[:APPLIES_TO]->(p:Product) WHERE pr.valid_from <= $now AND $now < pr.valid_to
RETURN p.sku AS sku, coalesce(p.askers, 0) AS askers, p.category AS category, p.stock AS stock
"""


@dataclass(frozen=True)
class Recommendation:
    """One recommended product and why."""

    sku: str
    score: float
    reason: str
    """"also_asked" (co-occurrence) or "popular" (fallback)."""
    promoted: bool = False
    same_category: bool = False


async def recommend_for_viewer(
    store: GraphStore, platform: str, viewer_id: str, k: int = 3, *, now: int | None = None
) -> list[Recommendation]:
    """Up to ``k`` products this viewer has not asked about yet, best first.

    A viewer with no history (or unknown) gets the popularity fallback, promotion-aware.
    ``now`` (epoch ms, default the current time) decides which promotions are active.
    """
    _check_k(k)
    when = now_ms() if now is None else now
    history = await store.read(_HISTORY, {"key": viewer_key(platform, viewer_id)})
    seen = [row["sku"] for row in history]
    categories = {row["category"] for row in history if row["category"] is not None}
    seeds = [{"sku": row["sku"], "w": RECENCY_DECAY**rank} for rank, row in enumerate(history[:MAX_SEEDS])]
    return await _recommend(store, seeds, seen, categories, k, when)


async def recommend_for_product(
    store: GraphStore, sku: str, k: int = 3, *, now: int | None = None
) -> list[Recommendation]:
    """Up to ``k`` products viewers asked about together with ``sku`` ("also asked"), best
    first; filled with popular products of the same category, then overall."""
    _check_k(k)
    when = now_ms() if now is None else now
    rows = await store.read("MATCH (p:Product {sku: $sku}) RETURN p.category AS category", {"sku": sku})
    categories = {rows[0]["category"]} if rows and rows[0]["category"] is not None else set()
    return await _recommend(store, [{"sku": sku, "w": 1.0}], [sku], categories, k, when)


async def popular_products(
    store: GraphStore, k: int = 3, exclude: Iterable[str] = (), *, now: int | None = None
) -> list[Recommendation]:
    """The popularity-only ranking (most distinct askers), without boosts: the baseline the
    recommender is measured against. Products in ``exclude`` or out of stock are skipped."""
    _check_k(k)
    skip = set(exclude)
    rows = await store.read(_POPULAR, {"pool": k + len(skip)})
    return [Recommendation(row["sku"], float(row["askers"]), "popular") for row in _usable(rows, skip)][:k]


async def _recommend(
    store: GraphStore, seeds: list[dict[str, Any]], seen: list[str], categories: set[str], k: int, now: int
) -> list[Recommendation]:
    skip = set(seen)
    # Independent reads, so in parallel (two pooled connections): one round trip of latency.
    co_read = store.read(_CO_OCCURRING, {"seeds": seeds, "pool": _POOL + len(skip)}) if seeds else _no_rows()
    promoted_rows, co_rows = await asyncio.gather(store.read(_PROMOTED, {"now": now}), co_read)
    promoted = {row["sku"] for row in promoted_rows}
    scored: dict[str, Recommendation] = {}
    if seeds:
        for row in _usable(co_rows, skip):
            same = row["category"] in categories
            is_promoted = row["sku"] in promoted
            score = float(row["co"]) / max(1.0, float(row["askers"])) ** POPULARITY_DAMPING
            score *= (CATEGORY_BOOST if same else 1.0) * (PROMOTION_BOOST if is_promoted else 1.0)
            scored[row["sku"]] = Recommendation(row["sku"], score, "also_asked", is_promoted, same)
    ranked = sorted(scored.values(), key=lambda r: (-r.score, r.sku))[:k]
    if len(ranked) < k:
        skip |= set(scored)
        rows = await _popular_rows(store, _POOL + len(skip))
        fill: dict[str, Recommendation] = {}
        for row in _usable([*rows, *promoted_rows], skip):
            same = row["category"] in categories
            is_promoted = row["sku"] in promoted
            # log1p keeps popularity comparable to the boosts instead of dwarfing them.
            score = math.log1p(float(row["askers"]))
            score *= (CATEGORY_BOOST if same else 1.0) * (PROMOTION_BOOST if is_promoted else 1.0)
            fill[row["sku"]] = Recommendation(row["sku"], score, "popular", is_promoted, same)
        ranked += sorted(fill.values(), key=lambda r: (-r.score, r.sku))[: k - len(ranked)]
    return ranked


async def _no_rows() -> list[dict[str, Any]]:
    return []


async def _popular_rows(store: GraphStore, pool: int) -> list[dict[str, Any]]:
    cached = _popular_cache.get(store)
    if cached is not None and time.monotonic() - cached[0] < POPULAR_TTL_S and cached[1] >= pool:
        return cached[2]
    size = max(pool, 2 * _POOL)
    rows = await store.read(_POPULAR, {"pool": size})
    _popular_cache[store] = (time.monotonic(), size, rows)
    return rows


def _usable(rows: list[dict[str, Any]], skip: set[str]) -> list[dict[str, Any]]:
    """Rows of products not in ``skip`` and in stock (an unknown stock counts as in stock)."""
    return [row for row in rows if row["sku"] not in skip and (row["stock"] is None or row["stock"] > 0)]


def _check_k(k: object) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= _MAX_K:
        raise ValidationError("k", f"must be an integer from 1 to {_MAX_K}, got {k!r}")
