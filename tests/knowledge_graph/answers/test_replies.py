"""Reply wording and price formatting (pure functions, real Product objects)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from knowledge_graph.answers.replies import format_price, graph_unavailable, price_reply, which_product
from knowledge_graph.model.product import Product
from nlu.text.language import Language


def lipstick(stock: int = 35, price: str = "129.00", currency: str = "CNY") -> Product:
    return Product(
        sku="LR-LIP-001",
        name_en="Matte Lipstick",
        name_zh="哑光口红",
        price=Decimal(price),
        currency=currency,
        stock=stock,
    )


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("129"), "CNY", "¥129.00"),
        (Decimal("129.9"), "cny", "¥129.90"),
        (Decimal("1299.5"), "USD", "$1,299.50"),
        (Decimal("15"), "EUR", "€15.00"),
        (Decimal("0.005"), "GBP", "£0.01"),  # half-up, not banker's rounding
        (Decimal("1200"), "JPY", "JP¥1,200"),  # no minor unit
        (Decimal("5000"), "KRW", "₩5,000"),
        (Decimal("9.9"), "HKD", "HK$9.90"),
        (Decimal("12"), "CHF", "12.00 CHF"),  # no symbol known: ISO code after the amount
        (Decimal("-3"), "USD", "-$3.00"),
        ("19.99", "USD", "$19.99"),
        (0.1, "USD", "$0.10"),
    ],
)
def test_format_price(amount: Decimal | str | float, currency: str, expected: str) -> None:
    assert format_price(amount, currency) == expected


def test_price_reply_in_both_languages() -> None:
    assert price_reply(lipstick(), "en") == "Matte Lipstick is ¥129.00 (35 in stock)."
    assert price_reply(lipstick(), "zh") == "哑光口红现在 ¥129.00，还有 35 件库存～"


def test_sold_out_is_said_not_counted() -> None:
    assert price_reply(lipstick(stock=0), "en") == "Matte Lipstick is ¥129.00, but it's sold out right now."
    assert "售罄" in price_reply(lipstick(stock=0), "zh")


def test_a_missing_translation_uses_the_other_name() -> None:
    only_en = Product(sku="X-1", name_en="Glitter", name_zh="", price=Decimal("5"), currency="USD", stock=1)
    assert price_reply(only_en, "zh") == "Glitter现在 $5.00，还有 1 件库存～"


@pytest.mark.parametrize("reply", [which_product, graph_unavailable])
def test_fixed_replies_exist_in_both_languages(reply: Callable[[Language], str]) -> None:
    en, zh = reply("en"), reply("zh")
    assert en.isascii() and en
    assert not zh.isascii()


def test_a_price_answer_names_the_promotion_that_makes_it_cheapest() -> None:
    from knowledge_graph.model.entities import Promotion

    everything = Promotion(
        code="LIVE10", discount_percent=10, valid_from=0, valid_to=10**13, title_en="10% off"
    )
    serum_only = Promotion(
        code="SERUM30",
        discount_amount="30",
        currency="CNY",
        valid_from=0,
        valid_to=10**13,
        skus=("LR-LIP-001",),
    )
    # 10 % of 129.00 is 12.90, less than 30 off: the fixed amount wins
    en = price_reply(lipstick(), "en", [everything, serum_only])
    assert en.startswith("Matte Lipstick is ¥129.00 (35 in stock). With code SERUM30") and "¥99.00" in en
    # the other code is named only as the dearer choice, since an order takes one code
    assert "LIVE10 would make it ¥116.10, ¥12.90 off and ¥17.10 more; one code per order" in en
    assert "it's ¥99.00, ¥30.00 off" in en  # what the code saves, said with the price
    assert "LIVE10" not in price_reply(lipstick(), "en", [serum_only])
    zh = price_reply(lipstick(), "zh", [everything])
    assert "LIVE10" in zh and "¥116.10" in zh
    assert "省 ¥12.90" in zh
    # a promotion in another currency does not lower a CNY price
    dollars = Promotion(code="USD5", discount_amount="5", currency="USD", valid_from=0, valid_to=10**13)
    assert price_reply(lipstick(), "en", [dollars]) == "Matte Lipstick is ¥129.00 (35 in stock)."
