"""Load a catalog file (the demo one by default) into an empty graph.

A catalog file is a whole-catalog export (``liveroom-export/1``, see transfer.py), so there is
one catalog-import code path: ``load_catalog`` parses and validates it with
``transfer.parse_json`` (errors name the item and field: "row products[3]: price: ..."), and
``import_catalog`` writes it with ``transfer.import_bundle`` (one atomic statement, audited as
actor ``seed``).

``demo_catalog.json`` is the reference: a streamer with shop FAQs, six categories, 24 products
with namespaced tags (``skin:``, ``finish:``, ``size:``, ``ingredient:``, ``benefit:``,
``need:``; their words live in ``knowledge_graph.answers.lexicon``), colour variants, bilingual
FAQs and promotions. Invariant: a product with variants has ``stock`` equal to the sum of
its variants' stock. The promotions are valid 2026-01-01 to 2031-01-01 so the demo keeps an
active shop-wide code (``LIVE10``) and a product code (``SERUM30``) for years; ``SUMMER15``
has ended and shows that expired codes are ignored. The file holds no schedule, because fixed
dates go stale: seeding the demo adds ``demo_schedule`` -- the next 14 days of streams
(Tuesday to Sunday, 20:00-23:00 Beijing time, as the streamer FAQ says).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from knowledge_graph.catalog.products import count_products
from knowledge_graph.errors import ValidationError
from knowledge_graph.model.entities import StreamSession
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore
from knowledge_graph.transfer.bundle import Bundle, import_bundle, parse_json

__all__ = ["DEMO_CATALOG", "SEED_ACTOR", "demo_schedule", "import_catalog", "load_catalog", "seed_if_empty"]

log = logging.getLogger(__name__)

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")
SEED_ACTOR = "seed"
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving time in China
STREAM_START_HOUR = 20
STREAM_HOURS = 3


def load_catalog(path: Path | str = DEMO_CATALOG) -> Bundle:
    """Read and validate a ``liveroom-export/1`` catalog file (blocking; small files only)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ValidationError(str(path), f"cannot read catalog: {err}") from err
    return parse_json(raw)


def demo_schedule(now: datetime, days: int = 14) -> list[StreamSession]:
    """The demo streams of the ``days`` days from ``now`` (today in Beijing included, if its
    stream has not ended): every day but Monday, 20:00-23:00 Beijing time. Ids are
    ``demo-<Beijing date>``, so seeding twice writes the same sessions."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(BEIJING).date()
    sessions = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() == 0:  # Monday: the streamer's day off
            continue
        starts = datetime(day.year, day.month, day.day, STREAM_START_HOUR, tzinfo=BEIJING)
        ends = starts + timedelta(hours=STREAM_HOURS)
        if ends <= now:
            continue
        sessions.append(
            StreamSession(
                id=f"demo-{day.isoformat()}",
                title_en=f"Lulu live: {day.strftime('%A')} evening picks",
                title_zh=f"露露直播间：{day.month}月{day.day}日晚间好物",
                starts_at=starts,
                ends_at=ends,
            )
        )
    return sessions


def _load_with_schedule(path: Path | str, now: datetime) -> Bundle:
    """``load_catalog``, plus ``demo_schedule(now)`` when ``path`` is the demo catalog (blocking)."""
    catalog = load_catalog(path)
    if Path(path).resolve() == DEMO_CATALOG.resolve():
        catalog.sessions += demo_schedule(now)
    return catalog


async def import_catalog(store: GraphStore, catalog: Bundle, source: str = "catalog") -> int:
    """Write a loaded catalog (one atomic upsert, see transfer.py); return the product count."""
    result = await import_bundle(store, catalog, SEED_ACTOR, source=source)
    return result.products


async def seed_if_empty(
    store: GraphStore, path: Path | str = DEMO_CATALOG, *, now: datetime | None = None
) -> int:
    """Create missing indexes, then load the catalog only if the graph has no Product.

    Returns how many products were loaded (0 when the graph already had products), so
    restarting the stack never overwrites prices changed during a stream. The demo catalog
    also gets ``demo_schedule(now)`` (default: the current time).
    """
    await migrate(store)
    existing = await count_products(store)
    if existing:
        log.info("%s already has %d products; not seeding", store.describe(), existing)
        return 0
    catalog = await asyncio.to_thread(_load_with_schedule, path, now or datetime.now(UTC))
    count = await import_catalog(store, catalog, source=Path(path).name)
    log.info(
        "seeded %s with %d products, %d FAQs and %d sessions from %s",
        store.describe(),
        count,
        len(catalog.faqs),
        len(catalog.sessions),
        path,
    )
    return count
