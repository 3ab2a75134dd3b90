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

COMMAND_PREFIX = "!"

QUESTION_EN = re.compile(
    r"\b(how much|how many|how long|what|when|where|which|who|why|is it|is there|are there|is the|"
    r"does it|do you|can i|can you|could you|any)\b"
)
SHOPPING_EN = re.compile(
    r"\b(price|prices|pricing|cost|costs|link|links|buy|stock|in stock|sold out|ship|shipping|deliver|"
    r"delivery|size|sizes|colou?r|colou?rs|discount|coupon|code|promo|sale|recommend|schedule|next stream|"
    r"available|restock|refund|return|shade|shades|skin|skin type|suit|suits|best for)\b"
)
QUESTION_ZH = re.compile(r"多少|吗|么|呢|什么|啥|怎么|咋|哪|几|有没有|能不能|可不可以|是不是|求")
SHOPPING_ZH = re.compile(
    r"钱|价|链接|库存|有货|没货|发货|包邮|快递|尺码|码|颜色|色号|肤|适合|优惠|折|券|推荐|下次|直播时间|几点|上架|补货|退"
)


class Priority(str, Enum):
    COMMAND = "command"
    DIRECTED = "directed"
    CHATTER = "chatter"


@dataclass(frozen=True)
class TriageResult:
    priority: Priority
    reason: str
    product: str | None = None  # the catalog name the message mentions, for hot-topic counting

    @property
    def for_bot(self) -> bool:
        return self.priority is not Priority.CHATTER


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
        if self._mention.search(folded):
            found = self._products.search(folded) if self._products else None
            return TriageResult(Priority.DIRECTED, "mentions the bot", found.group(0) if found else None)
        question = folded.endswith(("?", "？")) or bool(
            QUESTION_EN.search(folded) or QUESTION_ZH.search(folded)
        )
        shopping = bool(SHOPPING_EN.search(folded) or SHOPPING_ZH.search(folded))
        found = self._products.search(folded) if self._products else None
        product = found.group(0) if found else None
        if product and (question or shopping):
            return TriageResult(Priority.DIRECTED, "question about a product", product)
        if shopping and question:
            return TriageResult(Priority.DIRECTED, "shopping question")
        if product:
            return TriageResult(Priority.DIRECTED, "names a product", product)
        if shopping and len(folded) <= 24:  # "price??", "link pls", "多少钱"
            return TriageResult(Priority.DIRECTED, "short shopping request")
        return TriageResult(Priority.CHATTER, "chatter")
