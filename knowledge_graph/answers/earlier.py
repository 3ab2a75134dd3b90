"""Products said earlier in a viewer's conversation, which "第一个", "the cheaper one" and "这俩" refer to.

A viewer who asked "口红多少钱" and then "那唇釉呢" has two products on the table; "第一个有几个色号"
asks about the lipstick and "便宜的那个" about the cheaper of the two. The reference is read against the
products the viewer's own earlier questions named, in the order they were named, and said again as the
product's name, so the rest of the layer reads the question as if the viewer had typed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from knowledge_graph.answers.resolver import resolve
from knowledge_graph.model.product import Product
from knowledge_graph.store import GraphStore
from nlu.text.language import Language

EARLIER_QUESTIONS = 3
"""How many of a viewer's questions before this one a reference can reach back to."""

_Pick = Callable[[list[Product], str | None], list[Product]]


def _nth(n: int) -> _Pick:
    return lambda said, _context: said[n : n + 1] if len(said) > n else []


def _before_last(said: list[Product], _context: str | None) -> list[Product]:
    return said[-2:-1]


def _the_other(said: list[Product], context: str | None) -> list[Product]:
    last_two = said[-2:]
    others = [p for p in last_two if p.sku != context]
    return others if len(others) == 1 else []


def _cheapest(said: list[Product], _context: str | None) -> list[Product]:
    return [min(said, key=lambda p: p.price)]


def _dearest(said: list[Product], _context: str | None) -> list[Product]:
    return [max(said, key=lambda p: p.price)]


def _last_two(said: list[Product], _context: str | None) -> list[Product]:
    return said[-2:]


REFERENCES: tuple[tuple[re.Pattern[str], _Pick], ...] = (
    (
        re.compile(
            r"(?:那|那个)?第一(?:个|款|种|支|瓶)|最开始那(?:个|款)|头一个"
            r"|\bthe (?:first|1st) one\b|^first one\b"
        ),
        _nth(0),
    ),
    (re.compile(r"(?:那|那个)?第二(?:个|款|种|支|瓶)|\bthe (?:second|2nd) one\b"), _nth(1)),
    (re.compile(r"(?:那|那个)?第三(?:个|款|种|支|瓶)|\bthe (?:third|3rd) one\b"), _nth(2)),
    (
        re.compile(
            r"前面(?:那|的那|说的那)(?:个|款)|前一(?:个|款)|\bthe (?:previous|one before|earlier) one\b"
        ),
        _before_last,
    ),
    (re.compile(r"另(?:一|外一)(?:个|款)|\bthe other one\b"), _the_other),
    (
        re.compile(
            r"(?:最)?便宜(?:点|一点)?的?那(?:个|款|支|瓶)|\bthe (?:cheaper|cheapest|less expensive) one\b"
        ),
        _cheapest,
    ),
    (
        re.compile(
            r"(?:最)?贵(?:点|一点)?的?那(?:个|款|支|瓶)"
            r"|\bthe (?:pricier|priciest|dearer|more expensive|most expensive|expensive) one\b"
        ),
        _dearest,
    ),
    (
        re.compile(
            r"[这那](?:俩|两个|两款|两样)|\b(?:these|those|the) two\b|\bboth of (?:them|those|these)\b"
        ),
        _last_two,
    ),
)
"""How a question points at products said before, and which of them it means."""


async def said_before(store: GraphStore, earlier: Sequence[str]) -> list[Product]:
    """The products the earlier questions named, each once, in the order first named."""
    said: dict[str, Product] = {}
    for question in earlier[-EARLIER_QUESTIONS:]:
        for product in (await resolve(store, question, fuzzy=False)).products:
            said.setdefault(product.sku, product)
    return list(said.values())


async def names_for_references(
    store: GraphStore, text: str, earlier: Sequence[str], context: str | None, lang: Language
) -> str:
    """``text`` with a reference to products said before ("第一个", "the cheaper one", "这俩") said as
    their names; unchanged when it makes none, or when fewer than two products were said (one product is
    the conversation's, which "it" already reaches)."""
    if not earlier:
        return text
    for pattern, pick in REFERENCES:
        match = pattern.search(text)
        if match is None:
            continue
        said = await said_before(store, earlier)
        if len(said) < 2:
            return text
        meant = pick(said, context)
        if not meant:
            return text
        names = ("和" if lang == "zh" else " or ").join(p.name(lang) for p in meant)
        return f"{text[: match.start()]}{'' if lang == 'zh' else 'the '}{names}{text[match.end() :]}"
    return text
