"""The catalog API on a real graph: upsert, lookups, mentions in chat, prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from knowledge_graph.catalog.mentions import find_mentions, find_product, find_product_mentioned
from knowledge_graph.catalog.products import count_products, find_products, get_product, list_products
from knowledge_graph.editing.products import set_price, upsert_products
from knowledge_graph.errors import NotFound, ValidationError, VersionConflict
from knowledge_graph.model.product import Product
from knowledge_graph.schema import migrate
from knowledge_graph.store import GraphStore

INJECTION = "x'}) DETACH DELETE n //"


def product(sku: str, name_en: str, name_zh: str, **fields: Any) -> Product:
    defaults: dict[str, Any] = {"price": Decimal("10.00"), "currency": "CNY", "stock": 5}
    return Product(sku=sku, name_en=name_en, name_zh=name_zh, **(defaults | fields))


LIPSTICK = product(
    "LIP-1",
    "Matte Lipstick",
    "哑光口红",
    aliases_en=("lipstick", "matte lip"),
    aliases_zh=("口红", "唇膏"),
    price=Decimal("129.90"),
    stock=240,
    description_en="Velvet finish",
)
BALM = product(
    "BALM-1", "Tinted Lip Balm", "有色润唇膏", aliases_en=("lip balm", "lip"), aliases_zh=("润唇膏",)
)
SERUM = product("SER-1", "Hydrating Serum", "补水精华", aliases_en=("serum",), aliases_zh=("精华", "精华液"))
CUSHION = product("CUS-1", "Cushion Foundation", "气垫粉底", aliases_en=("cushion",), aliases_zh=("气垫",))
FOUNDATION = product("FND-1", "Liquid Foundation", "粉底液", aliases_en=("foundation",), aliases_zh=("粉底",))
CATALOG = (LIPSTICK, BALM, SERUM, CUSHION, FOUNDATION)


@pytest.fixture
async def catalog_store(store: GraphStore) -> GraphStore:
    await migrate(store)
    assert await upsert_products(store, CATALOG) == len(CATALOG)
    return store


async def test_upsert_then_get_round_trips(catalog_store: GraphStore) -> None:
    got = await get_product(catalog_store, "LIP-1")
    assert got is not None
    assert got.version == 1
    assert got == Product(**{**LIPSTICK.__dict__, "version": 1})
    assert got.price == Decimal("129.90") and str(got.price) == "129.90"
    assert await get_product(catalog_store, "NOPE") is None
    assert await count_products(catalog_store) == len(CATALOG)
    assert [p.sku for p in await list_products(catalog_store)] == sorted(p.sku for p in CATALOG)


async def test_empty_upsert_and_empty_graph(store: GraphStore) -> None:
    assert await upsert_products(store, []) == 0
    assert await count_products(store) == 0
    assert await find_product(store, "lipstick") is None
    assert await find_product_mentioned(store, "how much is the lipstick") is None


@pytest.mark.parametrize(
    "name",
    [
        "LIP-1",
        "lip-1",
        "Matte Lipstick",
        "  matte   LIPSTICK ",
        "ＭＡＴＴＥ　ＬＩＰＳＴＩＣＫ",
        "lipstick",
        "Matte Lip",
        "哑光口红",
        "口红",
        " 唇膏 ",
    ],
)
async def test_find_product_by_sku_name_or_alias(catalog_store: GraphStore, name: str) -> None:
    found = await find_product(catalog_store, name)
    assert found is not None and found.sku == "LIP-1"


@pytest.mark.parametrize("name", ["", "   ", "lip stick", "口", "matte", "Matte Lipstick!"])
async def test_find_product_needs_an_exact_key(catalog_store: GraphStore, name: str) -> None:
    assert await find_product(catalog_store, name) is None


async def test_ambiguous_name_finds_none_but_lists_both(catalog_store: GraphStore) -> None:
    twin = product("LIP-2", "Satin Lipstick", "缎面口红", aliases_en=("lipstick",))
    await upsert_products(catalog_store, [twin])
    assert [p.sku for p in await find_products(catalog_store, "lipstick")] == ["LIP-1", "LIP-2"]
    assert await find_product(catalog_store, "lipstick") is None
    assert await find_product_mentioned(catalog_store, "how much is the lipstick") is None
    found = await find_product_mentioned(catalog_store, "how much is the satin lipstick")
    assert found is not None and found.sku == "LIP-2"


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("how much is the matte lipstick?", "LIP-1"),
        ("HOW MUCH IS THE LIPSTICK", "LIP-1"),
        ("lipstick", "LIP-1"),
        ("do you still have the lip balm", "BALM-1"),  # "lip balm" beats "lip"
        ("is the lip any good", "BALM-1"),
        ("is the serum good for dry skin", "SER-1"),
        ("liquid foundation or cushion foundation?", "CUS-1"),  # the longest key wins
        ("粉底还是气垫", "FND-1"),  # equally long keys: the earliest wins
        ("气垫还是粉底", "CUS-1"),
        ("foundation shades?", "FND-1"),
        ("ＬＩＰＳＴＩＣＫ", "LIP-1"),
        ("这个口红多少钱", "LIP-1"),
        ("主播，精华多少钱啊", "SER-1"),
        ("精华液还有吗", "SER-1"),
        ("润唇膏多少钱", "BALM-1"),  # 润唇膏 contains 唇膏 (the lipstick's alias) but is longer
        ("气垫粉底怎么样", "CUS-1"),  # 气垫粉底 contains 粉底 (the foundation's alias)
        ("粉底呢", "FND-1"),
        ("这个lipstick多少钱", "LIP-1"),
        ("lip-1 price", "LIP-1"),
        ("I love lipsticks", "LIP-1"),  # an English plural names the product
        ("serums", "SER-1"),
    ],
)
async def test_find_product_mentioned(catalog_store: GraphStore, text: str, sku: str) -> None:
    found = await find_product_mentioned(catalog_store, text)
    assert found is not None, text
    assert found.sku == sku


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello everyone!",
        "slipstick",
        "lipsticky",  # a longer word, not a plural
        "你好主播",
        "how much",
    ],
)
async def test_find_product_mentioned_none(catalog_store: GraphStore, text: str) -> None:
    assert await find_product_mentioned(catalog_store, text) is None


async def test_find_mentions_lists_each_product_once_in_text_order(catalog_store: GraphStore) -> None:
    mentions = await find_mentions(catalog_store, "Serum or the matte lipstick, and 口红?")
    assert [(m.key, m.start, [p.sku for p in m.products]) for m in mentions] == [
        ("serum", 0, ["SER-1"]),
        ("matte lipstick", 13, ["LIP-1"]),
        ("口红", 33, ["LIP-1"]),
    ]


async def test_upsert_is_idempotent_and_versions_real_changes(catalog_store: GraphStore) -> None:
    await upsert_products(catalog_store, CATALOG)
    unchanged = await get_product(catalog_store, "LIP-1")
    assert unchanged is not None and unchanged.version == 1
    assert await count_products(catalog_store) == len(CATALOG)
    alias_count = await catalog_store.read("MATCH (a:Alias) RETURN count(a) AS n")
    assert alias_count == [{"n": sum(len(p.match_keys()) for p in CATALOG)}]

    renamed = Product(**{**LIPSTICK.__dict__, "aliases_zh": ("口红",), "stock": 7})
    await upsert_products(catalog_store, [renamed])
    changed = await get_product(catalog_store, "LIP-1")
    assert changed is not None and changed.version == 2 and changed.stock == 7
    assert await find_product(catalog_store, "唇膏") is None  # old alias node replaced
    assert (await find_product(catalog_store, "口红")) == changed


async def test_upsert_rejects_duplicate_skus_in_one_batch(store: GraphStore) -> None:
    with pytest.raises(ValidationError, match="LIP-1"):
        await upsert_products(store, [LIPSTICK, LIPSTICK])
    assert await count_products(store) == 0


async def test_set_price_is_exact_and_bumps_version(catalog_store: GraphStore) -> None:
    updated = await set_price(catalog_store, "LIP-1", Decimal("99.9"))
    assert updated.price == Decimal("99.90") and updated.version == 2
    reread = await get_product(catalog_store, "LIP-1")
    assert reread == updated
    assert str(reread.price) == "99.90"
    again = await set_price(catalog_store, "LIP-1", Decimal("0.01"), expected_version=2)
    assert again.price == Decimal("0.01") and again.version == 3


async def test_stale_expected_version_conflicts_and_writes_nothing(catalog_store: GraphStore) -> None:
    await set_price(catalog_store, "LIP-1", Decimal("100.00"))
    with pytest.raises(VersionConflict) as info:
        await set_price(catalog_store, "LIP-1", Decimal("1.00"), expected_version=1)
    assert (info.value.expected, info.value.actual) == (1, 2)
    after = await get_product(catalog_store, "LIP-1")
    assert after is not None and (after.price, after.version) == (Decimal("100.00"), 2)


@pytest.mark.parametrize(
    ("price", "field_words"),
    [(Decimal("-1"), "negative"), (Decimal("1.001"), "decimal places"), (Decimal("Infinity"), "finite")],
)
async def test_set_price_validates(catalog_store: GraphStore, price: Decimal, field_words: str) -> None:
    with pytest.raises(ValidationError, match=field_words) as info:
        await set_price(catalog_store, "LIP-1", price)
    assert info.value.field == "price"
    unchanged = await get_product(catalog_store, "LIP-1")
    assert unchanged is not None and unchanged.version == 1


async def test_set_price_unknown_sku(catalog_store: GraphStore) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        await set_price(catalog_store, "NOPE", Decimal("1.00"))


async def test_injection_string_is_just_text(catalog_store: GraphStore) -> None:
    evil = product("EVIL-1", INJECTION, INJECTION, aliases_en=(INJECTION + " alias",))
    await upsert_products(catalog_store, [evil])
    assert await count_products(catalog_store) == len(CATALOG) + 1
    found = await find_product(catalog_store, INJECTION)
    assert found is not None and found.name_en == INJECTION
    mentioned = await find_product_mentioned(catalog_store, f"what about {INJECTION}?")
    assert mentioned is not None and mentioned.sku == "EVIL-1"
    assert await find_product_mentioned(catalog_store, INJECTION + "'") is not None
    assert await get_product(catalog_store, "LIP-1") is not None
    assert await count_products(catalog_store) == len(CATALOG) + 1
