"""Answer a viewer's shop question from the product graph, or decline so Rasa or a human can.

``QuestionAnswerer.answer`` is the one entry point, used by the gateway's question-answering lane
(bot/adapters/qa_lane.py) and by the custom actions (actions/), so a question gets the same answer whichever
path serves it. It reads the question's shape (``understand.read_question``), finds the products it is
about (``resolver.resolve``, with the conversation's product for follow-ups) and picks one strategy:

- comparison of two named products by price ("which is cheaper, the toner or the cleanser?");
- superlative within a filter ("cheapest lipstick", "最受欢迎的护肤品");
- need-based recommendation: filter by the category, attribute or price asked, rank by the viewer's
  interaction graph and popularity, say why;
- filters: a price bound, a colour in stock, a category or attribute ("anything under ¥60?");
- a product the shop does not sell: "we don't carry that", with the demand recorded for the streamer;
- about one product: variants, deals, price (with the running promotion), stock, an attribute from its
  tags, else its FAQs ranked by meaning, else its description;
- deals running in the shop;
- the shop's FAQs ranked by meaning, precision first.

``None`` means "not a question this layer answers confidently": the caller passes it on (the gateway to
Rasa, an action to its hand-off). Every answer names catalog values only, never the viewer's words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from difflib import SequenceMatcher
from typing import TypedDict

from knowledge_graph.answers import attributes, wording
from knowledge_graph.answers.carried import (
    GENERIC_EN,
    asks_for_goods,
    carried,
    names_a_kind,
    only_names,
    product_names,
)
from knowledge_graph.answers.earlier import names_for_references
from knowledge_graph.answers.faq_rank import Ranked, faq_texts, rank, words_shared
from knowledge_graph.answers.lexicon import (
    CATEGORY_GROUPS,
    CATEGORY_WORDS,
    COLOUR_FAMILIES,
    PRODUCT_TOPICS,
    SEASONS,
    SHADES,
    SHOP_TOPICS,
    TOPIC_COVERS,
    term_for,
)
from knowledge_graph.answers.needs import NEED_REQUEST, NEED_SPREAD, by_need, faq_texts_by_product, match_need
from knowledge_graph.answers.pinyin_words import respell_shop_words
from knowledge_graph.answers.resolver import Resolved, resolve
from knowledge_graph.answers.selection import Selection, products_in_shades, select_products, sold_out
from knowledge_graph.answers.shipping import read_rule, shipping_note
from knowledge_graph.answers.understand import (
    CLAUSE_END,
    COMPARING,
    GOODS_HEAD,
    HOW_TO,
    MENTION,
    NO_CODE,
    NOT_COLOURS,
    PLEASE,
    QUESTION,
    RECOMMEND,
    REGRET,
    TOTAL_ASK,
    USED_TOGETHER,
    WANTS,
    YES_NO,
    Reading,
    answer_kind_fits,
    asks,
    category_word_keys,
    category_words,
    count_named,
    gives_kind,
    kinds_asked,
    question_parts,
    read_question,
    shares_content,
    topic_words,
)
from knowledge_graph.catalog.faqs import get_streamer, list_faqs, list_product_faqs
from knowledge_graph.catalog.key_index import respell_sound_alikes
from knowledge_graph.catalog.products import get_product, list_products
from knowledge_graph.editing.catalog_items import list_promotions
from knowledge_graph.editing.open_questions import record_open_question
from knowledge_graph.errors import ValidationError
from knowledge_graph.model.entities import Category, Promotion, Variant
from knowledge_graph.model.faq import FAQ
from knowledge_graph.model.product import Product
from knowledge_graph.model.text import find_word, normalize_key, singular
from knowledge_graph.model.timeutil import now_ms
from knowledge_graph.queries import active_promotions, next_stream, variant_counts, variants_of
from knowledge_graph.semantic.batching import BatchEncoder
from knowledge_graph.store import GraphStore
from nlu.text.language import Language, normalize_language
from nlu.text.sentiment import sentiment as message_sentiment

log = logging.getLogger(__name__)

# Calibrated on tests/qa/dev.jsonl (bench/eval_qa.py); see README "Question answering".
PRODUCT_FAQ_THRESHOLD = 0.55
PRODUCT_FAQ_MARGIN = 0.04
PRODUCT_FAQ_CLEAR = (0.40, 0.10)
"""A lower score still answers when it leads the product's other FAQs clearly: a product has a few FAQs
on different things, and a short slangy question ("雾面口红粘杯不") scores low against all of them."""
PRODUCT_FAQ_TOPICAL = (0.35, 0.06)
"""A question that says a topic of ``lexicon.PRODUCT_TOPICS`` ("卸起来费劲不" is about removing it) has the
topic's words added before ranking, so the FAQ on top leads on what was asked: a lower bar answers."""
PRODUCT_FAQ_CLOSE = (0.58, 0.0)
"""A high score answers even when a second FAQ is as close: on the tuning splits every product question
scoring this high had the right FAQ on top ("can i sleep with the tinted balm on?" is near both "Can I
wear it overnight?" and "Can I put it on under a lipstick?")."""
DESCRIPTION_RELATES = 0.25
"""Meaning similarity from which a product's description answers a yes/no question about it."""
SHOP_FAQ_THRESHOLD = 0.46
SHOP_FAQ_MARGIN = 0.02
SHOP_FAQ_TOPICAL = (0.30, 0.05)
"""A question on one shop topic (its cue words say which) that the FAQ asking that topic leads: a lower
score answers ("got cherry red but nude beige would suit me better, havent opened it": many shade words
beside "Can I return something?")."""
SHOP_FAQ_BESIDE_PRODUCT = (0.50, 0.10)
"""A question that names a product but that nothing of the product answers ("ordered the cushion last
night, when does it leave the warehouse") takes a shop FAQ only above this (score, margin): stricter than
a shop question, since the product's description is the answer otherwise."""
BODY_PART = re.compile(r"\b(?:eyes|under ?eyes?|eyelids?|lips|face)\b|眼睛|眼周|眼皮|嘴唇|脸上")
"""A category word said as the body part it is for ("eyes like a pufferfish"), not the make-up."""
PROBLEM_TAGS = frozenset({"benefit", "ingredient", "skin"})
"""Tag kinds that name a problem to solve: a product that solves it beats one of the category said
beside it, whose word may name the body part ("eyes") rather than the make-up."""
LISTED = 7
"""Products named in one listing answer: a whole category of the demo catalog, in a chat line that stays
short."""
RECOMMENDED = 3
SHORT_FOLLOW_UP = 14
"""A question at most this long (normalized characters) that names nothing is a follow-up on the
conversation's product ("and in red?", "多少钱"), when there is one."""
NAMED = ("name", "fuzzy")
"""How a product is named in the question itself (exactly, or with a typo), not only by the conversation."""


@dataclass(frozen=True)
class Asker:
    """Who asked: for the interaction graph (recommendations) and the streamer's demand list."""

    platform: str
    room: str
    viewer_id: str


@dataclass(frozen=True)
class Answer:
    text: str
    strategy: str
    """compare, superlative, recommend, filter, colour, not_carried, variant, deal, price, stock,
    attribute, product_faq, description, deals, shop_faq; off_topic (``OFF_TOPIC``) and remark: no text."""
    product: str | None = None
    """The SKU the conversation is about after this answer (follow-ups refer to it)."""
    skus: tuple[str, ...] = ()
    """Every product the answer names."""

    @property
    def silent(self) -> bool:
        """Nothing is to be said: ``OFF_TOPIC``, or a "remark" said of ``product`` (which stays the
        conversation's) or of a code, asking nothing."""
        return self.strategy in ("off_topic", "remark")


OFF_TOPIC = Answer("", "off_topic")
"""The question is about something that is not the shop's ("my dog's dry skin"): no shop answer, from
the layer nor from whatever would otherwise answer in its place."""


class QuestionAnswerer:
    def __init__(
        self,
        store_of: Callable[[], GraphStore],
        *,
        encoder: BatchEncoder | None = None,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._store_of = store_of
        self.encoder = encoder or BatchEncoder("use")
        self._clock = clock

    async def answer(
        self,
        text: str,
        lang: str | None,
        *,
        context: str | None = None,
        intent: str | None = None,
        asker: Asker | None = None,
        previous: str | None = None,
        earlier: Sequence[str] = (),
    ) -> Answer | None:
        """The answer to ``text`` in ``lang`` ("en"/"zh"), or None to pass it on. ``context``: the SKU
        the viewer's conversation is about; ``intent``: Rasa's intent when an action asks (a prior for
        the FAQ ranking); ``asker``: for recommendations and the demand record; ``previous``: the
        viewer's question before this one, which "那精华呢" / "what about the serum?" asks again (the last of
        ``earlier`` when not given); ``earlier``: the viewer's questions before this one, oldest first,
        whose products "第一个" and "the cheaper one" refer to."""
        language: Language = normalize_language(lang) or "en"
        if earlier:
            previous = previous if previous is not None else earlier[-1]
            text = await names_for_references(self._store_of(), text, earlier, context, language)
        whole = await self._answer_one(
            text, lang, context=context, intent=intent, asker=asker, previous=previous, earlier=earlier
        )
        if whole is not None and whole.silent:
            return whole
        parts = question_parts(text)
        if len(parts) < 2:
            return whole
        answers: list[Answer] = []
        about, before = context, previous
        for part in parts:
            found = await self._answer_one(part, lang, context=about, previous=before)
            if found is None or found.strategy not in OF_ONE_PRODUCT:
                return whole  # a clause that needs the others to be read
            if not any(_says_the_same(found, a) for a in answers):
                answers.append(found)
            about, before = found.product or about, part
        if (
            len(answers) < 2
            or len({a.product for a in answers}) > 1
            or (whole is not None and not any(_says_the_same(whole, a) for a in answers))
        ):
            return whole
        return Answer(
            wording.joined([a.text for a in answers], language),
            answers[0].strategy,
            (whole.product if whole else None) or answers[-1].product,
            tuple(dict.fromkeys(s for a in answers for s in a.skus)),
        )

    async def _answer_one(
        self,
        text: str,
        lang: str | None,
        *,
        context: str | None = None,
        intent: str | None = None,
        asker: Asker | None = None,
        previous: str | None = None,
        earlier: Sequence[str] = (),
    ) -> Answer | None:
        language: Language = normalize_language(lang) or "en"
        text = MENTION.sub(" ", text).strip()  # "@liveroom how much..." asks about the serum, not "@liveroom"
        if not text:
            return None
        store = self._store_of()
        text = respell_shop_words(await respell_sound_alikes(store, text))  # "防嗮…": 防晒; "包you": 包邮
        named = await resolve(store, text)
        if previous and WHAT_ABOUT.match(normalize_key(text)) and named.product is not None and named.keys:
            again = await _asked_again(store, MENTION.sub(" ", previous).strip(), named)
            if again is not None:  # the previous question, about the product named now
                question, about = again
                return await self._answer_one(question, language, context=about, intent=intent, asker=asker)
        reading = read_question(text, named.keys)
        as_named = named
        named = _category_words_are_not_names(reading, named)
        if context and named is not as_named and _is_one_of(context, as_named.products, as_named.keys):
            context = None  # "what's in the fragrance section": not the perfume chat triage saw named
        if "benefit:fragrance-free" in reading.tags:  # "fragrance-free stuff, perfume gives me headaches"
            named = replace(named, products=tuple(p for p in named.products if p.category != "fragrance"))
        if named.how == "name" and (
            not (named.products or named.ambiguous)
            or (_named_only_in_remarks(reading.text, named.keys) and not NEXT_IN_RANK.search(reading.text))
        ):
            # "got anything fragrance free? perfume gives me headaches": the asking clause narrows the
            # catalog and the perfume is said in a remark; it is no product of the question nor of the
            # conversation
            named, context = Resolved((), "none"), None
        if _qualified_elsewhere(reading.text, named):  # "lip liner in nude?", "eye serum": a kind we lack
            if not (reading.question or reading.sell_thing):
                return None  # "my eye serum ran out lol"
            return await _Turn(self, store, text, reading, language, intent, asker).not_carried()
        if (
            named.how == "fuzzy"
            and reading.categories
            and not any(p.category in reading.categories for p in named.products)
        ):  # "fine lines … gift ideas from skincare" is not a typo of the Ultra-fine Eyeliner
            named = Resolved((), "none")
        if named.how == "fuzzy" and (shades := _shades_in(reading.text)):
            having = [p for p, _ in await products_in_shades(store, shades, in_stock=False)]
            if len(having) == 1 and having[0].sku not in {p.sku for p in named.products}:
                named = Resolved((having[0],), "fuzzy")  # "the brick red one leave marks": not "masks"
        turn = _Turn(
            self, store, text, reading, language, intent, asker, previous=previous, earlier=tuple(earlier)
        )
        return await turn.answer(named, context)


@dataclass
class _Turn:
    qa: QuestionAnswerer
    store: GraphStore
    text: str
    reading: Reading
    lang: Language
    intent: str | None
    asker: Asker | None
    previous: str | None = None
    """The viewer's question before this one: the shade a follow-up ("how many left") is about."""
    earlier: tuple[str, ...] = ()
    """The viewer's questions before this one, oldest first: the shade "刚才那个色" points back to."""
    named: tuple[Product, ...] = ()
    """The products the question names, said as "it" when it is ranked against the shop's FAQs."""
    left_out: frozenset[str] = frozenset()
    """SKUs the question names to be left out of a ranking ("cheapest gift that isnt a scrunchie")."""
    names_not_scope: tuple[str, ...] = ()
    """Words that named a product left out of a ranking or ranked against the catalog, which say no scope
    of the ranking ("not the eye cream": no skin care, no creams; "is the serum the priciest thing")."""
    variants_read: dict[str, list[Variant]] = field(default_factory=dict)
    """Each product's variants as read once in this turn (the cart, the deal and the product's own
    answer all look at them)."""

    async def _variants_of(self, sku: str) -> list[Variant]:
        if sku not in self.variants_read:
            self.variants_read[sku] = await variants_of(self.store, sku)
        return self.variants_read[sku]

    async def answer(self, named: Resolved, context: str | None) -> Answer | None:
        found = await self._answer(named, context)
        r = self.reading
        if (
            found is not None
            and found.strategy in KIND_CHECKED
            and (kinds := kinds_asked(r.text))
            and not gives_kind(kinds, [found.text])
        ):
            # "how much serum do i use each time" answered "about two months": a duration where an amount
            # was asked is a confident non-answer; the streamer is asked instead
            return None
        if (
            found is not None
            and found.strategy not in BESIDE_THE_CATALOG
            and (not named.products or named.how == "fuzzy")  # "best brush for a long-haired cat": not blush
            and not r.sell_thing
            and not (context and r.deictic)  # "does it leak tho, its going in my bag w my laptop"
            and (OFF_SHOP_SUBJECT.search(SIMILE.sub(" ", r.text)) or GENERAL_KNOWLEDGE.search(r.text))
            and not OWN_LOOKS.search(r.text)  # "my eyes r so puffy from gaming all night": the viewer's eyes
            and not await self._codes_named()  # "why is SUMMER15 not working": our code, asked why
        ):
            # "my dog has dry itchy skin what do vets recommend", "promo code for genshin", "为什么夏天穿
            # 黑色衣服更热": the words fit the catalog, the subject is not the shop's; no shop answer follows
            return OFF_TOPIC
        if (
            found is not None
            and found.strategy not in BESIDE_THE_CATALOG
            and not named.products
            and MYTH_ASK.search(r.text)
            and not _says_a_code(r.text)  # "朋友给了我个码 LULU50 说能打五折 真的假的": a code asked about
        ):
            return OFF_TOPIC  # "is it true coffee makes under-eye bags worse? my eyes r so puffy today"
        if (
            found is not None
            and found.strategy == "shop_faq"
            and NO_SHOP_FAQ_SAYS.search(r.text)
            and not _topics(NO_SHOP_FAQ_SAYS.sub(" ", r.text))  # not "发顺丰吗？主要想知道从哪发货"
        ):
            return None  # "能改地址吗", "发顺丰吗": no FAQ says it; the exchange or shipping FAQ would guess
        if found is not None and found.strategy != "other_shop" and NOT_THE_SHOPS_BUSINESS.search(r.text):
            return OFF_TOPIC  # "average yearly return on the s&p 500", "how do i order pizza online"
        if (
            found is not None
            and found.strategy not in BESIDE_THE_CATALOG
            and any(p.search(r.text) for p in (STAIN_REMOVAL, ARITHMETIC, BODY_HEALTH, HOBBY_OR_HOME))
        ):
            # "how do i get candle wax out of a carpet", "一个杯子装500毫升，3杯一共是几升", "经常熬夜对身体有
            # 什么危害": housework, sums and health, whatever they name and whoever's face they speak of
            return OFF_TOPIC
        if (
            found is not None
            and found.strategy in ("recommend", "filter", "colour")
            and not named.products
            and (wanted := RECOMMENDED_THING.search(r.text)) is not None
            and (thing := wanted.group("thing")).split()[0] not in VAGUE_THINGS
            and thing.split()[-1] not in GENERIC_EN
        ):
            asked = replace(r, sell_thing=thing)
            if names_a_kind(asked) and not carried(asked, await list_products(self.store)):
                return await self.not_carried()  # "whats a good beginner camera": not our beginner picks
        about_named = found.strategy in ABOUT_WHAT_IS_NAMED if found else len(named.products) == 1
        if (
            about_named
            and (named.products or not context)
            and self._remark(named.products, await self._codes_named())
        ):
            # "主播今天这个口红颜色绝绝子", "LIVE10上次用过了 真香": said of a product or a code, nothing
            # asked; the product stays the conversation's ("so cute" then "how many come in one")
            return Answer("", "remark", found.product if found else named.products[0].sku)
        return found

    async def _answer(self, named: Resolved, context: str | None) -> Answer | None:
        r = self.reading
        if r.excluded:  # "skincare that's NOT the cleanser" leaves out a product, not its category
            products_left_out = [p for p in await list_products(self.store) if _said_left_out(r.text, p)]
            gone = {p.category for p in products_left_out} | {
                c for p in products_left_out for c in read_question(p.name_en.lower()).categories
            }  # "no eye CREAM doesnt count": nor the eyes its name says
            r = self.reading = replace(r, excluded=tuple(c for c in r.excluded if c not in gone))
        ranks = r.superlative or r.recommend or MOST_SHADES.search(r.text)
        after_one = bool(r.superlative and NEXT_IN_RANK.search(r.text))
        left_out = [
            p for p in named.products if ranks and (after_one or _said_left_out(r.text, p, named.keys))
        ]  # "the balm is cheapest i get it, whats the NEXT cheapest": the balm is left out
        if after_one and not left_out and re.search(r"\bnext\b", r.text):
            return None  # "next cheapest?" after a ranking this turn cannot see: not the first
        if left_out:
            # "most in stock skincare besides the masks", "cheapest gift that isnt a scrunchie": the products
            # named are left out of the ranking, not asked about
            self.left_out = frozenset(p.sku for p in left_out)
            self.names_not_scope = (*named.keys, *(n for p in left_out for n in product_names(p)))
            kept = tuple(p for p in named.products if p not in left_out)
            named = Resolved(kept, named.how if kept else "none", named.keys)
        if r.superlative and r.categories:
            if _ranks_the_catalog(r.text):  # "is the serum the most expensive thing u sell?"
                every = await list_products(self.store)
                self.names_not_scope = (*self.names_not_scope, *(n for p in every for n in product_names(p)))
            if self.names_not_scope:
                # "most expensive eye makeup, no not the eye cream": a product named as the one asked about
                # or left out says no scope of the ranking
                unnamed = read_question(_names_blanked(r.text, self.names_not_scope, ())).categories
                r = self.reading = replace(r, categories=unnamed)
        self.named = named.products
        shaped = r.price or r.stock or r.variant or r.promo or r.recommend or r.superlative
        if (
            self.intent in INTENT_SHAPES
            and not (shaped or r.cheaper is not None)
            and (r.question or asks(r.text))
            and _says_little_else(r.text, named)
        ):
            # Rasa's intent (an action asking) stands in for the words when the text asks but has no shape of
            # its own and says little besides the product ("the serum?", "精华呢"); not for a remark
            # ("买的睫毛膏刷完像苍蝇腿😂" read as ask_stock), nor for a question that says what it asks
            # ("is the cushion the one with the refill" read as ask_discount)
            r = self.reading = replace(r, **INTENT_SHAPES[self.intent])
        products = named.products
        if named.ambiguous or TO_ANOTHER_VIEWER.search(r.text):
            return None
        if len(products) == 1 and r.tags and self._kind_asked(named) and not await self._codes_named():
            return await self.recommend(None)  # "foundation for oily skin?": those called so that fit
        if STREAMER_ASK.search(r.text):
            return None  # who the streamer is: Rasa's action reads the streamer from the graph
        if not products and (PERSONAL_ASK.search(r.text) or VIEWERS_INVITED.search(r.text)):
            return OFF_TOPIC  # "how long have u been streaming", "有没有姐妹下播了一起打王者": not the shop's
        ours = OURS_ASKED.search(r.text) or PAST_EXPERIENCE.search(r.text)
        if OTHER_ROOM.search(r.text) and not (ours and not NAMED_ROOM.search(r.text)):
            # not "got scammed by another stream before, r ur products legit": ours are asked about
            if r.promo or r.price or _topics(r.text):  # "李佳琦直播间今晚口红打折吗"
                return Answer(wording.other_shop_reply(self.lang), "other_shop")
            return OFF_TOPIC  # "隔壁直播间在抽奖送面膜 有姐妹去了吗", "coco on the other channel says…"
        if OTHER_SHOP.search(r.text) and products and (_topics(r.text) or r.price or r.promo):
            # "does taobao let u return opened lipstick?", "my friend's tumbler from pinduoduo leaks, can she
            # get a refund from them?": another shop's policy, whatever it sold
            return Answer(wording.other_shop_reply(self.lang), "other_shop")
        if (
            BOUGHT_ELSEWHERE.search(r.text)
            and r.question
            and not OURS_ASKED.search(r.text)
            and not PAST_EXPERIENCE.search(r.text)  # "之前在别家买到假的 怕了": a worry about ours
        ):
            # "我在别家买的气垫都一周了还没发货 咋催啊": another shop's order (not "…你们家保真吗")
            return Answer(wording.other_shop_reply(self.lang), "other_shop")
        if OTHER_SHOP.search(r.text) and not products:
            if not (r.question or r.promo or r.price):
                return OFF_TOPIC  # "my taobao parcel been stuck for 6 days": another shop's order
            # "京东双十一有什么活动", "does taobao do free returns?": another shop's deals and policies are
            # not ours to answer with our codes and FAQs (nor for Rasa's actions to answer with them)
            return Answer(wording.other_shop_reply(self.lang), "other_shop")
        if SCHEDULE_ASK.search(r.text) and not products and not r.promo:
            if WEEKDAY.search(r.text):  # "明天周一 播不播呀": the weekly schedule says which days
                found = await self.shop_faq(SCHEDULE_TOPIC)
                if found is not None:
                    return found
            return await self.schedule()
        if not products and r.question and STREAMING.search(r.text) and await self._names_streamer():
            found = await self.shop_faq(SCHEDULE_TOPIC)  # "what time does lulu usually come on"
            if found is not None:
                return found
        codes = await self._codes_named()
        if not codes and (unknown := await self._unknown_codes()):
            return await self.unknown_codes(unknown)  # "i got SPRING20 from a friend, does it work on…"
        counts = _counts(r.text, products)
        if len(products) == 1 and max(counts, default=1) == 1 and (r.total or codes or r.promo):
            shades = await self._shade_count(products[0])
            counts = (shades,) if shades > 1 else counts  # "cherry red + coral lipsticks with LIVE10, total?"
        if (
            max(counts, default=1) > 1
            and (r.price or r.total or codes or r.promo)
            and len(codes) <= 1
            and not MANY_CODES.search(r.text)  # "精华加面霜 两个码能一起用吗": two codes, one of each
        ):
            return await self.total(products, codes, counts)  # "2 matte lipsticks with live10, how much"
        if (
            len(products) >= 2
            and (len(codes) <= 1 or (len(codes) == 2 and CODE_CHOICE.search(r.text)))
            and not MANY_CODES.search(r.text)  # "serum and toner together, can i put in two codes?": the rule
            and (r.price or r.promo or codes or TOTAL_ASK.search(r.text))
            and (r.cheaper is None or r.promo or codes)
            and (
                _asks_shipping(r.text)
                or (
                    (r.promo or codes)
                    and (
                        r.price
                        or TOTAL_ASK.search(r.text)
                        or PAY_ASK.search(r.text)
                        or CART.search(r.text)
                        or len(codes) == 2
                        or not (r.question or asks(r.text))  # "setting spray and powder w code": a cart
                    )
                )
            )
        ):  # "发圈加眼线笔一起买 够包邮不", "精华加洗面奶一起拍 哪个码更便宜": the order's price
            return await self.total(products, codes, counts)
        code_until = bool(codes) and UNTIL_ASK.search(r.text) is not None  # "LIVE10有效期到啥时候 怕过期"
        deal_until = r.promo and UNTIL_ASK.search(r.text) is not None  # "精华立减30那个活动到哪天结束"
        if (r.price or r.promo or codes) and not deal_until and _asks_shipping(r.text):
            # "保温杯用完码多少 够包邮不": the price and the shipping rule; "total w shipping?" after the balm
            one = products[0] if len(products) == 1 else None
            if not products and context:
                one = await self._context_product(context)
            found = await self.shop_faq(SHIPPING_TOPIC) if one is not None else None
            if one is not None and found is not None and NO_CODE.search(r.text) and not codes:
                # "防晒不用码的话 包邮不": the list price decides
                text = wording.price_reply(one, self.lang)
                shipping = _shipping_applied(found, one.price, one.currency, self.lang)
                return Answer(f"{text} {shipping}", "deal", one.sku, (one.sku,))
            if one is not None and found is not None:
                deal = await (self.promotion(codes, one) if codes else self.deals(one))
                running = await active_promotions(self.store, self.qa._clock(), one.sku)
                order = wording.best_price(one, running)
                shipping = _shipping_applied(found, order, one.currency, self.lang)
                return Answer(f"{deal.text} {shipping}", "deal", deal.product, deal.skus)
        if codes and MIN_SPEND.search(r.text):  # "LIVE10有门槛吗": the code's own terms
            return await self.promotion(codes, products[0] if len(products) == 1 else None)
        topics = _topics(r.text)
        if (
            topics
            and not code_until
            and not deal_until
            and not ((r.price or r.superlative) and products)
            and not (r.superlative and not _topics(_superlative_clause(r.text)))  # "…most stock of, wanna
            # buy something that wont sell out": the superlative asked, not how to buy
            and not (r.cheaper is not None and len(products) >= 2)  # "蜡烛和洗面奶哪个更便宜 凑单用"
            and not await self._not_sold(named)
        ):
            # "are the brush set's bristles real animal hair?": its own FAQ first; but "my cushion showed up
            # all cracked" wants the shop's fix
            if (
                len(products) == 1
                and DAMAGE_TOPIC not in topics
                and ABROAD_TOPIC not in topics  # "发台湾吗 想要那个真丝发圈": where it ships, not the silk
                and not _asks_shipping(r.text)
                and not REGRET.search(r.text)  # "口红色号选错了 想换个颜色": the order, not the lipstick
            ):
                found = await self.product_faq(products[0], strict=True)
                if found is not None:
                    return found
            if not products and context and r.deictic:  # "are they real silk tho" after the scrunchies
                found = await self._context_faq(context)
                if found is not None:
                    return found
            found = await self.shop_faq()
            if found is not None:
                return found
        carted = r.total or (r.price and codes) or SHIPPING_WORDS.search(r.text)  # "润唇膏加发圈 够包邮吗"
        if carted and len(products) >= 2 and len(codes) <= 1:
            # "candle + scrunchie w live10, how much"; two codes "together" ask how codes combine
            return await self.total(products, codes)
        if (
            (codes or r.promo)
            and not (products and BEST_CODE.search(r.text))  # "精华…一起用吗 哪个更划算": its best price
            and (
                not (codes and products)
                # "SERUM30 for my serum and LIVE10 for my toner, same order?": two codes on a cart of two
                or (
                    ((len(codes) > 1 and len(products) > 1) or MANY_CODES.search(r.text))
                    and self._all_running(codes)
                )
            )
            # "精华+口红 LIVE10和SERUM30能叠着用吗": the rule; an ended code is said to have ended
            and (
                (CODE_FAILED.search(r.text) and self._all_running(codes))  # "LIVE10 not working??": how
                or CODE_RULES_ASK.search(r.text)
                or (r.promo and not products and HOW_TO.search(r.text))
            )
        ):
            found = await self.shop_faq(CODE_RULES_TOPIC)  # "can I use LIVE10 and SERUM30 together?"
            if found is not None and len(codes) == 1 and CODE_FAILED.search(r.text):
                # "liveee10 isnt working help": the code runs, and how it is entered
                note = wording.code_running_note(codes[0], self.lang)
                return replace(found, text=note + found.text)
            if found is not None:
                return found
        if (codes or r.promo) and not products and r.superlative in ("cheapest", "priciest"):
            now = self.qa._clock()
            offered = codes or await active_promotions(self.store, now, None)  # "…even with the discount?"
            shop_wide = [c for c in offered if c.is_active(now) and not c.skus]
            if shop_wide and (len(shop_wide) == len(codes) or not codes):
                # "whats the cheapest thing once u use live10": a shop-wide code keeps the order
                found = await self.superlative(r.superlative)
                if found is not None and found.product is not None:
                    best = await get_product(self.store, found.product)
                    if best is not None:
                        note = wording.promotion_note(best, shop_wide, self.lang)
                        return replace(found, text=f"{found.text}{note}")
                return found
        if codes:
            short = len(r.text) <= SHORT_FOLLOW_UP
            if not products and context and (r.price or r.cheaper or short or HOW_MUCH.search(r.text)):
                about = await self._context_product(context)  # "whats the price with live10" after the gloss
                products = (about,) if about is not None else ()
            return await self.promotion(codes, products[0] if len(products) == 1 else None)
        if (
            (r.cheaper is not None or WITH_IT.search(r.text) or USED_TOGETHER.search(r.text))
            and len(products) == 1
            and context
        ):  # "那跟气垫比哪个便宜" after the foundation; "那它跟精华先用哪个", "先用水还是先用精华": the toner
            before = await self._context_product(context)
            if before is not None and before.sku != products[0].sku:
                products = (before, products[0])
        if r.cheaper is not None and len(products) >= 2:
            return self.compare(products, cheaper=r.cheaper)
        if r.price and len(products) >= 2 and r.compares in (None, "other"):  # "防晒和面膜各多少 差多少钱"
            return self.compare(products, cheaper=True)
        sizes = [(p, attributes.attributes_of(p, "size")) for p in products[:3]]
        if (
            len(sizes) >= 2
            and all(size for _, size in sizes)
            and r.compares is None
            and attributes.asked_attribute(r.text) == "size"
        ):  # "serum vs toner, how many ml each?"
            text = wording.sizes_reply([(p, size[0]) for p, size in sizes], self.lang)
            return Answer(text, "compare", None, tuple(p.sku for p, _ in sizes))
        if r.variant and len(products) >= 2 and COMPARING.search(r.text) and not (r.stock or r.colour):
            return await self.variant_counts(products)  # "口红和唇釉哪个颜色多"
        if r.compares is not None and len(products) >= 2:
            found = self.compare_on(products, r.compares)
            if found is None and r.compares == "other":
                found = await self.choose(products, named.keys)  # "which lasts longer on skin"
            return found
        if r.sold_out and not products:
            return await self.sold_out()
        if MOST_SHADES.search(r.text) and not products:
            return await self.most_shades()
        if r.superlative and (
            not (len(products) == 1 and named.how == "name" and not self._name_word())
            or _ranks_the_catalog(r.text)  # "直播间最贵的是啥 是不是那个补水精华"
        ):
            return await self.superlative(r.superlative)  # "cheapest foundation?": of those called so
        if r.recommend and r.promo and len(products) == 1 and named.how == "name":
            return await self.deals(products[0])  # "wanna grab the serum, which code saves me more"
        if (
            r.recommend
            and len(products) == 1
            and named.how in NAMED
            and _topics(_named_as_it(r.text, products[0]), PRODUCT_TOPICS)
        ):  # "wanna gift the cushion to my sis 🎁 what actually comes inside": its FAQ on that, when sure
            found = await self.product_faq(products[0], strict=True)
            if found is not None:
                return found
        if (
            r.recommend
            and len(products) == 1
            and named.how in NAMED
            and (FIT_ASK.search(r.text) or SHADE_PICK.search(r.text))
        ):
            return await self.about(products[0], from_context=False)  # "is the serum good for dry skin?"
        if r.recommend and not products and r.sell_thing and await self._not_sold(named):
            return await self.not_carried()  # "need a makeup remover, do u have one"
        if (
            r.recommend
            and len(products) == 1
            and named.how in NAMED
            and ABOUT_IT_ASK.search(r.text)
            and (not RECOMMEND.search(r.text) or YES_NO_LEAD.search(CLAUSE_END.sub("\n", r.text)))
        ):  # "matte lipsticks crack my lips… is the matte one gonna do that too": a question about it
            found = await self.about(products[0], from_context=False)
            if found is not None and found.strategy != "description":
                return found
        if r.recommend and len(products) == 1 and named.how == "name" and not RELATIVE_ASK.search(r.text):
            return await self.recommend_one(products[0])  # "想买个好用的刷子 推荐吗": that product
        if r.recommend and not products and context and not r.categories and ZH_FIT_ASK.search(r.text):
            found = await self._about_context(context)  # "干皮适合用吗" after the toner: whether it suits
            if found is not None:
                return found
        if r.recommend and not products and context and r.deictic and DOES_IT.search(r.text):
            found = await self._context_faq(context, strict=False)  # "does it do anything for dark circles"
            if found is not None:
                return found
        if r.recommend and not products and context and len(r.text) <= SHORT_FOLLOW_UP and not r.filters:
            found = await self._context_faq(context, strict=False)  # "那用啥卸" after the mascara
            if found is not None:
                return found
        if r.recommend and not products and context and not r.categories and SHADE_PICK.search(r.text):
            found = await self._context_faq(context, strict=False)  # "白皮选哪个号" after the cushion
            if found is not None:
                return found
        if r.recommend and not products and r.categories and (r.colour or _shades_in(r.text)):
            found = await self.colour()  # "want a bold red lip, which shade should i grab": the red shades
            if found is not None and found.skus:
                return found
        if r.recommend and len(products) >= 2 and COMPARING.search(r.text):
            found = await self.choose(products, named.keys)  # "散粉和定妆喷雾 干皮选哪个": one of those two
            if found is not None:
                return found
        if r.recommend:
            bounds_only = r.max_price is not None and r.min_price is not None and not (r.tags or r.categories)
            if bounds_only and not products:
                return await self.listing()  # "100到130之间的有啥推荐": all that fits the range
            if not (products or r.filters or self._generic_request()):
                return await self.recommend_by_meaning()  # "recommend a good netflix show" stays unmatched
            return await self.recommend(products[0] if len(products) == 1 else None)
        if not products and context and self._follows_up() and not self._names_catalog():
            found = await self._about_context(context)
            if found is not None:
                return found
        if context and len(products) == 1 and self._kinds_choice():
            found = await self._context_faq(context)  # "powder or cream?" after the blush: not the powder
            if found is not None:
                return found
        if not products and context and r.question and not replace(r, categories=()).filters_catalog:
            # "dishwasher safe?" after "tumbler price?"; "powder or cream?" after the blush (category
            # words that are its own FAQ's words): the strict threshold keeps "any other lipsticks?" out
            found = await self._context_faq(context)
            if found is not None:
                return found
        if not products and (r.max_price is not None or r.min_price is not None or r.stock_bounded):
            return await self.listing()
        if (
            not products
            and (r.colour or _shades_in(r.text))
            and (
                r.stock
                or r.in_stock
                or r.variant
                or r.sell_thing
                or HAVE.search(r.text)
                or COME_IN.search(r.text)
                or LISTING.search(r.text)
            )
            and not await self._not_sold(named)  # "do u sell nail polish? need a red"
        ):
            return await self.colour()
        asks_of_it = bool(  # "cotton pad or hands?" after the toner: how to use it
            len(r.text) <= SHORT_FOLLOW_UP or HAS_SUBSTANCE.search(r.text) or BARE_CHOICE.match(r.text)
        )
        if not products and context and r.sell_thing and asks_of_it:
            found = await self._about_context(context)  # "有酒精吗" after "the toner?": about the toner
            if found is not None and found.strategy in ("product_faq", "attribute", "variant"):
                return found
        if not products and context and r.sell_thing:
            about = await self._context_product(context)
            thing = normalize_key(r.sell_thing.split()[0])
            described = [normalize_key(d) for d in _descriptions(about)] if about is not None else []
            if about is not None and len(thing) >= 2 and any(thing in d for d in described):
                return self.description(about)  # "有收纳包吗 出差要带" after the brushes: "附收纳包"
        about_context = (
            context and not products and (r.deictic or asks_of_it)
        )  # "有香精没 我脸一碰香精就起疹子" after the mask: whether the mask has it
        if r.sell_thing and not (
            ((r.promo or r.stock) and not asks_for_goods(r)) or about_context
        ):  # "有酒精吗" after the toner asks about it; "any hair straighteners on sale?" asks for goods
            if not carried(r, await list_products(self.store), named.keys):
                return await self.not_carried()  # "do you sell lip liner?": not the eyeliner, not lips
        if not products and MATERIAL_ASKED.search(r.text) and not r.sell_thing:
            return None  # "are these real silk or polyester?": what "these" are, Rasa asks
        if not products and r.sell_thing and not (r.promo or r.stock):
            if r.tags:
                return await self.recommend(None)
            if r.categories:
                return await self.listing()
            if names_a_kind(r):
                return await self.not_carried()
        if products and r.promo and STOREWIDE.search(r.text) and not codes:
            return await self.deals(None)  # "全场有活动吗 还是只有精华有": every deal, the serum's among them
        if len(products) == 1:
            found = await self.about(products[0], from_context=False)
            if (
                (found is None or found.strategy == "description")
                and not ABOUT_IT_ASK.search(r.text)
                and _topics(_named_as_it(r.text, products[0]))
            ):
                # nothing of the product answers "ordered the cushion last night, when does it leave the
                # warehouse": a shop FAQ may, when it clearly does
                shop = await self.shop_faq(rule=SHOP_FAQ_BESIDE_PRODUCT)
                if shop is not None:
                    return shop
            return found
        asked_tags = [t for t in r.tags if t.startswith(("ingredient:", "benefit:"))]
        if len(products) >= 2 and len(asked_tags) == 1 and BOTH_ASK.search(r.text):
            return self.tags_of_several(products, asked_tags[0])  # "do both … have shea butter?"
        if products and COMPARING.search(r.text) and not USED_TOGETHER.search(r.text):
            alone = _alone_in_an_alternative(r.text, products)
            if alone is not None:  # "腮红是粉的还是膏的 我只有手指没有刷子": powder or cream, not brushes
                found = await self.about(alone, from_context=False)
                if found is not None:
                    return found
            return await self.choose(products, named.keys)  # "for oily skin, loose powder or setting spray?"
        if len(products) >= 2 and r.promo and BEST_CODE.search(r.text):  # "serum plus cleanser, best code?"
            return await self.total(products, codes)
        if products and r.promo and not HOW_TO.search(r.text):  # "口红唇釉有专门的优惠吗": each one's deal
            deals = [await self.deals(p) for p in products[:3]]
            joined = wording.joined([d.text for d in deals], self.lang)
            return Answer(joined, "deal", None, tuple(p.sku for p in products[:3]))
        if products:
            return await self.faq_of_several(products)  # "can I layer the gloss over a lipstick?"
        if r.promo and not HOW_TO.search(r.text) and CODE_USE_TOPIC not in _topics(r.text):
            return await self.deals(None)  # not "forgot to enter my code, can i still apply it after?"
        if (r.tags or r.categories) and ALL_LISTED.search(r.text):
            return await self.listing()  # "敏感肌能用的都列一下": every one that fits, not three picks
        if context and not products and r.tags and kinds_asked(r.text) and not (r.categories or r.recommend):
            found = await self._context_faq(context, strict=False)  # "and how long does the oil control last"
            if found is not None:
                return found
        problem = all(t.split(":", 1)[0] in PROBLEM_TAGS for t in r.tags) and PROBLEM_PLACE.search(r.text)
        if r.tags and (r.question or RANGE_WORDS.search(r.text) or NEED_REQUEST.search(r.text) or problem):
            # "my lips are cracked and peeling", "puffy eyes every morning 😩": a problem said is a need
            if all(t.startswith("need:") for t in r.tags) and not RECOMMEND.search(r.text):
                found = await self.shop_faq()  # "how fast do u ship?? need it for my sister's bday"
                if found is not None:
                    return found
            return await self.recommend(None)  # "sensitive skin friendly products pls"
        if r.categories and (
            LISTING.search(r.text) or RANGE_WORDS.search(r.text) or _plural_category_word(r.text)
        ):
            return await self.listing()  # "what fragrances do u have", "how much are the lipsticks?"
        if (
            (r.price or r.stock or r.variant)
            and (r.deictic or len(r.text) <= SHORT_FOLLOW_UP)
            and not _topics(r.text)
        ):
            return None  # "how much is it?" about nothing known: Rasa asks which product
        if r.deictic:
            # "how do i even pay for this lol": "this" is the order, when a shop FAQ clearly answers;
            # otherwise Rasa asks which product
            return await self.shop_faq(rule=SHOP_FAQ_BESIDE_PRODUCT)
        if r.price and not products and not _topics(r.text) and not SENDING.search(r.text):
            return None  # "how much does a tesla cost": the price of nothing we know, no shop FAQ's
        found = await self.shop_faq()
        if found is None and context and not products and r.question and not r.filters_catalog:
            found = await self._context_faq(context, strict=False)  # "nice, how many hours of wear do i get"
        if found is None and not (r.price or r.stock or r.promo or r.sell_thing):
            found = await self.recommend_by_meaning()  # "want my makeup to survive a summer wedding"
        return found

    async def _not_sold(self, named: Resolved) -> bool:
        """The question asks for a kind of product the shop does not carry ("有护手霜吗")."""
        r = self.reading
        if not r.sell_thing or _topics(_first_clause(r.sell_thing)):  # "后悔药有吗": a shop topic
            return False
        return not carried(r, await list_products(self.store), named.keys)

    async def _about_context(self, context: str) -> Answer | None:
        """A follow-up on the conversation's product: its own answers first, then the shop's FAQs ("can I
        return it?"), then its description."""
        product = await self._context_product(context)
        if product is None:
            return None
        found = await self.about(product, from_context=True)
        if found is None and self.reading.question:
            # "can I return it?" names a shop topic; "how do i use it" is about the product, and a shop FAQ
            # that merely sounds alike ("How do I pay?") must clear the stricter bar
            topical = bool(_topics(self.reading.text))
            found = await (self.shop_faq() if topical else self.shop_faq(rule=SHOP_FAQ_BESIDE_PRODUCT))
        if found is None and self.reading.question and not _topics(self.reading.text):
            if await self._description_answers(product):
                found = self.description(product)
        return found

    async def _context_product(self, context: str) -> Product | None:
        """The product the conversation is about (``context``: its SKU or a catalog name), exactly."""
        return (await resolve(self.store, "", context=context, fuzzy=False)).product

    async def _context_faq(self, context: str, *, strict: bool = True) -> Answer | None:
        """The conversation's product's FAQ when it answers clearly (``strict``: at the full threshold,
        for a question other strategies have not had their turn at yet)."""
        product = await self._context_product(context)
        return None if product is None else await self.product_faq(product, strict=strict)

    async def _names_streamer(self) -> bool:
        streamer = await get_streamer(self.store)
        if streamer is None:
            return False
        names = {normalize_key(n) for n in (streamer.name_en, streamer.name_zh) if n and n.strip()}
        return any(find_word(name, self.reading.text) != -1 for name in names)

    def _kinds_choice(self) -> bool:
        """Is the question a choice between two kinds of product ("powder or cream?", "is it a gel or a
        cream"), which asks what the product talked about is, not about a product called so?"""
        match = KINDS_CHOICE.search(self.reading.text)
        kinds = category_word_keys()
        return match is not None and match.group("a") in kinds and match.group("b") in kinds

    def _names_catalog(self) -> bool:
        """Does the question ask about the catalog rather than the conversation's product? A category word
        in a question about "it" ("what scent is it?") does not make it one."""
        r = self.reading
        if r.deictic and not (r.recommend or r.superlative or r.sell_thing):
            return r.max_price is not None or r.min_price is not None
        return r.filters_catalog

    async def faq_of_several(self, products: tuple[Product, ...]) -> Answer | None:
        """A question naming several products without comparing them ("should i use the toner before or
        after serum", "will the lipstick get all over my face mask"): each product's FAQs are ranked with
        the question put about that product, and the surest of the sure ones answers; else None (Rasa
        asks which one)."""
        sure = await self._sure_faqs(products[:3])
        if not sure:
            return None
        best = max(sure, key=lambda found: found[0].score)
        ranked, product = best
        text = wording.product_faq_reply(product, self._faq_answer(ranked.faq), self.lang)
        return Answer(text, "product_faq", product.sku, (product.sku,))

    async def choose(self, products: tuple[Product, ...], keys: tuple[str, ...]) -> Answer | None:
        """A choice between the named products ("for oily skin, loose powder or setting spray?", "粉底液和
        气垫哪个遮瑕好"): by the skin type or benefit asked, with the chosen one's own FAQ answer when it
        speaks to the question; else each product's own FAQ answer side by side. Never one product's FAQ
        alone, which would answer as if the other had not been named; but "is the blush a powder or
        cream" names one product and two kinds ("powder" is also the loose powder's alias)."""
        pair = KIND_PAIR.search(self.reading.text)
        kinds = {pair.group("a"), pair.group("b")} if pair else set()
        if kinds and kinds <= category_word_keys():
            subject = [p for p in products if any(k in product_names(p) for k in keys if k not in kinds)]
            if len(subject) == 1:
                return await self.about(subject[0], from_context=False)
        asked = [t for t in self.reading.tags if t != "skin:all"]
        found = self.choose_by_tags(products, asked) if asked else None
        if found is not None and found.product is not None:
            pick = next(p for p in products if p.sku == found.product)
            sure = await self._sure_faqs((pick,))
            if sure and not self._description_fits_better(pick, sure[0][0].faq):
                why = wording.product_faq_reply(pick, self._faq_answer(sure[0][0].faq), self.lang)
            else:  # "中高遮瑕，持妆12小时": the reason in the product's own words
                why = wording.info_reply(pick, self.lang)
            return replace(found, text=f"{found.text} {why}")
        return found or await self.faqs_side_by_side(products)

    async def variant_counts(self, products: tuple[Product, ...]) -> Answer:
        """How many versions each named product comes in, most first."""
        counts = await variant_counts(self.store, [p.sku for p in products[:3]])
        counted = [(p, counts.get(p.sku, 0) or 1) for p in products[:3]]
        counted.sort(key=lambda pair: -pair[1])
        text = wording.variant_counts_reply(counted, self.lang)
        return Answer(text, "compare", None, tuple(p.sku for p, _ in counted))

    def tags_of_several(self, products: tuple[Product, ...], tag: str) -> Answer:
        """Which of the named products have the ingredient or quality ``tag``."""
        having = [p for p in products if attributes.has_tag(p, tag)]
        said = attributes.label(tag, self.lang)
        text = wording.tags_of_several_reply(
            products, said, having, self.lang, contains=tag.startswith("ingredient:")
        )
        return Answer(
            text, "compare", having[0].sku if len(having) == 1 else None, tuple(p.sku for p in products)
        )

    def choose_by_tags(self, products: tuple[Product, ...], asked: list[str]) -> Answer | None:
        """The named products that have the tags asked (for a skin type, those made for it before those
        for all skin types, with what each is made for); None when the tags tell none of them apart."""
        skin = all(t.startswith("skin:") for t in asked)
        suits = [(p, attributes.labels(p, "skin", self.lang)) for p in products] if skin else []
        if skin and not all(labels for _, labels in suits):
            return None

        def fit(product: Product) -> int:
            if all(attributes.has_tag(product, t) for t in asked):
                return 2
            return 1 if skin and all(attributes.suits_skin(product, t) for t in asked) else 0

        best = max(fit(p) for p in products)
        picks = [p for p in products if fit(p) == best] if best else []
        if not skin and len(picks) != 1:
            return None
        said = ("、" if self.lang == "zh" else " and ").join(attributes.label(t, self.lang) for t in asked)
        text = wording.choice_reply(said, picks, suits, self.lang)
        pick = picks[0].sku if len(picks) == 1 else None
        return Answer(text, "compare", pick, tuple(p.sku for p in products))

    async def faqs_side_by_side(self, products: tuple[Product, ...]) -> Answer | None:
        """A comparison the graph holds no field for ("香水和桂花喷雾哪个留香更久"): each product's own FAQ
        answer, side by side, when every product's FAQs answer it surely; else None."""
        sure = await self._sure_faqs(products[:3])
        if len(sure) != len(products):
            return None
        texts = [wording.product_faq_reply(p, self._faq_answer(k.faq), self.lang) for k, p in sure]
        text = "；".join(t.rstrip("。") for t in texts) + "。" if self.lang == "zh" else " ".join(texts)
        return Answer(text, "compare", None, tuple(p.sku for p in products))

    async def _sure_faqs(self, products: tuple[Product, ...]) -> list[tuple[Ranked, Product]]:
        """Each product whose FAQs answer the question surely, with its ranking (the question put
        about that product)."""
        sure = []
        for product in products:
            asked = _with_topics(_named_as_it(self.reading.text, product), PRODUCT_TOPICS)
            ranked = await rank(
                self.qa.encoder, asked, await list_faqs(self.store, product.sku), intent=self.intent
            )
            if ranked is not None and _product_faq_sure(ranked):
                sure.append((ranked, product))
        return sure

    # --- the strategies --------------------------------------------------------------------------------
    def compare(self, products: tuple[Product, ...], *, cheaper: bool) -> Answer:
        ranked = sorted(products, key=lambda p: (p.price, p.sku))
        text = wording.compare_reply(ranked, self.lang, cheaper=cheaper)
        winner = ranked[0] if cheaper else ranked[-1]
        return Answer(text, "compare", winner.sku, tuple(p.sku for p in ranked))

    def compare_on(self, products: tuple[Product, ...], what: str) -> Answer | None:
        """A comparison on what the graph holds besides the price (size, stock); None for anything
        else ("which stays on longer?"): one product's FAQ would answer a different question."""
        if what == "stock":
            ranked = sorted(products, key=lambda p: (-p.stock, p.sku))
            text = wording.compare_stock_reply(ranked, self.lang)
        elif what == "size" and all(attributes.attributes_of(p, "size") for p in products):
            sized = [(p, attributes.attributes_of(p, "size")[0]) for p in products]
            text = wording.compare_size_reply(sized, self.lang)
        else:
            return None
        return Answer(text, "compare", None, tuple(p.sku for p in products))

    async def _shade_count(self, product: Product) -> int:
        """How many of the product's shades the question names ("clear gloss and peach gloss": 2)."""
        return len(self._shades_named(await self._variants_of(product.sku)))

    def _all_running(self, codes: Sequence[Promotion]) -> bool:
        now = self.qa._clock()
        return all(code.is_active(now) for code in codes)

    async def total(
        self, products: tuple[Product, ...], codes: list[Promotion], counts: tuple[int, ...] = ()
    ) -> Answer:
        """Several products together (``counts``: how many of each, 1 when not given), with the one code
        (named, else the best running) that makes the order cheapest: a cart's price, not a sum of
        per-product deals."""
        counts = counts or (1,) * len(products)
        now = self.qa._clock()
        named = [c for c in codes if c.is_active(now)]
        which = BEST_CODE.search(self.reading.text)  # "serum + toner, which code do i use?? serum30 right"
        running = named if named and not which else await active_promotions(self.store, now, None)
        if NO_CODE.search(self.reading.text):
            running = []  # "润唇膏加发圈 不用码 一共99.8": the full price
        full = sum((p.price * n for p, n in zip(products, counts, strict=True)), Decimal(0))
        carts: list[tuple[Decimal, Promotion]] = []
        for code in running:
            cart = sum(
                (
                    (wording.discounted(p, code) if code.covers(p.sku) else p.price) * n
                    for p, n in zip(products, counts, strict=True)
                ),
                Decimal(0),
            )
            if cart < full:
                carts.append((cart, code))
        best = min(carts, key=lambda c: c[0]) if carts else None
        beaten = [c for c in carts if best is not None and c[1] in named and c[1] is not best[1]]
        text = wording.total_reply(products, self.lang, full, best, counts, beaten)
        if _asks_shipping(self.reading.text):  # "candle + scrunchie w live10, incl shipping?"
            found = await self.shop_faq(SHIPPING_TOPIC, asked=True)
            if found is not None:
                order = best[0] if best else full
                text += " " + _shipping_applied(found, order, products[0].currency, self.lang)
        return Answer(text, "compare", None, tuple(p.sku for p in products))

    async def superlative(self, which: str) -> Answer | None:
        if which == "largest":
            return await self.largest()
        order = {
            "cheapest": "price_asc",
            "priciest": "price_desc",
            "popular": "popular",
            "stocked": "stock_desc",
            "scarce": "stock_asc",
        }[which]
        clause = _superlative_clause(self.reading.text)
        text = self.reading.text
        if clause != text:
            # "冬天脸干得起皮 补水的东西里哪个最贵": the hydrating ones; "oil control stuff, which one is the
            # priciest": what was said before it; not "…most stock of, wanna buy something that lasts"
            before = text[: text.find(clause) + len(clause)]
            # "能带去旅行的 除了润唇膏 最便宜的": no 滋润 asked
            said = (
                read_question(LEFT_OUT_PHRASE.sub(" ", clause)).tags
                or read_question(LEFT_OUT_PHRASE.sub(" ", before)).tags
            )
            self.reading = replace(self.reading, tags=said)
        self._unsay_left_out()
        selection = self._selection(in_stock=which in ("popular", "scarce"))
        shaded = SHADED_ASK.search(text)
        limit = 200 if shaded else self.reading.top + LEFT_OUT_AT_MOST
        found, _total = await select_products(self.store, selection, order=order, limit=limit)
        if shaded:  # "priciest item that comes in multiple shades": those with shades to pick from
            counts = await variant_counts(self.store, [p.sku for p in found])
            found = [p for p in found if counts.get(p.sku, 0) > 1]
        found = [p for p in found if p.sku not in self.left_out and not _said_left_out(text, p)]
        ranked_by = TIE_KEYS.get(order)
        top = self.reading.top
        while ranked_by and top < len(found) and ranked_by(found[top]) == ranked_by(found[top - 1]):
            top += 1  # "most expensive item of 89 or less": the mask and the body mist, both ¥89
        found = found[:top]
        if not found:
            return Answer(wording.listing_reply([], self.lang, await self._scope(), 0), "superlative")
        if len(found) > 1:  # "top 3 cheapest?", "最贵的三个是啥"
            scope = await self._scope(prices=False)
            tied = top > self.reading.top
            text = wording.superlatives_reply(found, self.lang, which, scope, tied=tied)
            return Answer(text, "superlative", None, tuple(p.sku for p in found))
        best = found[0]
        text = wording.superlative_reply(best, self.lang, which, await self._scope(prices=False))
        return Answer(text, "superlative", best.sku, (best.sku,))

    def _unsay_left_out(self) -> None:
        """The categories read without the products left out ("…with hyaluronic acid that isnt the serum",
        "besides the lipstick, which has the most shades"): no skin care, no lips asked."""
        unsaid = LEFT_OUT_PHRASE.sub(" ", _names_blanked(self.reading.text, self.names_not_scope, ()))
        if unsaid != self.reading.text:
            categories = tuple(c for c in read_question(unsaid).categories if c not in self.reading.excluded)
            self.reading = replace(self.reading, categories=categories)

    async def most_shades(self) -> Answer | None:
        """The products of the selection that come in the most shades ("which lip product has the most
        shades"), with their number; all of them when several tie."""
        self._unsay_left_out()
        found, _total = await select_products(self.store, self._selection(in_stock=False), limit=200)
        counts = await variant_counts(self.store, [p.sku for p in found])
        counted = [(counts.get(p.sku, 0), p) for p in found if p.sku not in self.left_out]
        if not counted or max(n for n, _ in counted) < 2:
            return None
        shades = max(n for n, _ in counted)
        best = sorted((p for n, p in counted if n == shades), key=lambda p: (p.price, p.sku))
        scope = await self._scope(prices=False)
        skus = tuple(p.sku for p in best)
        text = wording.most_shades_reply(best, shades, self.lang, scope)
        return Answer(text, "superlative", skus[0] if len(skus) == 1 else None, skus)

    async def largest(self) -> Answer | None:
        """The biggest product of the selection by its size tag, among those sized in the unit most of
        them use (a 200 ml toner and a 50 g cream do not compare)."""
        found, _total = await select_products(self.store, self._selection(in_stock=False), limit=200)
        sized = [(p, attributes.size_amount(p)) for p in found]
        measured = [(p, amount) for p, amount in sized if amount is not None]
        if not measured:
            return None
        units = [unit for _, (_, unit) in measured]
        unit = max(set(units), key=lambda u: (units.count(u), u == "ml", u == "g"))  # ties: bottles
        best = max((x for x in measured if x[1][1] == unit), key=lambda x: (x[1][0], x[0].sku))[0]
        size = attributes.attributes_of(best, "size")[0]
        text = wording.largest_reply(best, size, self.lang, await self._scope(prices=False))
        return Answer(text, "superlative", best.sku, (best.sku,))

    async def sold_out(self) -> Answer:
        category = self.reading.categories[0] if len(self.reading.categories) == 1 else None
        gone = await sold_out(self.store, category=category)
        named = [(p, [self._shade(c) for c in colours]) for p, colours in gone]
        return Answer(wording.sold_out_reply(named, self.lang), "filter", None, tuple(p.sku for p, _ in gone))

    async def recommend(self, like: Product | None) -> Answer | None:
        r = self.reading
        selection = self._selection(in_stock=True)
        # a preference beside a need ranks first and never filters: "男朋友礼物 三百左右" may be the perfume
        required = tuple(t for t in selection.tags if t not in PREFERENCE_TAGS)
        if required:
            selection = replace(selection, tags=required)
        if like is not None and not (r.categories or r.tags) and like.category:
            selection = replace(selection, categories=(like.category,))
        candidates, by_meaning = await self._candidates(selection)
        # "不要化妆品的", "gift for my bf, not a candle pls"
        candidates = [p for p in candidates if p.category not in r.excluded and not _said_left_out(r.text, p)]
        if like is not None:
            candidates = [p for p in candidates if p.sku != like.sku]
        ranked = candidates if by_meaning else await self._rank_for_viewer(candidates)
        asked = set(self.reading.tags)
        if len(ranked) > RECOMMENDED and not by_meaning:  # "gift for my gf, she's always cold"
            ranked = [m.product for m in await by_need(self.qa.encoder, self.text, ranked)]
        if not by_meaning:
            ranked.sort(key=lambda p: -len(asked & set(p.tags)))  # stable: made for it before suits-all
        budget = r.max_price
        if budget is not None and AROUND_AMOUNT.search(r.text):
            ranked.sort(key=lambda p: abs(budget - p.price))  # "预算三百左右": nearest the budget first
        elif BUDGET_ASK.search(r.text):
            ranked.sort(key=lambda p: p.price)  # "学生党 想要便宜点的护肤": the cheapest that fit first
        if not ranked:  # nothing fits what was read: the need in the viewer's words, else a human
            return await self.recommend_by_meaning()
        picks = [wording.Pick(p, self._reasons(p)) for p in ranked[:RECOMMENDED]]
        scope = await self._scope()
        text = wording.recommend_pick_reply(picks, self.lang, _for(scope, self.lang))
        skus = tuple(p.product.sku for p in picks)
        return Answer(text, "recommend", skus[0] if len(skus) == 1 else None, skus)

    async def recommend_one(self, product: Product) -> Answer:
        """The one product a request names is the recommendation, with why."""
        text = wording.recommend_pick_reply(
            [wording.Pick(product, self._reasons(product))], self.lang, _for(await self._scope(), self.lang)
        )
        return Answer(text, "recommend", product.sku, (product.sku,))

    async def recommend_by_meaning(self) -> Answer | None:
        """A need said in the viewer's own words ("睫毛又短又塌咋办呀"), matched to the in-stock products
        by meaning (``needs.match_need``) within the category and price asked; None when the question is
        no request or nothing is close enough."""
        r = self.reading
        if not NEED_REQUEST.search(r.text):
            return None
        catalog = await list_products(self.store)
        for goods in _goods_words(r.text):  # "need a new hair dryer, u got one?": that, not a near need
            if not carried(replace(r, sell_thing=goods, tags=(), categories=()), catalog):
                return await self.not_carried() if asks(r.text) else None
        products = [p for p in catalog if p.stock > 0]
        products = [p for p in products if not r.categories or p.category in r.categories]
        products = [p for p in products if p.category not in r.excluded]
        products = [p for p in products if r.max_price is None or p.price <= r.max_price]
        products = [p for p in products if r.min_price is None or p.price >= r.min_price]
        faqs = faq_texts_by_product(await list_product_faqs(self.store, [p.sku for p in products]))
        matches = await match_need(self.qa.encoder, self.text, products, faqs)
        if not matches:
            return None
        picks = [wording.Pick(m.product, self._reasons(m.product)) for m in matches[:RECOMMENDED]]
        text = wording.recommend_pick_reply(picks, self.lang, _for(await self._scope(), self.lang))
        skus = tuple(p.product.sku for p in picks)
        return Answer(text, "recommend", skus[0] if len(skus) == 1 else None, skus)

    async def _candidates(self, selection: Selection) -> tuple[list[Product], bool]:
        """What a recommendation picks from, and whether it is already in order of meaning: every asked
        filter at once; failing that, the products meeting the most of the needs within the category;
        failing that, the products of the category and those meeting the needs in any category, ordered
        by how close each is to the question ("something for puffy eyes": the eye cream is skin care,
        not eye make-up; "a natural look, what lip thing": a lip product, not a natural foundation)."""
        found, _total = await select_products(
            self.store, selection, order="popular", limit=12, all_skin=False
        )
        skin = tuple(t for t in selection.tags if t.startswith("skin:"))
        wearing_off = set(selection.tags) - set(skin) == {"benefit:long-wear"}  # what oil control solves
        if not found and skin == ("skin:oily",) and wearing_off:
            # "油皮一到夏天就脱妆 求推荐底妆": what is made for oily skin, before what lasts on any skin
            found, _total = await select_products(
                self.store, replace(selection, tags=skin), order="popular", limit=12, all_skin=False
            )
        if not found:
            found, _total = await select_products(self.store, selection, order="popular", limit=12)
        if not found and len(selection.tags) > 1:
            found = await self._most_needs_met(selection)
        if not found and selection.categories and selection.tags:
            anywhere = await self._most_needs_met(replace(selection, categories=()))
            problem = all(t.split(":", 1)[0] in PROBLEM_TAGS for t in selection.tags)
            if anywhere and problem and BODY_PART.search(self.reading.text):
                return anywhere, False  # "eyes like a pufferfish": what de-puffs, not eye make-up
            in_category, _total = await select_products(
                self.store, replace(selection, tags=()), order="popular", limit=12
            )
            union = list({p.sku: p for p in (*anywhere, *in_category)}.values())
            ranked = await by_need(self.qa.encoder, self.text, union)
            close = [m.product for m in ranked if m.score >= ranked[0].score - NEED_SPREAD]
            return close, True
        return found, False

    async def _most_needs_met(self, selection: Selection) -> list[Product]:
        """The products of ``selection`` meeting the most of its needs (tags), at least one."""
        found: list[Product] = []
        for tag in selection.tags:
            some, _total = await select_products(self.store, replace(selection, tags=(tag,)), limit=12)
            found += [p for p in some if p.sku not in {f.sku for f in found}]
        met = {p.sku: len(set(selection.tags) & set(p.tags)) for p in found}
        return [p for p in found if met[p.sku] == max(met.values())] if found else []

    async def listing(self) -> Answer:
        r = self.reading
        selection = self._selection(in_stock=r.in_stock)
        order = (
            "price_asc" if not r.stock_bounded else "stock_asc" if r.max_stock is not None else "stock_desc"
        )
        found, total = await select_products(self.store, selection, order=order, limit=LISTED)
        text = wording.listing_reply(found, self.lang, await self._scope(), total, counted=r.stock_bounded)
        return Answer(text, "filter", found[0].sku if total == 1 else None, tuple(p.sku for p in found))

    async def colour(self) -> Answer | None:
        family = self.reading.colour or ""
        named = _shades_in(self.reading.text)
        if family and len(named) > 1:  # "anything in brown? black liner is too harsh": the brown asked
            in_family = set(COLOUR_FAMILIES.get(family, ()))
            named = tuple(s for s in named if s in in_family or family in s) or named
        shades = named or COLOUR_FAMILIES.get(family, ())
        if not shades:
            return None
        category = self.reading.categories[0] if self.reading.categories else None
        called = await self._called_by_colour(shades, category)  # "Peach Blush" has no shades: its name
        if named and not called:  # "樱桃红还剩几支": one product's shade, with its stock
            anywhere = await products_in_shades(self.store, shades, category=category, in_stock=False)
            if len(anywhere) == 1:
                product = anywhere[0][0]
                return self.variants(product, await self._variants_of(product.sku))
        found = await products_in_shades(self.store, shades, category=category)
        found += [(p, [shade]) for p, shade in called if p.sku not in {q.sku for q, _ in found}]
        shaded = [(p, [self._shade(s) for s in colours]) for p, colours in found]
        text = wording.shades_in_stock_reply(shaded, self.lang, self._colour_word(family))
        return Answer(
            text, "colour", found[0][0].sku if len(found) == 1 else None, tuple(p.sku for p, _ in found)
        )

    async def _called_by_colour(
        self, shades: Iterable[str], category: str | None
    ) -> list[tuple[Product, str]]:
        """In-stock products whose name says one of ``shades`` ("Peach Blush", 蜜桃腮红), with that shade."""
        found = []
        for product in await list_products(self.store):
            if product.stock <= 0 or (category and product.category != category):
                continue
            names = (normalize_key(product.name_en or ""), normalize_key(product.name_zh or ""))
            for shade in shades:
                words = (normalize_key(shade), SHADES.get(shade, "").removesuffix("色"))
                if any(w and find_word(w, name) != -1 for w in words for name in names):
                    found.append((product, shade))
                    break
        return found

    async def not_carried(self) -> Answer:
        if self.asker is not None:
            try:
                await record_open_question(
                    self.store,
                    self.asker.platform,
                    self.asker.room,
                    self.asker.viewer_id,
                    self.text,
                    self.lang,
                    kind="not_carried",
                )
            except ValidationError as err:  # a bad asker must not cost the viewer the answer
                log.info("demand not recorded: %s", err)
        return Answer(wording.not_carried_reply(self.lang), "not_carried")

    async def about(self, product: Product, *, from_context: bool) -> Answer | None:
        """A question about one product; None (from the context only) when nothing product-specific
        answers it, so the shop's FAQs get their turn ("can I return it?")."""
        r = self.reading
        sku = product.sku
        every = await self._variants_of(sku)
        if OTHER_SIZE.search(r.text) and (size := attributes.labels(product, "size", self.lang)):
            # "serum in a bigger bottle?", "toner only 200ml or is there a travel size": sizes are not
            # variants in the catalog, so the one size it comes in is the answer
            return Answer(wording.one_size_reply(product, self.lang, size[0]), "attribute", sku, (sku,))
        priced_alike = len({v.price for v in every}) == 1
        if (
            every
            and priced_alike
            and (r.superlative in ("cheapest", "priciest") or r.cheaper is not None)
            and (r.variant or SHADE_WORDS.search(r.text))
        ):  # "which lipstick shade is the cheapest one", "which colour is cheaper": they cost the same
            return Answer(wording.same_price_reply(product, self.lang), "variant", sku, (sku,))
        if every and r.superlative in ("stocked", "scarce") and (r.variant or self._shades_named(every)):
            return self.shade_superlative(product, every)  # "which lipstick shade has the most stock"
        if (
            r.sell_thing
            and not (from_context or r.price or r.stock or r.variant or r.promo or r.colour)
            and only_names(r.sell_thing, product)
        ):
            return self.description(product)  # "do you sell candles?", "any gloss?": yes, this one
        if every and SHADE_PICK.search(r.text) and not r.stock:  # "which shade is best for everyday": its FAQ
            found = await self.product_faq(product)
            if found is not None:
                return found
        if every and (
            SHADE_BEYOND.search(r.text)
            or (
                OTHER_SHADE.search(r.text)
                and not self._shades_named(every)
                and not (from_context and THE_OTHER.search(r.text))  # "the other shade": the one not said
            )
            or (ONLY_SHADE.search(r.text) and self._shades_named(every))
        ):
            # "is there a cushion shade darker than 23?", "眼线笔就一个黑色吗": every shade answers
            text = wording.variants_reply(product, self.lang, self._labelled(every))
            if len(self._shades_named(every)) > 1 and COME_IN.search(r.text) and YES_NO.search(r.text):
                text = ("有的～" if self.lang == "zh" else "Yes! ") + text  # "does it come in brown too or…"
            return Answer(text, "variant", sku, (sku,))
        priced = (r.promo or r.price) and not (r.variant or r.stock)  # "砖红那支用完码多少米": the price
        if (
            every
            and not (r.variant or r.stock or priced or COME_IN.search(r.text))
            and (r.colour or self._shades_named(every))
        ):
            strict = await self.product_faq(product, strict=True)  # "is the straw gonna be red": transfer
            if strict is not None:
                return strict
        asked = self._asked_attribute(product)
        sized_alike = every and not any(v.size for v in every)
        if sized_alike and not (r.stock or priced) and asked == "size" and not SHADE_WORDS.search(r.text):
            found = self.attribute(product)  # "does the lipstick come in a bigger size": shades, one size
            if found is not None:
                return found
        if (
            every
            and (r.colour or self._shades_named(every))
            and not (r.variant or r.stock or priced)
            and kinds_asked(r.text)
        ):
            found = await self.product_faq(product)  # "how long does that red lipstick stay on"
            if found is None and self._description_gives_kind(product):
                found = self.description(product)
            if found is not None:
                return found
        meant = self._shades_meant(every, follow_up=from_context) if every else []
        if (
            every
            and r.variant
            and not (meant or r.colour or r.stock or priced)
            and _topics(_named_as_it(r.text, product), PRODUCT_TOPICS)
        ):  # "送的替换芯是同色号吗": what is in the box says, not the shades
            found = await self.product_faq(product)
            if found is not None:
                return found
        if every and (r.variant or r.colour or meant) and not priced:
            found = self.variants(product, every, follow_up=from_context)
            priced_before = (
                from_context
                and len(r.text) <= SHORT_FOLLOW_UP
                and not (r.stock or r.variant)
                and read_question(self.previous or "").price
            )  # "how much is the cushion?" -> "and in 23?": that shade's stock and the price again
            left = sum(v.stock for v in meant) if meant else product.stock
            if r.price or (priced_before and left > 0):  # "蜜桃色还有吗 多少钱": the shade's stock and price
                # the stock said with the price is the shades' (not "berry is sold out… 240 in stock")
                with_price = await self.price(replace(product, stock=left))
                found = replace(found, text=f"{found.text} {with_price.text}")
            return found
        if r.promo:
            return await self.deals(product)
        if r.price:
            return await self.price(product)
        if not every and r.variant and OTHER_ASK.search(r.text) and not COLOUR_AMOUNT.search(r.text):
            return self.variants(product, every)  # "is the blush available in other colours?": one version
        if r.stock:
            return self.stock(product, every)
        if asked != "size":  # a size is the size; otherwise the streamer's own words, when clearly asked
            strict = await self.product_faq(product, strict=True)
            listed = asked == "ingredient" and attributes.attributes_of(product, "ingredient")
            if strict is not None and not (listed and not SAYS_INGREDIENTS.search(strict.text)):
                return strict  # "does it contain alcohol": "No, it is alcohol-free"; not "controls shine"
        if asked == "skin" and r.question and not SKIN_FIT_ASK.search(r.text):
            # "how many hours will the cushion keep my oily t zone matte", "will it look grey on my skin":
            # the skin is mentioned, not asked about; the skin types would be a confident non-answer
            found = await self.product_faq(product)
            if found is not None or from_context or not await self._description_answers(product):
                return found
            return self.description(product)
        if asked is not None and attributes.attributes_of(product, asked):
            found = self.attribute(product)
            if found is None or not kinds_asked(r.text) or answer_kind_fits(r.text, [found.text]):
                return found
            # "how long does the cushion stop me getting shiny": a duration asked, no finish; its FAQ says
            found = await self.product_faq(product)
            if found is not None:
                return found
        if not every and r.variant and COUNT_ASK.search(r.text) and self._counts_its_colours(product):
            return self.description(product)  # "how many shimmer shades in the palette": "…four shimmer"
        found = await self.product_faq(product)
        if found is not None:
            return found
        if (r.variant and (COUNT_ASK.search(r.text) or r.colour)) or (r.colour and COME_IN.search(r.text)):
            if not every and self._counts_its_colours(product):
                # "how many shades in the palette": one product, and its description counts its colours
                return self.description(product)
            return self.variants(product, every)  # "what colours does the serum come in?": one version
        attribute = self.attribute(product)
        if attribute is not None:
            return attribute
        if from_context or not await self._description_answers(product):
            return None
        return self.description(product)

    def _counts_its_colours(self, product: Product) -> bool:
        """Does the product's description count the colours inside it ("eight matte, four shimmer")?"""
        return COLOURS_DESCRIBED.search(product.description(self.lang) or "") is not None

    async def product_faq(self, product: Product, *, strict: bool = False) -> Answer | None:
        """The product's FAQ that answers the question, when one clearly does (``strict``: only at the
        full threshold, for a question that other strategies may answer too)."""
        faqs = await list_faqs(self.store, product.sku)
        said = _named_as_it(self.reading.text, product)
        topics = _topics(said, PRODUCT_TOPICS)
        ranked = await rank(self.qa.encoder, " ".join([said, *topics]), faqs, intent=self.intent)
        if ranked is None:
            return None
        if self._description_fits_better(product, ranked.faq):
            # "how long does the matte lipstick last?": "...stays put for 8 hours" over the FAQ on shades
            return self.description(product)
        topical = not strict and bool(topics)
        sure = (
            ranked.confident(PRODUCT_FAQ_THRESHOLD, PRODUCT_FAQ_MARGIN)
            if strict
            else _product_faq_sure(ranked) or (topical and ranked.confident(*PRODUCT_FAQ_TOPICAL))
        )
        if not sure:
            faq = _the_one_giving_kind(self.reading.text, faqs)
            if faq is None or strict or self._description_gives_kind(product):
                return None
            ranked = replace(ranked, faq=faq)  # "画完多久能干": of its FAQs only one says a time (30 seconds)
        return Answer(
            wording.product_faq_reply(product, self._faq_answer(ranked.faq), self.lang),
            "product_faq",
            product.sku,
            (product.sku,),
        )

    def _faq_answer(self, faq: FAQ) -> str:
        """An FAQ's answer in the asker's language, opened as the question asks (``_as_asked``,
        ``_free_of_said``). Its "yes"/"no" answers its own question: kept only when the question says
        some of the FAQ question's words ("is the brush set vegan?" matched "Are the bristles animal
        hair?" by meaning; "No, they are synthetic" would answer it wrong)."""
        said = wording_pick(faq.answer_en, faq.answer_zh, self.lang)
        text = self.reading.text
        opened = _as_asked(text, _denied_as_asked(text, _free_of_said(text, said)))
        if (
            opened == said
            and not HAS_SUBSTANCE.search(text)
            and not words_shared(topic_words(text, tuple(p.name_en for p in self.named)), faq)
        ):
            return _without_yes_no(said)
        return opened

    def _description_fits_better(self, product: Product, faq: FAQ) -> bool:
        """Does the product's description give the kind of answer asked (a duration, a size) where its
        best FAQ does not?"""
        return self._description_gives_kind(product) and not answer_kind_fits(
            self.reading.text, faq_texts(faq)[1]
        )

    def _description_gives_kind(self, product: Product) -> bool:
        return answer_kind_fits(self.reading.text, _descriptions(product))

    def description(self, product: Product) -> Answer:
        """The product's description as the answer ("Cushion Foundation: Semi-matte cushion… (¥169.00)")."""
        return Answer(wording.info_reply(product, self.lang), "description", product.sku, (product.sku,))

    async def _description_answers(self, product: Product) -> bool:
        """Is the description an answer? Yes for a question about the product as a whole ("tell me about
        the serum", "is the cushion any good?", "the serum?"); for any other question only when the
        description talks about what was asked (by meaning, or a shared word): "口红会不会拔干" or "how
        long till I reapply the sunscreen?" answered with the blurb would be a confident non-answer, and
        a hand-off is better."""
        if OPEN_ASK.search(self.reading.text) or HAVE.search(self.reading.text):
            return True  # "tell me about the serum", "do you have the eyeliner?": the product is the answer
        if ORDER_ASK.search(self.reading.text):
            return False  # "先上水还是先上精华": an order of use, which no blurb gives
        descriptions = _descriptions(product)
        if not descriptions:
            return False
        names = (product.name("en"), product.name("zh"), *product.aliases_en, *product.aliases_zh)
        asked = topic_words(self.text, names)
        r = self.reading
        if not (asks(self.text) or r.tags or NEED_REQUEST.search(self.text) or PLEASE.search(r.text)):
            return not asked  # a remark ("my mom loves candles, she has 40"): only a bare mention
        if not asked or any(shares_content(self.text, d, names) for d in descriptions):
            return True  # nothing asked beyond the product itself, or the description speaks to it
        vectors = await self.qa.encoder.vectors([_named_as_it(self.reading.text, product), *descriptions])
        return float((vectors[1:] @ vectors[0]).max()) >= DESCRIPTION_RELATES

    def variants(self, product: Product, every: list[Variant], *, follow_up: bool = False) -> Answer:
        """The product's shades and their stock, or the shades the question means (``follow_up``: the
        question is about the conversation's product, so a shade the previous question named counts)."""
        sku = product.sku
        if not every:
            text = wording.variant_reply(product, self.lang, [], "", 0)
            return Answer(text, "variant", sku, (sku,))
        family = self.reading.colour
        named = self._shades_meant(every, follow_up=follow_up)
        text = self.reading.text
        the_other = follow_up and THE_OTHER.search(text)  # already the one not said before
        besides = BESIDES.search(text) or (OTHER_SHADE.search(text) and not the_other)
        if (named or family) and (
            (besides and HOW_MANY.search(self.reading.text)) or EVERY_SHADE_ASK.search(self.reading.text)
        ):  # "…还有别的色吗 一共几个色号", "唇釉几个颜色 透明的有吗": all, counted
            text = wording.variants_reply(product, self.lang, self._labelled(every))
            if named and (self.reading.stock or self.reading.in_stock):  # "…想要香槟色的 有货不"
                stock = wording.variant_stock_reply(product, self.lang, self._labelled(named))
                text = wording.joined([text, stock], self.lang)  # and that shade's stock
            return Answer(text, "variant", sku, (sku,))
        if named and besides:
            # "anything besides black?", "black looks harsh… any other color": the others
            others = [v for v in every if v not in named]
            if others:
                text = wording.variant_stock_reply(product, self.lang, self._labelled(others))
                return Answer(text, "variant", sku, (sku,))
        wanted = set(COLOUR_FAMILIES.get(family, ())) if family else set()
        chosen = named or (
            [v for v in every if v.colour in wanted or find_word(family, normalize_key(v.colour or "")) != -1]
            if family
            else []
        )
        if family and not chosen:
            labels = [self._variant_label(v.colour, v.size, v.id) for v in every]
            return Answer(wording.variant_not_offered(product, self.lang, labels), "variant", sku, (sku,))
        pairs = self._labelled(chosen or every)
        if chosen:
            text = wording.variant_stock_reply(product, self.lang, pairs)
            in_stock = all(stock > 0 for _, stock in pairs)
            if in_stock and COME_IN.search(self.reading.text) and YES_NO.search(self.reading.text):
                text = ("有的～" if self.lang == "zh" else "Yes! ") + text  # "does it come in brown?"
            return Answer(text, "variant", sku, (sku,))
        return Answer(wording.variants_reply(product, self.lang, pairs), "variant", sku, (sku,))

    def _labelled(self, variants: list[Variant]) -> list[tuple[str, int]]:
        """(label in the asker's language, stock) of each variant, as the variant replies list them."""
        return [(self._variant_label(v.colour, v.size, v.id), v.stock) for v in variants]

    def shade_superlative(self, product: Product, every: list[Variant]) -> Answer:
        most = self.reading.superlative == "stocked"
        pool = every if most else [v for v in every if v.stock > 0] or every
        best = (max if most else min)(pool, key=lambda v: v.stock)
        tied = [v for v in pool if v.stock == best.stock]  # "which cushion shade has the most stock": both
        gone = [] if most or best.stock <= 0 else [v for v in every if v.stock <= 0]
        pairs = self._labelled([*tied, *gone])  # the fewest left, and those already gone
        return Answer(
            wording.variant_stock_reply(product, self.lang, pairs), "variant", product.sku, (product.sku,)
        )

    def stock(self, product: Product, every: list[Variant]) -> Answer:
        sku = product.sku
        gone = [v for v in every if v.stock <= 0]
        if every and gone and product.stock > 0:
            return Answer(
                wording.variant_stock_reply(product, self.lang, self._labelled(every)), "stock", sku, (sku,)
            )
        return Answer(wording.stock_reply(product, self.lang), "stock", sku, (sku,))

    def _asked_attribute(self, product: Product) -> str | None:
        """The kind of attribute asked about, read from the clauses that ask ("…case? i travel a lot":
        not the travel need); the skin said anywhere ("my skin gets red…, ok for me?") counts."""
        text = self.reading.text
        whole = attributes.asked_attribute(text)
        asking_part = _asking_part(text)
        remarks_and_asks = [s for s in CLAUSE_END.split(asking_part) if s.strip()]
        asking = [s for s in remarks_and_asks if asks(s)]
        if asking and len(asking) < len(remarks_and_asks):  # "my skin barrier is wrecked 😩 whats the key
            kind = attributes.asked_attribute(" ".join(asking))  # ingredient in the toner": the ingredient
            if kind is not None:
                return kind
        kind = whole if whole == "skin" else attributes.asked_attribute(asking_part)
        tags = self.reading.tags
        ingredients = [t for t in tags if t.startswith("ingredient:")]
        asked_of = [t for t in ingredients if not _said_in_its_name(text, product, t)]
        if (
            kind in (None, "skin")
            and (HAS_INGREDIENT.search(text) or whole == "ingredient")  # not "after the hyaluronic…"
            and asked_of  # "那个玻尿酸面膜有香精吗": the 玻尿酸 of its name is not what is asked
            and not any(t.startswith("skin:") for t in tags)
        ):
            # "does the lip gloss have vitamin e?", "niacinamide helps w acne marks, any in the cushion?":
            # the ingredient named is asked about, not the skin
            return "ingredient"
        return kind

    def attribute(self, product: Product) -> Answer | None:
        sku = product.sku
        asking = _asking_part(self.reading.text)
        # what the question asks about, not what a remark beside it says ("…case? i travel a lot"); but
        # the viewer's skin said beside it is what "would it be ok for me" asks about
        tags = self.reading.tags if asking == self.reading.text else read_question(asking).tags
        asked_skin = [t for t in self.reading.tags if t.startswith("skin:")]
        kind = self._asked_attribute(product)
        if asked_skin and kind in (None, "skin"):
            suits = attributes.labels(product, "skin", self.lang)
            if not suits:
                return None
            fits = all(attributes.suits_skin(product, tag) for tag in asked_skin)
            asked = "、".join if self.lang == "zh" else " and ".join
            asked_labels = asked([attributes.label(t, self.lang) for t in asked_skin])
            text = wording.skin_fit_reply(product, self.lang, asked_labels, fits, suits)
            return Answer(text, "attribute", sku, (sku,))
        asked_other = [t for t in tags if not t.startswith("skin:") and not attributes.in_name(product, t)]
        has = [t for t in asked_other if attributes.has_tag(product, t)]
        named_ingredients = all(t.startswith("ingredient:") for t in asked_other)
        if (
            asked_other
            and has == asked_other
            and (kind is None or (kind == "ingredient" and named_ingredients))
            and YES_NO.search(self.reading.text)
        ):
            finishes = attributes.labels(product, "finish", self.lang)
            if any(t.startswith("finish:") for t in has) and len(finishes) > 1:
                # "is the palette all matte": eight matte and four shimmer, so every finish it has
                text = wording.attribute_reply(product, self.lang, "finish", finishes)
                return Answer(text, "attribute", sku, (sku,))
            labels = [attributes.label(t, self.lang) for t in has]
            text = wording.has_attributes_reply(product, self.lang, labels, contains=named_ingredients)
            return Answer(text, "attribute", sku, (sku,))
        if kind is None:
            return None
        values = attributes.labels(product, kind, self.lang)
        if not values:
            return None
        return Answer(wording.attribute_reply(product, self.lang, kind, values), "attribute", sku, (sku,))

    async def price(self, product: Product) -> Answer:
        """ "How much is X?": its price, stock and the best running promotion on it."""
        promotions = await active_promotions(self.store, self.qa._clock(), product.sku)
        text = wording.price_reply(product, self.lang, promotions)
        return Answer(text, "price", product.sku, (product.sku,))

    async def schedule(self) -> Answer:
        """The next (or current) stream from the schedule in the graph."""
        now = self.qa._clock()
        return Answer(wording.schedule_text(await next_stream(self.store, now), now, self.lang), "schedule")

    async def promotion(self, codes: list[Promotion], product: Product | None) -> Answer:
        """Questions naming promotion codes: what each gives and on what, whether it has ended; with a
        product, its price with the best running deal."""
        now = self.qa._clock()
        if product is not None:
            running = await active_promotions(self.store, now, product.sku)
            applies = {p.code for p in running}
            elsewhere = [c for c in codes if c.code not in applies]
            names = await self._products_of(elsewhere)
            note = wording.codes_not_for(elsewhere, product, self.lang, now, names) if elsewhere else ""
            text = note + wording.price_reply(product, self.lang, running)
            gone = [v for v in self._shades_named(await self._variants_of(product.sku)) if v.stock <= 0]
            if gone:  # "berry lipstick with LIVE10 pls": that shade cannot be bought with any code
                text = f"{wording.variant_stock_reply(product, self.lang, self._labelled(gone))} {text}"
            return Answer(text, "deal", product.sku, (product.sku,))
        text = wording.promotion_codes_reply(codes, now, self.lang, await self._products_of(codes))
        if not any(c.is_active(now) for c in codes) and DEALS_NOW.search(self.reading.text):
            # "summer15 is dead rip, whats the best deal on lip stuff now": it ended, and what runs now
            text = wording.joined(
                [text, wording.running_now(self.lang) + await self._running_codes()], self.lang
            )
        return Answer(text, "deals")

    async def _running_codes(self) -> str:
        """What each code running now gives, and on what."""
        now = self.qa._clock()
        running = await active_promotions(self.store, now, None)
        names = await self._products_of(running)
        return wording.promotion_codes_reply(running, now, self.lang, names) if running else ""

    async def _products_of(self, codes: Iterable[Promotion]) -> dict[str, Product]:
        """The products the codes are limited to, by SKU (those the graph still has)."""
        skus = {sku for code in codes for sku in code.skus}
        return {sku: p for sku in skus if (p := await get_product(self.store, sku))}

    async def _codes_named(self) -> list[Promotion]:
        """Promotions whose code the question names ("is LIVE10 valid on everything?"), typed loosely
        too ("liveee10 isnt working", "serum-30", "live 10 code")."""
        text = self.reading.text
        loose = _squeezed(text, spaced=bool(CODE_TALK.search(text)))
        if not CODE_LIKE.search(loose):
            return []
        promotions = await list_promotions(self.store)
        return [
            p
            for p in promotions
            if find_word(normalize_key(p.code), text) != -1
            or find_word(_squeezed(normalize_key(p.code), spaced=False), loose) != -1
        ]

    async def _unknown_codes(self) -> list[str]:
        """Words said as a code ("SPRING20", asked whether it works) that are none of the shop's codes,
        ended ones included."""
        said = _says_a_code(self.reading.text)
        if not said or not CODE_TALK.search(self.reading.text):
            return []
        ours = {normalize_key(p.code) for p in await list_promotions(self.store)}
        return list(dict.fromkeys(w.upper() for w in said if w not in ours))

    async def unknown_codes(self, unknown: list[str]) -> Answer:
        """Codes the shop never had: said so, with the codes running now."""
        note = wording.unknown_codes_note(unknown, self.lang) + wording.running_now(self.lang)
        return Answer(note + await self._running_codes(), "deals")

    async def _ended_asked_about(self) -> list[Promotion]:
        """Ended promotions the question points at by their discount ("85折", "15% off"), by the
        season in their title ("is the summer sale still on") or by the category they were for, asked
        whether still on ("is the lip sale still on or did that die")."""
        text = self.reading.text
        percents = _percents_said(text)
        seasons = [words for words in SEASONS if any(find_word(w, text) != -1 for w in words)]
        asked_on = set(self.reading.categories) if STILL_ON.search(text) else set()
        if not percents and not seasons and not asked_on:
            return []
        now = self.qa._clock()
        in_asked = {p.sku for p in await list_products(self.store) if p.category in asked_on}
        return [
            p
            for p in await list_promotions(self.store)
            if not p.is_active(now)
            and (
                p.discount_percent in percents
                or any(
                    find_word(w, f"{p.title_en} {p.title_zh}".lower()) != -1
                    for words in seasons
                    for w in words
                )
                or (p.skus and set(p.skus) <= in_asked)
            )
        ]

    def _generic_request(self) -> bool:
        """ "recommend something", "推荐一下", "what should I buy": a request with nothing else in it."""
        rest = RECOMMEND.sub(" ", self.reading.text)
        words = [w for w in re.findall(r"[a-z]+|[\u4e00-\u9fff]", rest) if w not in FILLER]
        return len(words) <= 1

    async def deals(self, product: Product | None) -> Answer:
        ended = wording.ended_note(await self._ended_asked_about(), self.lang)  # "夏天那个85折还有没"
        if product is not None:  # the deal on a product is its price with the best running promotion
            running = await active_promotions(self.store, self.qa._clock(), product.sku)
            text = ended + wording.price_reply(product, self.lang, running)
            if running and UNTIL_ASK.search(self.reading.text):  # "精华立减30那个活动到啥时候"
                text += wording.codes_until(running, self.lang)
            return Answer(text, "deal", product.sku, (product.sku,))
        promotions = await active_promotions(self.store, self.qa._clock(), None)
        if self.reading.categories:  # "eye makeup got any discount tonight?": not the serum's code
            asked = [p.sku for p in await list_products(self.store) if p.category in self.reading.categories]
            promotions = [promo for promo in promotions if any(promo.covers(sku) for sku in asked)]
        percents, amounts = _percents_said(self.reading.text), _amounts_off_said(self.reading.text)
        said = [
            p for p in promotions if p.discount_percent in percents or p.discount_amount in amounts
        ]  # "whats the code for 10% off again": that one
        promotions = said or promotions
        titles = [(p.code, p.title(self.lang) or "") for p in promotions]
        text = ended + wording.discount_reply(titles, self.lang, product)
        if promotions and UNTIL_ASK.search(self.reading.text):  # "折扣啥时候截止"
            text += ("。" if self.lang == "zh" else ".") + wording.codes_until(promotions, self.lang)
        return Answer(text, "deals")

    async def shop_faq(
        self,
        topic: str = "",
        rule: tuple[float, float] = (SHOP_FAQ_THRESHOLD, SHOP_FAQ_MARGIN),
        *,
        asked: bool = False,
    ) -> Answer | None:
        """The shop FAQ that answers the question, when one clearly does; ``topic``: words of the topic
        the question is known to be about, added before ranking (as ``lexicon.SHOP_TOPICS`` words are);
        ``rule``: the (score, margin) the best FAQ must reach; ``asked``: the message is known to ask
        (an order's total and shipping, "…一共99.8 够包邮了吧"), question form or not."""
        topics = _topics(self.reading.text) or [topic] * bool(topic)
        if (
            not (asked or self.reading.question)
            and DAMAGE_TOPIC not in topics
            and not self._asks_of_shop(topics)
        ):
            # chatter; but "到手发现瓶子裂了" reports a problem the shop's FAQ says how to fix, and "want my
            # money back" asks for what it answers ("想换个温和的洗面奶" is about another product instead)
            return None
        faqs = await list_faqs(self.store)
        text = self.reading.text
        for product in self.named:  # "ordered the cushion last night, when does it leave the warehouse"
            text = _named_as_it(text, product)
        query = " ".join(filter(None, (_with_topics(text), topic)))
        ranked = await rank(self.qa.encoder, query, faqs, intent=self.intent)
        if ranked is None:
            return None
        topical = (
            len(topics) == 1
            and rule == (SHOP_FAQ_THRESHOLD, SHOP_FAQ_MARGIN)
            and _asks_topic(ranked.faq, topics[0])
        )
        if not (ranked.confident(*rule) or (topical and ranked.confident(*SHOP_FAQ_TOPICAL))):
            return None
        answer = self._faq_answer(ranked.faq)
        if EXCHANGE_TOPIC in topics and (gone := await self._sold_out_shades_named()):
            # "口红想换成浆果色 还没拆 能换吗": the exchange rule, and that the shade wanted is sold out
            stocks = " ".join(wording.variant_stock_reply(p, self.lang, pairs) for p, pairs in gone)
            answer = wording.joined([answer, stocks], self.lang)
        return Answer(answer, "shop_faq")

    async def _sold_out_shades_named(self) -> list[tuple[Product, list[tuple[str, int]]]]:
        """The products with a sold-out shade the question names, with those shades (label, 0)."""
        shades = _shades_in(self.reading.text)
        if not shades:
            return []
        found = []
        for product, colours in await products_in_shades(self.store, shades, in_stock=False):
            if self.named and product not in self.named:
                continue
            gone = [v for v in await self._variants_of(product.sku) if v.colour in colours and v.stock <= 0]
            if gone:
                found.append((product, self._labelled(gone)))
        return found

    # --- helpers ---------------------------------------------------------------------------------------
    def _asks_of_shop(self, topics: list[str]) -> bool:
        """Does a message that is no question still ask the shop about ``topics``: it wants, fears or
        complains ("want my money back", "物流一直不显示", "hate paying postage on one tiny item"), or it
        regrets, returns or doubts ("changed my mind, havent opened it", "闺蜜说直播间的都是仿的"), and is not
        glad news ("ordered already, waiting for the parcel 🥳")? A product named beside a return or an
        exchange is the one wanted instead ("想换个温和点的洗面奶") unless it was ordered or is regretted
        ("精华还没开封 后悔了", "唇釉到了 透明色涂着没气色 想换蜜桃那个")."""
        text = self.reading.text
        if not topics:
            return False
        if self.named and set(topics) <= {RETURN_TOPIC, EXCHANGE_TOPIC}:
            if not (REGRET.search(text) or BOUGHT.search(text) or ARRIVED.search(text)):
                return False  # "想换个温和点的洗面奶": another product wanted, not an order sent back
        if WANTS.search(self.reading.text):
            return True
        mood = message_sentiment(self.reading.text, self.lang)
        problem = bool({RETURN_TOPIC, EXCHANGE_TOPIC, GENUINE_TOPIC} & set(topics))
        regret = REGRET.search(self.reading.text) and {RETURN_TOPIC, EXCHANGE_TOPIC} & set(topics)
        return mood < -GLAD or (problem and mood <= GLAD) or bool(regret)

    def _remark(self, products: Sequence[Product], codes: Sequence[Promotion]) -> bool:
        """Does the message say something of the products or codes it names (or of none) without asking or
        requesting anything? A bare name ("serum?", "the cushion 👀", "LIVE10") asks to hear about it; a
        sentence around it that neither asks nor requests does not ("the serum i got last week is 🔥",
        "used LIVE10 last time and saved enough for a bubble tea"). A rhetorical "谁懂啊" asks nothing."""
        r = self.reading
        text = RHETORICAL.sub(" ", r.text)
        if r.recommend or r.sell_thing or r.superlative or r.cheaper is not None or r.compares or r.price:
            return False  # "most expensive thing in lifestyle section": a question by its shape
        if self.lang == "en" and (r.stock or (r.variant and SHADES_LISTED.search(text))):
            return False  # "that peach gloss still in stock", "cushion shades for my mom": English chat
            # drops the question's verb
        needs = any(t.startswith("need:") for t in r.tags) and not BOUGHT.search(text)
        if (r.promo and not codes) or needs:
            # "discount code for the candle lol", "刚学化妆 连把刷子都没有": asking for one; but not "just
            # ordered the tumbler for my dad's bday"
            return False
        if r.tags and PROBLEM_PLACE.search(text):
            return False  # "夏天出汗多睫毛膏老晕成熊猫": a problem said is a need
        if asks(text) or OPEN_ASK.search(text) or REQUEST.search(text) or YES_NO_INSIDE.search(text):
            return False
        if QUESTION.search(COPULA.sub(" ", text)):
            return False  # but not its "is" anywhere: "the serum i got last week is 🔥" asks nothing
        for product in products:
            text = _named_as_it(text, product)
        for code in codes:
            text = text.replace(normalize_key(code.code), " ")
        return len(REMARK_WORD.findall(text)) >= REMARK_WORDS

    def _follows_up(self) -> bool:
        r = self.reading
        if r.sell_thing or r.categories:
            return False
        return bool(
            r.deictic
            or r.price
            or r.stock
            or r.variant
            or r.colour
            or r.promo
            or attributes.asked_attribute(r.text)
            or len(r.text) <= SHORT_FOLLOW_UP
        )

    def _kind_asked(self, named: Resolved) -> bool:
        """Is the one product found only by a category word several products are called by, said as a
        kind ("foundation for oily skin?", "which foundation…") and not as our product ("the
        foundation", "ur foundation") nor in a yes/no question about it ("粉底油皮能用吗")?"""
        word = self._name_word()
        if named.how != "name" or word is None or set(named.keys) != {word}:
            return False
        text = self.reading.text
        yes_no = YES_NO.search(text) or ZH_YES_NO.search(text)  # "粉底油皮能用吗": ours
        return not (yes_no or OUR_ONE.search(text.replace(word, "\0")))

    def _name_word(self) -> str | None:
        """A category word that is also part of product names ("foundation", "cream", "面膜"): asking for
        "the cheapest foundation" means the products called so, not the whole base make-up category."""
        text = _names_blanked(self.reading.text, self.names_not_scope, ())
        for word in NAME_WORDS:
            at = find_word(word, text)
            if at != -1 and VERB_BEFORE.search(text[:at]):
                continue  # "i spray a LOT": a verb, not the sprays
            if at != -1 and not LEAVES_OUT.search(text[:at]) and not _left_out_after(text, at, word):
                return word  # not "除了面膜", "眼霜不算": those are left out
        return None

    def _shades_meant(self, every: list[Variant], *, follow_up: bool) -> list[Variant]:
        """The shades the question names; in a follow-up about the conversation's product that names no
        colour ("matte lipstick in brick red is gorgeous" -> "how many left"), those the previous
        question named."""
        named = self._shades_named(every)
        r = self.reading
        asked = r.stock or r.in_stock or r.price or THE_OTHER.search(r.text)  # "and the other shade?"
        if named or not (follow_up and self.previous) or r.colour or not asked:
            return named
        before = self._shades_named(every, normalize_key(self.previous or ""))
        if not before and SHADE_SAID_BEFORE.search(r.text):  # "ok那刚才那个色还剩几支", two questions back
            for question in reversed(self.earlier[:-1]):
                before = self._shades_named(every, normalize_key(question))
                if before:
                    break
        others = [v for v in every if v not in before]
        if before and len(others) == 1 and THE_OTHER.search(r.text):
            return others  # "black is boring" -> "the other one then, how many left": the brown
        return before

    def _shades_named(self, every: list[Variant], text: str | None = None) -> list[Variant]:
        """The variants whose shade the question (or the normalized ``text``) names: "berry", "砖红",
        "21号" (a shade's number)."""
        text = NOT_COLOURS.sub(" ", self.reading.text if text is None else text)  # not "黑印子"
        named = []
        for variant in every:
            if not variant.colour:
                continue
            words = {variant.colour, SHADES.get(variant.colour, "").removesuffix("色")}
            number = variant.colour.split(" ", 1)[0]
            if number.isdigit():
                words.add(number)
            if any(w and find_word(normalize_key(w), text) != -1 for w in words):
                named.append(variant)
        return named

    def _selection(self, *, in_stock: bool) -> Selection:
        r = self.reading
        word = self._name_word()
        return Selection(
            categories=() if word else r.categories,
            excluded=r.excluded,
            name_word=word,
            tags=r.tags,
            max_price=r.max_price,
            min_price=r.min_price,
            currency=SHOP_CURRENCY,
            in_stock=in_stock,
            max_stock=r.max_stock,
            min_stock=r.min_stock,
        )

    async def _rank_for_viewer(self, candidates: list[Product]) -> list[Product]:
        """Candidates (most asked-about first) moved up by what this viewer's interaction graph
        suggests (``recommend.recommend_for_viewer``)."""
        if self.asker is None or len(candidates) <= 1:
            return candidates
        from knowledge_graph import recommend

        try:
            suggested = await recommend.recommend_for_viewer(
                self.store, self.asker.platform, self.asker.viewer_id, 20
            )
        except ValidationError:
            return candidates
        boost = {rec.sku: len(suggested) - i for i, rec in enumerate(suggested)}
        order = {p.sku: i for i, p in enumerate(candidates)}
        return sorted(candidates, key=lambda p: (-boost.get(p.sku, 0), order[p.sku]))

    def _reasons(self, product: Product) -> tuple[str, ...]:
        reasons = [attributes.label(tag, self.lang) for tag in self.reading.tags if tag in product.tags]
        benefits = attributes.labels(product, "benefit", self.lang)[:1]
        return tuple(dict.fromkeys(reasons + benefits))

    async def _scope(self, *, prices: bool = True) -> str:
        """What the question narrowed the catalog to, in the asker's language ("lips under ¥60")."""
        r = self.reading
        parts: list[str] = []
        if len(r.categories) == 1:
            category = await _category(self.store, r.categories[0])
            if category is not None:
                parts.append(category.name(self.lang))
        else:
            group = next((g for g in CATEGORY_GROUPS.values() if g.categories == r.categories), None)
            if group is not None:
                parts.append(group.zh if self.lang == "zh" else group.en)
        parts += [attributes.label(tag, self.lang) for tag in r.tags]
        if prices and r.max_price is not None and r.min_price is not None:
            low, high = (wording.format_price(p, SHOP_CURRENCY) for p in (r.min_price, r.max_price))
            parts.append(f"{low}到{high}之间" if self.lang == "zh" else f"between {low} and {high}")
        elif prices and r.max_price is not None:
            amount = wording.format_price(r.max_price, SHOP_CURRENCY)
            parts.append(f"{amount}以内" if self.lang == "zh" else f"under {amount}")
        elif prices and r.min_price is not None:
            amount = wording.format_price(r.min_price, SHOP_CURRENCY)
            parts.append(f"{amount}以上" if self.lang == "zh" else f"over {amount}")
        if r.max_stock is not None:
            parts.append(
                f"库存 {r.max_stock} 件以内" if self.lang == "zh" else f"with {r.max_stock} or fewer left"
            )
        if r.min_stock is not None:
            parts.append(
                f"库存 {r.min_stock} 件起" if self.lang == "zh" else f"with {r.min_stock} or more left"
            )
        return wording.joined(parts, self.lang)

    def _shade(self, colour: str) -> str:
        return SHADES.get(colour, colour) if self.lang == "zh" else colour

    def _colour_word(self, family: str) -> str:
        if self.lang != "zh":
            return family
        words = [word for word, fam in _zh_colour_words() if fam == family]
        return max(words, key=lambda w: (w.endswith("色"), -len(w)), default=family)

    def _variant_label(self, colour: str | None, size: str | None, variant_id: str) -> str:
        shade = self._shade(colour) if colour else None
        return " ".join(x for x in (shade, size) if x) or variant_id


SCHEDULE_ASK = re.compile(
    r"\b(next (?:stream|live|show|broadcast)|(?:stream(?:ing)?|live) (?:tonight|today|tomorrow|now)"
    r"|are you live)\b|下一场|下次直播|今晚.{0,3}播|明天.{0,3}播|今天.{0,3}播|现在在播"
)
"""The next stream (from the schedule in the graph); "when do you stream?" in general is the shop's FAQ."""
FIT_ASK = re.compile(
    r"^(?:is|are|does|do|can|will|would|should)\b.{0,40}\b(?:good|ok|okay|fine|suitable|work|safe)\b"
    r"|适合.{0,8}[吗嘛]|适不适合|能用吗|可以用吗|敢[用敷涂擦抹]吗|能[敷涂擦抹]吗|可以[敷涂擦抹]吗"
)
"""Whether one named product suits something ("is the serum good for dry skin?"): about that product."""
SHADE_PICK = re.compile(
    r"\b(?:which|what)(?: [a-z]+){0,2} (?:shade|colou?r|tone)s? (?:is|are|should|would|for|to)\b"
    r"|哪个色|哪个号|选哪个|什么色号|哪支色|啥色号|选啥色|选什么色|选啥号|选什么号|用啥号|用什么号|哪个颜色|什么颜色(?:好|合适)|的口红色"
    r"|\bmix (?:and match )?(?:the )?(?:colou?rs|shades)\b|\bmixed (?:colou?rs|shades)\b"
    r"|混色|混搭颜色|不同颜色混|颜色混着|混着"
)
"""Which of one product's shades to pick ("which lipstick shade is best for everyday"): its FAQ says."""
OPEN_ASK = re.compile(
    r"\b(tell me (?:about|more)|what(?:'s| is) (?:it|the|this|that)|what about|any good|worth it|info|details"
    r"|how(?:'s| is| are) (?:it|the|this|that|they)|review\w*|thoughts on|what do you think"
    r"|what(?:'s| is) a good|how about|and the|(?:nice|good|great|worth it)\W*$"
    r"|i (?:want|need) (?:a|an|the|some)|how (?:do i|to|do you) use|show (?:me|us|the|ur|your))\b"
    r"|介绍|怎么样|咋样|好用吗|好不好|是什么|是啥|啥来的|啥东西|值得|值不值|推荐吗|详细|问下|问一下|想问|看看|讲讲|说说"
    r"|用哪个|选哪个|哪个好|好吗\W*$|怎么用|如何用|咋用"
    r"|^那?.{1,10}呢\W*$"
)
"""A question about a product as a whole, which its description answers."""
COME_IN = re.compile(r"\b(?:comes?|available) in\b|有.{0,4}色|出.{0,3}色")
OF_ONE_PRODUCT = frozenset({"price", "stock", "variant", "attribute", "product_faq"})
"""Answers about one product's own facts: a line asking two of them ("能装热茶吗 能进洗碗机不") gets both."""


def _says_the_same(one: Answer, other: Answer) -> bool:
    """Do two answers say the same thing (the same FAQ opened two ways, "Yes, twice a day" and "Twice a
    day")?"""
    if one.text == other.text:
        return True
    kinds = {one.strategy, other.strategy}
    if kinds <= {"price", "stock"}:
        return True  # a price answer says the stock too
    if len(kinds) > 1:
        return False
    return SequenceMatcher(None, one.text, other.text).ratio() > 0.6


WHAT_ABOUT = re.compile(
    r"^(?:那|那么|还有|那个)?[^\s，,。?？]{1,12}?呢\W*$"
    r"|^(?:and|what about|how about|same for|same question for)\s+(?:the\s+|ur\s+|your\s+)?"
    r"[^?,，]{1,40}?\s*\??$"
)
"""A question that only names another product: the previous question, asked about it."""
STREAMING = re.compile(
    r"\b(on|live|stream\w*|online|come on|go live|broadcast\w*)\b|上线|开播|直播|播|看到|见到|在线|蹲"
)
"""Words of a question about when the streamer is on, asked by the streamer's name."""
SCHEDULE_TOPIC = "when do you stream 直播"
DAMAGE_TOPIC = next(words for _, words in SHOP_TOPICS if "damaged" in words)
SHIPPING_TOPIC = next(words for _, words in SHOP_TOPICS if "shipping cost" in words)
CODE_USE_TOPIC = next(words for _, words in SHOP_TOPICS if "discount code" in words)
GENUINE_TOPIC = next(words for _, words in SHOP_TOPICS if "genuine" in words)
RETURN_TOPIC = next(words for _, words in SHOP_TOPICS if words.startswith("return"))
EXCHANGE_TOPIC = next(words for _, words in SHOP_TOPICS if words.startswith("exchange"))
ABROAD_TOPIC = next(words for _, words in SHOP_TOPICS if words.startswith("ship internationally"))
SHIPS_FROM = re.compile(r"\b(?:ships?|shipped|sent|comes?) from\b|从哪(?:里|儿)?发|哪里发货|哪发货|从国外发")
"""Where parcels leave from: the warehouse, not shipping abroad."""
SHIPS_TO = re.compile(r"\b(?:ship|deliver|send|post|mail)\w* to\b|发到|寄到|送到")
SENDING = re.compile(r"\b(?:ship\w*|deliver\w*|send|mail|post)\b|寄|发货|发到|快递|包裹")
"""A parcel sent: a place said with it is where the goods go, whenever the stream is watched from there."""
GETTING_GOODS = re.compile(
    r"\b(?:ship\w*|deliver\w*|send|sent|post|mail|order\w*|buy|purchase|get (?:it|them|one|this|that)|want"
    r"|wanted|wanna|need|address|customs|overseas|abroad|international\w*|get to|get there|reach|arrive"
    r"|i'?m in|im in|living in|livin in|based in|live in)\b"
    r"|寄|能发|发吗|发不|发货|发到|买|到货|收到|收得到|运|邮|下单|想要|好想|海外|国外|国际|人在|留学"
)
"""Words of getting goods somewhere: a place named without them ("what time is it in new york") is no
question about shipping abroad."""
GLAD = 0.2
"""Sentiment above which a remark on a shop topic is glad news, below whose negative a complaint."""
STREAMER_ASK = re.compile(r"\bwho(?:'s| is) (?:the )?(?:streamer|host|this)\b|主播是谁|主播叫什么|你们主播")
PERSONAL_ASK = re.compile(
    r"\bhow long (?:have|has) \w+ been\b|\bwhen did (?:you|u|she) (?:start|begin)\b|\bsince when\b"
    r"|\bhow old (?:are|r|is) (?:you|u|she)\b|播了多久|播了几年|播多久了|多大了|几岁|哪年开始"
    r"|\bhow was (?:ur|your|her) (?:trip|day|weekend|holiday|vacation|birthday|bday|exam)\b"
    r"|(?:主播|你)的?(?:男朋友|女朋友|老公|老婆|对象|男票)"
    r"|\b(?:ur|your) (?:bf|boyfriend|husband|gf|girlfriend|wife)\b"
    r"|\b(?:do|did) (?:u|you) (?:secretly|personally) \w+"
)
"""The streamer's own life ("how long have u been streaming? i remember u from 2021"), not the schedule."""
VIEWERS_INVITED = re.compile(
    r"^有没有(?:姐妹|集美|宝子|家人|人|兄弟|朋友|小伙伴)们?.{0,16}一起|\b(?:any ?one|anybody|who) wanna\b"
    r"|^can (?:some ?one|somebody|any ?one) (?:clip|link|post|send)\b"
)
"""Viewers invited to something together ("有没有姐妹下播了一起打王者", "anyone wanna duo after stream")."""
PAIRING = re.compile(r"\b(goes? with|go well with|pairs? with)\b|搭配|配什么")


class IntentShape(TypedDict, total=False):
    """The ``Reading`` fields a Rasa intent sets."""

    price: bool
    stock: bool
    variant: bool
    promo: bool
    recommend: bool


INTENT_SHAPES: dict[str, IntentShape] = {
    "ask_price": {"price": True},
    "ask_stock": {"stock": True},
    "ask_variant": {"variant": True},
    "ask_discount": {"promo": True},
    "ask_recommendation": {"recommend": True},
}
"""The question shape a Rasa intent stands for, used when the words show none (see ``_Turn.answer``)."""
HAVE = re.compile(
    r"\b(any(?:thing)?|do (?:you|u) (?:have|sell|carry|stock)|what comes in|what'?s in|available|got)\b"
    r"|有.{0,10}[吗嘛]|有没有|有哪些|什么|有啥|有卖|卖不卖|卖吗"
)
LISTING = re.compile(
    r"\b(list|show|what(?:'?s| is| do you have)|which|any)\b"
    r"|\bwhat .{1,24} do (?:you|u) (?:sell|have|carry|stock)\b"
    r"|有哪些|有什么|有啥|都有|看看|列一下|列出|列个|有几[款样个种]|报一下|哪几[样款个种]|卖些啥|卖啥|卖什么|几款都"
)
ALL_LISTED = re.compile(
    r"\b(?:list (?:them |it |em )?all|all (?:the|of the|of your|your) |everything (?:that|which|for|you|u))"
    r"|都列|全部列|全列|列一下|所有的|全部的|都有哪些"
)
"""Every product that fits asked for, not a recommendation of a few."""
HOW_MANY = re.compile(r"\bhow many\b|几个|几种|几款|一共|总共|多少个")
COUNT_ASK = re.compile(r"\b(how many|what|which)\b|几|哪些|什么|多少")
COLOUR_AMOUNT = re.compile(r"\b(?:pigment\w*|sheer|hint of colou?r|tint|how much colou?r)\b|显色|上色")
"""How much colour a product gives ("super pigmented or more like a hint of colour"): not other colours."""
OTHER_ASK = re.compile(r"\b(other|another|different|more)\b|别的|其他|其它|还有别")
PREFERENCE_TAGS = frozenset({"need:for-him"})
"""Tags a recommendation prefers but does not require (the stable sort by tags met puts them first)."""
BUDGET_ASK = re.compile(
    r"\b(?:cheap|cheaper|budget|affordable|inexpensive|low[- ]cost|broke)\b"
    r"|便宜|实惠|平价|学生党|性价比|预算不多"
)
"""A recommendation asked on a budget: the cheapest of the fitting products come first."""
AROUND_AMOUNT = re.compile(r"左右|上下|\b(?:around|about|roughly|approx\w*|ish)\b|\d+\s*ish\b")
"""A budget said as a rough amount ("around 300", "三百左右"): what costs about that comes first."""
Topics = tuple[tuple[tuple[str, ...], str], ...]
"""A topic table of ``lexicon``: (cue words, words of the topic) pairs."""
SKIN_FIT_ASK = re.compile(
    r"\b(?:suit|suits|suitable|good for|ok for|okay for|fine for|work for|works for|safe for|skin ?types?"
    r"|for (?:oily|dry|sensitive|combination|acne))\b"
    r"|适合|适不适合|能用|可以用|能不能用|肤质|什么皮|哪种皮"
)
"""A question whether a product suits a skin type, or which it suits; other questions that mention the
skin ("how many hours will it keep my oily t zone matte") are for the product's FAQs first."""
SHADE_BEYOND = re.compile(
    r"\b(?:darker|lighter|deeper|paler|fairer) (?:than|shade|one|colou?r)\b"
    r"|比.{0,6}[深浅暗白黑]|更[深浅暗白黑]的"
)
"""A shade beyond the ones named ("is there a cushion shade darker than 23?"): every shade answers."""
SHIPPING_WORDS = re.compile(
    r"\b(?:shipping|postage|free delivery|delivery fee|pay for delivery|with delivery|incl\.? delivery"
    r"|what'?s delivery|how much (?:is )?delivery|delivery (?:cost|price|charge)s?|ships? (?:for )?free"
    r"|free ship\w*)\b"
    r"|包邮|运费|邮费|快递费|免邮"
)
"""The cost of shipping named beside a price or a deal ("total w shipping if i use the code")."""
STOREWIDE = re.compile(
    r"\b(?:storewide|sitewide|store-wide|site-wide|everything|whole (?:shop|store))\b|全场|全店"
)
"""The whole shop's deals asked beside a product's ("全场有活动吗 还是只有精华有")."""
AMOUNT_OFF = re.compile(r"(?:立?减|省)\s*(\d{1,4})|(?<![\d.])(\d{1,4})\s*(?:元|块|rmb|yuan|kuai)?\s*off\b")
"""A sum off said ("¥30 off", "立减30"): the promotion that gives it."""
EVERY_SHADE_ASK = re.compile(
    r"几个颜色|几个色|几种颜色|几款颜色|哪些颜色|哪些色|啥颜色|什么颜色|哪几个色|几种色"
    r"|\b(?:what|which|how many) (?:shades|colou?rs)\b"
)
"""Every shade asked for ("唇釉几个颜色 透明的有吗", "what shades does the liquid foundation come in"), even
beside one named."""
STILL_ON = re.compile(
    r"\bstill (?:on|running|going|valid|a thing|happening)\b|\b(?:is it|did (?:it|that)) (?:over|end|die)\b"
    r"|还有没|还在吗|还有吗|结束了|还能用"
)
"""Whether a deal still runs ("is the lip sale still on or did that die", "唇妆那个活动还有没")."""
LEAK = re.compile(r"\b(?:leak|spill)(?:s|ing|y|proof)?\b|会漏|漏不漏|漏水吗")
"""Whether a product leaks, asked of it (not "my serum leaked everywhere in the bag", a parcel's
damage)."""
MANY_CODES = re.compile(
    r"\b(?:two|2|multiple|several|more than one|both) (?:discount |promo |coupon )?codes\b|\bstack\w*"
    r"|两个码|几个码|叠加|叠券|叠着|一起用"
)
"""More than one code on an order: how codes combine, not the order's price."""
INSTEAD = re.compile(r"\binstead\b|换成|换(?=[\u4e00-\u9fff]{1,3}色)")
"""Another shade wanted in place of the one had ("got the red but want coral instead"): an exchange."""
WANTED_INSTEAD = re.compile(r"\b(?:i want(?:ed)? the|wanted)\b|想要|要的是")
"""Said of an order that came, another shade wanted ("收到香槟色发圈 显脏 想要黑的"): an exchange."""
OTHER_SIZE = re.compile(
    r"\b(?:bigger|larger|smaller|other|travel|mini|different|full) "
    r"(?:sizes?|bottles?|jars?|tubes?)\b"
    r"|\b(?:come|comes) in (?:a )?(?:bigger|smaller|larger)\b"
    r"|\b(?:bigger|larger|smaller) than \d(?![\d.]*\s*%)"
    r"|\bonly (?:the |a |in )?\d+ ?(?:ml|g)\b|^[a-z ]{2,20} sizes\W*$|\bany other sizes?\b|\bhow many sizes\b"
    r"|大瓶|大容量|小样|旅行装|别的规格|其他规格|几个规格|大一点的|小一点的|只有\d+ ?(?:ml|g|毫升|克)"
)
"""Another size asked for ("serum in a bigger bottle?", "有旅行装吗"), which the catalog does not sell."""
CODE_CHOICE = re.compile(r"\b(?:or|which|better|saves? more|cheaper)\b|哪个|还是|更省|更划算|更便宜")
"""One of two codes chosen for an order ("serum + toner, LIVE10 or SERUM30?"): the cart's best answers."""
CART = re.compile(r"\+|\b(?:combo|cart|both|basket)\b|加|一起")
"""Products put together in one order ("foundation + loose powder combo with code")."""
PAY_ASK = re.compile(
    r"\b(?:what|how much) (?:do|would|will|should) i (?:pay|end up paying)\b|到手|实付|付多少"
)
"""What the viewer would pay ("serum plus eyeliner, which code is better and what do i pay")."""
OTHER_SHADE = re.compile(
    r"\b(?:other|another|different) (?:colou?rs?|shades?)\b|(?:别的|其他|其它)(?:颜色|色号|色)|还有别的色"
)
"""Shades besides the one named ("black is harsh… any other color", "除了砖红还有别的色吗"): every shade."""
ONLY_SHADE = re.compile(r"\b(?:only|just)\b|就一个|就一种|只有|就只有|只一个|只出")
"""A shade named as maybe the only one ("only black?", "眼线笔就一个黑色吗"): every shade answers."""
ABOUT_IT_ASK = re.compile(
    r"\b(?:is|are|does|do|will|would|can|could) (?:the|this|that|these|those|ur|your) (?:\w+ ){0,3}?"
    r"(?:gonna|going to|like that|do that|do anything|work|safe|ok|okay|fine|good|make|leave|cause|break"
    r"|dry|help)\b|\b(?:does|do|will|can) (?:it|they) (?:\w+ ){0,2}?(?:do anything|work|help)\b"
    r"|^[^?,.!:-]{1,40}\s*[-,:]\s*(?:any|does|do|will|is|can)\b"
    r"|(?:会不会|能不能|管用|有用吗|顶用|也会|也这样)"
)
"""A yes/no question about the product it names ("is the setting spray here like that?")."""
HAS_SUBSTANCE = re.compile(
    r"\b(?:have|has|contain|contains|with|got)\b(?: any| added| a)* (?P<en>fragrance|alcohol|perfume|scent"
    r"|paraben|silicone|sulfate)s?\b|(?:含|有|加)(?:没有|不含)?(?P<zh>香精|酒精|香料)"
    r"|\b(?:is|are) (?:it|they|this|that|these|the [a-z ]{1,30}?) (?P<scent>scented|perfumed)\b"
)
"""A question whether a product contains something ("does it have fragrance", "含酒精吗")."""
YES_LEAD = re.compile(r"^(?:yes|yep|sure)\b[,:!.]?\s*|^(?:可以|是的|适合)[，,。]?", re.IGNORECASE)


WH_LEAD = re.compile(r"^(?:[^?,.!:-]{1,60}\s*[-,:]\s*)?(?:what|what's|whats|how|which|when|where|why)\b")
YES_NO_WORD = re.compile(r"^(?:yes|no)\b[,:!.]?\s*(?=\S)", re.IGNORECASE)


def _as_asked(question: str, answer: str) -> str:
    """An FAQ's answer to its own yes/no question ("No, they are soft synthetic fibres") given to a
    "what"/"how" question ("what are the bristles made of?") without the yes or no."""
    return _without_yes_no(answer) if WH_LEAD.search(question) else answer


def _without_yes_no(answer: str) -> str:
    if not YES_NO_WORD.search(answer):
        return answer
    rest = YES_NO_WORD.sub("", answer, count=1)
    return rest[:1].upper() + rest[1:]


WILL_IT = re.compile(r"^(?:will|would|does|do|can|could|is it gonna|is it going to)\b")


def _denied_as_asked(question: str, answer: str) -> str:
    """``answer`` ("Yes, it has glycerin, so it does not dry your skin out", an FAQ's words for "is it ok
    for dry skin?") opened with "No" when ``question`` asks whether it does what the answer says it does
    not ("will the setting spray dry my skin")."""
    if not (answer.startswith("Yes, ") and WILL_IT.search(question.lower())):
        return answer
    for verb in set(re.findall(r"[a-z]{3,}", question.lower())):
        if re.search(rf"\b(?:does not|doesn'?t|will not|won'?t|not|never) {verb}\b", answer, re.IGNORECASE):
            return "No, " + answer[len("Yes, ") :]
    return answer


def _free_of_said(question: str, answer: str) -> str:
    """``answer`` (an FAQ's words for another question, "Yes, it is fragrance-free") opened with the
    answer to ``question`` when that asks whether the product contains what the FAQ says it is free of
    ("does it have fragrance" -> "No, it is fragrance-free")."""
    match = HAS_SUBSTANCE.search(question)
    if match is None:
        return answer
    if match.group("en") or match.group("scent"):
        substance = match.group("en") or "fragrance"  # "is it scented?"
        free = re.search(rf"\b{substance}[- ]free\b|\bno {substance}\b", answer, re.IGNORECASE)
        if not free:
            return answer
        rest = YES_NO_WORD.sub("", YES_LEAD.sub("", answer, count=1), count=1)
        return f"No, {rest[:1].lower()}{rest[1:]}" if rest[:2] in ("It", "Th") else f"No, {rest}"
    if not YES_LEAD.search(answer):
        return answer
    free = re.search(rf"(?:无|不含){match.group('zh')}", answer)
    return f"不含，{YES_LEAD.sub('', answer, count=1)}" if free else answer


BODY_DAMAGE = re.compile(r"嘴|唇|脸|皮肤|屏障|手|脚|\b(?:lips?|skin|face|hands?|feet|heels?|barrier)\b")
PARCEL = re.compile(
    r"瓶|盒|包裹|快递|收到|到货|到手|盖|\b(?:bottle|box|parcel|package|jar|lid|case|arrived|came|delivery|order)\b"
)
"""Cracked lips are dry skin; a cracked bottle in the parcel is damage the shop replaces."""
COPULA = re.compile(r"\b(?:is|are)\b")
TO_ANOTHER_VIEWER = re.compile(
    r"^(?:楼上|楼下|层主|上面|前面)(?:的)?(?:姐妹|宝|宝子|家人|朋友|集美|兄弟|那位)?们?\s?(?:你|u\b|you\b)"
    r"|^(?:楼上|楼下|层主)(?:的)?(?:姐妹|宝|宝子|家人|朋友|集美|兄弟|那位)?们?\s.{0,20}你"
    r"|^(?:@?op|the (?:person|girl|guy) above|whoever said)\b.{0,20}\b(?:you|u|ur|your)\b"
)
"""A line put to another viewer ("楼上姐妹你哪个城市滴"): not the shop's to answer."""
REMARK_WORD = re.compile(r"[a-z0-9']+|[\u4e00-\u9fff]")
BOUGHT = re.compile(
    r"\b(?:just )?(?:ordered|bought|got (?:my|her|him|them|it)|purchased|picked up)\b"
    r"|买了|入了|下单了|拍了|囤了"
)
"""A purchase reported: a need said beside it ("for my dad's bday") was met, not asked."""
ARRIVED = re.compile(r"\b(?:arrived|came|showed up|got here|delivered)\b|到了|收到|到货|到手")
"""An order that came: what is said of it is said of the viewer's parcel."""
SHADES_LISTED = re.compile(r"\b(?:shades|colou?rs|options|sizes|variants)\b")
"""Every shade asked for in English chat's noun phrase ("cushion shades for my mom")."""
REQUEST = re.compile(
    r"\b(?:need|want|wanna|gimme|give me|lemme|let me|get me|i'?ll take|i'?d like|send me|add|wondering"
    r"|i wonder|curious)\b"
    r"|想要|想买|要一|来一|给我|帮我|我要|求"
)
"""Asking for something without a question word ("need the cushion in 23", "给我来一支口红")."""
YES_NO_INSIDE = re.compile(
    r"\b(?:is|are|r) (?:the|it|this|that|there|they|these|those|ur|your|u|you)\b"
    r"|\b[a-z]+ or (?:more |a |an )?[a-z]+\b"
    r"|\b(?:will|wil|would|does|do|can|could|should) (?:it|the|this|that|they|these|those|u|you|i)\b"
    r"|^if\b|^(?:u |you |y'?all )?got (?:any |some )?(?!my\b)[a-z]+s\b|[没不](?=\s|$)|捏\W*$"
)
"""A yes/no question or a choice inside a line ("im oily af is the repair cream gonna be too heavy",
"cushion finish - dewy or more matte", "发圈香槟色有货没"), where a copula alone ("the serum i got is 🔥")
asks nothing; a condition ("if i buy the serum with SERUM30 is shipping free"); "got codes for lip
stuff"."""
RHETORICAL = re.compile(
    r"有?谁懂[啊呀吧了]?|谁能懂|懂的都懂|谁不爱|谁能拒绝|\bwho (?:else )?(?:could|can) resist\b"
)
"""A question asked of no one ("囤的面膜还剩一箱 谁懂啊"): it asks nothing."""
REMARK_WORDS = 5
"""Words (Chinese: characters) besides the product's name from which a message that asks nothing is a
remark about it rather than its name said to hear about it."""
MATERIAL_ASKED = re.compile(
    r"\b(?:real|genuine|pure|actual) "
    r"(?:silk|mulberry|leather|gold|silver|wood|cotton|hair|fur|bristles?|glass)\b|真丝|纯棉|真皮|动物毛|纯银"
)
"""A material asked about ("real silk or polyester?"), not whether the goods are genuine."""
PROBLEM_PLACE = re.compile(
    r"嘴|唇|脸|皮肤|手|脚|睫毛|眼|[tT]区|额头|鼻|头发|气色"
    r"|\b(?:lips?|skin|face|hands?|lashes|eyes?|lids?|t-?zone|forehead|nose|hair|cheeks?|under ?eyes?)\b"
)
"""Where a viewer says a problem is ("lashes so short", "T区出油"): with the need it names, a request."""
ORDER_ASK = re.compile(
    r"先.{0,8}还是|顺序|哪个先|先[上用涂抹]哪"
    r"|\b(?:before or after|after or before|which (?:one )?(?:goes )?first)\b"
)
"""A question about the order products are used in."""
YES_NO_LEAD = re.compile(
    r"^(?:[^?,.!:-]{1,60}\s*[-,:]\s*)?(?:is|are|does|do|will|would|can|could|any)\b", re.MULTILINE
)
"""A question that opens as yes/no ("does the eye cream do anything for dark circles?") asks about the
product it names, even in a recommendation's words."""
COLOURS_DESCRIBED = re.compile(
    r"\b(?:\d+|two|three|four|five|six|eight|ten|twelve) (?:\w+ )?(?:shades|colou?rs|browns|tones)\b"
    r"|\d+\s*色",
    re.IGNORECASE,
)
"""A description that counts the colours inside one product ("Twelve everyday browns", "12色日常大地色")."""
DOES_IT = re.compile(
    r"^(?:\w+ )?(?:but )?(?:does|do|will|would|can|is) (?:it|they|this|that)\b|它.{0,8}[吗嘛]"
)
"""A yes/no question about the product talked about ("ok but does it actually do anything for …")."""
WITH_IT = re.compile(r"它(?:跟|和|与|同)|\b(?:it|this|that) (?:with|and|or|vs\.?|before|after)\b")
"""The product talked about, put beside one the question names ("那它跟精华先用哪个")."""
KINDS_CHOICE = re.compile(
    r"^(?:(?:is|are) (?:it|they|this|that) |it'?s )?(?:an? )?(?P<a>[a-z]+) or (?:an? )?(?P<b>[a-z]+)\b"
)
"""A choice between two words, to be checked against the category words ("powder or cream?")."""
KIND_PAIR = re.compile(r"\b(?:an? )?(?P<a>[a-z]+) or (?:an? )?(?P<b>[a-z]+)\b")
"""Two words offered as a choice anywhere in the question ("is the blush a powder or cream")."""
_RANGE_NOUNS = (
    r"(?:stuff|products|items|things|range|options|selection|section|category|collection|line ?up|aisle)"
)
RANGE_WORDS = re.compile(rf"\b{_RANGE_NOUNS}\b|系列|专区|类的|的产品|的单品|的商品")
"""Words that make a category word the whole range ("fragrance stuff", "口红系列"), not one product."""
BODY_PARTS = frozenset({"lips", "eyes", "lashes", "brows", "nails", "hands", "cheeks", "faces"})
"""Plurals of category words that name the body, not the products for it ("my lips get dry")."""
RELATIVE_ASK = re.compile(
    OTHER_ASK.pattern + r"|\b(like|similar|alternative|instead|goes? with|go well with|pairs? with|besides)\b"
    r"|类似|像|替代|平替|搭配|配什么|除了"
)
"""A request relative to the product it names ("something like the serum", "what goes with it"), which
recommends other products; without one, the product named is the recommendation."""
CODE_FAILED = re.compile(
    r"\b(?:not working|doesn'?t work|didn'?t work|won'?t work|isn'?t working|invalid)\b"
    r"|用不了|不能用|无效|没用上"
)
"""A code that did not take: how codes are entered, unless the code has ended."""
CODE_RULES_ASK = re.compile(
    r"\b(together|combine[ds]?|stack(?:ing|ed)?|both|at once|at the same time|more than one"
    r"|how (?:do|can|to) (?:i |you )?(?:use|apply|redeem|enter)"
    r"|how many codes (?:can|could|do|may|per)|multiple codes|two (?:discount |promo )?codes|\d codes"
    r"|codes on one"
    r"|automatic(?:ally)?|auto[- ]?appl\w*|type (?:it|something|a code|the code) in"
    r"|(?:have|need) to (?:type|enter|put in)"
    r"|where (?:tf |the hell |even )?(?:do|can) i (?:even )?(?:type|enter|put|use))\b"
    r"|\b(?:same|one|a single) order\b"
    r"|叠加|一起叠|叠着|叠在一起|叠一起|叠用|能叠|叠吗|叠不|一起用|同时用|一起使用|同时使用|怎么用|如何使用|在哪(?:里|个页面)?(?:输|填)|哪个页面(?:输|填)|几个(?:优惠|券)?码|两个码|几个券"
    r"|自动(?:减|扣|打折|生效|使用|用上)"
)
"""How discount codes work (combining, entering one), asked about a code or a deal: the shop's rules."""
UNTIL_ASK = re.compile(
    r"\b(until when|valid until|how long (?:is|does|will)|when (?:does|do|will) .{0,20}(?:end|expire|stop)"
    r"|expir\w*|deadline|last (?:until|till))\b"
    r"|last day|ends? (?:today|tonight|soon)|still (?:on|running|valid) (?:tomorrow|next week)"
    r"|到什么时候|到啥时候|到几号|截止|什么时候结束|啥时候结束|哪天结束|几号结束|最后一天|有效期|明天就没|会不会没了"
    r"|还有几天"
)
"""When a deal ends."""
BESIDES = re.compile(
    r"\b(?:besides|other than|except|apart from|aside from|instead of)\b|除了|除开|以外|之外"
)
"""A shade named to be left out: "does it come in anything besides black", "除了黑色还有别的色吗"."""
BOUGHT_ELSEWHERE = re.compile(
    r"(?:在|从)(?:别家|别的店|其他店|别的地方)买|\bbought (?:it |them )?(?:from|at) another (?:shop|store)\b"
)
"""An order from another shop told about."""
PAST_EXPERIENCE = re.compile(
    r"之前|上次|以前|\b(?:before|last (?:time|week|month|year)|once|got burned|got scammed)\b"
)
"""Another shop told of as a past experience, a worry about this one."""
NAMED_ROOM = re.compile(r"李佳琦|薇娅|罗永浩|东方甄选")
"""Other rooms by name: whatever else is said, their deals are theirs."""
OURS_ASKED = re.compile(r"你们家|你家|你们|\b(?:ur|your|yours|u guys|you guys)\b")
"""The shop's own goods or policies asked about, beside another room said as a past experience."""
OTHER_SHOP = re.compile(
    r"\b(amazon|taobao|tmall|jd\.com|pinduoduo|sephora|ulta|watsons|yesstyle|stylevana|olive young|walmart"
    r"|costco|ebay|fedex|dhl|usps|post office)\b"
    r"|\b(?:starbucks|mcdonald'?s|kfc|nike|zara|uniqlo|ikea|douyin|tiktok shop|xiaohongshu)\b"
    r"|京东|淘宝|天猫|拼多多|抖音商城|唯品会|屈臣氏|丝芙兰|小红书|商场|麦当劳|肯德基|星巴克|雅诗兰黛|兰蔻|海蓝之谜"
    r"|\b(?:the mall|a mall|apple store|apple sale|la mer|est[eé]e lauder|lanc[oô]me)\b"
)
"""Other shops and marketplaces: their deals, prices and policies are not this shop's to answer."""
SHADE_SAID_BEFORE = re.compile(
    r"(?:刚才|刚刚|之前|前面|一开始)(?:说的|问的)?那个(?:色|号|颜色)|\bthat (?:shade|colou?r)\b"
    r"|\bthe (?:shade|colou?r) i (?:said|asked about|mentioned)\b"
)
"""A shade pointed back to ("刚才那个色", "that shade"): one a question before the last may have named."""
VAGUE_THINGS = frozenset({"thing", "things", "stuff", "one", "ones", "product", "products", "item", "items"})
RECOMMENDED_THING = re.compile(
    r"\b(?:a|an|the|ur|your|some|any) (?:best|good|great|nice|decent)\s+(?P<thing>[a-z][a-z -]{1,30}?)"
    r"(?=\s+(?:for|to|that|which|in|on|from|under|with)\b|\s*[?!.]|$)"
)
"""The kind of thing a recommendation is asked for ("whats a good beginner camera", "best travel pillow")."""
NO_SHOP_FAQ_SAYS = re.compile(
    r"改地址|修改地址|换(?:个|一下)?地址|地址(?:填|写)错|改(?:一下)?订单|取消订单|(?:订单|下单了?).{0,4}取消|能取消"
    r"|什么快递|哪家快递|哪个快递|顺丰|中通|圆通|韵达|申通|极兔|京东快递|\bems\b|退款多久|多久到账|到账"
    r"|\bhow long (?:does|do|will|till|until) (?:the |a |my )?refunds?\b"
    r"|\b(?:change|update|fix|edit) (?:my |the )?(?:shipping |delivery )?(?:address|order)\b"
    r"|\bcancel (?:my |the |an )?order\b|\bwhich (?:courier|carrier|delivery company)\b|\bwhat courier\b"
)
"""Order changes and couriers, which none of the shop's FAQs speaks of: the streamer is asked."""
WEEKDAY = re.compile(
    r"(?:周|星期|礼拜)[一二三四五六日天末]|\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b"
    r"|\bweekends?\b"
)
"""A day of the week, which the weekly schedule answers (the next stream may be another day)."""
MIN_SPEND = re.compile(
    r"门槛|满多少(?:才)?(?:能|可以)用|最低消费|\bmin(?:imum)? (?:spend|order|purchase)\b|\bspend at least\b"
)
"""What an order must reach for a code to apply: the code's own terms, not free shipping."""
BARE_CHOICE = re.compile(
    r"^(?!.*\b(?:sell|carry|have|got|stock)\b)[a-z\s'-]{1,30}\s+or\s+[a-z\s'-]{1,30}\W*$"
    r"|^[\u4e00-\u9fff]{1,10}还是[\u4e00-\u9fff]{1,10}\W*$"
)
"""A choice said bare ("cotton pad or hands?", "化妆棉还是手"): how to use the product talked about."""
NEXT_IN_RANK = re.compile(
    r"\b(?:next|second|2nd)[- ](?:cheapest|most|priciest|least|biggest|largest|smallest|best)\b"
    r"|第二(?:便宜|贵|多|少|大)|其次"
)
"""The place after the first in a ranking: the product named is the first, or nothing says which is."""
CATALOG_WIDE = re.compile(
    r"(?P<before>[\w-]+)?\s*\b(?:thing|things|item|items|anything|everything|product|products|stuff)\b"
    r"(?! (?:for|in) )"
    r"|(?:全场|整个直播间|直播间里?|你们家|店里)(?:最贵|最便宜)的?(?:是|东西|单品)"
)
"""A ranking over the whole catalog ("the most expensive thing u sell", "直播间最贵的是啥"), whatever product
is named beside it; not "priciest fragrance item", whose category word says the scope."""


def _ranks_the_catalog(text: str) -> bool:
    return any(
        not (m.group("before") and normalize_key(m.group("before")) in category_word_keys())
        for m in CATALOG_WIDE.finditer(text)
    )


OTHER_ROOM = re.compile(
    r"李佳琦|薇娅|罗永浩|东方甄选|(?:别人|别家|隔壁|其他|他|她)的?直播间"
    r"|\b(?:other|another) (?:streamer|stream|channel|live ?room)'?s?\b"
    r"|\b(?:his|her|their) (?:stream|channel)\b"
    r"|\b(?!(?:lulu|tonight|today|tomorrow|yesterday|week|month|year|night|everyone|everybody)'s)"
    r"[a-z]+'s (?:stream|channel|live ?stream)\b"
)
"""Another streamer's room: its deals on a lipstick are not ours ("李佳琦直播间今晚口红打折吗")."""
OFF_SHOP_SUBJECT = re.compile(
    r"\b(?:dogs?|doggo|pupp(?:y|ies)|cats?(?![ -]?eye)|kittens?|kitty|pets?|vets?|veterinarian|hamsters?"
    r"|video ?games?|gaming|genshin|fortnite|minecraft|valorant|steam (?:games?|sales?|deck)|my game|ps5|xbox"
    r"|games?(?! ?changers?)|prosecco|wine|beer|whiske?y|vodka|cocktails?|tequila|airport|subway|metro|taxi"
    r"|paintings?|kitchen|bulls?|cows?|horses?|sharks?|myths?|books?|novels?|movies?|films?|anime|manga"
    r"|restaurants?|songs?|albums?|tv shows?|drugstores?|pharmac(?:y|ies)"
    r"|(?:start|go|went|going|started) (?:running|jogging)|marathons?|jogging|guitar|piano"
    r"|golden retrievers?|labradors?|poodles?|huskies|husky|corgis?|scalp|dandruff|fish|library"
    r"|(?:gold|silver|oil) prices?|cheapest (?:country|city|place) to|visas?|anniversary"
    r"|my (?:hands?|feet|heels|nails|cuticles) (?:getting|get|gets|are|is)"
    r"|battle ?pass|in-?game|zelda|pok[eé]mon|mario|elden ring|roblox|overwatch|animal crossing|stardew"
    r"|v-?bucks|robux|call of duty"
    r"|rain(?:ing|y)?|snow(?:ing|y)?|weather|forecast|(?:dry|rainy|wet) season|plants?(?!-based)"
    r"|water(?:ing)? it"
    r"|nintendo|iphone|android|laptop|my (?:phone|pc|computer|car|bike|bedroom|walls?|house|garden|plants?)"
    r"|paint (?:my|the) (?:room|bedroom|walls?|house)|bedroom|homework|football|soccer|basketball|nba"
    r"|recipe|crypto|compil\w*|coding|programming|debug\w*|leetcode|houseplants?|leaves|cheat codes?|gta"
    r"|podcasts?|audiobooks?|playlists?|hotels?|bread|cakes?|cookies|pizza|pasta|nail polish"
    r"|which stocks|shares|price of (?:gold|silver|oil|bitcoin)|t-?shirts?|shirts?|clothes|clothing"
    r"|power outage|blackout|kids|children|toddlers?|babies"
    r"|\d+ ?(?:year|yr)s? old (?:boy|girl|kid|son|daughter)"
    r"|websites?|html|css|javascript|hex value|rgb|overlay|canva|obs|invest\w*"
    r"|hw|chem(?:istry)?(?: class| test| exam)?"
    r"|http|404|serie a|premier league|la liga|jerseys?|dinosaurs?|toys?|lego"
    r"|rihanna|beyonc[eé]|taylor swift|kardashians?|kylie jenner|selena gomez|ariana grande|blackpink"
    r"|celebs?|celebrit(?:y|ies)|flights?|carry[- ]?on|tsa|squats?|leg day|protein|muscles?|calories"
    r"|cardio|work ?out (?:in the )?(?:morning|at night)|burnt out|burnout|depress\w*|anxiety"
    r"|therap(?:y|ist)|mental health|the ordinary|cerave|la roche[- ]posay|cetaphil|maybelline|neutrogena"
    r"|innisfree|laneige)\b"
    r"|狗狗|我家狗|小狗|狗子|猫咪|我家猫|小猫|宠物|兽医|原神|王者荣耀|吃鸡|手机.{0,6}(?:发烫|卡|没电|充电|坏)"
    r"|电脑|汽车|刷墙|装修|卧室|家具|沙发|菜谱|做饭|作业|考试|足球|篮球|股票|代码|编程|开黑|上分|打游戏"
    r"|高铁|机票|火车票|车票|门票|油画|颜料|炒菜|做菜|面粉|人体|酒店|住宿|下雨|下雪|天气|带伞|雨季|旱季|浇水|绿植|盆栽"
    r"|吉他|钢琴|司机|驾照|上高速|晾衣服|晾干|签证|玩几天|哪个国家|贺卡|习俗|由来"
)
"""Subjects that are not the shop's: a question about them that names no product is not answered with
the catalog, however well its other words ("dry skin", "peach", "code") fit. Those no answer of the shop
concerns at all are ``NOT_THE_SHOPS_BUSINESS``; health, hobbies and housework, whatever they name, are
``BODY_HEALTH``, ``HOBBY_OR_HOME`` and ``STAIN_REMOVAL``."""
ABOUT_WHAT_IS_NAMED = frozenset(
    {"variant", "stock", "price", "deal", "deals", "promotion", "attribute", "product_faq", "description"}
)
"""Answers about the product or code a message names, which a remark on it ("the cushion is 🔥") names
too; a request for goods ("送闺蜜礼物 预算100以内", "my lips are cracked and peeling") is not one."""
MYTH_ASK = re.compile(r"\bis it true\b|\bor is (?:that|it) (?:just )?a myth\b|是真的吗|真的假的|有科学依据")
"""Whether a belief is true, asked of no product: general knowledge even about the viewer's own face."""
GENERAL_KNOWLEDGE = re.compile(
    r"^(?:why|how come)\b|\bwhy (?:do|does|is|are|did|would)\b|\bwhat (?:does|do) .{1,40}\bmean\b"
    r"|\bwhat is the (?:meaning|difference|chemical)\b|\bdifference between\b"
    r"|为什么|为啥|是什么意思|啥意思|什么原理|有什么区别|区别是什么|什么区别|化学|分子式"
    r"|\bwhat'?s \d+(?:\.\d+)?\s*%? (?:of|off) \d+|打[一二三四五六七八九\d]+折是多少"  # "what's 15% of 80"
    r"|\bwhat (?:is|are) .{1,30} made (?:from|of)\b"
    r"|\bhow (?:do|would) (?:u|you|i) say\b|\bin (?:french|spanish|german|japanese|korean|italian)\b"
    r"|\btranslat\w+|用英语怎么说|英文怎么说|英语怎么说|日语怎么说|法语怎么说"
    r"|\b(?:planets?|galax\w*|solar system|black holes?|in the world"
    r"|(?:cheapest|best|fastest|quickest|easiest) way (?:to|from) (?:travel|get|go|fly|learn|cook|make|\w+ "
    r"airport)|of all time|ever sold|in history|ever made|or is that a myth)\b"
    r"|\bchemical (?:formula|symbol)\b|\bperiodic table\b"
    r"|\bwhich (?:us )?(?:state|country|city|continent)\b|\bcapital of\b"
    r"|\b(?:in general|just marketing)\b"
    r"|\bwhat colou?r do(?:es)? .{1,30}\bmake\b|调出来|混在一起|加.{1,4}色(?:是|变成)什么"
    r"|\b(?:largest|biggest|deepest|tallest|longest|highest|smallest) (?:ocean|sea|river|lake|mountain"
    r"|country|city|animal|desert|island|building|planet)s?\b"
)
"""A question that asks to explain or compute something ("why is the sky red at sunset", "口红效应是什么
意思", "what's 15% of 80"): general knowledge, not a request for the shop's goods (a product named makes
it a question about that product: "why is the serum so pricey")."""
ARITHMETIC = re.compile(
    r"\d+\s*[x×*÷]\s*\d+|\d+\s+/\s+\d+|\d+\s*[+\-]\s*\d+\s*(?:=|等于)|乘以|除以"
    r"|\b\d+ (?:times|plus|minus|divided by) \d+\b|是几升|等于多少|一共是几"
)
"""A sum to work out ("3杯一共是几升", "17 times 23"), whatever it names."""
BODY_HEALTH = re.compile(
    r"\b(?:vitamin deficiency|supplements?|cough\w*)\b|咳嗽|缺.{0,4}维生素|对身体|身体健康|危害|保健品"
    r"|高原反应|晕车|感冒|发烧|摄入|超标|\b(?:covid|coronavirus|n95|hours of sleep)\b|睡几个小时"
    r"|\b(?:what time|when) should i (?:sleep|go to bed|wake up)\b|几点睡|几点起"
    r"|\b(?:fever|blisters?|emergency room|urgent care|the er|ambulance|meds|medication|medicine|adhd"
    r"|prescriptions?|painkillers?|ibuprofen|tylenol|advil|antibiotics?)\b|急诊|吃药|布洛芬|抗生素"
    r"|\b(?:asking in general|the science|biology of)\b|求科普|科普一下"
    r"|\beye doctors?\b|\b(?:good|know a|find a|see a) doctor\b|看医生|眼科"
    r"|\breason i (?:can'?t|cant|cannot) sleep\b|\bcaffeine question\b"
    r"|\b(?:treat|get rid of) (?:a |my |the |his |her )?sunburn\b|\bsunburn (?:remedy|treatment|relief)\b"
    r"|\b(?:the flu|a cold|colds|viruse?s?|germs)\b|喷嚏打不出|打嗝"
    r"|晒伤了?(?:怎么办|怎么处理)"
)
"""Health beyond the skin ("嘴唇老是干裂是缺哪种维生素", "熬夜对身体有什么危害"): not the shop's to answer."""
HOBBY_OR_HOME = re.compile(
    r"\b(?:watercolou?rs?|acrylics?|canvas|oil paint\w*|paint(?:ing)? (?:my|the) (?:walls?|room|house"
    r"|fence)|baking (?:soda|powder)|maths? (?:question|problem|homework)|diy|homemade|make .{0,25}at home"
    r"|paint(?:ing)? (?:my|the|our) (?:bedroom|living room|kitchen|nursery|apartment|flat|office)"
    r"|paint ?brush(?:es)?"
    r"|\bwhy do (?:we|people|humans)\b|\bwhat colou?rs? (?:goes|go|match(?:es)?) with (?:navy|a navy|my navy)"
    r"|leather (?:boots|shoes|jacket|sofa|couch|bags?)|boots|shoes|sneakers"
    r"|(?:birthday|bday|b-day) cake|on (?:a|the|my) cake|photoshop|procreate|hex (?:code|colou?r)"
    r"|paint for (?:a|the|my) \w+|kitchen walls?|bathroom walls?)\b"
    r"|\b(?:coffee grounds|lemon juice|toothpaste|egg whites?|oatmeal|turmeric|cucumber slices?"
    r"|honey (?:\+|and|mask)|yog(?:h)?urt (?:mask|on))\b"
    r"|水彩|油画|颜料|刷墙|小苏打|泡打粉|数学题|自制|自己做|在家做|咖啡渣|蜂蜜面膜|牙膏|黄瓜片|习俗|写张贺卡"
)
"""Painting, baking and homework ("best brush for watercolour painting", "baking soda or baking powder"),
which borrow the catalog's words ("brush", "powder", "gloss")."""
STAIN_REMOVAL = re.compile(
    r"\b(?:get|remove|clean|wash) .{0,25}\b(?:out of|off of|off|from) (?:a |an |my |the |our )?(?:\w+ ){0,2}"
    r"(?:carpet|rug|shirt|clothes|couch|sofa|sheets?|pillow\w*|jeans|collar|dress|table|wall)\b"
    r"|(?:地毯|衣服|沙发|床单|枕头)上的?.{0,8}(?:怎么洗|洗掉|弄掉|去掉)"
)
"""Housework about a stain ("get candle wax out of a carpet"), which names products without asking
about them."""
NOT_THE_SHOPS_BUSINESS = re.compile(
    r"\b(?:s&p|stock market|index funds?|etfs?|invest(?:ing|ment|ments)?|mortgage|interest rates?|401k"
    r"|(?:lower|higher|less|more|lowest|highest) interest"
    r"|order (?:a |some )?(?:pizza|food|takeout|takeaway|sushi|burgers?)|uber ?eats|doordash"
    r"|how (?:do|can|to) i (?:stream|go live|start streaming)|discord|invite (?:code|link)|world cup"
    r"|super bowl|what should i major in|(?:college|university) major|lag|laggy|buffering|froze"
    r"|frozen|audio|can'?t hear|no sound|who was the (?:girl|guy|lady|person|woman|man)"
    r"|did (?:u|you) get (?:ur|your) (?:nails|hair) done|making a (?:return|comeback)|new season"
    r"|write (?:me )?(?:a|an|my) (?:\w+ ){0,2}(?:card|poem|letter|essay|story|speech|caption|email)"
    r"|return (?:my|his|her) (?:hoodie|sweater|jacket|shirt|clothes|stuff|things|ring|keys|books?))\b"
    r"|卡顿|没声音|听不见|声音太小"
    r"|外卖|美团|饿了么|打车|炒股|理财|基金|国足|球赛|世界杯|欧冠|演唱会"
)
"""Subjects no shop answer concerns, not even its policies ("average yearly return on the s&p 500" is no
return policy, "how do i order pizza online" no way to pay us)."""
TIE_KEYS: dict[str, Callable[[Product], object]] = {
    "price_asc": lambda p: p.price,
    "price_desc": lambda p: p.price,
    "stock_desc": lambda p: p.stock,
    "stock_asc": lambda p: p.stock,
}
"""What a ranking orders by: products equal in it are named together."""
KIND_CHECKED = frozenset({"product_faq", "description"})
"""Answers read from the streamer's own words, which must give the kind of answer asked (a duration, an
amount, a scent) to be given."""
BESIDE_THE_CATALOG = frozenset({"shop_faq", "not_carried", "other_shop", "schedule"})
"""Answers that are not read from the catalog's products and codes: a question about another subject may
still get them ("my dog chewed the parcel, can I get a refund?")."""
OWN_LOOKS = re.compile(
    r"\bmy (?:eyes?|skin|face|lips?|hair|under ?eyes?|eye ?bags|dark circles|pores|nose|cheeks?)\b"
    r"|^(?:eyes?|skin|face|lips?|under ?eyes?) (?:look|looks|feel|feels|is|are|r|get|gets|so)\b"
    r"|我(?!家)的?(?:眼|皮肤|脸|嘴|唇|头发|毛孔|黑眼圈)|熬夜"
)
"""The viewer's own face, skin or hair: what the shop's products are for, whatever else is said."""
SIMILE = re.compile(r"\blike (?:a |an |the )?(?:wet |old )?\w+|像.{0,3}[狗猫]")
"""A subject said only to compare ("my flat smells like wet dog"): not what the question is about."""
CODE_RULES_TOPIC = "how to use a discount code at checkout one code per order 优惠码怎么用"
BOTH_ASK = re.compile(r"\b(?:both|either|all of them|each)\b|都|哪个有|哪个含|哪款有|哪款含")
SAYS_INGREDIENTS = re.compile(
    r"\b(?:contains?|ingredients?|[a-z]+-free|alcohol|fragrance|made (?:of|with)|has|with)\b"
    r"|成分|含|酒精|香精|添加"
)
"""An FAQ answer that speaks of what is in the product (not "Yes, it controls shine for about 6 hours")."""
SHADE_WORDS = re.compile(r"\b(?:colou?rs?|shades?)\b|颜色|色号")
BEST_CODE = re.compile(
    r"\b(?:best|better|which) (?:code|coupon|deal|discount)|\bwhich (?:one )?saves?\b"
    r"|\b(?:still|really) the (?:move|best|better one)\b|\bwhich (?:one )?(?:is )?(?:better|cheaper)\b"
    r"|哪个码|哪个优惠码|用哪个码|哪个更划算|哪个划算|哪个更省|哪个省钱|用哪个"
)
CODE_LIKE = re.compile(r"[a-z]+\d+|\d+[a-z]+")
UNKNOWN_CODE = re.compile(r"(?<![a-z0-9])[a-z]{3,}\d{1,3}(?![a-z0-9])")
"""A word that looks like a discount code ("spring20", "vip15")."""
NOT_A_CODE = re.compile(r"spf\d+|[a-z]+(?:ml|mg|g|h|hrs?|pcs)|(?:top|day|week|gen|ps|ip|mp|covid)\d+")
"""Code-like words that are sizes, sun protection and the like ("spf50", "top3")."""
CODE_TALK = re.compile(
    r"\b(?:codes?|coupons?|promo|voucher|discount|work|works|valid|apply|applies|use|redeem|checkout"
    r"|enter|real|legit|\d+ ?% off)\b|码|券|能用|可以用|有效|管用|好使|结算|折扣|打折"
)
"""A question about a code: whether it works, what it gives."""
FILLER = frozenset(
    "me a an the some something anything pls please plz i you u we what should can could would do to for "
    "good nice any one thing things product products buy get try "
    "一 下 个 些 点 吧 呀 啊 哦 呢 吗 我 你 有 什 么 推 荐 好 的 买".split()
)
ZH_FIT_ASK = re.compile(r"^(?!.*有.{0,8}适合)(?!.*推荐).{0,10}(?:适合|适用|能用|可以用)用?[吗嘛不]")
"""Whether the product talked about suits ("干皮适合用吗"), not a request for one that does ("有适合干皮
的吗")."""
ZH_YES_NO = re.compile(r"[吗嘛]|(?P<v>[\u4e00-\u9fff])不(?P=v)")
OUR_ONE = re.compile(
    r"\b(?:the|this|that|ur|your|yours|lulu'?s)\s+(?:\S+\s+){0,2}\x00|(?:这个|那个|这款|那款|你家|你们家|你们的)\S{0,4}\x00"
)
"""A name word (marked ``\0``) said as our product: "the foundation", "ur liquid foundation", "这款粉底"."""
VERB_BEFORE = re.compile(r"\b(?:i|u|you|we|they|she|he|to|just|then)\s+$")
"""Words before a name word that make it a verb ("i spray a LOT", "how much to mask")."""
NAME_WORDS = ("foundation", "cream", "mask", "spray", "粉底", "面膜", "喷雾", "霜")
"""Category words that also name several products (see ``_Turn._name_word``)."""

SHOP_CURRENCY = "CNY"
"""The currency a bare amount in a question ("under 60") means: the demo shop sells in CNY."""


def wording_pick(en: str | None, zh: str | None, lang: Language) -> str:
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return first or second or ""


def _counts(text: str, products: tuple[Product, ...]) -> tuple[int, ...]:
    """How many of each product the question speaks of ("2 matte lipsticks and a toner": 2, 1)."""
    return tuple(count_named(text, sorted(product_names(p), key=len, reverse=True)) for p in products)


def _descriptions(product: Product) -> list[str]:
    """The product's description in each language it has one."""
    return [d for d in (product.description("en"), product.description("zh")) if d]


def _asks_shipping(text: str) -> bool:
    """The question speaks of what shipping costs ("total w shipping", "够包邮不")."""
    return SHIPPING_WORDS.search(text) is not None or SHIPPING_TOPIC in _topics(text)


def _shipping_applied(faq: Answer, order: Decimal, currency: str, lang: Language) -> str:
    """The shipping FAQ's rule applied to an order of ``order`` ("¥98.10 is under the ¥99 line, so
    shipping is ¥8"), or the FAQ's own words when its rule cannot be read."""
    rule = read_rule(faq.text)
    return faq.text if rule is None else shipping_note(order, rule, currency, lang)


CLAUSE = re.compile(r"(?:[^?？!！。;；.,，]|[.,](?=\S))+(?:[?？!！。;；]+|[.,，]|$)")
"""A clause with the mark that ends it ("got anything fragrance free?"); "5.5" stays one number."""


def _goods_words(text: str) -> list[str]:
    """English words for goods in ``text`` with the word before them ("hair dryer", "the toothpaste"),
    for a request said around them."""
    words = re.findall(r"[a-z][a-z'-]*", text)
    return [
        " ".join(words[max(0, i - 1) : i + 1])
        for i, word in enumerate(words)
        if GOODS_HEAD.fullmatch(word) and word not in GOODS_ALSO_NEEDS
    ]


GOODS_ALSO_NEEDS = frozenset(
    {"water", "tea", "coffee", "drink", "drinks", "light", "watch", "figure", "book", "oil", "stick", "tint"}
)
"""Goods words that chat uses for other things ("drink tea all day", "watch the stream")."""


def _first_clause(text: str) -> str:
    """``text`` up to its first clause break ("卸妆油 求链接": the thing, not the link)."""
    return re.split(r"[\s,，。!！?？~～;；]+", text.strip(), maxsplit=1)[0]


def _asking_clauses(text: str) -> list[str]:
    """The clauses of ``text`` that ask something, when some do and some do not ("…case? i travel a lot
    for work"); empty when all of them ask or none does."""
    clauses = [c.strip() for c in CLAUSE.findall(text) if c.strip(" ?？!！。;；.,，")]
    asking = [c for c in clauses if asks(c)]
    return asking if len(asking) < len(clauses) else []


def _asking_part(text: str) -> str:
    """The clauses of ``text`` that ask something, when some do and some do not; else all of it."""
    return " ".join(_asking_clauses(text)) or text


def _alone_in_an_alternative(text: str, products: Sequence[Product]) -> Product | None:
    """The one of several named products that the clause with an alternative names, when that clause
    weighs two of its qualities ("腮红是粉的还是膏的啊 我只有手指没有刷子": the blush, powder or cream)
    and the others are named elsewhere; else None."""
    if len(products) < 2:
        return None
    weighing = " ".join(c for c in DANMAKU_CLAUSE.split(normalize_key(text)) if ALTERNATIVE_ASK.search(c))
    said = [p for p in products if any(find_word(name, weighing) != -1 for name in product_names(p))]
    return said[0] if len(said) == 1 else None


DANMAKU_CLAUSE = re.compile(r"[?？!！。;；,，]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
"""Clause breaks, with a space between Chinese characters counted as one (danmaku has no commas)."""
ALTERNATIVE_ASK = re.compile("还是")
"""A Chinese clause weighing two alternatives ("是粉的还是膏的")."""
THE_ONE = re.compile(r"\b(?:the|ur|your) \w+ one\b")
"""A product said by one of its qualities ("the rose one"): the one named beside it."""


def _named_only_in_remarks(text: str, keys: Iterable[str]) -> bool:
    """Does every clause that asks something leave the named products out and narrow the catalog, while
    the products are named only in clauses that do not ask ("got anything fragrance free? perfume gives
    me headaches", "有没有无香精的 香水熏得我头疼")?"""
    asking = _asking_clauses(text)
    if not asking:
        return False
    for clause in asking:
        folded = normalize_key(clause)
        if any(find_word(key, folded, plurals=True) != -1 for key in keys):
            return False
    readings = [read_question(c) for c in asking]
    # "serum on oily skin, will it feel greasy", "…hate strong perfume, would the rose one be too much"
    return all(r.filters and not (r.deictic or THE_ONE.search(r.text)) for r in readings)


def _the_one_giving_kind(question: str, faqs: Sequence[FAQ]) -> FAQ | None:
    """The only FAQ whose answer gives the kind of answer asked (a duration, a size, a scent), if one
    alone does."""
    kinds = kinds_asked(question)
    giving = [faq for faq in faqs if kinds and gives_kind(kinds, faq_texts(faq)[1])]
    return giving[0] if len(giving) == 1 else None


def _superlative_clause(text: str) -> str:
    """The clause of a message that asks its superlative ("补水的东西里哪个最贵" of "冬天脸干得起皮
    补水的东西里哪个最贵 我就想要最好的"); the whole text when no one clause does."""
    clauses = [c for part in CLAUSE_END.split(text) for c in CJK_CLAUSES.split(part) if c.strip()]
    for clause in clauses:
        if read_question(clause).superlative:
            return clause
    return text


CJK_CLAUSES = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
"""Chinese chat separates clauses with spaces."""
HOW_MUCH = re.compile(r"\bhow much\b|多少")
"""With a code named, an amount asked is the price it pays ("用LIVE10的话多少" after the lipstick's price)."""
SHADED_ASK = re.compile(
    r"\b(?:comes? in|with|has|have|in) (?:multiple|different|several|many|more than one|a few|other) "
    r"(?:shades|colou?rs|options)\b|\b(?:get to |can )?(?:pick|choose) (?:a|the|ur|your|from) "
    r"(?:shades?|colou?rs?)\b|有色号的|有不同颜色|能选颜色|可以选颜色|有多个颜色|多色可选"
    r"|能挑颜色"
)
"""Products with shades to choose from are asked for ("the priciest product where u get to pick a shade")."""
HAS_INGREDIENT = re.compile(
    r"\b(?:have|has|got|contains?|any|with)\b|含|有没有|有.{0,8}[吗没不]|是.{0,8}的吗|加了"
)
"""Words that ask whether a product has an ingredient ("does the gloss have vitamin e", "也是玻尿酸的吗")."""
DEALS_NOW = re.compile(
    r"\b(?:now|instead|then|any other|what else|best deal|other (?:deals?|codes?))\b"
    r"|现在|还有什么|还有啥|别的|其他|换成什么|有啥活动|什么活动"
)
"""Deals running now asked for beside an ended code ("summer15 is dead rip, whats the best deal now")."""
MOST_SHADES = re.compile(
    r"\bmost (?:shades|colou?rs|colou?r options|options|variants)\b"
    r"|色号最多|颜色最多|最多(?:的)?(?:色号|颜色)"
)
"""The product that comes in the most shades is asked for ("哪个产品色号最多")."""
THE_OTHER = re.compile(r"\bthe other (?:one|shade|colou?r)\b|另一个|另外一个|另一款|另外那个")
"""The one shade besides the one said before, of a product that comes in two."""
NOT_A_TOPIC = re.compile(
    r"\bexchange (?:students?|rates?|programs?)\b|\bcurrency exchange\b"
    r"|交换生|汇率|换(?:个|种)(?:方式|支付|付款)"
)
"""Words with a topic's cue inside that are about something else ("an exchange student": no exchange)."""


def _topics(text: str, table: Topics = SHOP_TOPICS) -> list[str]:
    """The words of the topics of ``table`` that ``text`` touches (``lexicon.SHOP_TOPICS`` by default),
    without those a more specific topic touched with them covers (``lexicon.TOPIC_COVERS``)."""
    text = NOT_A_TOPIC.sub(" ", text)
    touched = [
        words
        for cues, words in table
        if any(find_word(normalize_key(c), text, plurals=True) != -1 for c in cues)
    ]
    instead = INSTEAD.search(text) or (ARRIVED.search(text) and WANTED_INSTEAD.search(text))
    if table is SHOP_TOPICS and EXCHANGE_TOPIC not in touched and instead and _shades_in(text):
        touched.append(EXCHANGE_TOPIC)  # "got the red but want coral instead": a shade for another
    if SHIPS_FROM.search(text) and not SHIPS_TO.search(text):  # "ship from hangzhou or overseas?"
        touched = [words for words in touched if words != ABROAD_TOPIC]
    covered = {general for words in touched for general in TOPIC_COVERS.get(words, ())}
    if BODY_DAMAGE.search(text) and not PARCEL.search(text):
        covered.add(DAMAGE_TOPIC)  # "嘴巴好干 都裂了", "my lips are cracked": dry skin, not a broken parcel
    if MATERIAL_ASKED.search(text):
        covered.add(GENUINE_TOPIC)  # "are these real silk": what it is made of, not whether it is genuine
    if ABROAD_TOPIC in touched and not GETTING_GOODS.search(text):
        covered.add(ABROAD_TOPIC)  # "what time is it in new york right now": a place, no parcel sent there
    if ABROAD_TOPIC in touched and SENDING.search(text):
        covered.discard(ABROAD_TOPIC)  # "人在美国 能寄过来不 蹲你直播间好久了": a parcel sent there
        covered.add(SCHEDULE_TOPIC)
    if LEAK.search(text) and not PARCEL.search(text):
        covered.add(DAMAGE_TOPIC)  # "can i throw the thermos in my bag without it leaking": whether it leaks
    if EXCHANGE_TOPIC in touched and _shades_in(text):
        covered.add(RETURN_TOPIC)  # "got cherry red, nude beige would suit me better, havent opened it"
    return [words for words in touched if words not in covered]


def _with_topics(text: str, table: Topics = SHOP_TOPICS) -> str:
    """The question with the words of the topics it touches."""
    return " ".join([text, *_topics(text, table)])


async def _asked_again(store: GraphStore, previous: str, named: Resolved) -> tuple[str, str | None] | None:
    """The previous question put about ``named``'s product: its product's name swapped for the new one
    ("爽肤水多少钱" -> "精华多少钱"), or as it was with the new product as the context ("含酒精吗")."""
    if not previous or WHAT_ABOUT.match(normalize_key(previous)):
        return None
    before = await resolve(store, previous)
    folded = normalize_key(previous)
    if before.products and before.keys:
        old = max(before.keys, key=len)
        return folded.replace(old, named.keys[0], 1), None
    product = named.product
    return (folded, product.sku) if product is not None else None


def _product_faq_sure(ranked: Ranked) -> bool:
    return any(
        ranked.confident(*rule)
        for rule in ((PRODUCT_FAQ_THRESHOLD, PRODUCT_FAQ_MARGIN), PRODUCT_FAQ_CLEAR, PRODUCT_FAQ_CLOSE)
    )


def _asks_topic(faq: FAQ, topic: str) -> bool:
    """Does the FAQ's question ask about ``topic`` (a ``lexicon.SHOP_TOPICS`` entry's words, English then
    Chinese): its English words in the English question, or a Chinese word in the Chinese one?"""
    english = " ".join(w for w in topic.split() if w.isascii()).casefold()
    chinese = [w for w in topic.split() if not w.isascii()]
    return bool(english and english in (faq.question_en or "").casefold()) or any(
        w in (faq.question_zh or "") for w in chinese
    )


def _percents_said(text: str) -> set[int]:
    """The percentages off a message names ("10% off", "9折" is 10 % off, "85折" 15 %)."""
    percents = {100 - int(n) * (10 if len(n) == 1 else 1) for n in re.findall(r"(\d{1,2})折", text)}
    return percents | {int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})\s*%", text)}


def _amounts_off_said(text: str) -> set[Decimal]:
    """The sums off a message names ("¥30 off", "立减30", "减30块")."""
    return {Decimal(a or b) for a, b in AMOUNT_OFF.findall(text)}


def _said_left_out(text: str, product: Product, keys: Sequence[str] = ()) -> bool:
    """Is the product named (by one of its names, or one of the resolver's ``keys`` it matched) right
    after a word that leaves it out ("besides the masks", "除了面膜"), or right before one ("眼霜不算",
    "eye cream doesnt count")?"""
    names = product_names(product)
    for name in {*names, *(singular(n) for n in names), _kind_word(product), *keys}:
        at = find_word(name, text, plurals=True)
        if at != -1 and (LEAVES_OUT.search(text[:at]) or _left_out_after(text, at, name)):
            return True
    return False


def _left_out_after(text: str, at: int, word: str) -> bool:
    """Is the word at ``at`` followed by words that leave it out ("眼霜不算", "eye CREAM doesnt count")?"""
    after = text[at + len(word) :]
    return bool(LEFT_OUT_AFTER.match(re.sub(r"^(?:e?s)\b", "", after)))


def _said_in_its_name(text: str, product: Product, tag: str) -> bool:
    """Is the tag's word said as part of the product's name ("the hyaluronic sheet mask", "玻尿酸面膜")?"""
    term = term_for(tag)
    if term is None:
        return False
    names = {normalize_key(n) for n in product_names(product)} | {_kind_word(product)}
    return any(
        normalize_key(f"{word}{gap}{name}") in text
        for word in (*term.words_en, *term.words_zh)
        for name in names
        for gap in ("", " ")
    )


def _kind_word(product: Product) -> str:
    """The last word of a product's English name, the kind of thing it is ("spray" of the Setting Spray,
    "foundation" of the Cushion Foundation): "the cheapest base make-up that's not a spray" leaves it out."""
    words = re.findall(r"[a-z]+", re.sub(r"\(.*?\)|\d+\s*[a-z]*", " ", product.name_en.lower()))
    return words[-1] if words else product.name_en.lower()


_LEAVING_OUT = (
    r"besides|except(?: for)?|other than|apart from|aside from|excluding|but not|minus|ignor(?:e|ing)"
    r"|not counting|skip(?:ping)?"
)
"""English words that leave out what follows them, shared by ``LEFT_OUT_PHRASE`` and ``LEAVES_OUT``."""
_LEAVING_OUT_ZH = r"除了|不算|除开"
LEFT_OUT_PHRASE = re.compile(
    rf"\b(?:{_LEAVING_OUT}|that isn'?t|that isnt|isnt|that'?s not)\s+"
    rf"(?:the |a |an |any |my |ur |your |both )?"
    rf"[a-z][a-z'-]*|(?:{_LEAVING_OUT_ZH})[\u4e00-\u9fff]{{1,6}}?(?=\s|以外|之外|外|，|,|$)"
)
"""A product left out with the word that leaves it out ("that isnt the serum", "除了面膜"); not a bare
"not", which would take a word that is no product with it."""
LEFT_OUT_AFTER = re.compile(
    r"\s*(?:不算|除外|不要|不考虑|排除|就算了|\b(?:doesn'?t|dont|don'?t|does not|do not) count\b"
    r"|\b(?:excluded|not included)\b)"
)
"""Words after a product that leave it out ("眼霜不算", "eye cream doesnt count")."""
LEFT_OUT_AT_MOST = 3
"""How many products a ranking question may leave out by name ("cheapest gift that isnt a scrunchie")."""
LEAVES_OUT = re.compile(
    rf"(?:\b(?:{_LEAVING_OUT}|not|isn'?t|isnt|aren'?t|arent|no more)\s+"
    rf"(?:the |a |an |any |my |ur |your |those |these |both )?|{_LEAVING_OUT_ZH}|不要)$"
)
"""Words before a product name that leave it out ("besides the", "that isnt a", "除了")."""


def _named_as_it(text: str, product: Product) -> str:
    """``text`` with the product's names said as "it": its FAQs call it so ("Is it sticky?"), and a
    name's own words pull the ranking towards whichever FAQ repeats them ("is the lip gloss sticky?"
    against "Can I wear it over a lipstick?" / "...makes it glossy")."""
    for name in sorted(product_names(product), key=len, reverse=True):
        if name.isascii():
            text = re.sub(rf"\b(?:the |this |that |your |ur |ya )?{re.escape(name)}\b", "it", text)
        else:
            text = text.replace(name, " ")
    return " ".join(text.split()) or text


def _qualified_elsewhere(folded: str, named: Resolved) -> bool:
    """Whether the one name found ("liner", the eyeliner's) follows a word of another category ("lip
    liner"): the viewer means a kind of product of that category, which the shop does not sell."""
    if named.how != "name" or len(named.products) != 1:
        return False
    product = named.products[0]
    categories = dict(category_words())
    for key in named.keys:
        start = find_word(key, folded)
        before = folded[:start].split()[-1:] if start > 0 and key.isascii() else []
        other = categories.get(before[0]) if before else None
        if other is not None and other != product.category and other in CATEGORY_WORDS:
            return True
    return False


def _for(scope: str, lang: Language) -> str:
    if not scope:
        return ""
    return scope if lang == "zh" or scope.startswith("for ") else f"for {scope}"


def _shades_in(text: str) -> tuple[str, ...]:
    """The catalog shades ``text`` names, in English or Chinese, with or without 色 ("peach", "蜜桃"); not
    inside words that name no colour ("开黑", "黑眼圈")."""
    text = NOT_COLOURS.sub(" ", text)
    return tuple(
        shade
        for shade, zh in SHADES.items()
        if find_word(normalize_key(shade), text) != -1
        or find_word(zh.removesuffix("色"), text) != -1
        or _shade_number_said(shade, text)
    )


def _shade_number_said(shade: str, text: str) -> bool:
    """A numbered shade said by its number ("21号色" is 21 ivory)."""
    number = shade.split(" ", 1)[0]
    return number.isdigit() and re.search(rf"(?<!\d){number}\s*号", text) is not None


def _is_one_of(context: str, products: Iterable[Product], keys: Iterable[str]) -> bool:
    """Is the conversation's product (``context``: a SKU or a name) one of ``products`` or named by one
    of ``keys``?"""
    said = normalize_key(context)
    return said in set(keys) or any(said in (p.sku.casefold(), *product_names(p)) for p in products)


def _names_blanked(text: str, keys: Iterable[str], products: Iterable[Product]) -> str:
    """``text`` with the products' names and the keys said for them taken out."""
    for key in sorted({*keys, *(n for p in products for n in product_names(p))}, key=len)[::-1]:
        text = text.replace(normalize_key(key), " ")
    return text


def _says_little_else(text: str, named: Resolved) -> bool:
    """Is ``text`` little more than the products it names ("the serum?", "那精华呢", "and this one")?"""
    rest = _names_blanked(text, named.keys, named.products)
    rest = re.sub(r"[^\w\u4e00-\u9fff]+", "", rest)
    return len(rest) <= SHORT_FOLLOW_UP


def _squeezed(text: str, *, spaced: bool) -> str:
    """``text`` with letters typed over and over said once ("liveee10": "live10") and, when ``spaced``,
    a code's letters and digits joined ("live 10", "serum-30")."""
    if spaced:
        text = re.sub(r"(?<=[a-z])[\s_-]+(?=\d)", "", text)
    return re.sub(r"([a-z])\1+", r"\1", text)


def _says_a_code(text: str) -> list[str]:
    """The words of ``text`` that look like discount codes ("live10", "spring20"; not "spf50")."""
    return [w for w in UNKNOWN_CODE.findall(text) if not NOT_A_CODE.fullmatch(w)]


def _category_words_are_not_names(reading: Reading, named: Resolved) -> Resolved:
    """In "recommend me a lipstick", "cheapest lipstick" or "what fragrances do you have" the alias
    ("lipstick", "fragrance") names a category, not the one product it is also an alias of: when the
    question lists, ranks or says the word in the plural and its only names are category words, it
    names no product."""
    listing = (
        reading.recommend
        or reading.superlative
        or (reading.max_price is not None and not _says_a_code(reading.text))  # "will live10 get it under 75"
        or (not reading.variant and _says_the_range(reading.text, named))
    ) and not reading.promo
    if (
        PAIRING.search(reading.text)
        or FIT_ASK.search(reading.text)
        or SHADE_PICK.search(reading.text)
        or (reading.variant and reading.superlative not in (None, "largest"))
        or max(_counts(reading.text, named.products), default=1) > 1
        or (len(named.products) >= 2 and (reading.compares is not None or reading.cheaper is not None))
    ):  # "what goes with the serum?", "2 matte lipsticks", "精华和爽肤水哪个容量大": products, not categories
        return named
    if listing and reading.categories and named.how == "fuzzy" and _plural_category_word(reading.text):
        return Resolved((), "none")  # "what fragrances do u have": not a typo of the perfume's alias
    if not (listing and reading.categories and named.how == "name"):
        return named
    if all(key in category_word_keys() for key in named.keys) and not (
        reading.recommend
        and len(named.products) == 1
        and any(OUR_ONE.search(find_and_mark(reading.text, key)) for key in named.keys)
        and _topics(_named_as_it(reading.text, named.products[0]), PRODUCT_TOPICS)
    ):  # "wanna gift the cushion to my sis, what comes inside": that one's box, not base make-up gifts
        return Resolved((), "none")
    return named


def find_and_mark(text: str, key: str) -> str:
    """``text`` with the word ``key`` marked ``\0`` (as ``OUR_ONE`` reads it) where it stands as a word."""
    start = find_word(key, text)
    return text if start == -1 else text[:start] + "\0" + text[start + len(key) :]


def _plural_category_word(folded: str, words: Iterable[str] | None = None) -> bool:
    """Whether ``folded`` says a category word (of ``words``, default: all) in the English plural
    ("lipsticks", "brushes")."""
    return any(
        word + ending not in BODY_PARTS and find_word(word + ending, folded) != -1
        for word in (category_word_keys() if words is None else words)
        if word.isascii()
        for ending in ("s", "es")
    )


def _says_the_range(folded: str, named: Resolved) -> bool:
    """Whether the question says the category of the word it names as a whole: "what lipsticks do you
    have", "fragrance stuff", "口红系列". Where the word is a product's name, only that word counts: "the soy
    candle … sweet scents give me a headache" and "the cushion box … a puff n stuff" name one product, and
    so does "the X" beside the plural."""
    if named.how != "name":
        return bool(RANGE_WORDS.search(folded)) or _plural_category_word(folded)
    keys = [k for k in named.keys if k in category_word_keys()]
    the_one = r"\b(?:the|this|that|ur|your) {}\b(?!\s+{})"  # not "the fragrance section"
    if any(re.search(the_one.format(re.escape(k), _RANGE_NOUNS), folded) for k in keys):
        return False  # "setting sprays dry me out… is the setting spray here like that?": that one
    return _plural_category_word(folded, keys) or any(
        re.search(rf"(?<![a-z]){re.escape(k)}(?:e?s)?\s+(?:\w+\s+)?{_RANGE_NOUNS}\b", folded)
        or any(find_word(k + suffix, folded) != -1 for suffix in ("系列", "类", "专区"))
        for k in keys
    )


async def _category(store: GraphStore, category_id: str) -> Category | None:
    rows = await store.read("MATCH (c:Category {id: $id}) RETURN c", {"id": category_id})
    return Category.from_graph(rows[0]["c"]) if rows else None


def _zh_colour_words() -> list[tuple[str, str]]:
    from knowledge_graph.answers.lexicon import COLOUR_WORDS

    return [(w, f) for w, f in COLOUR_WORDS.items() if any("\u4e00" <= ch <= "\u9fff" for ch in w)]
