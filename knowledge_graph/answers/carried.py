"""Does the shop sell the kind of thing a "do you sell X?" question names?

The resolver finds the closest product, and the reading finds the catalog vocabulary, in any X: "lip
liner" comes out as the eyeliner (a fuzzy name) in the lips category, "hand cream" as the creams, "遮瑕膏"
as the high-coverage foundation. Answering those with that product's FAQ, a category listing or a
recommendation gives a confident wrong answer; "we don't carry that" is the truth.

X is split into its modifiers (colours, categories, attribute words, filler: what any product can be
asked with) and its head (the rest: "liner", "hand cream", "膏"). The shop carries X when some product
is called by the head (every head word in one of its names or aliases; in Chinese, the head inside one)
and fits X's categories and attribute tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge_graph.answers import attributes
from knowledge_graph.answers.understand import GOODS_HEAD, Reading, strip_vocabulary
from knowledge_graph.model.product import Product
from knowledge_graph.model.text import normalize_key, singular

GENERIC_EN = frozenset(
    "a an any some the or and good nice cheap new small big mini travel sized size kind type sort of brand "
    "branded "
    "face body skin product products stuff thing things here please pls u you your ur one set makeup "
    "make-up cosmetics non stuff item items option options rich light lightweight gentle mild thick thin "
    "heavy soft strong decent affordable quality simple basic friendly portable gentler lighter richer "
    "cheaper better softer milder bigger smaller nicer into".split()
)
"""Words that narrow nothing about the kind of product."""
GENERIC_ZH = re.compile(
    r"[的个款种点些支瓶盒一好用便宜哪啥含带类]|彩妆|化妆品|东西|产品|什么|适合|那种|样的|成分|功效|效果|系列|平价|学生党"
)
PRODUCT_CHARS = frozenset("膏笔水油霜乳液露棒刷盘粉膜器仪夹梳杯巾贴饼蜡镜环链戒帽鞋袜刀蛋衣")
"""Characters that end Chinese product words (牙膏, 唇线笔, 卸妆水, 耳环, 剃须刀): one alone still names a
kind."""
KIND_WORDS_ZH = re.compile(r"遮瑕|修容|高光|卸妆|眉|美甲|指甲|睫毛|美瞳|假发")
"""Words that are a kind of product in themselves before a product character (遮瑕液 is a concealer, not a
high-coverage 液), kept when the catalog's attribute words are taken out of a thing asked for."""
CLAUSE_BREAK = re.compile(r"[\s,，。.!！?？~～、;；]+")
UNDER_EYE = re.compile(r"\bunder[- ]eyes?\b")
""""under eye patches" are patches, not something under the price of an eye."""
INSIDE = re.compile(r"\b(?:in|inside) (?:the |ur |your |this |that )?")
"""What is inside a product named after it ("oils in the lip gloss")."""
TRAILING_CLAUSE = re.compile(r"(?:^|\s+)(?:for|with|that|which|to|in|on|from|under|below|like)\b.*$")


def carried(reading: Reading, products: Sequence[Product], named: Sequence[str] = ()) -> bool:
    """False when the shop sells nothing of the kind ``reading.sell_thing`` names; True when it does,
    when the thing is only catalog vocabulary (a category, a colour, a need) that the other
    strategies answer, or when a product is named outside it ("is there alcohol in the toner?" asks
    about the toner). ``named``: the normalized names the resolver found in the question."""
    thing = reading.sell_thing
    if not thing:
        return True
    kind = _kind(thing)
    if any(INSIDE.search(thing) and key in INSIDE.split(thing, maxsplit=1)[-1] for key in named):
        return True  # "any oils in the lip gloss?": what is in our product
    if any(key not in kind for key in named) and not _goods(kind):
        return True  # "is there alcohol in the toner": about the toner; not "nail polish … the lipstick"
    if named and _only_connected_names(kind, named):
        return True  # "toner then serum or serum then toner?": our products, in an order
    head = _head(kind)
    if not head:
        return True
    for product in products:
        if _called(product, head) and _fits(product, reading):
            return True
    return False


def asks_for_goods(reading: Reading) -> bool:
    """Does ``reading.sell_thing`` end in a word for goods ("hair straighteners", "洗发水")?"""
    return bool(reading.sell_thing) and _goods(_kind(reading.sell_thing or ""))


def only_names(thing: str, product: Product) -> bool:
    """Whether ``thing`` (a "do you sell X?" X) is nothing but one of the product's names ("candles",
    "any gloss", "那个口红"): the question asks whether the shop has it, not anything about it."""
    kind = normalize_key(thing)
    if kind.isascii():  # the whole X: "sunscreen for oily skin" asks about the skin too
        words = {singular(w) for w in re.findall(r"[a-z][a-z'-]*", kind) if w not in GENERIC_EN}
        return bool(words) and any(
            words == {singular(w) for w in re.findall(r"[a-z][a-z'-]*", name)}
            for name in product_names(product)
        )
    rest = GENERIC_ZH.sub("", re.sub(r"[^\u4e00-\u9fff]", "", _kind(thing)))
    return bool(rest) and rest in product_names(product)


def names_a_kind(reading: Reading) -> bool:
    """Does ``reading.sell_thing`` name a kind of product at all (not only catalog words or a stray
    character: "找你们有效" is not asking for a product called 效)?"""
    thing = reading.sell_thing
    return bool(thing and _head(_kind(thing)))


def product_names(product: Product) -> list[str]:
    """The product's names and aliases, normalized (its catalog match keys without the SKU)."""
    return [key for key, source in product.match_keys() if source != "sku"]


def _kind(thing: str) -> str:
    """The thing asked for without what follows or qualifies it ("sunscreen for oily skin" -> "sunscreen",
    "防水的东西 下个月去海边" -> "东西")."""
    kind = TRAILING_CLAUSE.sub("", UNDER_EYE.sub("undereye", normalize_key(thing)))
    if not kind.isascii():
        kind = _asking_clause(kind)
    if not kind.isascii() and kind.rsplit("的", 1)[-1].strip():
        kind = kind.rsplit("的", 1)[-1].strip()  # "不想太油的精华": the thing is the 精华
    first = kind.split(" ", 1)[0]
    return first if not kind.isascii() and _head(first) else kind


CONNECTIVES = frozenset(
    {"then", "or", "and", "vs", "versus", "first", "before", "after", "with", "plus", "&"}
)


def _only_connected_names(kind: str, named: Sequence[str]) -> bool:
    """Is ``kind`` nothing but the named products joined by words like "then", "or", "and" (at least one)?"""
    rest = kind
    for key in sorted(named, key=len, reverse=True):
        rest = rest.replace(key, " ")
    words = re.findall(r"[^\s/+,，、]+", rest)  # none: "防晒喷雾" is a sunscreen spray, not two products
    return bool(words) and all(w in CONNECTIVES or re.fullmatch(r"[还是和跟或先再然后]+", w) for w in words)


def _asking_clause(kind: str) -> str:
    """The clause of a Chinese thing that says what is asked for: the first one that names a kind or
    uses catalog words ("无香精的 怕香精过敏": the fragrance-free one; the fear is a remark)."""
    for clause in CLAUSE_BREAK.split(kind):
        if clause and (_head(clause) or strip_vocabulary(clause) != clause):
            return clause
    return kind


def _goods(kind: str) -> bool:
    """Whether ``kind`` ends in a word for goods ("nail polish", "concealer", "卸妆液"), so that it asks
    for a product even when the question names one of ours beside it."""
    return bool(GOODS_HEAD.search(kind)) or (not kind.isascii() and kind[-1:] in PRODUCT_CHARS)


def _head(kind: str) -> str:
    rest = strip_vocabulary(kind)
    kept = KIND_WORDS_ZH.search(kind)
    if kept and kept.group(0) not in rest:  # "遮瑕液", "遮瑕": the concealer stays a concealer
        rest = f"{kept.group(0)}{rest}"
    if rest.isascii():
        return " ".join(w for w in re.findall(r"[a-z][a-z'-]*", rest) if w not in GENERIC_EN)
    head = GENERIC_ZH.sub("", re.sub(r"[^\u4e00-\u9fff]", "", rest))
    return head if len(head) > 1 or head in PRODUCT_CHARS else ""


def _called(product: Product, head: str) -> bool:
    names = product_names(product)
    if head.isascii():
        words = {singular(w) for w in head.split()}
        return any(words <= {singular(w) for w in re.findall(r"[a-z][a-z'-]*", name)} for name in names)
    return any(head in name for name in names)


def _fits(product: Product, reading: Reading) -> bool:
    if reading.categories and product.category not in reading.categories:
        return False
    return all(
        attributes.suits_skin(product, tag) if tag.startswith("skin:") else attributes.has_tag(product, tag)
        for tag in reading.tags
    )
