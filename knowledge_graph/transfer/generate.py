"""Synthetic catalogs for tests and benchmarks: deterministic, bilingual, clash-free.

``generate_catalog(n)`` returns a ``liveroom-export/1`` document with ``n`` products
(each with two aliases per language and 0-3 variants), a few categories, promotions and
sessions, and optionally FAQs. Names are built from a counter, so no two products share
a name or alias (the importer refuses clashes).
"""

from __future__ import annotations

import random
from typing import Any

from knowledge_graph.transfer.bundle import FORMAT

_ADJ = ("Matte", "Silky", "Velvet", "Glossy", "Hydra", "Nova", "Lumi", "Aqua", "Rose", "Jade")
_NOUN = ("Lipstick", "Serum", "Cushion", "Blush", "Toner", "Mask", "Palette", "Balm", "Mist", "Cream")
_ZH_NOUN = ("口红", "精华", "气垫", "腮红", "爽肤水", "面膜", "眼影盘", "唇膏", "喷雾", "面霜")
_ZH_DIGITS = "零一二三四五六七八九"
_SIZES = ("S", "M", "L")
_COLOURS = ("Red", "Pink", "Nude", "Coral")


def _zh_number(n: int) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in str(n))


def generate_catalog(n: int, *, seed: int = 7, faqs: int = 0, categories: int = 10) -> dict[str, Any]:
    """A valid export document with ``n`` products (see the module docstring)."""
    rng = random.Random(seed)
    cats = [
        {"id": f"cat-{i}", "name_en": f"Category {i}", "name_zh": f"类别{_zh_number(i)}"}
        for i in range(categories)
    ]
    products = []
    for i in range(n):
        noun = i % len(_NOUN)
        adj = (i // len(_NOUN)) % len(_ADJ)
        sku = f"GEN-{i:06d}"
        variants = [
            {
                "id": f"{sku}-{j}",
                "size": _SIZES[j % 3],
                "colour": _COLOURS[(i + j) % 4],
                "stock": rng.randint(0, 50),
                "price": None if j == 0 else f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
            }
            for j in range(i % 4)
        ]
        products.append(
            {
                "sku": sku,
                "name_en": f"{_ADJ[adj]} {_NOUN[noun]} {i}",
                "name_zh": f"{_ZH_NOUN[noun]}{_zh_number(i)}号",
                "aliases_en": [f"{_NOUN[noun].lower()} no {i}", f"item{i}"],
                "aliases_zh": [f"{_ZH_NOUN[noun]}第{_zh_number(i)}款", f"{_zh_number(i)}号{_ZH_NOUN[noun]}"],
                "price": f"{rng.randint(1, 2000)}.{rng.randint(0, 99):02d}",
                "currency": "CNY" if i % 5 else "USD",
                "stock": rng.randint(0, 500),
                "description_en": f'Generated product {i}; "quoted", comma, and 😀' if i % 3 == 0 else None,
                "description_zh": f"第{i}号商品，测试用。" if i % 2 == 0 else None,
                "url": f"https://shop.example/p/{sku}" if i % 4 == 0 else None,
                "tags": [f"tag{i % 7}", "new"] if i % 2 else [],
                "category": cats[i % categories]["id"] if categories and i % 6 else None,
                "variants": variants,
            }
        )
    promotions = [
        {
            "code": f"PROMO{i}",
            "title_en": f"Promo {i}",
            "title_zh": None,
            "discount_percent": 5 + i if i % 2 == 0 else None,
            "discount_amount": None if i % 2 == 0 else "10.00",
            "currency": None if i % 2 == 0 else "CNY",
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_to": f"2027-0{1 + i % 9}-01T00:00:00.500Z",
            "skus": sorted(products[j]["sku"] for j in range(i, min(n, i + 3))),
        }
        for i in range(min(5, n))
    ]
    schedule = [
        {
            "id": f"session-{i}",
            "title_en": f"Live {i}",
            "title_zh": f"直播{_zh_number(i)}",
            "starts_at": f"2026-12-{1 + i:02d}T12:00:00Z",
            "ends_at": f"2026-12-{1 + i:02d}T14:30:00Z",
        }
        for i in range(3)
    ]
    faq_list = [
        {
            "id": f"faq-{i:05d}",
            "question_en": f"Question {i} about shipping?",
            "question_zh": f"第{i}个问题？",
            "answer_en": f"Answer {i}.",
            "answer_zh": f"答案{i}。",
            "product_sku": products[i % n]["sku"] if n and i % 2 else None,
            "streamer_id": None if n and i % 2 else "streamer",
            "category_id": None,
        }
        for i in range(faqs)
    ]
    return {
        "format": FORMAT,
        "streamer": {"id": "streamer", "name_en": "Demo Streamer", "name_zh": "演示主播"},
        "categories": cats,
        "products": products,
        "promotions": promotions,
        "schedule": schedule,
        "faqs": faq_list,
    }
