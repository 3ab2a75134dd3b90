"""Which product a viewer's message asks about: the one rule the gateway's commands and the actions share."""

from __future__ import annotations

from collections.abc import Iterable

from knowledge_graph.catalog.mentions import find_product, find_product_mentioned
from knowledge_graph.model.product import Product
from knowledge_graph.store import GraphStore

__all__ = ["product_named"]


async def product_named(
    store: GraphStore, text: str | None, names: Iterable[str] = (), remembered: str | None = None
) -> Product | None:
    """The product the viewer asks about, most specific evidence first.

    1. a name given for it (an NLU ``product`` entity, a command's argument): exact name, alias or SKU;
    2. any catalog name or alias mentioned in ``text`` (NLU may miss a new product);
    3. ``remembered``, the product of an earlier turn ("and how much is it?"), but only when no
       name was given at all: a viewer who names something we do not sell must be asked, not
       answered about a different product.
    """
    named = [value.strip() for value in names if isinstance(value, str) and value.strip()]
    for value in dict.fromkeys(named):
        product = await find_product(store, value)
        if product is not None:
            return product
    if isinstance(text, str) and text.strip():
        product = await find_product_mentioned(store, text)
        if product is not None:
            return product
    if named:
        return None
    if isinstance(remembered, str) and remembered.strip():
        return await find_product(store, remembered)
    return None
