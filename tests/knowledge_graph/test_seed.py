"""The demo catalog file, the loader's error messages, and seed_if_empty (see also test_demo_catalog.py)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from knowledge_graph.catalog.faqs import count_faqs, get_streamer, list_faqs
from knowledge_graph.catalog.mentions import find_product_mentioned
from knowledge_graph.catalog.products import count_products, get_product
from knowledge_graph.editing.products import set_price
from knowledge_graph.errors import ValidationError
from knowledge_graph.model.product import find_key_conflicts
from knowledge_graph.seed import DEMO_CATALOG, load_catalog, seed_if_empty
from knowledge_graph.store import GraphStore
from knowledge_graph.transfer.bundle import ImportRejected


@pytest.fixture(scope="module")
def demo_data() -> dict[str, Any]:
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))


def test_demo_catalog_is_valid_and_realistic() -> None:
    catalog = load_catalog()
    assert 18 <= len(catalog.products) <= 30
    assert catalog.streamer is not None
    assert find_key_conflicts(catalog.products) == []
    for product in catalog.products:
        assert product.currency == "CNY"
        assert product.name_en and product.name_zh, product.sku
        assert product.aliases_en and product.aliases_zh, product.sku
        assert product.price > 0 and product.stock > 0, product.sku
        assert any(faq.product_sku == product.sku for faq in catalog.faqs), product.sku
    assert any(faq.streamer_id == catalog.streamer.id for faq in catalog.faqs)


def test_demo_catalog_has_exactly_one_lipstick() -> None:
    catalog = load_catalog()
    owners = {
        key: [p.sku for p in catalog.products if key in dict(p.match_keys())]
        for key in ("口红", "lipstick", "精华", "serum", "防晒霜", "气垫", "眼影盘")
    }
    assert all(len(skus) == 1 for skus in owners.values()), owners


@pytest.mark.parametrize(
    ("mutate", "row", "field", "words"),
    [
        (lambda d: d["products"][3].update(price="-1.00"), "products[3]", "price", "negative"),
        (lambda d: d["products"][0].update(currency="BTC"), "products[0]", "currency", "one of"),
        (lambda d: d["products"][1].update(stock=-5), "products[1]", "stock", "negative"),
        (lambda d: d["products"][2].update(alias_en=["x"]), "products[2]", "alias_en", "unknown"),
        (lambda d: d["products"][2].pop("price"), "products[2]", "price", "required"),
        (lambda d: d["products"][4].update(aliases_zh="防晒"), "products[4]", "aliases_zh", "list"),
        (lambda d: d["products"][5]["aliases_zh"].append("口红"), "products[5]", "aliases_en", "口红"),
        (lambda d: d["products"][6].update(sku="LR-LIP-001"), "products[6]", "sku", "duplicate"),
        (
            lambda d: d["products"][0]["variants"][0].update(stock=-1),
            "products[0].variants[0]",
            "stock",
            "least",
        ),
        (lambda d: d["faqs"][0].update(answer_en=7), "faqs[0]", "answer_en", "string"),
        (lambda d: d.update(format="liveroom-catalog/1"), "file", "format", "liveroom-export/1"),
        (lambda d: d["streamer"].update(id=""), "streamer", "id", "characters"),
    ],
)
def test_loader_errors_name_item_and_field(
    demo_data: dict[str, Any], tmp_path: Path, mutate: Any, row: str, field: str, words: str
) -> None:
    data = copy.deepcopy(demo_data)
    mutate(data)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        load_catalog(path)
    assert (info.value.row, info.value.field) == (row, field)
    assert words in str(info.value)


def test_loader_reports_bad_json_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "liveroom-export/1", "products": [}', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"not valid JSON.*line 1"):
        load_catalog(bad)
    with pytest.raises(ValidationError, match="cannot read catalog"):
        load_catalog(tmp_path / "missing.json")


def test_numeric_json_prices_are_exact(demo_data: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "numeric.json"
    text = json.dumps(demo_data, ensure_ascii=False).replace('"price": "129.90"', '"price": 129.90')
    path.write_text(text, encoding="utf-8")
    prices = {p.sku: p.price for p in load_catalog(path).products}
    assert prices["LR-MKP-009"] == Decimal("129.90")


async def test_seed_if_empty_loads_once(store: GraphStore) -> None:
    loaded = await seed_if_empty(store)
    catalog = load_catalog()
    assert loaded == len(catalog.products) == await count_products(store)
    assert await count_faqs(store) == len(catalog.faqs)
    assert await seed_if_empty(store) == 0
    assert await count_products(store) == loaded


async def test_seed_never_overwrites_live_changes(seeded_store: GraphStore) -> None:
    await set_price(seeded_store, "LR-LIP-001", Decimal("99.00"))
    assert await seed_if_empty(seeded_store) == 0
    product = await get_product(seeded_store, "LR-LIP-001")
    assert product is not None and product.price == Decimal("99.00")


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("这个口红多少钱", "LR-LIP-001"),
        ("主播，精华多少钱啊", "LR-SKN-001"),
        ("how much is the matte lipstick?", "LR-LIP-001"),
        ("润唇膏还有吗", "LR-LIP-003"),
        ("防晒霜防水吗", "LR-SKN-002"),
        ("气垫粉底有几个色号", "LR-MKP-001"),
        ("粉底液持妆多久", "LR-MKP-002"),
        ("is the eyeshadow palette good for beginners", "LR-MKP-003"),
        ("定妆粉会卡粉吗", "LR-MKP-008"),
        ("sunscreen spf?", "LR-SKN-002"),
        ("香氛喷雾多少钱", "LR-LIF-005"),
        ("定妆喷雾还有吗", "LR-MKP-007"),
        ("is the body mist strong", "LR-LIF-005"),
    ],
)
async def test_demo_sentences_resolve(seeded_store: GraphStore, text: str, sku: str) -> None:
    product = await find_product_mentioned(seeded_store, text)
    assert product is not None and product.sku == sku


async def test_faqs_and_streamer_are_stored(seeded_store: GraphStore) -> None:
    streamer = await get_streamer(seeded_store)
    assert streamer is not None and streamer.name("zh") == "露露"
    lipstick_faqs = await list_faqs(seeded_store, "LR-LIP-001")
    assert [f.id for f in lipstick_faqs][:2] == ["LR-LIP-001#faq1", "LR-LIP-001#faq2"]
    assert lipstick_faqs[0].question("zh") == "会不会拔干？"
    streamer_faqs = await list_faqs(seeded_store)
    assert streamer_faqs and all(f.streamer_id == streamer.id for f in streamer_faqs)
