"""Which products a question is about: the one product resolver of the question-answering layer.

In order of evidence: catalog names and aliases found in the text (either language, longest first:
``catalog.find_mentions``), then a name typed with a typo (``fuzzy.fuzzy_mention``), then the product
the viewer's conversation is about ("how much is it?", "那红色呢?") — the context only when the text
names no product and no other thing, so a viewer asking about something we do not sell is never
answered about the previous product.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_graph.answers.understand import FREE_OF
from knowledge_graph.catalog.key_index import fuzzy_mention, shortened_name_mention
from knowledge_graph.catalog.mentions import find_mentions
from knowledge_graph.catalog.products import get_product
from knowledge_graph.model.product import Mention, Product
from knowledge_graph.store import GraphStore


@dataclass(frozen=True)
class Resolved:
    """The products of a question, in text order, and how they were found."""

    products: tuple[Product, ...]
    how: str
    """"name" (named exactly), "fuzzy" (a typo), "context" (the conversation's product) or "none"."""
    keys: tuple[str, ...] = ()
    """The normalized names/aliases that matched (for "name"), to tell a category word from a name."""
    ambiguous: bool = False
    """A name matched several products and none could be picked."""

    @property
    def product(self) -> Product | None:
        return self.products[0] if len(self.products) == 1 else None


NOTHING = Resolved((), "none")


async def resolve(
    store: GraphStore, text: str, *, context: str | None = None, fuzzy: bool = True
) -> Resolved:
    """The products ``text`` names; with ``context`` (a SKU or a name) the conversation's product when it
    names none. Several distinct products come back for comparisons ("the toner or the cleanser")."""
    text = FREE_OF.sub(" ", text)
    mentions = await find_mentions(store, text)
    if mentions:
        return _from_mentions(mentions)
    if fuzzy:
        found = await fuzzy_mention(store, text) or await shortened_name_mention(store, text)
        if found is not None:
            return Resolved((found,), "fuzzy")
    if context:
        product = await _context_product(store, context)
        if product is not None:
            return Resolved((product,), "context")
    return NOTHING


async def _context_product(store: GraphStore, context: str) -> Product | None:
    """The product ``context`` stands for: a SKU, or a name one product goes by (the gateway keeps the
    name chat triage saw in "大地色眼影盘闭眼入" when no answer has named the SKU yet)."""
    product = await get_product(store, context)
    if product is not None:
        return product
    named = _from_mentions(await find_mentions(store, context))
    return named.product


def _from_mentions(mentions: list[Mention]) -> Resolved:
    products: dict[str, Product] = {}
    ambiguous = False
    for mention in mentions:
        if len(mention.products) == 1:
            products.setdefault(mention.products[0].sku, mention.products[0])
        else:
            ambiguous = True
    return Resolved(
        tuple(products.values()),
        "name",
        tuple(m.key for m in mentions),
        ambiguous=ambiguous and not products,
    )
