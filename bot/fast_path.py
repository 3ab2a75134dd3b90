"""The fast path: "how much is the <product>?" / "is the <product> in stock?" answered from the graph.

One Rasa process completes ~10 custom-action turns per second on this machine, and in a busy live room
most bot-directed messages are price and stock questions naming a product. Those are answered here from
the knowledge graph in about a millisecond, in the same words the custom actions use
(actions/replies.py), and Rasa is told afterwards (a ``product`` slot event on the viewer's
conversation) so a follow-up such as "and what colours?" still refers to that product. Everything else
(follow-ups without a product name, other intents, compound questions) goes to Rasa as before.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from actions import replies
from bot.rasa_client import RasaClient
from knowledge_graph.catalog import Product, find_product_mentioned
from knowledge_graph.errors import KnowledgeGraphError
from knowledge_graph.interactions import record_interaction
from knowledge_graph.store import GraphStore
from nlu.language import normalize_language

log = logging.getLogger(__name__)

PRICE_QUESTION = re.compile(
    r"\b(how much|price|prices|pricing|cost|costs)\b|多少钱|几块|价格|价钱|什么价|啥价|怎么卖|多钱",
    re.IGNORECASE,
)
STOCK_QUESTION = re.compile(
    r"\b(in stock|stock|sold out|available|left)\b|有货|有没有货|还有吗|库存|卖完|没货|售罄", re.IGNORECASE
)
# Words that make a price/stock question something else ("is there a discount?", "which sizes are in
# stock?", "cheaper than"): leave those to Rasa, which knows the intents.
NOT_PLAIN = re.compile(
    r"\b(discount|coupon|code|cheaper|compare|vs|than|shipping|ship|size|sizes|colou?rs?|shade|and|or)\b"
    r"|优惠|便宜|比|运费|尺码|码|颜色|色号|和|还是",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FastAnswer:
    text: str
    product: Product


class FastPath:
    def __init__(self, store_of: Callable[[], GraphStore], rasa: RasaClient | None = None) -> None:
        self._store_of = store_of
        self._rasa = rasa
        self._bookkeeping: dict[str, asyncio.Task[None]] = {}  # conversation id -> its context update

    @staticmethod
    def kind(text: str) -> str | None:
        """ "price" or "stock" for a plain question of that kind (not both), else None."""
        if NOT_PLAIN.search(text):
            return None
        price, stock = bool(PRICE_QUESTION.search(text)), bool(STOCK_QUESTION.search(text))
        if price == stock:
            return None
        return "price" if price else "stock"

    @classmethod
    def applies(cls, text: str) -> bool:
        return cls.kind(text) is not None

    async def answer(
        self, text: str, lang: str, *, platform: str, viewer_id: str, conversation_id: str
    ) -> FastAnswer | None:
        """The price answer, or None to let Rasa handle it (not a plain price question, no product
        named, or the graph unavailable)."""
        kind = self.kind(text)
        if kind is None:
            return None
        store = self._store_of()
        try:
            product = await find_product_mentioned(store, text)
        except KnowledgeGraphError as err:
            log.info("fast path skipped (graph): %s", err)
            return None
        if product is None:
            return None
        language = normalize_language(lang) or "en"
        task = asyncio.create_task(
            self._after(store, product, language, platform, viewer_id, conversation_id)
        )
        self._bookkeeping[conversation_id] = task
        task.add_done_callback(lambda t, c=conversation_id: self._forget(c, t))
        reply = replies.price_reply if kind == "price" else replies.stock_reply
        return FastAnswer(reply(product, language), product)

    async def _after(
        self,
        store: GraphStore,
        product: Product,
        lang: str,
        platform: str,
        viewer_id: str,
        conversation_id: str,
    ) -> None:
        """Bookkeeping off the reply's critical path: Rasa's context first (a follow-up waits for it,
        see :meth:`settle`), then the interaction graph. Never raises: a failure costs context, not
        the conversation."""
        try:
            if self._rasa is not None:
                await self._rasa.set_slots(conversation_id, {"product": product.sku, "lang": lang})
            await record_interaction(store, platform, viewer_id, product.sku)
        except KnowledgeGraphError as err:
            log.info("interaction not recorded: %s", err)
        except Exception:
            log.exception("fast-path bookkeeping failed for %s", conversation_id)

    def _forget(self, conversation_id: str, task: asyncio.Task[None]) -> None:
        if self._bookkeeping.get(conversation_id) is task:
            del self._bookkeeping[conversation_id]

    async def settle(self, conversation_id: str) -> None:
        """Wait until Rasa knows this conversation's fast-path context, so a follow-up sent right
        after the fast answer ("and is it in stock?") cannot overtake the product slot."""
        task = self._bookkeeping.get(conversation_id)
        if task is not None:
            await asyncio.shield(task)
