"""A demo stream for the content pieces (bot/content): a recorded session and a graph with history.

``.venv/bin/python bench/content_demo.py [--db var/reports/sessions.sqlite] [--hours 1]`` records a generated
bilingual stream that ended ~a day ago (bench/eval_highlights.py's chat with planted moments, plus questions
naming demo-catalog products, the bot's answers by several paths, two questions handed to moderators, asks
for products the shop does not sell, gifts and super chats) into the recorder's SQLite file.

:func:`graph_history` gives a seeded demo graph what a shop accumulates between streams: viewers asking
about products (the interaction graph), a new product, a restocked shade and a sold-out product.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_highlights import generate, record
from bot.web.dashboard_sampler import DemandAsk, Handoff
from bot.web.recorder import connect
from connectors.base import ChatEvent
from knowledge_graph.editing.catalog_items import get_variant, update_variant
from knowledge_graph.editing.products import create_product, update_product
from knowledge_graph.interactions import record_interaction
from knowledge_graph.model.product import Product
from knowledge_graph.store import GraphStore

PRODUCT_QUESTIONS = {
    "how much is the matte lipstick?": "Matte Lipstick",
    "这个口红多少钱": "哑光口红",
    "is the serum in stock?": "Hydrating Serum",
    "精华还有货吗": "补水精华",
    "which shade is best for dark skin?": "Cushion Foundation",
    "哪个色号适合黄皮": "气垫粉底",
    "is the peach blush good for oily skin?": "Peach Blush",
}
DEMAND = ("do you sell perfume samples?", "有没有卖卸妆油", "do you have hair dye", "有没有卖卸妆油")
HANDOFFS = ("my order from last week hasn't arrived", "can I change my delivery address?")


def _path(event: ChatEvent) -> str | None:
    n = sum(map(ord, event.message_id)) % 20
    if n < 11:
        return "qa"
    if n < 16:
        return "rasa"
    if n < 18:
        return "faq_fallback"
    return None  # not answered


def record_demo(db: Path, *, ended: float | None = None, hours: float = 1.0, seed: int = 11) -> str:
    """Record the demo stream into ``db``; return its session id."""
    end = (time.time() - 86400) if ended is None else ended
    start = float(int(end - hours * 3600))
    events, planted = generate(seed, hours=hours, moments=max(2, int(hours * 4)), start=start)
    first = planted[0]  # the first moment is the lipstick's: viewers ask about it right then
    for i in range(12):
        text = "how much is the matte lipstick?" if i % 2 else "这个口红多少钱"
        t = first.t + 2 + i * 1.5
        events.append(ChatEvent("simulator", "demo", f"lip-{i}", f"l{i}", f"l{i}", text, timestamp=t))
    extra = [q for q in PRODUCT_QUESTIONS if q.startswith("is the peach")]
    for i in range(40):  # the blush is asked about now and then
        t = start + 200 + i * (hours * 3600 - 400) / 40
        events.append(ChatEvent("simulator", "demo", f"blush-{i}", f"b{i}", f"b{i}", extra[0], timestamp=t))
    events.sort(key=lambda e: e.timestamp)
    handoffs = [Handoff(start + 600 + i * 900, f"h{i}", text) for i, text in enumerate(HANDOFFS)]
    demand = [DemandAsk(start + 300 + i * 400, f"d{i}", text, 1 + i % 2) for i, text in enumerate(DEMAND)]
    session = record(
        events,
        db,
        questions=tuple(PRODUCT_QUESTIONS),
        product_of=PRODUCT_QUESTIONS.get,
        reply_path=_path,
        handoffs=handoffs,
        demand=demand,
    )
    assert session is not None
    conn = connect(db)
    with conn:
        conn.executemany(
            "INSERT INTO paid VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (session, start + 420, "bilibili", "demo", "u1", "小鹿", "gift", "小心心", 10, 1.0, "CNY"),
                (session, start + 900, "bilibili", "demo", "u2", "Momo", "super_chat", "", 1, 30.0, "CNY"),
                (session, start + 1500, "youtube", "demo", "u3", "Ann", "super_chat", "", 1, 5.0, "USD"),
                (session, start + 2000, "bilibili", "demo", "u1", "小鹿", "gift", "辣条", 20, 2.0, "CNY"),
            ],
        )
    conn.close()
    return session


async def graph_history(store: GraphStore) -> None:
    """On a seeded demo graph: interactions, a new product, a restock (shade berry) and a sold-out blush."""
    asks = {
        "LR-LIP-001": 9,
        "LR-SKN-001": 6,
        "LR-MKP-001": 4,
        "LR-MKP-004": 3,
        "LR-MKP-006": 2,
        "LR-LIF-001": 2,
    }
    for sku, viewers in asks.items():
        for v in range(viewers):
            await record_interaction(store, "simulator", f"viewer{v}", sku)
    await create_product(
        store,
        Product(
            sku="LR-LIP-004",
            name_en="Velvet Lip Tint",
            name_zh="丝绒唇釉",
            price="99.00",
            currency="CNY",
            stock=80,
            category="lips",
        ),
        actor="demo",
    )
    berry = await get_variant(store, "LR-LIP-001-berry")
    assert berry is not None
    await update_variant(store, berry.id, {"stock": 30}, berry.version, actor="demo")
    from knowledge_graph.catalog.products import get_product

    blush = await get_product(store, "LR-MKP-006")
    assert blush is not None
    await update_product(store, blush.sku, {"stock": 0}, blush.version, actor="demo")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("var/reports/sessions.sqlite"))
    parser.add_argument("--hours", type=float, default=1.0)
    args = parser.parse_args()
    session = record_demo(args.db, hours=args.hours)
    with sqlite3.connect(args.db) as conn:
        n = conn.execute("SELECT messages FROM sessions WHERE id = ?", (session,)).fetchone()[0]
    print(f"recorded demo session {session} ({n:,} messages) in {args.db}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
