"""Every user-visible text the custom actions send, in English and Chinese.

The answers about products (prices, stock, variants, deals, recommendations) and price formatting
are worded in knowledge_graph/answers/wording.py, shared with the gateway's question-answering lane, and
re-exported here; the rest is kept in this module so wording and tone are reviewed in one
place. Fixed replies to plain intents (greet, thanks ...) live in domain.yml as responses.

Replies never echo what the viewer typed: in a public chat an echo lets anyone make the bot say
anything ("how much is the <insult>?"). They only contain catalog data.
"""

from __future__ import annotations

from knowledge_graph.answers.wording import (  # re-exported: the actions' answers are worded there
    BEIJING,
    discount_reply,
    format_price,
    info_reply,
    price_reply,
    recommend_reply,
    schedule_reply,
    schedule_text,
    stock_reply,
    variant_not_offered,
    variant_reply,
)
from nlu.text.language import Language

__all__ = [
    "BEIJING",
    "discount_reply",
    "format_price",
    "info_reply",
    "price_reply",
    "recommend_reply",
    "schedule_reply",
    "schedule_text",
    "stock_reply",
    "variant_not_offered",
    "variant_reply",
]


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


# --------------------------------------------------------------------------- catalog answers


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


def streamer_reply(name: str | None, lang: Language) -> str:
    if lang == "zh":
        who = f"主播是{name}" if name else "这里是品牌官方直播间"
        return f"{who}～全部商品品牌官方直供，可开发票。"
    who = f"This is {name}'s stream" if name else "This is the brand's official stream"
    return f"{who}: everything comes straight from the brands, with official invoices."


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
