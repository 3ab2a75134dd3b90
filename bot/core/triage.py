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

from nlu.text.reply_policy import QUESTION_EN, QUESTION_ZH

COMMAND_PREFIX = "!"

SHOPPING_EN = re.compile(
    r"\b(price|prices|pricing|cost|costs|link|links|buy|stock|in stock|sold out|ship|shipping|deliver|"
    r"delivery|size|sizes|colou?r|colou?rs|discount|coupon|code|promo|sale|recommend|schedule|next stream|"
    r"available|restock|refund|return|returns|shade|shades|skin|skin type|suit|suits|best for|pay|payment|"
    r"paypal|checkout|order|orders|tracking|warranty|ingredients?|genuine|authentic|legit|fake|products?)\b"
)
# Phrases, not single characters: in danmaku 钱, 价, 退 and 成分 are mostly slang ("没钱了", "评价",
# "什么成分" = "what background"), so a replayed idol stream turned them into shop questions.
SHOPPING_ZH = re.compile(
    r"多少钱|几块钱|块钱|价格|价钱|价位|原价|现价|降价|特价|什么价|啥价|链接|库存|有货|没货|现货|发货|包邮|快递|"
    r"运费|尺码|码数|[a-z0-9]码|颜色|色号|肤质|干皮|油皮|敏感肌|适合|优惠|打折|折扣|几折|券|推荐|下次直播|直播时间|"
    r"几点开播|几点直播|上架|补货|退货|退款|能退|可以退|退换|付款|支付|订单|下单|保质期|正品|假货|保真|售后|发票|"
    r"怎么买|哪里买|在哪买|几天到|几天能到|多久到|多久能到"
)


# Price, stock, link, size and shipping words: "主播多少钱" and "主播这个有M码吗" are shop questions the bot
# answers although they name the streamer; "lulu what's your favorite shade" is for her.
BUYING = re.compile(
    r"\b(how much|price|cost|link|stock|sold out|ship|shipping|size|discount|coupon|code|buy|pay)\b"
    r"|钱|价|链接|库存|有货|没货|发货|包邮|快递|码|优惠|券|上架|补货|付款|下单"
)


class Priority(str, Enum):
    COMMAND = "command"
    DIRECTED = "directed"
    CHATTER = "chatter"


MENTIONS_BOT = "mentions the bot"
TO_STREAMER = "talks to the streamer"
#: how Chinese chat addresses whoever is streaming
STREAMER_WORDS = ("主播", "主包", "老板娘")
#: reasons that make a message a shop question the bot may answer without being addressed
SHOP_REASONS = frozenset({"question about a product", "shopping question", "short shopping request"})


@dataclass(frozen=True)
class TriageResult:
    priority: Priority
    reason: str
    product: str | None = None  # the catalog name the message mentions, for hot-topic counting
    question: bool = False  # question form: a question word or a question mark
    #: the message names the streamer (and no product): "lulu what's your favorite shade" is the
    #: streamer's to answer, not a shop question for the bot
    to_streamer: bool = False

    @property
    def for_bot(self) -> bool:
        return self.priority is not Priority.CHATTER

    @property
    def addressed(self) -> bool:
        """A command or a mention of the bot: the viewer talks to the bot (replies to the bot are
        seen on the event, see ``bot.core.gateway.addressing``)."""
        return self.priority is Priority.COMMAND or self.reason == MENTIONS_BOT

    @property
    def shop_question(self) -> bool:
        return self.reason in SHOP_REASONS


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for a set of names: Latin ones on word boundaries (longest first), others (Chinese)
    as substrings; None for no names."""
    latin: list[str] = []
    cjk: list[str] = []
    for name in {fold(n).strip() for n in names if n and n.strip()}:
        (latin if name.isascii() else cjk).append(re.escape(name))
    parts = []
    if latin:
        parts.append(r"\b(?:" + "|".join(sorted(latin, key=len, reverse=True)) + r")\b")
    if cjk:
        parts.append("|".join(sorted(cjk, key=len, reverse=True)))
    return re.compile("|".join(parts)) if parts else None


class Triage:
    """Classifies messages; the catalog's names are swapped in whenever the catalog changes."""

    def __init__(self, bot_name: str, product_names: Iterable[str] = ()) -> None:
        names = {fold(bot_name), "bot", "机器人", "小助手", "助手"}
        self._mention = re.compile(
            r"(?:@\s*(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r"))"
            r"|\b(?:" + re.escape(fold(bot_name)) + r"|bot)\b"
            r"|机器人|小助手"
        )
        self._products = names_pattern(product_names)
        self._streamer = names_pattern(STREAMER_WORDS)

    def set_product_names(self, names: Iterable[str]) -> None:
        """Replace the catalog names triage looks for."""
        self._products = names_pattern(names)

    def set_streamer_names(self, names: Iterable[str]) -> None:
        """The streamer's names (the graph's Streamer node), besides "主播"; replaced on catalog edits."""
        self._streamer = names_pattern([*STREAMER_WORDS, *names])

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
        to_streamer = self._streamer is not None and self._streamer.search(folded)
        if not product and to_streamer and not BUYING.search(folded):
            return TriageResult(Priority.CHATTER, TO_STREAMER, None, question, to_streamer=True)
        if product and (question or shopping):
            return TriageResult(Priority.DIRECTED, "question about a product", product, question)
        if shopping and question:
            return TriageResult(Priority.DIRECTED, "shopping question", None, question)
        if product:
            return TriageResult(Priority.DIRECTED, "names a product", product, question)
        if shopping and len(folded) <= 24:  # "price??", "link pls", "多少钱"
            return TriageResult(Priority.DIRECTED, "short shopping request", None, question)
        return TriageResult(Priority.CHATTER, "chatter", None, question)
