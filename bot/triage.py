"""Cheap triage of every chat message: is it for the bot, or chatter?

Rasa parses ~45 messages/s per process on this machine and a busy room sends hundreds, so Rasa cannot
see everything. Triage runs on every message in microseconds with string checks only: a command
prefix, a mention of the bot, a product name from the catalog, question form and shopping words in
English and Chinese. Messages it calls *directed* are always answered (or explicitly deferred);
*chatter* goes to Rasa only while there is spare capacity (the gateway decides), otherwise it is shed
and counted. Intent and confidence come from Rasa afterwards, for the messages it does see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from nlu.reply_policy import QUESTION_EN, QUESTION_ZH

COMMAND_PREFIX = "!"

SHOPPING_EN = re.compile(
    r"\b(price|prices|pricing|cost|costs|link|links|buy|stock|in stock|sold out|ship|shipping|deliver|"
    r"delivery|size|sizes|colou?r|colou?rs|discount|coupon|code|promo|sale|recommend|schedule|next stream|"
    r"available|restock|refund|return|returns|shade|shades|skin|skin type|suit|suits|best for|pay|payment|"
    r"paypal|checkout|order|orders|tracking|warranty|ingredients?|genuine|authentic|legit|fake|products?)\b"
)
SHOPPING_ZH = re.compile(
    r"钱|价|链接|库存|有货|没货|发货|包邮|快递|尺码|码|颜色|色号|肤|适合|优惠|折|券|推荐|下次|直播时间|几点|上架|补货|退|"
    r"付款|支付|订单|下单|成分|保质期|正品|假货|保真|售后|发票"
)


class Priority(str, Enum):
    COMMAND = "command"
    DIRECTED = "directed"
    CHATTER = "chatter"


MENTIONS_BOT = "mentions the bot"
#: reasons that make a message a shop question the bot may answer without being addressed
SHOP_REASONS = frozenset({"question about a product", "shopping question", "short shopping request"})


@dataclass(frozen=True)
class TriageResult:
    priority: Priority
    reason: str
    product: str | None = None  # the catalog name the message mentions, for hot-topic counting
    question: bool = False  # question form: a question word or a question mark

    @property
    def for_bot(self) -> bool:
        return self.priority is not Priority.CHATTER

    @property
    def addressed(self) -> bool:
        """A command or a mention of the bot: the viewer talks to the bot (replies to the bot are
        seen on the event, see ``bot.gateway.addressing``)."""
        return self.priority is Priority.COMMAND or self.reason == MENTIONS_BOT

    @property
    def shop_question(self) -> bool:
        return self.reason in SHOP_REASONS


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class Triage:
    """Classifies messages; the catalog's names are swapped in whenever the catalog changes."""

    def __init__(self, bot_name: str, product_names: Iterable[str] = ()) -> None:
        names = {fold(bot_name), "bot", "机器人", "小助手", "助手"}
        self._mention = re.compile(
            r"(?:@\s*(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r"))"
            r"|\b(?:" + re.escape(fold(bot_name)) + r"|bot)\b"
            r"|机器人|小助手"
        )
        self._products: re.Pattern[str] | None = None
        self.set_product_names(product_names)

    def set_product_names(self, names: Iterable[str]) -> None:
        """Replace the catalog names triage looks for (Latin names on word boundaries)."""
        latin, cjk = [], []
        for name in {fold(n).strip() for n in names if n and n.strip()}:
            (latin if name.isascii() else cjk).append(re.escape(name))
        parts = []
        if latin:
            parts.append(r"\b(?:" + "|".join(sorted(latin, key=len, reverse=True)) + r")\b")
        if cjk:
            parts.append("|".join(sorted(cjk, key=len, reverse=True)))
        self._products = re.compile("|".join(parts)) if parts else None

    def classify(self, text: str) -> TriageResult:
        stripped = text.strip()
        if stripped.startswith(COMMAND_PREFIX) and len(stripped) > 1 and stripped[1].isalnum():
            return TriageResult(Priority.COMMAND, "command prefix")
        folded = fold(stripped)
        question = "?" in folded or bool(QUESTION_EN.search(folded) or QUESTION_ZH.search(folded))
        found = self._products.search(folded) if self._products else None
        product = found.group(0) if found else None
        if self._mention.search(folded):
            return TriageResult(Priority.DIRECTED, MENTIONS_BOT, product, question)
        shopping = bool(SHOPPING_EN.search(folded) or SHOPPING_ZH.search(folded))
        if product and (question or shopping):
            return TriageResult(Priority.DIRECTED, "question about a product", product, question)
        if shopping and question:
            return TriageResult(Priority.DIRECTED, "shopping question", None, question)
        if product:
            return TriageResult(Priority.DIRECTED, "names a product", product, question)
        if shopping and len(folded) <= 24:  # "price??", "link pls", "多少钱"
            return TriageResult(Priority.DIRECTED, "short shopping request", None, question)
        return TriageResult(Priority.CHATTER, "chatter", None, question)
