"""Every user-visible text the custom actions send, in English and Chinese, and price formatting.

Kept in one module so wording, tone and currency display are reviewed (and translated) in one
place. Fixed replies to plain intents (greet, thanks ...) live in domain.yml as responses.

Replies never echo what the viewer typed: in a public chat an echo lets anyone make the bot say
anything ("how much is the <insult>?"). They only contain catalog data.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from knowledge_graph.catalog import Product
from nlu.language import Language

# Symbol written before the amount, and how many minor-unit digits the currency shows.
_CURRENCIES: dict[str, tuple[str, int]] = {
    "CNY": ("¥", 2),
    "RMB": ("¥", 2),
    "USD": ("$", 2),
    "EUR": ("€", 2),
    "GBP": ("£", 2),
    "HKD": ("HK$", 2),
    "TWD": ("NT$", 2),
    "JPY": ("JP¥", 0),
    "KRW": ("₩", 0),
    "SGD": ("S$", 2),
    "AUD": ("A$", 2),
    "CAD": ("C$", 2),
}


def format_price(amount: Decimal | int | float | str, currency: str) -> str:
    """``Decimal("129") , "CNY"`` -> ``"¥129.00"``; unknown currencies -> ``"129.00 XYZ"``.

    Rounds half-up to the currency's minor unit and groups thousands (``"$1,299.00"``). A float
    is converted through ``str`` so 0.1 stays 0.1 rather than 0.1000000000000000055.
    """
    code = (currency or "").strip().upper()
    symbol, digits = _CURRENCIES.get(code, ("", 2))
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
        quantum = Decimal(1).scaleb(-digits)
        text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{digits}f}"
    except (InvalidOperation, ValueError):
        text = str(amount)
    if symbol:
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return f"{text} {code}" if code else text


def price_reply(product: Product, lang: Language) -> str:
    """The answer to "how much is X?": name, price and whether it is in stock."""
    name = product.name(lang)
    price = format_price(product.price, product.currency)
    stock = product.stock
    if lang == "zh":
        if stock <= 0:
            return f"{name}现在 {price}，不过暂时卖光啦，补货了会在直播间说～"
        return f"{name}现在 {price}，还有 {stock} 件库存～"
    if stock <= 0:
        return f"{name} is {price}, but it's sold out right now."
    return f"{name} is {price} ({stock} in stock)."


def which_product(lang: Language) -> str:
    """Asked when the message names no product we know (and none was discussed before)."""
    if lang == "zh":
        return "你想问哪款产品呀？告诉我产品名字，我帮你查价格～"
    return "Which product do you mean? Tell me its name and I'll look up the price."


def graph_unavailable(lang: Language) -> str:
    """Sent instead of an error when the product catalog cannot be read right now."""
    if lang == "zh":
        return "抱歉，商品信息暂时查不到，请稍等一下再问我～"
    return "Sorry, I can't reach the product list right now. Please ask me again in a moment."
