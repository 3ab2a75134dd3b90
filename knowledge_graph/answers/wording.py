"""Every answer the question-answering layer gives, in English and Chinese, and price formatting.

One module so wording, tone and currency display are reviewed and translated in one place; the
custom actions' other replies (hand-offs, complaints, schedule) are in
knowledge_graph/answers/replies.py, which
re-exports these. Answers contain catalog data only, never the viewer's words: in a public chat an
echo lets anyone make the bot say anything ("do you sell <insult>?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from knowledge_graph.answers.attributes import size_amount
from knowledge_graph.model.entities import Promotion, StreamSession
from knowledge_graph.model.product import Product
from nlu.text.language import Language

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


def price_reply(product: Product, lang: Language, promotions: Sequence[Promotion] = ()) -> str:
    """The answer to "how much is X?": name, price, whether it is in stock, and the best running
    promotion on it (``promotions``: those active now that apply to the product)."""
    name = product.name(lang)
    price = format_price(product.price, product.currency)
    stock = product.stock
    deal = promotion_note(product, promotions, lang)
    if lang == "zh":
        if stock <= 0:
            return f"{name}现在 {price}，不过暂时售罄啦，补货了会在直播间说～{deal}"
        return f"{name}现在 {price}，还有 {stock} 件库存～{deal}"
    if stock <= 0:
        return f"{name} is {price}, but it's sold out right now.{deal}"
    return f"{name} is {price} ({stock} in stock).{deal}"


def discounted(product: Product, promotion: Promotion) -> Decimal:
    """The product's price with ``promotion`` applied (never below zero)."""
    if promotion.discount_percent is not None:
        cut = product.price * Decimal(promotion.discount_percent) / Decimal(100)
    elif promotion.currency == product.currency and promotion.discount_amount is not None:
        cut = promotion.discount_amount
    else:
        return product.price
    return max(Decimal(0), product.price - cut)


def best_promotion(product: Product, promotions: Sequence[Promotion]) -> Promotion | None:
    """The promotion that makes ``product`` cheapest, or None when none lowers its price. Promotions
    for other products are ignored (``skus`` empty: the whole catalog), so a caller may pass them all."""
    best: tuple[Decimal, str, Promotion] | None = None
    for promotion in promotions:
        if not promotion.covers(product.sku):
            continue
        price = discounted(product, promotion)
        if price < product.price and (best is None or (price, promotion.code) < best[:2]):
            best = (price, promotion.code, promotion)
    return best[2] if best else None


def best_price(product: Product, promotions: Sequence[Promotion]) -> Decimal:
    """The product's price with the promotion that makes it cheapest (its list price when none does)."""
    promotion = best_promotion(product, promotions)
    return product.price if promotion is None else discounted(product, promotion)


def promotion_note(product: Product, promotions: Sequence[Promotion], lang: Language) -> str:
    """ " With code LIVE10 it's ¥116.10." for the best running promotion, else ""; the other codes that
    also apply are named with their price, since only one code goes on an order."""
    promotion = best_promotion(product, promotions)
    if promotion is None:
        return ""
    best = discounted(product, promotion)
    price = format_price(best, product.currency)
    saved = format_price(product.price - best, product.currency)
    title = promotion.title(lang)
    others = [
        (
            p.code,
            format_price(cost, product.currency),
            format_price(product.price - cost, product.currency),
            format_price(cost - best, product.currency),
        )
        for p in promotions
        if p is not promotion and p.covers(product.sku) and (cost := discounted(product, p)) < product.price
    ]
    if lang == "zh":
        also = "".join(f"用 {code} 是 {cost}，省 {off}、贵 {more}；" for code, cost, off, more in others)
        also = f"（{also}每单限用一个码）" if others else ""
        titled = f"（{title}）" if title else ""
        return f"现在用优惠码 {promotion.code}{titled}到手 {price}，省 {saved}～{also}"
    also = " ".join(
        f"{code} would make it {cost}, {off} off and {more} more;" for code, cost, off, more in others
    )
    also = f" {also} one code per order." if others else ""
    return f" With code {promotion.code}{f' ({title})' if title else ''} it's {price}, {saved} off.{also}"


def product_faq_reply(product: Product, answer: str, lang: Language) -> str:
    """A product FAQ's answer, said with the product's name: in a busy chat "No, it is a light gel" alone
    does not say which product it is about."""
    return f"{product.name(lang)}：{answer}" if lang == "zh" else f"{product.name(lang)}: {answer}"


def stock_reply(product: Product, lang: Language) -> str:
    """The answer to "is it in stock?"."""
    name = product.name(lang)
    if lang == "zh":
        if product.stock <= 0:
            return f"{name}暂时售罄啦，补货了会在直播间通知～"
        if product.stock < 20:
            return f"{name}还有货，只剩 {product.stock} 件了，要的抓紧～"
        return f"{name}有货，还有 {product.stock} 件～"
    if product.stock <= 0:
        return f"{name} is sold out right now; we'll announce the restock in chat."
    if product.stock < 20:
        return f"{name} is in stock, only {product.stock} left!"
    return f"{name} is in stock ({product.stock} left)."


def info_reply(product: Product, lang: Language) -> str:
    """The answer to "tell me about X": the description, else name and price."""
    name = product.name(lang)
    price = format_price(product.price, product.currency)
    description = product.description(lang)
    if lang == "zh":
        return (
            f"{name}：{description}（{price}）"
            if description
            else f"{name}，现价 {price}～更多细节主播马上讲解！"
        )
    if description:
        return f"{name}: {description} ({price})"
    return f"{name}, {price}. The streamer will show the details on camera!"


def variant_reply(
    product: Product, lang: Language, matches: list[tuple[str, int]], wanted: str, all_variants: int
) -> str:
    """Size/colour availability. ``matches`` are (label, stock) of the variants asked for; ``wanted`` is
    what was asked for as the catalog spells it (never the viewer's entity text)."""
    name = product.name(lang)
    if all_variants == 0:
        shaded = product.category == "lips"  # a lip colour is a shade: "does the balm come in shades?"
        if lang == "zh":
            kind = "色号" if shaded else "款式"
            return f"{name}只有一个{kind}哦，现在{'有货' if product.stock > 0 else '售罄了'}～"
        stock = "in stock" if product.stock > 0 else "sold out"
        return f"{name} comes in one {'shade' if shaded else 'version'} only, and it's {stock}."

    if not wanted:
        labels = (
            "、".join(label for label, _ in matches)
            if lang == "zh"
            else ", ".join(label for label, _ in matches)
        )
        return f"{name}有这些款：{labels}～" if lang == "zh" else f"{name} comes in: {labels}."
    in_stock = [label for label, stock in matches if stock > 0]
    if lang == "zh":
        if in_stock:
            return f"{name} {wanted} 有货～"
        return f"{name} {wanted} 暂时没有哦～" if not matches else f"{name} {wanted} 售罄啦～"
    if in_stock:
        return f"{name} in {wanted} is in stock!"
    return (
        f"Sorry, {name} in {wanted} isn't available." if not matches else f"{name} in {wanted} is sold out."
    )


def variant_not_offered(product: Product, lang: Language, labels: list[str]) -> str:
    """The viewer asked for a size/colour the product does not have: what it does come in. The asked
    value is not repeated (it is viewer text); ``labels`` are the catalog's variant labels."""
    name = product.name(lang)
    if lang == "zh":
        return f"{name}没有这个款哦，有这些：{'、'.join(labels)}～"
    return f"Sorry, {name} doesn't come in that. It comes in: {', '.join(labels)}."


def discount_reply(titles: list[tuple[str, str]], lang: Language, product: Product | None) -> str:
    """Active promotions as (code, title) pairs."""
    if not titles:
        if lang == "zh":
            return "现在没有进行中的优惠活动，关注直播间，福利随时放送～"
        return "No promo running right now; stay tuned, deals drop during the stream!"
    shown = titles[:3]
    if lang == "zh":
        items = "；".join(f"{title}（码：{code}）" if title else f"优惠码 {code}" for code, title in shown)
        prefix = f"{product.name(lang)}可用：" if product else "当前优惠："
        return prefix + items
    items = "; ".join(f"{title} (code {code})" if title else f"code {code}" for code, title in shown)
    prefix = f"Deals on {product.name(lang)}: " if product else "Current deals: "
    return prefix + items


def recommend_reply(names: list[str], lang: Language) -> str:
    if not names:
        if lang == "zh":
            return "告诉我你的肤质或者想要的效果，我帮你挑～"
        return "Tell me your skin type or what you're after and I'll pick something!"
    if lang == "zh":
        return "推荐这几款：" + "、".join(names) + "～"
    return "Try these: " + ", ".join(names) + "!"


# --------------------------------------------------------------------------- question answering


def joined(sentences: Sequence[str], lang: Language) -> str:
    """Sentences said one after another: Chinese runs them together, English puts a space between."""
    return ("" if lang == "zh" else " ").join(sentences)


def _join(items: Sequence[str], lang: Language) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def priced(product: Product, lang: Language) -> str:
    """ "Tinted Lip Balm ¥59.90" (with "sold out" when it is)."""
    text = f"{product.name(lang)} {format_price(product.price, product.currency)}"
    if product.stock <= 0:
        text += "（已售罄）" if lang == "zh" else " (sold out)"
    return text


def compare_reply(ranked: Sequence[Product], lang: Language, *, cheaper: bool) -> str:
    """Two or more products by price; ``ranked`` cheapest first. ``cheaper``: the viewer asked which
    is cheaper (else which is dearer)."""
    first, last = ranked[0], ranked[-1]
    if first.price == last.price:
        price = format_price(first.price, first.currency)
        return f"它们价格一样，都是 {price}～" if lang == "zh" else f"They cost the same: {price} each."
    winner = first if cheaper else last
    others = [p for p in ranked if p.sku != winner.sku]
    gap = ""  # "how much cheaper is X than Y": the difference, when two products in one currency
    if len(ranked) == 2 and first.currency == last.currency:
        gap = format_price(last.price - first.price, first.currency)
    if lang == "zh":
        word = "更便宜" if cheaper else "更贵"
        rest = _join([priced(p, lang) for p in others], lang)
        gap = f"，差 {gap}" if gap else ""
        return f"{winner.name(lang)}{word}：{format_price(winner.price, winner.currency)}，{rest}{gap}。"
    word = "cheaper" if cheaper else "more expensive"
    gap = f" ({gap} {'less' if cheaper else 'more'})" if gap else ""
    return (
        f"The {winner.name(lang)} is {word}: {format_price(winner.price, winner.currency)}, vs "
        f"{_join([priced(p, lang) for p in others], lang)}{gap}."
    )


def total_reply(
    products: Sequence[Product],
    lang: Language,
    full: Decimal,
    best: tuple[Decimal, Promotion] | None,
    counts: Sequence[int] = (),
    beaten: Sequence[tuple[Decimal, Promotion]] = (),
) -> str:
    """Several products' price together (``counts``: how many of each), and with the code that lowers
    the order most; ``beaten``: codes the viewer named that lower it less, with what they make it."""
    currency = products[0].currency
    counts = counts or [1] * len(products)
    names = _join(
        [
            f"{n} × {priced(p, lang)}" if n > 1 else priced(p, lang)
            for p, n in zip(products, counts, strict=True)
        ],
        lang,
    )
    if lang == "zh":
        text = f"{names}，一共 {format_price(full, currency)}"
        if best is not None:
            text += f"；用优惠码 {best[1].code} 到手 {format_price(best[0], currency)}"
        for cart, code in beaten:
            text += f"（用 {code.code} 是 {format_price(cart, currency)}）"
        return text + "～"
    text = f"{names}: {format_price(full, currency)} together"
    if best is not None:
        text += f"; with code {best[1].code} it's {format_price(best[0], currency)}"
    for cart, code in beaten:
        text += f" ({code.code} would make it {format_price(cart, currency)})"
    return text + "."


def compare_stock_reply(ranked: Sequence[Product], lang: Language) -> str:
    """Two or more products by stock, most first."""
    if ranked[0].stock == ranked[-1].stock:
        names = _join([p.name(lang) for p in ranked], lang)
        if lang == "zh":
            return f"库存一样多：{names}都是 {ranked[0].stock} 件～"
        return f"The same stock: {ranked[0].stock} each of the {names}."
    if lang == "zh":
        return "库存：" + "，".join(f"{p.name(lang)} {p.stock} 件" for p in ranked) + "～"
    return "In stock: " + ", ".join(f"{p.name(lang)} {p.stock}" for p in ranked) + "."


def compare_size_reply(sized: Sequence[tuple[Product, str]], lang: Language) -> str:
    """Two or more products by size ("200 ml", "50 g"); the bigger named first when the units agree."""
    amounts = [size_amount(p) for p, _ in sized]
    if all(amounts) and len({a[1] for a in amounts if a}) == 1:
        order = sorted(range(len(sized)), key=lambda i: -amounts[i][0])  # type: ignore[index]
        sized = [sized[i] for i in order]
        first, size = sized[0]
        rest = _join([f"{p.name(lang)} {s}" for p, s in sized[1:]], lang)
        if lang == "zh":
            return f"{first.name(lang)}量更大：{size}，{rest}～"
        return f"The {first.name(lang)} has more: {size}, vs {rest}."
    listed = _join([f"{p.name(lang)} {s}" for p, s in sized], lang)
    return f"规格：{listed}～" if lang == "zh" else f"Sizes: {listed}."


def superlative_reply(product: Product, lang: Language, which: str, scope: str) -> str:
    """The cheapest / dearest / most asked-about / most or least stocked product of ``scope`` (a label
    such as "Lips", or "")."""
    price = format_price(product.price, product.currency)
    if which in ("stocked", "scarce"):
        if lang == "zh":
            word = "库存最多" if which == "stocked" else "库存最少"
            where = f"{scope}里" if scope else ""
            return f"{where}{word}的是{product.name(lang)}，还有 {product.stock} 件（{price}）～"
        word = "the most in stock" if which == "stocked" else "the fewest left"
        where = _within(scope)
        return f"The {product.name(lang)} has {word}{where}: {product.stock} ({price})."
    if lang == "zh":
        word = {"cheapest": "最便宜", "priciest": "最贵", "popular": "最受欢迎"}[which]
        where = f"{scope}里" if scope else ""
        return f"{where}{word}的是{product.name(lang)}，{price}～"
    word = {"cheapest": "cheapest", "priciest": "most expensive", "popular": "most popular"}[which]
    return f"The {word}{_within(scope)} is the {product.name(lang)} at {price}."


def most_shades_reply(products: Sequence[Product], shades: int, lang: Language, scope: str) -> str:
    """The products of ``scope`` that come in the most shades (several when they tie)."""
    if lang == "zh":
        where = f"{scope}里" if scope else ""
        names = _join([p.name(lang) for p in products], lang)
        each = "一共" if len(products) == 1 else "各"
        return f"{where}色号最多的是{names}，{each} {shades} 个～"
    names = _join([f"the {p.name(lang)}" for p in products], lang)
    names = names[0].upper() + names[1:]
    if len(products) == 1:
        return f"{names} comes in the most shades{_within(scope)}: {shades}."
    return f"{names} come in the most shades{_within(scope)}: {shades} each."


def _within(scope: str) -> str:
    """ " in lips", or " for him" for a scope that is a need said with its own preposition."""
    if not scope:
        return ""
    return f" {scope}" if scope.startswith("for ") else f" in {scope}"


def superlatives_reply(
    ranked: Sequence[Product], lang: Language, which: str, scope: str, *, tied: bool = False
) -> str:
    """The first few of a ranking ("the 3 cheapest"), in order, each with its price (and stock when the
    ranking is by stock); ``tied``: they are equal first ("the most expensive of ¥89 or less")."""

    def item(product: Product) -> str:
        if which not in ("stocked", "scarce"):
            return priced(product, lang)
        left = f"{product.stock} 件" if lang == "zh" else f"{product.stock} left"
        return f"{priced(product, lang)}（{left}）" if lang == "zh" else f"{priced(product, lang)} ({left})"

    shown = _join([item(p) for p in ranked], lang)
    if lang == "zh":
        word = {"cheapest": "最便宜", "priciest": "最贵", "popular": "最受欢迎", "stocked": "库存最多"}.get(
            which, "库存最少"
        )
        where = f"{scope}里" if scope else ""
        if tied:
            return f"{where}并列{word}的有：{shown}～"
        return f"{where}{word}的 {len(ranked)} 款：{shown}～"
    word = {
        "cheapest": "cheapest",
        "priciest": "most expensive",
        "popular": "most popular",
        "stocked": "most in stock",
    }.get(which, "fewest left")
    where = f" in {scope}" if scope else ""
    if tied:
        return f"Tied for {word}{where}: {shown}."
    return f"The {len(ranked)} {word}{where}: {shown}."


def largest_reply(product: Product, size: str, lang: Language, scope: str) -> str:
    """The biggest product of ``scope`` by size."""
    price = format_price(product.price, product.currency)
    if lang == "zh":
        where = f"{scope}里" if scope else ""
        return f"{where}容量最大的是{product.name(lang)}，{size}（{price}）～"
    where = f" in {scope}" if scope else ""
    return f"The biggest{where} is the {product.name(lang)}: {size} ({price})."


def sold_out_reply(gone: Sequence[tuple[Product, Sequence[str]]], lang: Language) -> str:
    """What is sold out: whole products, or a product's sold-out shades."""
    if not gone:
        return "现在所有商品都有货～" if lang == "zh" else "Everything is in stock right now."
    if lang == "zh":
        items = [f"{p.name(lang)}（{'、'.join(shades)}）" if shades else p.name(lang) for p, shades in gone]
        return f"目前售罄的：{'、'.join(items)}，其他都有货～"
    items = [
        f"the {p.name(lang)} in {_join(list(shades), lang)}" if shades else f"the {p.name(lang)}"
        for p, shades in gone
    ]
    return f"Sold out right now: {_join(items, lang)}; everything else is in stock."


def listing_reply(
    products: Sequence[Product], lang: Language, scope: str, total: int, *, counted: bool = False
) -> str:
    """Products matching a filter (``scope`` says which, e.g. "under ¥60"); ``total`` all matches;
    ``counted``: with how many of each are left (a filter on the stock)."""
    if not products:
        if lang == "zh":
            return f"目前没有{scope}的商品哦～"
        return f"Sorry, nothing {scope} right now."
    shown = _join(
        [_counted(p.name(lang), p.stock, lang) if counted else priced(p, lang) for p in products], lang
    )
    more = total - len(products)
    if lang == "zh":
        tail = f"，还有 {more} 款" if more > 0 else ""
        return f"{scope}的有：{shown}{tail}～"
    tail = f", and {more} more" if more > 0 else ""
    return f"{scope[:1].upper()}{scope[1:]}: {shown}{tail}."


def shades_in_stock_reply(found: Sequence[tuple[Product, Sequence[str]]], lang: Language, colour: str) -> str:
    """Products with a variant of the asked colour family in stock: (product, shade labels)."""
    if not found:
        return (
            f"{colour}的款现在都没货了～"
            if lang == "zh"
            else f"Nothing in {colour} is in stock right now, sorry."
        )
    if lang == "zh":
        items = "；".join(
            f"{p.name(lang)}（{'、'.join(s)}）{format_price(p.price, p.currency)}" for p, s in found
        )
        return f"{colour}有货的：{items}～"
    items = "; ".join(
        f"{p.name(lang)} ({', '.join(s)}) {format_price(p.price, p.currency)}" for p, s in found
    )
    return f"In stock in {colour}: {items}."


@dataclass(frozen=True)
class Pick:
    """A recommended product and the reasons it fits, already in the asker's language."""

    product: Product
    reasons: tuple[str, ...]


def recommend_pick_reply(picks: Sequence[Pick], lang: Language, scope: str) -> str:
    """Recommendations within what was asked (``scope``, e.g. "for oily skin"), each with why."""
    if not picks:
        if lang == "zh":
            return f"抱歉，{scope}的款现在没有货～" if scope else "告诉我你的肤质或者想要的效果，我帮你挑～"
        return (
            f"Sorry, nothing {scope} is in stock right now."
            if scope
            else ("Tell me your skin type or what you're after and I'll pick something!")
        )
    if lang == "zh":
        items = "；".join(
            f"{priced(p.product, lang)}" + (f"（{'，'.join(p.reasons)}）" if p.reasons else "") for p in picks
        )
        return f"{scope}推荐：{items}～" if scope else f"推荐：{items}～"
    items = "; ".join(
        f"the {priced(p.product, lang)}" + (f" ({', '.join(p.reasons)})" if p.reasons else "") for p in picks
    )
    return f"{scope[:1].upper()}{scope[1:]}, try {items}." if scope else f"Try {items}."


def not_carried_reply(lang: Language) -> str:
    """A product the shop does not sell; the asked words are not repeated (they are viewer text)."""
    if lang == "zh":
        return "抱歉，我们店没有卖这个哦～已经记下来告诉主播啦！"
    return "Sorry, we don't carry that. I've noted it for the streamer!"


def other_shop_reply(lang: Language) -> str:
    """Another shop's deals or policies were asked about: only this shop's are ours to answer."""
    if lang == "zh":
        return "其他平台的活动和规则我这边不清楚哦～本直播间的商品和优惠随时问我！"
    return "I can't speak for other shops, sorry! Ask me anything about this stream's products and deals."


def attribute_reply(product: Product, lang: Language, what: str, values: Sequence[str]) -> str:
    """A product attribute (``what``: skin, finish, size, ingredient, benefit) from its tags."""
    name = product.name(lang)
    joined = _join(values, lang)
    if lang == "zh":
        return {
            "skin": f"{name}适合{joined}～",
            "finish": f"{name}是{joined}妆效～",
            "size": f"{name}的规格是 {joined}～",
            "ingredient": f"{name}的主要成分：{joined}～",
            "benefit": f"{name}的特点：{joined}～",
        }[what]
    return {
        "skin": f"The {name} suits {joined}.",
        "finish": f"The {name} has a {joined} finish.",
        "size": f"The {name} is {joined}.",
        "ingredient": f"Key ingredients of the {name}: {joined}.",
        "benefit": f"The {name} is {joined}.",
    }[what]


def one_size_reply(product: Product, lang: Language, size: str) -> str:
    """Another size asked for: the one size the product comes in."""
    name = product.name(lang)
    if lang == "zh":
        return f"{name}目前只有一个规格：{size}～"
    return f"The {name} comes in one size only: {size}."


def skin_fit_reply(product: Product, lang: Language, asked: str, fits: bool, suits: Sequence[str]) -> str:
    """ "Is it OK for oily skin?": yes, or what it suits instead."""
    name = product.name(lang)
    if lang == "zh":
        if fits:
            return f"可以的，{name}适合{asked}～"
        return f"{name}更适合{_join(suits, lang)}，{asked}不太推荐哦～"
    if fits:
        return f"Yes, the {name} suits {asked}."
    return f"The {name} is made for {_join(suits, lang)}, so I wouldn't pick it for {asked}."


_CHOICE: dict[str, dict[str, str]] = {
    "zh": {
        "one": "{asked}选{names}",
        "several": "{names}都适合{asked}",
        "none": "这几款都不是专门给{asked}的",
        "each": "{name}：{labels}",
        "join": "；",
        "with_skin": "{head}～（适合肤质：{each}）",
        "plain": "{head}～",
    },
    "en": {
        "one": "For {asked}, go for the {names}",
        "several": "{names} all suit {asked}",
        "none": "None of them is made for {asked}",
        "each": "{name}: {labels}",
        "join": "; ",
        "with_skin": "{head}. Made for: {each}.",
        "plain": "{head}.",
    },
}


def choice_reply(
    asked: str, picks: Sequence[Product], suits: Sequence[tuple[Product, Sequence[str]]], lang: Language
) -> str:
    """ "For oily skin, loose powder or setting spray?": the products that suit what was asked best
    (``picks``; none when no product does), then the skin types each named product is made for
    (``suits``, when a skin type was asked)."""
    say = _CHOICE["zh" if lang == "zh" else "en"]
    names = _join([p.name(lang) for p in picks], lang)
    head = say["one" if len(picks) == 1 else "several" if picks else "none"].format(asked=asked, names=names)
    if not suits:
        return say["plain"].format(head=head)
    each = say["join"].join(say["each"].format(name=p.name(lang), labels=_join(ls, lang)) for p, ls in suits)
    return say["with_skin"].format(head=head, each=each)


SHADED_CATEGORIES = frozenset({"lips", "base", "eyes"})
"""Categories whose variants are shades ("comes in 6 shades"); others' are colours or sizes."""


def variants_reply(product: Product, lang: Language, shades: Sequence[tuple[str, int]]) -> str:
    """All of a product's variants with what is sold out: (label, stock)."""
    name = product.name(lang)
    labels = [label for label, _ in shades]
    sold_out = [label for label, stock in shades if stock <= 0]
    if lang == "zh":
        tail = f"，其中{_join(sold_out, lang)}已售罄" if sold_out else ""
        return f"{name}一共{len(shades)}款：{_join(labels, lang)}{tail}～"
    tail = f" ({_join(sold_out, lang)} sold out)" if sold_out else ""
    noun = "shades" if product.category in SHADED_CATEGORIES else "options"
    return f"The {name} comes in {len(shades)} {noun}: {_join(labels, lang)}{tail}."


def variant_stock_reply(product: Product, lang: Language, shades: Sequence[tuple[str, int]]) -> str:
    """Stock of the variants asked for: (label, stock). A few shades asked for get their counts, as a
    product's stock answer does ("how many nude beige are left?")."""
    name = product.name(lang)
    counted = len(shades) <= COUNTED_SHADES
    have = [_counted(label, stock, lang) if counted else label for label, stock in shades if stock > 0]
    gone = [label for label, stock in shades if stock <= 0]
    if lang == "zh":
        parts = []
        if have:
            parts.append(f"{_join(have, lang)}有货")
        if gone:
            parts.append(f"{_join(gone, lang)}已售罄")
        return f"{name}：{'，'.join(parts)}～"
    parts = []
    if have:
        parts.append(f"{_join(have, lang)} {'is' if len(have) == 1 else 'are'} in stock")
    if gone:
        parts.append(f"{_join(gone, lang)} {'is' if len(gone) == 1 else 'are'} sold out")
    return f"{name}: {'; '.join(parts)}."


COUNTED_SHADES = 2
"""Up to this many shades in a stock answer are given with their counts."""


def _counted(label: str, stock: int, lang: Language) -> str:
    return f"{label}（还有 {stock} 件）" if lang == "zh" else f"{label} ({stock} left)"


def has_attributes_reply(
    product: Product, lang: Language, values: Sequence[str], *, contains: bool = False
) -> str:
    """ "Is it waterproof?" for a product tagged so: yes, naming the attribute; ``contains``: the values
    are ingredients ("does the gloss have vitamin e?")."""
    name = product.name(lang)
    if lang == "zh":
        return f"是的，{name}{'含' if contains else ''}{_join(values, lang)}～"
    return f"Yes, the {name} {'contains' if contains else 'is'} {_join(values, lang)}."


def promotion_codes_reply(
    codes: Sequence[Promotion], now_ms: int, lang: Language, products: dict[str, Product]
) -> str:
    """What each named code gives, on what, and whether it has ended (``products``: SKU -> product)."""
    parts = []
    for promotion in codes[:3]:
        title = promotion.title(lang) or promotion.code
        if not promotion.is_active(now_ms):
            parts.append(ended_note([promotion], lang).rstrip("；. "))
            continue
        if promotion.skus:
            names = _join([products[s].name(lang) for s in promotion.skus if s in products], lang)
            scope = f"，仅限{names}" if lang == "zh" else f", only on the {names}"
        else:
            scope = "，全场通用" if lang == "zh" else ", on everything"
        until = valid_until(promotion, lang)
        parts.append(
            f"{promotion.code}：{title}{scope}{until}"
            if lang == "zh"
            else f"{promotion.code}: {title}{scope}{until}"
        )
    return ("；" if lang == "zh" else "; ").join(parts) + ("～" if lang == "zh" else ".")


def _end_date(promotion: Promotion, lang: Language) -> str:
    ends = datetime.fromtimestamp(promotion.valid_to / 1000, BEIJING)
    return f"{ends:%Y-%m-%d}" if lang == "zh" else f"{ends:%b} {ends.day}, {ends.year}"


def valid_until(promotion: Promotion, lang: Language) -> str:
    """ ", valid until Jan 1, 2031" / "，有效期到 2031-01-01": when a running code ends (Beijing time)."""
    if lang == "zh":
        return f"，有效期到 {_end_date(promotion, lang)}"
    return f", valid until {_end_date(promotion, lang)}"


def codes_until(promotions: Sequence[Promotion], lang: Language) -> str:
    """ " LIVE10 and SERUM30 are valid until Jan 1, 2031." for the running codes of a deal answer."""
    by_date: dict[str, list[str]] = {}
    for promotion in promotions:
        by_date.setdefault(_end_date(promotion, lang), []).append(promotion.code)
    if lang == "zh":
        return "".join(f"{_join(codes, lang)}有效期到 {date}～" for date, codes in by_date.items())
    return "".join(
        f" {_join(codes, lang)} {'is' if len(codes) == 1 else 'are'} valid until {date}."
        for date, codes in by_date.items()
    )


def unknown_codes_note(codes: Sequence[str], lang: Language) -> str:
    """Codes the shop never had ("SPRING20 isn't one of our codes. "), said before the running ones."""
    if lang == "zh":
        return f"{_join(list(codes), lang)}不是我们家的优惠码哦～"
    verb = "isn't one of our codes" if len(codes) == 1 else "aren't our codes"
    return f"{_join(list(codes), lang)} {verb}. "


def same_price_reply(product: Product, lang: Language) -> str:
    """Every shade of a product costs the same."""
    price = format_price(product.price, product.currency)
    if lang == "zh":
        return f"{product.name(lang)}所有色号都是同一个价：{price}～"
    return f"Every shade of the {product.name(lang)} costs the same: {price}."


def code_running_note(code: Promotion, lang: Language) -> str:
    """A code said not to work that is running: said before how codes are entered."""
    title = code.title(lang)
    if lang == "zh":
        return f"{code.code}（{title}）现在可以用～" if title else f"{code.code}现在可以用～"
    return f"{code.code} ({title}) is running. " if title else f"{code.code} is running. "


def running_now(lang: Language) -> str:
    """Said before the codes running now."""
    return "现在可以用的：" if lang == "zh" else "Running now: "


def ended_note(ended: Sequence[Promotion], lang: Language) -> str:
    """ "SUMMER15 (Summer sale: 15% off lips) has ended (it ran until Sep 1, 2025). " for ended promotions a
    question asks about: what each was and when it ended ("what was SUMMER15 for", "when did it end")."""
    if not ended:
        return ""
    said = [(p, _TITLE_NOTE.sub("", p.title(lang) or "")) for p in ended]
    if lang == "zh":
        notes = [f"{p.code}（{title}）" if title else p.code for p, title in said]
        return f"{_join(notes, lang)}已经结束了（{_join([_end_date(p, lang) for p in ended], lang)} 截止）；"
    notes = [f"{p.code} ({title})" if title else p.code for p, title in said]
    return (
        f"{_join(notes, lang)} has ended (it ran until {_join([_end_date(p, lang) for p in ended], lang)}). "
    )


_TITLE_NOTE = re.compile(r"\s*[（(][^）)]*[）)]\s*$")
"""A note at the end of a promotion's title ("(ended)"), left out where the answer says it."""


def codes_not_for(
    codes: Sequence[Promotion],
    product: Product,
    lang: Language,
    now_ms: int,
    products: dict[str, Product] | None = None,
) -> str:
    """ "SERUM30 is only for the Hydrating Serum, not the Repair Night Cream. " for named codes that do
    not apply to ``product`` (``products``: SKU -> product, for what they are good for)."""
    ended = [p.code for p in codes if not p.is_active(now_ms)]
    other = [p.code for p in codes if p.is_active(now_ms)]
    name = product.name(lang)
    known = products or {}
    good_for = sorted(
        {known[s].name(lang) for p in codes if p.is_active(now_ms) for s in p.skus if s in known}
    )
    parts = []
    if lang == "zh":
        if other and good_for:
            parts.append(f"{_join(other, lang)}仅限{_join(good_for, lang)}，不能用在{name}上哦；")
        elif other:
            parts.append(f"{_join(other, lang)}不能用在{name}上哦；")
        if ended:
            parts.append(f"{_join(ended, lang)}已经结束了；")
        return "".join(parts)
    if other and good_for:
        parts.append(f"{_join(other, lang)} is only for the {_join(good_for, lang)}, not the {name}. ")
    elif other:
        parts.append(f"{_join(other, lang)} doesn't apply to the {name}. ")
    if ended:
        parts.append(f"{_join(ended, lang)} has ended. ")
    return "".join(parts)


BEIJING = timezone(timedelta(hours=8))
"""The streamer's schedule is announced in Beijing time (the demo streamer streams from Hangzhou)."""


def schedule_text(session: StreamSession | None, now_ms: int, lang: Language) -> str:
    """The answer to "when is the next stream?" for the next (or current) session, or none."""
    if session is None:
        return schedule_reply(None, None, False, lang)
    start = datetime.fromtimestamp(session.starts_at / 1000, UTC).astimezone(BEIJING)
    end = datetime.fromtimestamp(session.ends_at / 1000, UTC).astimezone(BEIJING)
    starts = start.strftime("%m-%d %H:%M") if lang == "zh" else start.strftime("%a %b %d, %H:%M")
    hours = f"{start:%H:%M}–{end:%H:%M}"
    if end.date() == start.date():
        starts += f"–{end:%H:%M}"  # "20:00–23:00": how long it runs answers "what time" too
    return schedule_reply(session.title(lang), starts, session.is_live(now_ms), lang, hours)


def schedule_reply(
    title: str | None, starts: str | None, live_now: bool, lang: Language, hours: str | None = None
) -> str:
    """Next stream; ``starts`` already formatted (Beijing time); ``hours`` the live one's ("20:00–23:00"),
    which answer "what time tonight" too."""
    if starts is None:
        if lang == "zh":
            return "下一场直播时间还没定，关注直播间通知哦～每天晚上8点到11点常规直播（周一休息）。"
        return "The next stream isn't scheduled yet; we usually stream 8-11 pm Beijing time (not Mondays)."
    if lang == "zh":
        what = f"《{title}》" if title else "直播"
        if live_now:
            return f"现在正在直播{what}～（北京时间 {hours}）" if hours else f"现在正在直播{what}～"
        return f"下一场{what}：{starts}（北京时间）"
    what = f'"{title}"' if title else "stream"
    if live_now:
        return (
            f"We're live now with {what} ({hours} Beijing time)!" if hours else f"We're live now with {what}!"
        )
    return f"Next {what}: {starts} (Beijing time)."


def tags_of_several_reply(
    products: Sequence[Product], said: str, having: Sequence[Product], lang: Language, *, contains: bool
) -> str:
    """Which of the named products have what was asked ("do both the lipstick and the balm have shea
    butter?"): ``said`` is what was asked in ``lang`` (an ingredient when ``contains``, else a quality such
    as "fragrance-free"), ``having`` those of ``products`` whose listing says so. A listing that does not
    say it is said as such, not as a "no": the catalog lists key ingredients and qualities, not all."""
    have = [p.name(lang) for p in having]
    lack = [p.name(lang) for p in products if p not in having]
    if lang == "zh":
        verb = "含" if contains else "是"
        if not lack:
            return f"{'两款' if len(have) == 2 else '这几款'}都{verb}{said}：{_join(have, lang)}～"
        if not have:
            return f"{_join(lack, lang)}的资料里都没写{said}，我去问问主播～"
        return f"{_join(have, lang)}{verb}{said}；{_join(lack, lang)}的资料里没写～"
    verb = ("has" if len(have) == 1 else "have") if contains else ("is" if len(have) == 1 else "are")
    if not lack:
        return f"Yes, {'both' if len(have) == 2 else 'all'} {verb} {said}: the {_join(have, lang)}."
    if not have:
        return f"The listings of the {_join(lack, lang)} don't say {said}; I'll ask the streamer."
    return f"The {_join(have, lang)} {verb} {said}; the {_join(lack, lang)}'s listing doesn't say so."


def variant_counts_reply(counted: Sequence[tuple[Product, int]], lang: Language) -> str:
    """How many versions (shades, colours) each product comes in: (product, count), most first."""
    if lang == "zh":
        said = [f"{p.name(lang)}有 {n} 个颜色" if n > 1 else f"{p.name(lang)}只有 1 款" for p, n in counted]
        return "，".join(said) + "～"
    said = [
        f"the {p.name(lang)} comes in {n}" if n > 1 else f"the {p.name(lang)} in one version"
        for p, n in counted
    ]
    text = _join(said, lang)
    return text[0].upper() + text[1:] + "."


def sizes_reply(sized: Sequence[tuple[Product, str]], lang: Language) -> str:
    """Each product's size: (product, size as stored, "30 ml")."""
    if lang == "zh":
        return "，".join(f"{p.name(lang)}是 {size}" for p, size in sized) + "～"
    text = _join([f"the {p.name(lang)} is {size}" for p, size in sized], lang)
    return text[0].upper() + text[1:] + "."
