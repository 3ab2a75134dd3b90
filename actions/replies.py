"""Every user-visible text the custom actions send, in English and Chinese, and price formatting.

Kept in one module so wording, tone and currency display are reviewed (and translated) in one
place. Fixed replies to plain intents (greet, thanks ...) live in domain.yml as responses.

Replies never echo what the viewer typed: in a public chat an echo lets anyone make the bot say
anything ("how much is the <insult>?"). They only contain catalog data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from knowledge_graph.catalog import Product
from knowledge_graph.entities import StreamSession
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


# --------------------------------------------------------------------------- issue 4 answers


def stock_reply(product: Product, lang: Language) -> str:
    """The answer to "is it in stock?"."""
    name = product.name(lang)
    if lang == "zh":
        if product.stock <= 0:
            return f"{name}暂时卖光啦，补货了会在直播间通知～"
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
        if lang == "zh":
            return f"{name}只有一个款式哦，现在{'有货' if product.stock > 0 else '卖光了'}～"
        return (
            f"{name} comes in one version only, and it's {'in stock' if product.stock > 0 else 'sold out'}."
        )
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
        return f"{name} {wanted} 暂时没有哦～" if not matches else f"{name} {wanted} 卖光啦～"
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


def which_product_for(lang: Language, what: str) -> str:
    """Asked when a product question names no product (``what``: stock|info|variant)."""
    if lang == "zh":
        return {"stock": "你想问哪款产品的库存呀？", "variant": "你想问哪款产品的颜色/尺码呀？"}.get(
            what, "你想了解哪款产品呀？告诉我名字～"
        )
    return {
        "stock": "Which product do you want me to check stock for?",
        "variant": "Which product do you mean?",
    }.get(what, "Which product do you want to know about? Tell me its name.")


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


BEIJING = timezone(timedelta(hours=8))
"""The streamer's schedule is announced in Beijing time (the demo streamer streams from Hangzhou)."""


def schedule_text(session: StreamSession | None, now_ms: int, lang: Language) -> str:
    """The answer to "when is the next stream?" for the next (or current) session, or none."""
    if session is None:
        return schedule_reply(None, None, False, lang)
    start = datetime.fromtimestamp(session.starts_at / 1000, UTC).astimezone(BEIJING)
    starts = start.strftime("%m-%d %H:%M") if lang == "zh" else start.strftime("%a %b %d, %H:%M")
    return schedule_reply(session.title(lang), starts, session.is_live(now_ms), lang)


def schedule_reply(title: str | None, starts: str | None, live_now: bool, lang: Language) -> str:
    """Next stream; ``starts`` already formatted (Beijing time)."""
    if starts is None:
        if lang == "zh":
            return "下一场直播时间还没定，关注直播间通知哦～每天晚上8点到11点常规直播（周一休息）。"
        return "The next stream isn't scheduled yet; we usually stream 8-11 pm Beijing time (not Mondays)."
    if lang == "zh":
        what = f"《{title}》" if title else "直播"
        return f"现在正在直播{what}～" if live_now else f"下一场{what}：{starts}（北京时间）"
    what = f'"{title}"' if title else "stream"
    return f"We're live now with {what}!" if live_now else f"Next {what}: {starts} (Beijing time)."


def streamer_reply(name: str | None, lang: Language) -> str:
    if lang == "zh":
        who = f"主播是{name}" if name else "这里是品牌官方直播间"
        return f"{who}～全部商品品牌官方直供，可开发票。"
    who = f"This is {name}'s stream" if name else "This is the brand's official stream"
    return f"{who}: everything comes straight from the brands, with official invoices."


def recommend_reply(names: list[str], lang: Language) -> str:
    if not names:
        if lang == "zh":
            return "告诉我你的肤质或者想要的效果，我帮你挑～"
        return "Tell me your skin type or what you're after and I'll pick something!"
    if lang == "zh":
        return "推荐这几款：" + "、".join(names) + "～"
    return "Try these: " + ", ".join(names) + "!"


def handoff_reply(lang: Language) -> str:
    if lang == "zh":
        return "好问题！我已经转给管理员了，稍后会在直播间回复你～"
    return "Good question! I've passed it to the moderators; someone will answer in chat shortly."


def complaint_reply(lang: Language, recorded: bool, mood: str | None = None) -> str:
    """The answer to a complaint: "a moderator will follow up" only when it was recorded for them
    (a complaint about an order, a delivery or a product); otherwise an apology that promises nothing.
    An upset room gets the calmer wording with the way to the shop's support."""
    upset = mood == "upset"
    if lang == "zh":
        if not recorded:
            return "抱歉让你不开心了～我们会注意的"
        if upset:
            return "非常抱歉，我们听到了。已经记录给管理员；订单问题请私信店铺客服，我们一定解决。"
        return "抱歉给你带来不好的体验！已经记录给管理员了，会尽快跟进～"
    if not recorded:
        return "Sorry to hear that! Thanks for telling us."
    if upset:
        return (
            "We hear you, and we're sorry. It's noted for the moderators; "
            "for orders please DM the shop so we can fix it."
        )
    return "Sorry about that! I've noted it for the moderators and they'll follow up."


def unknown_reply(lang: Language) -> str:
    """When a question could not be recorded for the moderators: no promise that someone answers."""
    if lang == "zh":
        return "这个我暂时不知道，抱歉～"
    return "Sorry, I don't know that one yet."


def shipping_fallback(lang: Language) -> str:
    if lang == "zh":
        return "下单后48小时内发货，具体配送范围可以点链接查看～"
    return "Orders ship within 48 hours; tap the shop link for delivery options to your country."
