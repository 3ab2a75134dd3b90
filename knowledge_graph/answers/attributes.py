"""Product attributes kept as namespaced tags, and the questions that ask for them.

The catalog stores what viewers ask about a product as tags: ``skin:oily`` (skin types it suits),
``finish:matte``, ``size:30 ml``, ``ingredient:niacinamide``, ``benefit:waterproof``, ``need:beginner``.
This module reads them (``attributes_of``), names them in the asker's language through the lexicon,
and recognises the questions that ask for one ("what skin type is it for?", "多大容量?").
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_graph.answers.lexicon import TERMS, Term
from knowledge_graph.model.product import Product
from knowledge_graph.model.text import find_word
from nlu.text.language import Language

KINDS = ("skin", "finish", "size", "ingredient", "benefit", "need")

ASKS: dict[str, re.Pattern[str]] = {
    "skin": re.compile(
        r"\b(skin ?types?|oily|dry|sensitive|combination|acne|breakouts?|my skin)\b"
        r"|肤质|油皮|干皮|敏感肌|混油|混干|痘痘肌|油性|干性|什么皮|皮肤"
    ),
    "finish": re.compile(
        r"\b(finish|matte or|dewy|glossy|satin|sheer|shiny)\b|妆效|(?:哑光|水光|雾面)的?还是|质地|光泽"
    ),
    "size": re.compile(
        r"\b(how big|what size is|how much (?:product(?! (?:do|should|shall|would|to|per|each)\b)|is in)"
        r"|how much (?:[\w-]+ ){0,3}(?:do|would|will) (?:i|u|you|we) (?:actually |really )?get in"
        r"|(?:what|the) volume|ml is|grams?|capacity"
        r"|how large"
        r"|how many (?:ml|g|oz|sheets|pieces|brushes|grams?)"
        r"|how many (?:[\w-]+ ){0,2}?(?:do (?:u|you|i|we) get |are |come )?"
        r"(?:in (?:a|the|one|each)|per) (?:box|pack|set))\b"
        r"|克数|毫升数|容量|净含量"
        r"|\b(?:bigger|larger|smaller|other|travel|mini|full|different) sizes?\b"
        r"|\bcome in (?:a )?(?:bigger|smaller|larger)\b"
        r"|^(?:and |the |what'?s the |what is the |wat )?size\W*$|\b(?:vs|or) [a-z ]{2,30} sizes?\W*$"
        r"|容量|多大|多少ml|多少毫升|(?<!还有)(?<!剩)(?<!还剩)几片|(?<!还有)(?<!剩)(?<!还剩)几支|规格|多少克|净含量|几毫升|大瓶|大容量|小样|旅行装|大号|小号"
        r"|几克|几ml|几g\b|多少g\b|几把|能装多少|装多少|多重|多沉"
        r"|\b(?:a )?(?:big|large|small) jar\b|\bmini one\b"
    ),
    "ingredient": re.compile(
        r"\b(ingredients?|ingr[ei]di[ae]nts?|(?:hero|star|main|key) ingr\w+"
        r"|what(?:'?s| is) (?:actually |really )?in (?:it|the|this|that|ur|your)"
        r"(?! (?:box|set|pack|package|packet|kit|bag|case|parcel|order|gift ?box))"
        r"|contains?|formula|made of|made with|any oils? in"
        r"|(?:main|key) actives?|the actives?|actives? in)\b"
        r"|成分|含有|含不含|有没有添加|配方|含什么|里面有什么|里面有啥|什么.{0,2}做的|用什么做|啥做的"
    ),
}


def attributes_of(product: Product, kind: str) -> list[str]:
    """The tag values of ``kind`` on ``product`` ("skin" -> ["oily", "combination"])."""
    prefix = f"{kind}:"
    return [tag[len(prefix) :] for tag in product.tags if tag.startswith(prefix)]


def has_tag(product: Product, tag: str) -> bool:
    return tag in product.tags


@lru_cache(maxsize=1)
def _terms() -> dict[str, Term]:
    return {term.tag: term for term in TERMS}


def in_name(product: Product, tag: str) -> bool:
    """Whether the product's own name says ``tag`` ("Amino Acid Cleanser", "玻尿酸面膜"): a viewer who
    says "the amino acid face wash" names the product, not an ingredient they ask about."""
    value = tag.split(":", 1)[-1].replace("-", " ")
    words = {value, value.removesuffix("s"), label(tag, "en").lower(), label(tag, "zh")}
    names = f"{product.name_en} {product.name_zh}".lower().replace("-", " ")
    return any(w and find_word(w, names) != -1 for w in words)


def label(tag: str, lang: Language) -> str:
    """How ``tag`` ("skin:oily") is said in ``lang`` ("oily skin" / "油皮"); the raw value when the
    lexicon has no term for it (a size such as "30 ml" is said as stored)."""
    term = _terms().get(tag)
    if term is None:
        value = tag.split(":", 1)[-1]
        if lang == "zh":
            value = re.sub(r"\s+(?=[片件])", "", _ZH_UNITS.sub(lambda m: ZH_UNITS[m.group(0)], value))
        return value
    return term.zh if lang == "zh" else term.en


ZH_UNITS = {"sheets": "片", "sheet": "片", "pieces": "件", "piece": "件"}
"""Counted units of sizes in Chinese ("10 sheets" -> "10片"); ml and g read the same in both languages."""
_ZH_UNITS = re.compile(r"\b(?:sheets?|pieces?)\b")


def labels(product: Product, kind: str, lang: Language) -> list[str]:
    return [label(f"{kind}:{value}", lang) for value in attributes_of(product, kind)]


SKIN_TONE = re.compile(
    r"\b(?:deep|dark|darker|tan|tanned|pale|fair|olive|brown|black)(?:[- ]?skinned| skin(?: tone)?)\b"
    r"|\bskin(?: tone)? is (?:\w+ )?(?:deep|dark|tan|tanned|pale|fair|olive|brown)\b"
    r"|\bskin ?tone|\bundertones?\b"
    r"|黄黑皮|黄皮|白皮|黑皮|肤色|冷白皮|暖皮|冷皮"
)
"""The skin's colour ("my skin is pretty deep", "黄黑皮"), which the skin types do not answer."""
COVERAGE = re.compile(r"\bcoverage\b|遮瑕力|遮不遮")
"""How much a base product covers, which its finish tag does not answer."""
SKIN_TYPE = re.compile(r"\b(?:oily|dry|sensitive|combination|acne)\b|油皮|干皮|敏感|混油|混干|痘")


def asked_attribute(text: str) -> str | None:
    """Which attribute kind a (normalized) question asks about, or None. A question about the skin's
    colour without a skin type asks no skin type ("will the blush show up on my deep skin")."""
    for kind, pattern in ASKS.items():
        if kind == "skin" and SKIN_TONE.search(text) and not SKIN_TYPE.search(text):
            continue
        if kind == "finish" and COVERAGE.search(text):
            continue  # "heavy coverage or more sheer": how much it covers, which no finish says
        if pattern.search(text):
            return kind
    return None


def suits_skin(product: Product, skin_tag: str) -> bool:
    """Does the product suit the skin type of ``skin_tag`` ("skin:oily")? "skin:all" suits every one."""
    return has_tag(product, skin_tag) or has_tag(product, "skin:all")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)")


def size_amount(product: Product) -> tuple[float, str] | None:
    """(amount, unit) of the product's size tag ("200 ml" -> (200.0, "ml")), or None."""
    for value in attributes_of(product, "size"):
        match = _SIZE.match(value.casefold())
        if match:
            return float(match.group(1)), match.group(2)
    return None
