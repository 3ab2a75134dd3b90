"""The bot's read API: variant availability, active promotions, next stream, typo-tolerant lookup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from knowledge_graph.catalog.key_index import find_product_fuzzy, fuzzy_keys
from knowledge_graph.catalog.mentions import find_product, find_product_mentioned
from knowledge_graph.editing.catalog_items import create_promotion, create_session, create_variant
from knowledge_graph.editing.products import create_product, update_product, upsert_products
from knowledge_graph.model.entities import Promotion, StreamSession, Variant
from knowledge_graph.model.product import Product
from knowledge_graph.model.timeutil import iso_to_ms
from knowledge_graph.queries import active_promotions, next_stream, variants_of
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore

LIPSTICK = Product(
    sku="LR-LIP-001",
    name_en="Matte Lipstick",
    name_zh="哑光口红",
    aliases_en=("lipstick", "lippie"),
    aliases_zh=("口红",),
    price="129.00",
    currency="CNY",
    stock=240,
)
SERUM = Product(
    sku="LR-SER-002",
    name_en="Hydra Serum",
    name_zh="保湿精华",
    aliases_en=("serum",),
    price="199",
    currency="CNY",
    stock=0,
)


@pytest.fixture
async def shop(store: GraphStore) -> GraphStore:
    await migrate(store, vector_indexes=False)
    await upsert_products(store, [LIPSTICK, SERUM])
    for vid, size, colour, stock in [("V1", "S", "Red", 3), ("V2", "M", "Red", 0), ("V3", "M", "Pink", 5)]:
        await create_variant(
            store, Variant(id=vid, sku="LR-LIP-001", size=size, colour=colour, stock=stock), "t"
        )
    return store


async def test_variants_of_filters_by_size_and_colour(shop: GraphStore) -> None:
    assert [v.id for v in await variants_of(shop, "LR-LIP-001")] == ["V1", "V2", "V3"]
    red = await variants_of(shop, "LR-LIP-001", colour="RED ")
    assert [(v.id, v.available) for v in red] == [("V1", True), ("V2", False)]
    assert [v.id for v in await variants_of(shop, "LR-LIP-001", size="ｍ", colour="pink")] == ["V3"]
    assert await variants_of(shop, "LR-SER-002") == []
    assert await variants_of(shop, "NOPE") == []


async def test_active_promotions_by_time_and_product(shop: GraphStore) -> None:
    def promo(code: str, start: str, end: str, skus: tuple[str, ...] = ()) -> Promotion:
        return Promotion(code=code, discount_percent=10, valid_from=start, valid_to=end, skus=skus)

    await create_promotion(shop, promo("ALL", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), "t")
    await create_promotion(
        shop, promo("LIP", "2026-11-20T00:00:00Z", "2026-11-25T00:00:00Z", ("LR-LIP-001",)), "t"
    )
    await create_promotion(shop, promo("OLD", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"), "t")
    now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    assert [p.code for p in await active_promotions(shop, now)] == ["LIP", "ALL"]
    assert [p.code for p in await active_promotions(shop, now, sku="LR-SER-002")] == ["ALL"]
    assert [p.code for p in await active_promotions(shop, now, sku="LR-LIP-001")] == ["LIP", "ALL"]
    end = iso_to_ms("2026-11-25T00:00:00Z")
    assert [p.code for p in await active_promotions(shop, end)] == ["ALL"]  # valid_to is exclusive
    assert await active_promotions(shop, "2027-01-01T00:00:00Z") == []


async def test_next_stream_is_the_running_or_next_session(shop: GraphStore) -> None:
    assert await next_stream(shop, "2026-11-23T00:00:00Z") is None
    for sid, start, end in [
        ("late", "2026-12-05T12:00:00Z", "2026-12-05T14:00:00Z"),
        ("soon", "2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z"),
    ]:
        await create_session(shop, StreamSession(id=sid, starts_at=start, ends_at=end), "t")
    assert (await next_stream(shop, "2026-11-23T00:00:00Z")).id == "soon"  # type: ignore[union-attr]
    running = await next_stream(shop, "2026-12-01T13:00:00Z")
    assert running is not None and running.id == "soon" and running.is_live(iso_to_ms("2026-12-01T13:00:00Z"))
    assert (await next_stream(shop, "2026-12-01T14:00:00Z")).id == "late"  # type: ignore[union-attr]
    assert await next_stream(shop, "2027-01-01T00:00:00Z") is None


@pytest.mark.parametrize("typo", ["lipstik", "lipstcik", "lipsticks", "matte lipstic", "lip stick", "LIPIE"])
async def test_typos_find_the_product(shop: GraphStore, typo: str) -> None:
    assert await find_product(shop, typo) is None  # exact lookup stays exact
    found = await find_product(shop, typo, fuzzy=True)
    assert found is not None and found.sku == "LR-LIP-001"


@pytest.mark.parametrize("text", ["lip", "xyz", "serums and lipsticks", "", "   ", "口"])
async def test_fuzzy_refuses_short_or_far_names(shop: GraphStore, text: str) -> None:
    assert await find_product_fuzzy(shop, text) is None


async def test_fuzzy_mentions_in_chat_text(shop: GraphStore) -> None:
    assert await find_product_mentioned(shop, "how much is the lipstik?") is None
    found = await find_product_mentioned(shop, "how much is the lipstik?", fuzzy=True)
    assert found is not None and found.sku == "LR-LIP-001"
    serum = await find_product_mentioned(shop, "is the hydra serun in stock", fuzzy=True)
    assert serum is not None and serum.sku == "LR-SER-002"
    assert await find_product_mentioned(shop, "hello everyone, nice stream", fuzzy=True) is None


async def test_fuzzy_index_follows_edits(shop: GraphStore) -> None:
    assert "lippie" in await fuzzy_keys(shop, "lippi")
    await create_product(
        shop,
        Product(sku="NEW-1", name_en="Glow Cushion", name_zh="", price="1", currency="CNY", stock=1),
        "t",
    )
    found = await find_product(shop, "glow cushon", fuzzy=True)
    assert found is not None and found.sku == "NEW-1"
    await update_product(shop, "LR-LIP-001", {"aliases_en": ["rouge"]}, 1, "t")
    assert await find_product(shop, "lippi", fuzzy=True) is None
    assert (await find_product(shop, "rouje", fuzzy=True)).sku == "LR-LIP-001"  # type: ignore[union-attr]


async def test_equally_close_typo_of_two_products_is_ambiguous(shop: GraphStore) -> None:
    twin = Product(sku="T-1", name_en="Lipstock", name_zh="", price="1", currency="CNY", stock=1)
    await upsert_products(shop, [twin])
    assert await find_product(shop, "lipstuck", fuzzy=True) is None
