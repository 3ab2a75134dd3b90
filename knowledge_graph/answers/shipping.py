"""The shop's shipping rule, read from the shipping FAQ the streamer wrote, applied to an order's price.

"If I use LIVE10 on the tumbler do I still get free shipping?" is answered by the rule *applied*:
¥98.10 is under ¥99, so shipping is ¥8. The FAQ's text stays the one place the rule is written; this
module only reads the free-shipping threshold and the fee out of it. A text it cannot read with
certainty (not exactly one threshold and one fee, or not saying the threshold counts after discounts)
gives no rule, and the caller says the FAQ's own words instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from knowledge_graph.answers.wording import format_price
from nlu.text.language import Language

_AMOUNT = re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:元|块|yuan\b|rmb\b|cny\b)", re.I)
_CLAUSE = re.compile(r"[;；。.!！]\s+|[;；。！]")
_FREE = re.compile(r"\bfree\b|包邮|免运费|免邮", re.I)
_AFTER_DISCOUNTS = re.compile(
    r"after (?:all )?(?:the )?(?:discounts?|codes?|promotions?)|折后|优惠后|实付", re.I
)


@dataclass(frozen=True)
class ShippingRule:
    """Orders of ``free_from`` or more (after discounts) ship free; others pay ``fee``."""

    free_from: Decimal
    fee: Decimal

    def cost(self, order: Decimal) -> Decimal:
        return Decimal(0) if order >= self.free_from else self.fee


def read_rule(text: str) -> ShippingRule | None:
    """The rule in a shipping FAQ's answer ("Free on orders of ¥99 or more after discounts; otherwise
    ¥8 …", "折后满99元包邮；不满99元…运费8元"), or None when the text does not state it unambiguously."""
    if not _AFTER_DISCOUNTS.search(text):
        return None
    thresholds: set[Decimal] = set()
    amounts: set[Decimal] = set()
    for clause in _CLAUSE.split(text):
        found = {Decimal(a or b) for a, b in _AMOUNT.findall(clause)}
        amounts |= found
        if _FREE.search(clause):
            thresholds |= found
    fees = amounts - thresholds
    if len(thresholds) != 1 or len(fees) != 1:
        return None
    rule = ShippingRule(free_from=thresholds.pop(), fee=fees.pop())
    return rule if Decimal(0) < rule.fee < rule.free_from else None


def shipping_note(order: Decimal, rule: ShippingRule, currency: str, lang: Language) -> str:
    """What the rule makes of an order of ``order``: free, or the fee and the sum to pay."""
    price = format_price(order, currency)
    line = format_price(rule.free_from, currency)
    fee = rule.cost(order)
    charge, total = format_price(fee, currency), format_price(order + fee, currency)
    if lang == "zh":
        if not fee:
            return f"{price} 满 {line}，包邮～"
        return f"{price} 不满 {line}，不包邮：运费 {charge}，一共 {total}～"
    if not fee:
        return f"{price} reaches the {line} free-shipping line, so shipping is free."
    return (
        f"{price} is under the {line} free-shipping line, so shipping isn't free: {charge} ({total} in all)."
    )
