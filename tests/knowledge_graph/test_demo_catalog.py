"""The demo catalog is consistent: categories, tags and their lexicon, variants, promotions,
the schedule and FAQs agree with each other, and all of it lands in a real graph."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from knowledge_graph.answers.lexicon import (
    CATEGORY_WORDS,
    COLOUR_FAMILIES,
    COLOUR_WORDS,
    SHADES,
    TERMS,
    term_for,
)
from knowledge_graph.catalog.faqs import list_faqs
from knowledge_graph.editing.catalog_items import list_categories, list_promotions, list_sessions
from knowledge_graph.model.text import normalize_key
from knowledge_graph.queries import active_promotions, next_stream, variant_counts, variants_of
from knowledge_graph.seed import BEIJING, demo_schedule, import_catalog, load_catalog, seed_if_empty
from knowledge_graph.store import GraphStore
from knowledge_graph.transfer.bundle import Bundle
from nlu.text.attributes import COLOURS

CATEGORIES = {"lips", "skincare", "base", "eyes", "fragrance", "lifestyle"}
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday morning, before Beijing's evening


@pytest.fixture(scope="module")
def catalog() -> Bundle:
    return load_catalog()


def test_categories_and_every_product_in_one(catalog: Bundle) -> None:
    assert {c.id for c in catalog.categories} == CATEGORIES
    assert all(c.name_en and c.name_zh for c in catalog.categories)
    per_category = Counter(p.category for p in catalog.products)
    assert set(per_category) == CATEGORIES, per_category
    assert min(per_category.values()) >= 2, per_category


def test_tags_have_a_size_and_a_lexicon_term(catalog: Bundle) -> None:
    for product in catalog.products:
        sizes = [t for t in product.tags if t.startswith("size:")]
        assert len(sizes) == 1, product.sku
        for tag in product.tags:
            namespace = tag.split(":", 1)[0]
            assert namespace in {"size", "skin", "finish", "ingredient", "benefit", "need"}, tag
            if namespace != "size":
                assert term_for(tag) is not None, f"{product.sku}: {tag} has no lexicon Term"
        if product.category in {"lips", "skincare", "base"} and product.sku != "LR-MKP-009":
            assert 1 <= sum(t.startswith("ingredient:") for t in product.tags) <= 3, product.sku
        if product.category in {"skincare", "base"} and product.sku != "LR-MKP-009":
            assert any(t.startswith("skin:") for t in product.tags), product.sku
    needs = Counter(t for p in catalog.products for t in p.tags if t.startswith("need:"))
    assert needs["need:beginner"] >= 3 and needs["need:gift"] >= 3, needs


def test_lexicon_is_well_formed() -> None:
    tags = [term.tag for term in TERMS]
    assert len(tags) == len(set(tags))
    owner: dict[str, str] = {}
    for term in TERMS:
        assert term.en and term.zh and term.words_en and term.words_zh, term.tag
        assert not term.tag.startswith("size:")
        for word in term.words_en + term.words_zh:
            key = normalize_key(word)
            assert owner.setdefault(key, term.tag) == term.tag, f"{word!r}: {owner[key]} and {term.tag}"
    for family, shades in COLOUR_FAMILIES.items():
        assert set(shades) <= set(SHADES), family
    assert set(COLOUR_WORDS.values()) <= set(COLOUR_FAMILIES)
    # family names agree with the NLU's canonical colours (plus "clear", which it has no word for)
    assert set(COLOUR_FAMILIES) - {"clear"} <= set(COLOURS.values())
    for word, canonical in COLOURS.items():
        if word in COLOUR_WORDS:
            assert COLOUR_WORDS[word] == canonical, word
    assert set(CATEGORY_WORDS) == CATEGORIES
    assert all(words for words in CATEGORY_WORDS.values())


def test_variants_agree_with_stock_shades_and_faqs(catalog: Bundle) -> None:
    by_sku: dict[str, list] = {}
    for variant in catalog.variants:
        by_sku.setdefault(variant.sku, []).append(variant)
        assert variant.colour == variant.colour.lower() and variant.colour in SHADES, variant.id
        assert any(variant.colour in shades for shades in COLOUR_FAMILIES.values()), variant.colour
        assert variant.id.startswith(f"{variant.sku}-")
    for product in catalog.products:
        if product.sku in by_sku:  # invariant: a product's stock is the sum of its variants'
            assert product.stock == sum(v.stock for v in by_sku[product.sku]), product.sku
    lipstick = by_sku["LR-LIP-001"]
    assert len(lipstick) == 6 and sum(not v.available for v in lipstick) == 1
    assert {"brick red", "cherry red"} <= {v.colour for v in lipstick}
    assert {v.colour for v in by_sku["LR-MKP-001"]} == {"21 ivory", "23 natural"}
    assert {v.colour for v in by_sku["LR-LIF-003"]} == {"black", "champagne", "dusty pink"}
    faqs = {f.id: f for f in catalog.faqs}
    for variant in lipstick:
        assert variant.colour in faqs["LR-LIP-001#faq2"].answer_en.lower()
        assert SHADES[variant.colour].removesuffix("色") in faqs["LR-LIP-001#faq2"].answer_zh
    assert "21 Ivory" in faqs["LR-MKP-001#faq1"].answer_en
    assert "23号" in faqs["LR-MKP-001#faq1"].answer_zh


def test_promotions_two_active_one_expired(catalog: Bundle) -> None:
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    active = {p.code: p for p in catalog.promotions if p.is_active(now_ms)}
    assert set(active) == {"LIVE10", "SERUM30"}
    assert active["LIVE10"].skus == () and active["LIVE10"].discount_percent == 10
    assert active["SERUM30"].skus == ("LR-SKN-001",)
    assert all(p.title_en and p.title_zh for p in catalog.promotions)
    assert [p.code for p in catalog.promotions if not p.is_active(now_ms)] == ["SUMMER15"]


def test_faqs_are_bilingual_and_cover_what_shoppers_ask(catalog: Bundle) -> None:
    for faq in catalog.faqs:
        assert faq.languages == ("en", "zh"), faq.id
    per_product = Counter(f.product_sku for f in catalog.faqs if f.product_sku)
    for product in catalog.products:
        minimum = 3 if product.category in {"lips", "skincare"} else 2
        assert per_product[product.sku] >= minimum, product.sku
    shop = " ".join(f.answer_en for f in catalog.faqs if f.streamer_id)
    for fact in ("mainland China only", "Free on orders", "another shade", "tracking number"):
        assert fact in shop
    assert "8 to 11 pm Beijing time, except Mondays" in shop
    mascara = " ".join(f.answer_en for f in catalog.faqs if f.product_sku == "LR-MKP-004")
    assert "waterproof" in mascara and "benefit:waterproof" in dict.fromkeys(
        next(p for p in catalog.products if p.sku == "LR-MKP-004").tags
    )


def test_demo_schedule_is_tuesday_to_sunday_evenings_in_beijing() -> None:
    sessions = demo_schedule(NOW)
    assert len(sessions) == 12  # 14 days, two Mondays off
    for session in sessions:
        starts = datetime.fromtimestamp(session.starts_at / 1000, tz=BEIJING)
        assert starts.weekday() != 0 and (starts.hour, starts.minute) == (20, 0)
        assert session.ends_at - session.starts_at == 3 * 3_600_000
        assert starts.astimezone(UTC).hour == 12
        assert session.id == f"demo-{starts.date().isoformat()}"
        assert session.title_en and session.title_zh
    assert sessions[0].id == "demo-2026-12-08"
    assert [s.id for s in demo_schedule(NOW)] == [s.id for s in sessions]
    tuesday_late = datetime(2026, 12, 8, 15, 30, tzinfo=UTC)  # 23:30 Beijing: tonight's has ended
    assert demo_schedule(tuesday_late)[0].id == "demo-2026-12-09"
    assert demo_schedule(datetime(2026, 12, 8, 13, tzinfo=UTC))[0].id == "demo-2026-12-08"  # live now
    with pytest.raises(ValueError):
        demo_schedule(datetime(2026, 12, 8))


async def test_seed_loads_everything_into_the_graph(store: GraphStore, catalog: Bundle) -> None:
    now = datetime.now(UTC)
    assert await seed_if_empty(store, now=now) == len(catalog.products)
    assert {c.id for c in await list_categories(store)} == CATEGORIES
    lipstick = await variants_of(store, "LR-LIP-001")
    assert len(lipstick) == 6 and sum(not v.available for v in lipstick) == 1
    assert [v.colour for v in await variants_of(store, "LR-LIP-001", colour="Brick Red")] == ["brick red"]
    counts = await variant_counts(store, ["LR-LIP-001", "LR-MKP-001", "LR-SKN-001", "no-such-sku"])
    assert counts == {"LR-LIP-001": 6, "LR-MKP-001": 2}  # one query; products without variants left out
    assert {p.code for p in await list_promotions(store)} == {"LIVE10", "SERUM30", "SUMMER15"}
    assert {p.code for p in await active_promotions(store, now)} == {"LIVE10", "SERUM30"}
    assert {p.code for p in await active_promotions(store, now, sku="LR-LIP-001")} == {"LIVE10"}
    sessions = await list_sessions(store)
    assert [s.id for s in sessions] == [s.id for s in demo_schedule(now)]
    upcoming = await next_stream(store, now)
    assert upcoming is not None and upcoming.id == sessions[0].id
    assert len(await list_faqs(store, "LR-LIP-001")) == 4
    # re-importing (as a restart would after the graph was wiped) writes the same sessions again
    catalog_again = load_catalog()
    catalog_again.sessions += demo_schedule(now)
    await import_catalog(store, catalog_again)
    assert len(await list_sessions(store)) == len(sessions)
    assert now + timedelta(days=14) > datetime.fromtimestamp(sessions[-1].starts_at / 1000, tz=UTC)
