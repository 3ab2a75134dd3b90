"""What a shop question asks, read from its words: no graph access, no model.

``read_question`` turns a chat line into a ``Reading``: the shape of the question (a comparison, a
superlative, a price bound, a recommendation, "do you sell X?", a price/stock/variant/deal question)
and the catalog vocabulary it uses (categories, attribute tags, a colour family), through the
bilingual lexicon (``knowledge_graph.answers.lexicon``). The answerer (``answerer.py``) combines it with
the products the resolver found and picks a strategy.

Why words and not a classifier: these shapes are a closed set that must be read exactly — "cheaper"
versus "cheapest", "under ¥60" versus "over ¥60" — and a wrong reading produces a confident wrong
answer, which is worse than passing the question on. Anything the patterns do not recognise is left
to the semantic FAQ ranking or to Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from knowledge_graph.answers.lexicon import CATEGORY_GROUPS, CATEGORY_WORDS, COLOUR_WORDS, TERMS
from knowledge_graph.model.text import find_word, is_cjk, normalize_key

PRICE_WORDS = re.compile(
    r"\b(how much|price|prices|pricing|cost|costs|priced)\b|\${2,}"
    r"|多少钱|几块|价格|价钱|什么价|啥价|怎么卖|咋卖|贵吗|贵不贵|贵不|多钱|多少米|要多少|付多少|总共多少|一共多少"
    r"|^[\u4e00-\u9fff]{1,8}多少[呀啊呢嘛捏]?\W*$|(?:^|\s)[\u4e00-\u9fff]{0,3}[一1][支瓶盒个件套]多少[呀啊呢嘛捏]?\W*$",
)
STOCK_WORDS = re.compile(
    r"\b(in stock|stock|sold out|available|restock"
    r"|left(?! on (?:my|ur|your|the) (?:face|skin|lips?)| over| behind| eye| side| cheek))\b"
    r"|有货|有没有货|还有吗|还有没有|库存|卖完|卖光|卖断|没货|售罄|现货|断货|还剩|剩多少|剩几|还有多少"
    r"|还能买|能买[吗嘛不没]|买得到|还买得到|抢得到|还能抢|还能拍|能拍到|拍得到",
)
VARIANT_WORDS = re.compile(
    r"\b(shades?|colou?rs?|variants?|versions?|options?|sizes?)\b|色号|颜色|几个色|什么色|哪些色|哪个色|啥色|几种|几款色|尺码|规格有"
    r"|\d+\s*号",
)
NOT_PROMO_CODE = re.compile(
    r"\bcode (?:a|an|my|the|this) (?:website|site|app|program|game|bot|script|page)\b"
    r"|\b(?:source|error|qr|zip|postal|area|dress) codes?\b"
)
"""A code that is no discount code ("how do i code a website", "what's the dress code")."""
GOODS_OPTIONS = re.compile(
    r"\b(?!(?:colou?r|shade|size|other|what|which|any|more|different|the|its|their|some|many|how)\b)"
    r"[a-z]+ options?\b"
)
"""Options that are products ("cheapest fragrance option", "budget options"), not a product's versions
("any other options", "colour options")."""
AMOUNT_USED = re.compile(
    r"\bhow much (?:[\w-]+ ){0,6}(?:do|should|would|can|am|are) (?:i|u|you|we) (?:actually |really )?"
    r"(?:supposed to |meant to )?(?:use|squeeze|apply|put|need|pump)"
    r"|用多少量|挤多少|用量"
    r"|\bhow much (?:coverage|colou?r|pigment|shine|glow|tint|scent|smell|spf|protection|oil control"
    r"|hydration)\b"
    r"|\bhow much (?:does|do|will|would|can) (?:[\w-]+ ){0,4}?(?:cover|last|hold)\b"
    r"|\bhow much product\b|\bml wise\b|\bhow many ml\b"
    r"|\bhow much (?:[\w-]+ ){0,3}(?:do|would|will) (?:i|u|you|we) (?:actually |really )?get in\b"
    r"|\bhow much (?:[\w-]+ ){0,3}(?:per|each) (?:eye|use|time|application|day|night|side|cheek|lip)\b"
)
"""How much of a product goes on ("how much eye cream do i use per eye") or how much of a quality it
has ("how much coverage does the foundation give?", "how much does it cover", "how much product is in
it"): not its price."""
PROMO_WORDS = re.compile(
    r"\b(discounts?|discounted|coupons?|promos?|promotions?|promo codes?|codes?|deals?|(?<!for )sales?"
    r"|vouchers?|% off|(?:anything|something) off|bogo|b1g1|buy (?:one|1) get (?:one|1)(?: free)?|best deal"
    r"|cheapest way to (?:buy|get)"
    r"|(?:get|buy|grab) (?:it|them|this|that|the [\w-]+(?: [\w-]+)?) (?:any )?cheaper"
    r"|any cheaper)\b"
    r"|买[一1二2]送[一1]|最划算|怎么买.{0,2}划算|怎么买.{0,2}(?:便宜|省钱)"
    r"|优惠|折扣|打折|券|满减|活动|福利|减价|便宜点(?!的|儿的)|优惠码|折扣码|哪个码|什么码|啥码|有码|用码|(?:专属|专用|独家|单品|能用|通用)的?码|码是(?:哪个|啥|什么|多少)|折后|到手价|券后|几折|\d+折|[一二三四五六七八九]五?折(?!腾|叠|磨|断|了)"
    r"|打.{0,2}折|减\d+|[两几\d]个(?:优惠)?码|[一两几\d]?串字母|那串码|求个?码|给个码|用完码|用了码|用码后|能便宜多少|便宜多少"
    r"|(?<![\d.])\d{1,2}\s*%(?!\s*(?:alcohol|of|vitamin|niacinamide|酒精|的))",  # "does the 10% apply to…"
)
NO_CODE = re.compile(
    r"\b(?:without|w/o|w/out|no|not using|skip(?:ping)?) (?:a |the |any )?"
    r"(?:codes?|coupons?|discounts?|promo)\b"
    r"|不用码|不用优惠码|不用券|不使用优惠码|不使用码|不用优惠|没有码|没码|不用折扣"
)
"""The question sets promotions aside ("防晒不用码的话 包邮不", "without a code is shipping free?")."""
DEAL_FLOOR = re.compile(
    r"\b(?:cheapest|lowest|least) (?:price )?(?:i|we|u|you) (?:can|could) (?:get|buy|pay|grab)"
    r"|\b(?:lowest|best|final) price\b"
    r"(?! (?:[a-z]+ ){0,2}(?:things?|ones?|items?|products?|stuff|options?)\b)"
    r"|\bhow low\b"
    r"|最低多少|(?<!里)最低价(?!是?哪)|最低能|能拿下|多少能拿|拿下多少|最便宜能|最便宜多少能|最少多少钱能"
)
"""The lowest price a product can be had for: a deal question, not a ranking ("最低多少能拿下")."""
CHEAPER = re.compile(
    r"\b(cheaper|less expensive|more affordable|lower price|costs? less|is less|which is less"
    r"|which one is less)\b|\bless \${2,}|更便宜|哪个便宜|谁便宜|比较便宜|便宜一点|哪个划算|哪个实惠"
    r"|价格低|价格更低|便宜些|哪个省钱|比.{1,8}便宜"
)
PRICIER = re.compile(
    r"\b(more expensive|pricier|costlier|dearer|costs? more|is more|which is more|which one is more"
    r"|higher price)\b|\bmore \${2,}"
    r"|更贵|哪个贵|谁贵|比较贵|贵一点|价格高|价格更高|贵一些|贵些|贵还是|比.{1,8}贵"
)
COMPARING = re.compile(r"\b(which|or|vs\.?|versus|compared?|than)\b|哪个|哪款|还是|谁|比|对比")
"""A question that weighs products against each other ("toner or serum, which is bigger?")."""
USED_TOGETHER = re.compile(
    r"\b(before|after|first|then|layer|layering|over|under|together|with|both|and then|mix|on top)\b"
    r"|先|后用|顺序|一起|叠|搭配|混"
)
"""Products named to be used together ("toner before or after serum?"), not chosen between."""
NOT_COMPARATIVES = (
    r"over|after|under|never|ever|other|either|neither|whether|however|whenever|together|water|paper|order"
    r"|layer|answer|cover|later|super|proper|per|summer|winter|number|user|member|sister|mother|brother"
    r"|daughter|toner|powder|primer|eyeliner|liner|cleanser|moisturi[sz]er|highlighter|concealer|bronzer"
    r"|remover|sticker|dryer|shaver|trimmer|tumbler|scrunchie|container|holder|finger|shower|flower|corner"
)
"""Words ending in "er" that compare nothing ("over", "toner"), so "can i put the gloss over my lipstick"
is no comparison."""
COMPARED_ON: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "stock",
        re.compile(
            r"\b(more|less|most|least|fewer) (?:in )?stock\b|\bstock\w* (?:more|less)\b"
            r"|\b(?:more|fewer|less) (?:left|units)\b|\b(?:u|you|ya) (?:have|got) (?:more|less) of\b"
            r"|\b(?:more|fewer|less)\b[^?]{0,40}\b(?:in stock|left)\b"
            r"|库存|货多|货少|剩得多|剩的多|剩得少|剩的少"
        ),
    ),
    (
        "size",
        re.compile(
            r"\b(bigger|larger|smaller|more product|less product|more in (?:it|the)|more ml|more volume"
            r"|gives? (?:me |you )?more(?! \w)|has more in it|bigger bottle|more (?:grams|sheets|pieces))\b"
            r"|量大|量多|量少|分量|容量|哪个大|更大|哪个多|更多|瓶子?(?:更|比较)?大"
        ),
    ),
    (
        "other",
        re.compile(
            rf"\b(?!(?:{NOT_COMPARATIVES})\b)\w+er\b|\b(more|less|better|best|worse|longer|stronger)\b"
            r"|更|比较|哪个好|好用"
        ),
    ),
)
"""What a comparison of products weighs, when it is not the price (``Reading.compares``)."""
TOTAL_ASK = re.compile(
    r"\b(total(?! (?:beginner|newbie|noob|novice|amateur|mess|disaster))|totals|altogether|all together"
    r"|in total|combined|for both|both together|together"
    r"|come to|comes to|add up|adds up)\b"
    r"|一共|总共|加起来|合计|一起买|一起拍|一起下单|一块买|两个一起|都买|=\s*\?*\s*$"
)
"""What several products cost together ("lipstick and gloss together with live10, whats the total")."""
TOTAL_SAID = re.compile(
    r"\b(?:total(?! (?:beginner|newbie|noob|novice|amateur))|come to|comes to|add up|adds up)\b"
    r"|一共|总共|合计|=\s*\?*\s*$"
)
"""A total asked for outright, without price words."""
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "couple": 2, "pair": 2, "两": 2, "二": 2, "三": 3}
_COUNTS |= {"四": 4, "五": 5} | {str(n): n for n in range(2, 10)}
_CLASSIFIER = r"[支瓶盒个件套罐只份条根块]"
COUNT_BEFORE = re.compile(
    r"(?:(?<![\w.])([2-9])|\b(two|three|four|five)|\ba (couple|pair)(?: of)?)\s*(?:x\s*)?"
    r"(?:(?:packs?|boxes|box|bottles?|sets?|tubes?|jars?)\s+)?(?:of\s+)?(?:the\s+|those\s+|these\s+)?$"
    rf"|(?<!第)([2-9两二三四五])\s*{_CLASSIFIER}\s*(?:的)?$"
)
"""A count said just before a product's name ("2 matte lipsticks", "3 packs of the sheet masks",
"两支口红")."""
COUNT_AFTER = re.compile(
    rf"^(?:s|es)?\s*(?:[x×*]\s*([2-9])(?!\d)|(?:拍|买|要|来|拿)?([2-9两二三四五])\s*{_CLASSIFIER})"
)
"""A count said just after it ("serum x2", "口红两支", "口红拍两支")."""


def count_named(text: str, names: Iterable[str]) -> int:
    """How many of a product the viewer speaks of in the normalized ``text``: 1 unless a count stands
    right beside one of its normalized ``names``, said as it is or in the plural ("2 matte lipsticks")."""
    for name in names:
        for said in (name, f"{name}s", f"{name}es"):
            at = find_word(said, text)
            if at == -1:
                continue
            count = COUNT_BEFORE.search(text[:at]) or COUNT_AFTER.search(text[at + len(said) :])
            if count is not None:
                return _COUNTS[next(g for g in count.groups() if g)]
    return 1


CHEAPEST = re.compile(
    r"\b(cheapest|least expensive|lowest[- ]priced?|most affordable|lowest cost|costs? the least"
    r"|most budget(?:[- ]friendly)?)\b"
    r"|最便宜|最实惠|价格最低|最低价|最划算|第\s*[2-5二三四五]\s*便宜"
)
PRICIEST = re.compile(
    r"\b(most expensive|priciest|(?:highest|top)[- ]priced?|dearest|most costly|top price|costs? the most"
    r"|fanciest)\b"
    r"|最贵|价格最高|最高价|最高档|第\s*[2-5二三四五]\s*贵"
)
LARGEST = re.compile(
    r"\b((?:biggest|largest)(?! (?:stock|supply|inventory))|most (?:ml|product|volume)"
    r"|biggest (?:bottle|size|one)"
    r"|which (?:\w+ )?(?:is|has|comes in) (?:the )?(?:bigger|larger) (?:size|bottle|one))\b"
    r"|容量最大|量最大|最大(?:瓶|号|容量)|哪个(?:容量|量)(?:更)?大"
)
MOST_STOCK = re.compile(
    r"\b(most (?:of )?(?:\w+ )?in stock|most (?:total )?stock(?:ed)?|highest (?:total )?stock|most left"
    r"|biggest stock|best[- ]stocked|most units|(?:have|got) (?:the )?most of"
    r"|(?:u|you) (?:have|got) more of|(?:has|have|got) more (?:left|in stock)|more of it left)\b"
    r"|库存最多|货最多|剩得最多|剩的最多|剩最多|哪(?:个|种)(?:颜色|色号|色)(?:库存|货)(?:最)?多|囤得最多|囤的最多|货最足|哪(?:个|种)(?:颜色|色号|色)(?:最多|剩得?最多)(?!人)"
)
LEAST_STOCK = re.compile(
    r"\b(lowest (?:on |total )?stock|least (?:in |total )?stock|fewest (?:\w+ )?left|least (?:\w+ )?left"
    r"|fewest units"
    r"|running (?:lowest|out|low)"
    r"|almost sold out|about to sell out|almost gone|nearly gone|nearly sold out|selling out)\b"
    r"|库存最少|货最少|剩得最少|剩的最少|剩最少|最少货|哪(?:个|种)(?:颜色|色号|色)(?:库存|货)(?:最)?少|色号里哪个最少|快(?:要)?(?:卖完|抢光|断货|售罄|没货)|库存最紧张|最紧张|库存最低"
)
SOLD_OUT_ASK = re.compile(
    r"\b(what(?:'s| is| are)|which|anything|any)\b.{0,30}\b(out of stock|sold out)\b"
    r"|哪些.{0,6}(?:断货|卖完|卖光|售罄|没货)|有没有(?:已经)?(?:断货|卖完|卖光|售罄|没货)的"
    r"|(?:断货|卖完|卖光|售罄|没货)了?的?(?:有哪些|是哪些|有啥|是啥)"
)
"""Which products (or shades) are gone: the catalog's sold-out list."""
POPULAR = re.compile(
    r"\b(most popular|best[- ]?sell(?:er|ing)|bestsellers?|top seller|everyone buying)\b"
    r"|最火|最受欢迎|卖得最好|卖的最好|销量最好|销量最高|爆款",
)
RECOMMEND = re.compile(
    r"\b(recommend\w*|suggest\w*|what should i (?:buy|get|try)|what(?:'s| is) good for"
    r"|good for (?:a |an |my )?|anything for|something for|best for|suitable for"
    r"|best (?!price|deal|way|time|day|offer|code)(?:[\w-]+ ){1,2}for (?:a |an |my )?(?:total |complete )?"
    r"(?:beginners?|newbies?|noobs?|novices?|oily|dry|sensitive|combo|combination|acne|mature)"
    r"|which (?:one|product)s? (?:is |are )?(?:good |best )?for"
    r"|what (?:do|would) you (?:recommend|suggest)|what to (?:buy|get)|gift (?:idea|for)|what helps|any help"
    r"|(?<!do i )need (?:something |anything |a product )?for|what(?:'s| is) handy|something to help"
    r"|help with"
    r"|goes? with|go well with|pairs? with|what should i (?:grab|pick up|pack|bring|use)"
    r"|what (?:can|do) i use"
    r"|anything (?:to|that) (?:help|fix)|what works for|any tips for)\b"
    r"|推荐(?![了过])|安利(?![了过的])|种草(?![了过])|求推|适合.{0,8}(?:用|的|买)|有什么.{0,6}(?:好|适合)|买什么好|送什么|入门|新手用|用什么好"
    r"|有啥好|怎么办|咋办|咋整|有救吗|救救|选哪个|搭配|用啥|买啥|带啥|选啥|挑啥|送啥|有(?:啥|什么)(?:能|可以)",
)
NEED_ASK = re.compile(
    r"\b(?:need|want|wanna|looking for)(?: a| an| some| something)\b|\b(?:need|want|wanna) (?:my )?makeup\b"
    r"|\bwhere (?:do|should) i (?:even )?start\b"
    r"|^(?:something|smth|sth|anything)\b|^(?:i )?(?:want|need|wanna) (?!to\b)"
    r"|有啥能|有啥不|有什么能|有没有能|^我?想?要.{1,15}的\W*$|需要.{1,15}的\W*$|想要|^求|想急救|急救一下|想(?:画|化)(?:个|一个)?.{0,4}妆"
)
"""A request that is one for products when it names a need or a category ("dry skin, want something
rich"), and not otherwise ("I need a refund")."""
NEED_LEADS = 2
"""How far into a question the need may start and still open it ("i need ..." starts at 2)."""
SELL = (
    re.compile(
        r"(?:\b(?:do|does) (?:you|u|ya|the shop|this shop|y'?all)(?: guys)?"
        r" (?:sell|have|carry|stock|offer|got)|^(?:u|you|ya|y'?all)(?: guys)? (?:sell|carry|stock))"
        r"(?: any| some| a| an| the)? (?P<thing>[^?!.。，,]+)"
    ),
    re.compile(
        r"(?:\b(?:is there|are there|any chance of)|(?:^|\b(?:u|you|ya|y'?all)(?: guys)? )got"
        # not "got my serum today"
        r"(?! (?:my|mine|it|them|this|that|these|those|her|his|our|ur|your|me)\b))"
        r"(?: any| some| a| an)?"
        r" (?P<thing>[^?!.。，,]+)"
    ),
    re.compile(
        r"^(?:any|got any|u have any|you have any) (?P<thing>[a-z][a-z '-]{2,30}?)"
        r"(?: for sale| on sale| in stock| for [a-z ]{2,30})?(?: tonight| today| rn| right now| here)?"
        r"(?:\?|\W*$)"
    ),
    re.compile(
        r"^(?P<thing>[a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2})(?: for [a-z ]{2,20}| or [a-z][a-z' -]{2,30})?"
        r"(?: (?:in|on|at) (?:the |this |your |ur )?(?:shop|store|stream|live|room))?"  # "lashes in the shop"
        r"(?: anyone| any ?1)?\s*(?:\?|,?\s*(?:pls|plz|please)\b)"  # "false lashes anyone?"
    ),
    re.compile(
        r"\b(?:looking for|searching for|where can i (?:buy|find)|i want to buy|wanna buy"
        r"|can i (?:buy|find|order|get))(?: a| an| some)? "
        r"(?P<thing>[^?!.。，,]+)"
    ),
    re.compile(r"\b(?:any )?(?P<thing>[a-z][a-z '-]{2,30}?) for sale\b"),
    re.compile(
        r"\bwhere(?:'s| is| are|s) (?:the|ur|your|a|an) (?P<thing>[a-z][a-z '-]{2,30}?)\s*(?:\?|$"
        r"|, ?(?:i )?(?:cant|can't|cannot) find)"
    ),
    re.compile(  # "hairspray any", "micellar water do u have", "gua sha in the shop?", "contour stick where"
        r"^(?P<thing>[a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2}?),? (?:any|anyone|where|u got any|you got any"
        r"|(?:do )?(?:u|you)(?: guys)? (?:have|sell|stock|carry|got)(?: it| them| those| these| any| one)?"
        r"|in (?:the|ur|your) (?:shop|store))\W*$"
    ),
    re.compile(
        r"^(?!(?:water|tea|coffee|food|snacks?|drinks?|juice|candy|chocolate|cookies?|lunch|dinner)\W*$)"
        r"(?P<thing>[a-z][a-z'-]{3,}(?: [a-z][a-z'-]+)?)\W*$"
    ),
    re.compile(
        r"(?:^(?:any )?(?=.* (?:available|in stock)\W*$)"
        r"|\b(?:if|whether) (?:lulu|she|you|u|they|the shop|this shop) "
        r"(?:sells?|carr(?:y|ies)|stocks?|has|have) (?:any |some )?)"
        r"(?P<thing>[a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2}?)(?: available| in stock)?\W*$"
    ),
    re.compile(r"(?:家|店里|这里|这边|你们)卖(?P<thing>[^?？!！。，,\s吗不没]{1,10})(?:吗|不|没|嘛)"),
    re.compile(r"\b(?:is there|any) (?:a |an )?(?P<thing>[a-z][a-z'-]{2,20}(?: [a-z][a-z'-]{2,20})?) link\b"),
    re.compile(r"有(?P<thing>[^?？!！。，,\s吗不没的]{1,10})的?链接(?:吗|不|没|嘛)"),  # "有卸妆油的链接吗"
    re.compile(r"(?P<thing>[\u4e00-\u9fff]{1,8}?)有上架的?(?:吗|不|没|嘛)"),  # "洗发水有上架的没"
    re.compile(  # "假睫毛这边能买到吗"
        r"^(?P<thing>[\u4e00-\u9fff]{1,8}?)(?:这边|这里|在这|直播间)?(?:能买到|买得到|可以买到)(?:吗|不|没|嘛)"
    ),
    re.compile(
        r"(?:有没有|有没|有卖|卖不卖|有无|你们有|你们卖|店里有|这里有)(?P<thing>[^?？!！。，,吗呀啊呢嘛有不\s][^?？!！。，,吗呀啊呢嘛]*)"
    ),
    re.compile(
        r"^(?:有没有|有没|有卖|有无)\s(?P<thing>[^?？!！。，,吗呀啊呢嘛有不\s][^?？!！。，,吗呀啊呢嘛]*)"
    ),
    re.compile(
        r"(?P<thing>[^?？!！。，,\s]{1,12}?)\s?(?:有不(?=[\s,，。!！?？~～]|$)|有卖吗|有没有卖|卖吗|有吗|卖不卖|有卖嘛|有嘛|有的卖不|有卖不|有链接吗|有没有链接|有没有[呀啊呢嘛]?\W*$)"
    ),
    re.compile(
        r"^(?:主播|宝宝们?|家人们|姐妹们|老师)?(?:你们家?|店里|这里|请问)?有(?P<thing>[^?？!！。，,\s吗不没]{1,10})(?:吗|不|没)"
    ),
    re.compile(
        r"[\s,，。!！](?:你们家?|店里|这里|请问)?有(?P<thing>[^?？!！。，,\s吗不没的]{1,10})(?:吗|不|没)"
    ),
    re.compile(r"^(?P<thing>[\u4e00-\u9fff]{1,8})(?:有没|有木有|有伐)\W*$"),
    re.compile(r"^(?:你们|店里|这里)?卖(?P<thing>[^?？!！。，,\s吗嘛不]{1,10})(?:吗|嘛|不)"),
    re.compile(r"^(?P<thing>[\u4e00-\u9fff]{0,7}[膏笔水油霜乳液露棒刷盘粉膜器仪夹梳杯巾贴饼蜡镜])呢\W*$"),
    # a bare goods word ("眉笔", "唇线笔？", "假睫毛"): endings chat words rarely have (not 油: 加油)
    re.compile(
        r"^(?P<thing>[\u4e00-\u9fff]{1,6}[笔膏霜刷贴棒仪器镜夹梳盘]|假睫毛|睫毛贴|美甲贴|假发片?)[?？!！。~～\s]*$"
    ),
    re.compile(
        r"^(?P<thing>[\u4e00-\u9fff]{1,8}?)(?:有没有|有木有|有没)[呀啊呢嘛哇]?(?:[\s,，!！?？。~～]|姐妹们|宝宝们|家人们|主播)"
    ),
    re.compile(
        r"\bwhere (?:r|are|is) (?:the|ur|your) (?P<thing>[a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2})"
        r"(?=\s*(?:[,.!?]|$))"
    ),
    re.compile(
        r"\bneed (?:a |an |some |new |a new )?(?P<thing>[a-z][a-z'-]+(?: [a-z][a-z'-]+){0,2}?)"
        r"(?=\s*(?:[,./!?]|$)|\s+(?:do|does|u|you|any|pls|please|for|to|lol|asap|rn|or)\b)"
    ),
)
BARE_THING_WORDS = re.compile(
    r"\b(what|why|how|when|where|who|which|whats|really|seriously|srsly|rly|lol|lmao|omg|ok|okay|yes|no"
    r"|yeah|yep|nope|now|today|tonight|same|me|you|u|i|my|your|ur|we|they|he|she|hi|hello|hey|bye|sure"
    r"|right|huh|wait|again|too|so|is|are|am|do|does|did|can|will|was|were|be|not|and|or|but|the|a|an"
    r"|price|cost|much|many|long|left|ready|done|true|real|bot|lulu|streamer|link|thanks|thx|ty|pls|please"
    r"|sold|out|stock|available|back|there|here|good|bad|nice|cute|pretty|cheap|expensive|free|new|it|this"
    r"|that|one|more|else|also|any|anything|something|soon|yet|still|first|next|last|stuff|things?|items?"
    r"|options?|products?|storewide|off|updates?|news|info|reply|replies|response)\b"
)
"""Words that make a bare "X?" a remark or a question ("really?", "how much?", "which one?") rather
than the name of a product someone looks for ("eyebrow pencil??", "protein powder?")."""
GOODS_HEAD = re.compile(
    r"(?:\b(?:pen|ring|cap|hat|fan|cup|pad|tea|kit|bag|mug|toy|game|light|tool|case|clip|comb|dye|lens|oil"
    r"|contacts)"
    r"|pencil|powder|brush|cream|paste|polish|gel|wash|spray|mask|lotion|shampoo|conditioner|dryer"
    r"|straightener|curler|iron|razor|shaver|trimmer|soap|scrub|balm|strip|patch|wipe|bean|sponge|mirror"
    r"|tanner|perfume|cologne|deodorant|candle|towel|lash|coffee|vitamin|supplement|sunscreen|spf|floss"
    r"|toothbrush|remover|primer|mist|stick|tint|gloss|bronzer|highlighter|concealer|blush|contour|shadow"
    r"|palette|liner|mascara|serum|toner|cleanser|moisturi[sz]er|cushion|foundation|lipstick|glitter"
    r"|jewel(?:le)?ry|earring|necklace|bracelet|watch|sock|shirt|hoodie|charger|cable|phone|headphone"
    r"|earbud|speaker|lamp|bottle|book|sticker|poster|figure|plush|snack|chocolate|candy|cookie|drink"
    r"|juice|supplie|accessorie|accessory|device|gadget|machine|heater|blanket|pillow|slipper|shoe|sandal"
    r"|\bmat|\btie|band|wig|extension|tweezer|clipper|nail file|kettle|blender|umbrella|wallet|purse|glove"
    r"|scarf|belt|sunglasse|glasse|diffuser|humidifier|razor blade|lighter|vape|pajama|dress|jacket|water"
    r"|pillowcase|blender|bomb|plumper|nails|steamer|gua sha|organi[sz]er|drops|whitening strip)"
    r"(?:e?s)?$"
)
"""Heads of goods a bare "X?" ends with when it names a product someone looks for ("eyebrow pencil??",
"beard oil?"): without one, "YEA?", "WAYTOODANK ??" or "dishwasher safe?" are chat, not a product
the shop does not sell."""
SHOP_PLACE = re.compile(
    r"\s+(?:(?:in|on|at|from) (?:the |this |your |ur )?(?:shop|store|live|stream|room|link)\w*"
    r"|here|lol|lmao|haha\w*)(?=\s|$).*$"
)
"""Where the thing is looked for, and a laugh, after it: "is there a toothpaste in the shop lol"."""
BARE_EN = 3
"""The index of the bare English "X?" pattern in ``SELL`` (checked against ``BARE_THING_WORDS``)."""
LOOKING_FOR = 4
WHERE_IS = 6
ASKED_AFTER = 7
"""The index of "X any" / "X do u have" in ``SELL``."""
GOODS_ALONE = 8
AVAILABLE = 9
"""The index of "X available?" / "…if lulu sells X" in ``SELL``."""
GOODS_CHECKED = (
    SELL[BARE_EN], SELL[LOOKING_FOR], SELL[WHERE_IS], SELL[ASKED_AFTER], SELL[GOODS_ALONE], SELL[AVAILABLE],
    SELL[-2], SELL[-1]
)  # fmt: skip
"""The ``SELL`` patterns that name a product only when the thing ends in goods ("eyebrow pencil??",
"need a hair dryer", "looking for false lashes"), since their words alone ask nothing of the shop."""
# Words that make a "do you have ...?" something other than a product ("do you have a discount code?",
# "is there free shipping?", "有没有链接"): the other strategies or Rasa answer those.
NOT_A_THING = re.compile(
    r"\b(discount|coupon|code|promo|promotion|deal|sale|shipping|delivery|link|stream|live|return|refund|"
    r"invoice|stock|anything|something|more|most|least|any other|other|it|this|that|them|one|size|colou?r|"
    r"shade|"
    r"giveaway|sample|question|time|way|plan|website|store|shop|app|chat|customer service|warranty|"
    r"payment|pay|fake|real|genuine|free|gift card|voucher|offer|cheaper|difference|restock|tracking|number|"
    r"order|package|parcel|ship|deliver|chance|send|refund|human|person|discount code|off|storewide|"
    r"sitewide|postage|tax|taxe|customs|fee|cash|paypal|card|receipt|money|cod)s?\b|\d|%"
    r"|优惠|折扣|满减|打折|折|券|活动|包邮|运费|快递|发货|链接|直播|退|换|发票|货|库存|别的|其他|什么|啥|色|颜色|尺码|码|客服|保障|保证|"
    r"售后|保修|付款|支付|问题|时间|福利|假的|假货|真的|真货|正品|高仿|赠品|小样|抽奖|福袋|回放|人|号|推荐|建议|介绍"
    r"|(?:里|里面|里头)$"  # "保湿水里有没有 (酒精)": what is in it, not whether it is sold
    r"|皂基|防腐剂|硅油|矿物油|激素|荧光剂|重金属"  # "有皂基吗": an ingredient asked of it
    # "每天都有吗": a time, not goods
    r"|^(?:每天|天天|每周|每晚|周末|平时|一直|以后|下次|现在|今天|明天|今晚|晚上|白天)"
    r"|^(?:姐妹|集美|宝子|宝宝|家人|朋友|小伙伴)",  # "有无姐妹知道": other viewers asked, no goods
)
HOW_TO = re.compile(
    r"\b(how (?:do|can|to|does)|where (?:do|can|to|should|would|am)|where'?s the|where does it"
    r"|where i'?m (?:supposed|meant) to|where i (?:should|need to|have to))\b"
    r"|怎么|如何|在哪|哪里|哪儿|咋|去哪|输进去|填哪|输哪"
)
_V_BU = (
    r"[\u4e00-\u9fff]不(?=$|[^\u4e00-\u9fff\w]|家人|家银|姐妹|集美|宝|亲|主播|大家|啊|呀|哈|呢|嘛|捏|呜|哭)"
    r"|(?<![要还])[\u4e00-\u9fff]不(?=我)"
)
"""Colloquial "V不" at the end of a clause: "能退货不", "保证正品不家人们", "能退不我保证不拆" ask yes or
no ("要不我先买" does not: it suggests)."""
YES_NO = re.compile(
    r"^(?:is|are|r|does|do|can|could|will|would|should|has|have)\b|\b(?:or not|isn'?t it|right)\W*$"
    r"|[吗么嘛]\W*$|(.)不\1|能不能|会不会|是不是|有没有|可不可以|" + _V_BU
)
IN_STOCK = re.compile(r"\b(in stock|available|left)\b|有货|现货|还有")
DEICTIC = re.compile(
    r"\b(it|this|that|these|those|they|them|this one|that one)\b|这个|那个|这款|那款|它|这支|那支"
)
# "under ¥60", "below 100 rmb", "less than $50", "60元以下", "100块以内", "不超过80"
_AMOUNT = r"(?P<amount>\d+(?:\.\d{1,2})?)"
_MONEY = r"(?:¥|￥|rmb|cny|\$|yuan)?"
_LOW = r"(?P<low>\d+(?:\.\d{1,2})?)"
_HIGH = r"(?P<high>\d+(?:\.\d{1,2})?)"
_UNIT = r"(?:元|块|块钱|米|yuan|rmb)"  # 米: chat slang for 元
# "between 80 and 90 yuan", "100到150元", "80-100之间"
PRICE_RANGE = (
    re.compile(rf"\bbetween\s*{_MONEY}\s*{_LOW}\s*{_UNIT}?\s*(?:and|to|-)\s*{_MONEY}\s*{_HIGH}"),
    re.compile(
        rf"{_MONEY}\s*{_LOW}\s*{_UNIT}?\s*(?:到|至|-|~|～)\s*{_MONEY}\s*{_HIGH}\s*"
        rf"(?:{_UNIT}|之间|以内|左右|的|价位|价格|区间)"
    ),
    re.compile(
        rf"{_MONEY}\s*{_LOW}\s*{_UNIT}?\s*(?:到|至)\s*{_MONEY}\s*{_HIGH}(?=\s|$)"
    ),  # "一百到一百五 送礼"
    re.compile(
        rf"{_MONEY}\s*{_LOW}\s*(?:to|-|–|~)\s*{_MONEY}\s*{_HIGH}\s*"
        r"(?:yuan|rmb|bucks|kuai|range|budget|price range|to spend)\b"
    ),
    re.compile(rf"\bbudget\b.{{0,12}}?{_MONEY}\s*{_LOW}\s*(?:to|-|–|~)\s*{_MONEY}\s*{_HIGH}\b"),
)
MAX_PRICE = (
    re.compile(
        rf"\b(?:under|below|less than|cheaper than|within|max|at most|up to|no more than|not more than)\s*"
        rf"{_MONEY}\s*{_AMOUNT}"
    ),
    re.compile(
        rf"{_MONEY}\s*{_AMOUNT}\s*(?:元|块|块钱|米|r|rmb|yuan)?\s*"
        r"(?:以下|以内|之内|内|左右的?|or less|or under)"
    ),
    re.compile(
        rf"(?:不超过|低于|少于|不到|小于){_MONEY}\s*{_AMOUNT}(?!\s*(?:件|个|支|瓶|ml|毫升|g|克|小时|天|\d))"
    ),
    re.compile(
        rf"\b(?<!paying )(?<!paid )(?<!own )(?<!have )(?<!got )(?<!bought )"
        rf"(?:around|about|roughly|budget(?: is| of)?|like)\s*{_MONEY}\s*{_AMOUNT}\b"
        r"(?!\s*(?:ml|g|%|months?|weeks?|days?|hours?|hrs?|mins?|minutes?|years?|yrs?|pm|am|degrees?|°|个月|天|小时|周|度))"
        r"(?!\s+(?!bucks|dollars|yuans?|rmb|kuai)[a-z]+s\b)"  # "i own like 5 chapsticks": a count
    ),
    re.compile(rf"{_MONEY}\s*{_AMOUNT}\s*-?ish\b"),
    re.compile(rf"{_MONEY}\s*{_AMOUNT}\s*(?:max|tops|at most|or below|or cheaper)\b"),
    re.compile(rf"预算{_MONEY}\s*{_AMOUNT}"),
)
_LEFT = r"(?:\s*(?:件|个|支|瓶|units?|pcs|pieces))?"
_UNITS = r"(?:units? |pcs |pieces )?"


def _stock_bound(
    than: str, compared: str, placed: str, zh: str, zh_after: str
) -> tuple[re.Pattern[str], ...]:
    """The ways to bound the stock one way: "<than> than N left", "stock <compared> N", "<placed> N in
    stock", "库存<zh>N", "库存N<zh_after>"."""
    return (
        re.compile(rf"\b(?:{than}) than (?P<n>\d+)\s*{_UNITS}(?:left|in stock)\b"),
        re.compile(rf"\bstock (?:is |of )?(?:{compared}) (?P<n>\d+)\b"),
        re.compile(rf"\b(?:{placed}) (?P<n>\d+) {_UNITS}(?:left|in stock)\b"),
        re.compile(rf"(?:库存|剩|还剩|余量)(?:{zh})(?P<n>\d+){_LEFT}"),
        re.compile(rf"(?:库存|剩|还剩|余量)(?P<i>\d+){_LEFT}(?:{zh_after})"),
    )


STOCK_BELOW = _stock_bound(
    "fewer|less",
    "under|below|less than|lower than|fewer than",
    "under|below",
    "不到|少于|低于|小于|不足|没有|不够",
    "以下|以内",
)
"""A bound on how many are left ("fewer than 100 left", "库存不到100"), never a price; ``n`` is a strict
bound, ``i`` one that includes itself ("库存100以下")."""
STOCK_ABOVE = _stock_bound(
    "more|over", "over|above|more than|higher than", "over|above", "超过|多于|高于|大于", "以上"
)


def _stock_bounds(folded: str) -> tuple[int | None, int | None, str]:
    """(max stock, min stock, ``folded`` without the bounds' words, so no price is read from them)."""
    bounds: list[int | None] = []
    for patterns, below in ((STOCK_BELOW, True), (STOCK_ABOVE, False)):
        match = next((m for m in (p.search(folded) for p in patterns) if m is not None), None)
        if match is None:
            bounds.append(None)
            continue
        strict = match.groupdict().get("n")
        if strict is not None:
            bounds.append(int(strict) - 1 if below else int(strict) + 1)
        else:
            bounds.append(int(match.group("i")))
        folded = folded[: match.start()] + " " * (match.end() - match.start()) + folded[match.end() :]
    return bounds[0], bounds[1], folded


MIN_PRICE = (
    re.compile(rf"\b(?:over|above|more than|at least|pricier than)\s*{_MONEY}\s*{_AMOUNT}"),
    re.compile(rf"{_MONEY}\s*{_AMOUNT}\s*(?:元|块|块钱|r|rmb|yuan)?\s*(?:以上|or more)"),
    re.compile(rf"(?:超过|高于|大于|过){_MONEY}\s*{_AMOUNT}"),
)
_WORD = re.compile(r"[a-z]{3,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: Words that carry no topic: sharing them says nothing about what was asked.
_STOP_WORDS = frozenset(
    "the and for you your with this that does can will would could should are was has have not but "
    "its it's too very just also any how what which who why when where much many get got use used".split()
)
_STOP_BIGRAMS = frozenset(
    "会不 不会 可以 什么 怎么 有没 没有 是不 不是 能不 不能 这个 那个 一下 一个 我们 你们 就是 还是".split()
)


def topic_words(text: str, names: tuple[str, ...] = ()) -> set[str]:
    """Topic-bearing tokens of ``text``: English words (plural "s" dropped) and Chinese character
    bigrams, without those of ``names`` (the product's own names say nothing about the question)."""
    folded = text.casefold()
    tokens = {w.removesuffix("s") for w in _WORD.findall(folded)} - _STOP_WORDS
    for run in _CJK_RUN.findall(folded):
        tokens |= {run[i : i + 2] for i in range(len(run) - 1)} - _STOP_BIGRAMS
    for name in names:
        tokens -= topic_words(name) if name else set()
    return tokens


def shares_content(question: str, text: str, names: tuple[str, ...] = ()) -> bool:
    """Does ``text`` (a product's description) talk about something ``question`` asks about?
    ("does the eyeliner smudge?" / "...smudge-proof": yes; "口红会不会拔干" / "丝绒哑光质地": no)."""
    return bool(topic_words(question, names) & topic_words(text, names))


_NUMBER = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十半几]|one|two|three|four|five|six|ten|twelve|half an?)"
#: Kinds of answer a question asks for, each with how it is asked and how an answer that gives one
#: reads. An FAQ whose answer is of the kind asked fits better than one about the same thing that gives
#: another kind ("how long till the liner is dry?": "Not once it is dry, after about 30 seconds" over
#: "Does it smudge?" by meaning alone).
ANSWER_KINDS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (  # a duration
        re.compile(
            r"\bhow (?:long|many (?:hours?|hrs?|mins?|minutes?|secs?|seconds?|days?|weeks?))\b"
            r"|\bhow soon\b|\blasts? longer\b|\bstays? (?:on )?longer\b|更持久|哪个持久"
            r"|多久|多长时间|几个?(?:小时|钟头?|分钟|秒|天|星期|礼拜)"
            r"|多少(?:个)?(?:小时|分钟|天)"
        ),
        re.compile(
            rf"{_NUMBER}\s*-?\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?)(?![a-z])"
            rf"|{_NUMBER}\s*(?:个)?(?:秒|分钟|小时|钟头|天|周|星期|个月)"
        ),
    ),
    (  # a size or an amount of product
        re.compile(
            r"\bhow (?:big|large|much product)\b|\bhow many (?:ml|g|grams?)\b|\bwhat size\b"
            r"|多大|容量|几毫升|多少毫升|多少ml|几ml|几克|多少克"
        ),
        re.compile(r"\d+(?:\.\d+)?\s*(?:ml|g|毫升|克)(?![a-z])"),
    ),
    (  # how much to use at a time
        re.compile(
            r"\bhow much (?:[\w-]+ ){0,3}?(?:do|should|to|shall|can|am|are) (?:i |u |you |we )?"
            r"(?:supposed to |meant to )?(?:use|apply|put|squeeze|take|need)\b"
            r"|\bhow much (?:product |of it )?(?:per|each|for (?:each|one|the))\b"
            r"|\bhow many (?:pumps|drops)\b"
            r"|用量|用多少|挤多少|取多少|抹多少|涂多少|一次.{0,3}多少|多少量"
        ),
        re.compile(
            r"\b(?:rice|pea|coin|grain)[- ]?(?:grain|sized?|amount)?\b|米粒|黄豆|硬币"
            r"|\d+\s*(?:pumps?|drops?|泵|滴)"
        ),
    ),
    (  # a scent
        re.compile(
            r"\bsmells? like\b|\bwhat (?:does|do) .{0,30}\bsmell\b|\bwhat (?:scent|notes?)\b|\bscent notes?\b"
            r"|什么(?:香|味)|啥(?:香|味)|香调|香型|闻起来(?:怎么样|如何|咋样)"
        ),
        re.compile(
            r"\b(?:rose|bergamot|fig|cedar|osmanthus|vanilla|citrus|floral|woody|musk|jasmine|lavender)\b"
            r"|玫瑰|佛手柑|无花果|雪松|桂花|花香|木质|果香|柑橘|茉莉|薰衣草"
        ),
    ),
    (  # a distance
        re.compile(r"\bhow (?:far|close)\b|\bwhat distance\b|多远|多近|距离|隔多"),
        re.compile(r"\d+(?:\.\d+)?\s*(?:cm|centimet\w+|inch\w*|厘米|公分|寸)"),
    ),
)


def kinds_asked(question: str) -> list[re.Pattern[str]]:
    """How answers of the kinds ``question`` asks for read (``ANSWER_KINDS``; none for most questions)."""
    folded = question.casefold()
    return [given for asked, given in ANSWER_KINDS if asked.search(folded)]


def gives_kind(kinds: Sequence[re.Pattern[str]], answers: Iterable[str]) -> bool:
    """Does one of ``answers`` give one of the ``kinds`` of answer asked (see ``kinds_asked``)?"""
    return any(given.search(answer.casefold()) for given in kinds for answer in answers)


def answer_kind_fits(question: str, answers: Iterable[str]) -> bool:
    """Does one of ``answers`` give the kind of answer ``question`` asks for (a duration, a size)?"""
    return gives_kind(kinds_asked(question), answers)


QUESTION = re.compile(
    r"\?|？|\b(how|what|whats|wats|wat|wut|wuts|when|where|wheres|hows|which|who|why|is|are|does|do|can|could|will|would|should"
    r"|any|am i"
    r"|anything|list|show me|show (?:the|ur|your|us)|tell me)\b|^r (?:u|ur|you|your|these|those|they|the)\b"
    r"|\bor r (?:there|u|you|they|these|those)\b"
    r"|多少|多久|多长|多快|多远|吗|么|嘛|呢|什么|啥|怎么|咋|哪|几|谁|有没有|有木有|能不能|可不可以|是不是|会不会|要不要|求|推荐|"
    r"(?P<again>[\u4e00-\u9fff]{1,2})不(?P=again)|肿么|咩|是.{0,12}还是|.还是.|(?:不会|别|该不会)是.{0,12}[吧啊呀]|是.{1,8}吧(?=\W|$)|"
    r"教教我|教我|有.{1,8}没(?:有)?(?=\s|$|[?？！!，,。])|" + _V_BU,
)

ASKS = re.compile(
    r"\?|？|^(?:how|what|whats|when|where|which|who|why)\b"
    r"|\b(?:how|what|when|where|which|why) (?:do|does|is|are|can|will|long|much|many)\b"
    r"|多少|多久|多长|多[细粗厚薄重宽高大小深浓淡快远]|什么|啥|怎么|咋|哪|几|谁|有没有|能不能|可不可以|是不是|会不会|要不要"
    r"|\b(?:will|would|does|do|can|could|should) (?:it|the|this|that|these|u|you|yours|ur|my|i)\b"
    r"|^(?:is|are) (?:it|the|this|that|these|those|ur|urs|your|yours|they)\b"
    r"|^am i\b|\b(?:is|are) (?:it|this|that|they) (?:gonna|going to)\b"
    r"|\bany (?:tips?|tricks?|advice|hacks?|deals?|discounts?|codes?|promos?|sales?|coupons?)\b"
    r"|(?:^|[,，.;!]\s*)(?:what|which|why|how)\b|\b(?:why|how come)\W*$"
    r"|\b(?:what'?s|whats|which one'?s|which is) (?:the )?"
    r"(?:total|cheaper|cheapest|pricier|priciest|bigger)\b"
    r"|有无|有木有|有货没|还有没|还有货?没(?=\W|$)"
    r"|\b(?:wanna|want to|need to|gonna) (?:try|get|buy|grab)\b|想(?:带|要|买|试|找|入|换|退)"
    r"|^(?:is|are) there\b|\bor nah\b|(?:别是|不会是|该不会).{0,8}吧|教教我|教我"
    r"|[吗嘛]|[么呢](?=\W|$)|" + _V_BU,
    re.IGNORECASE | re.MULTILINE,
)
CLAUSE_END = re.compile(r"\s*[\U0001F000-\U0001FAFF\u2600-\u27BF.!！。,，;；~～]+\s*")
"""Where a chat clause ends (an emoji, a full stop, a comma): a question may start after it ("i hate
when gloss gets sticky 😩 is urs like that")."""
"""A message that asks something (stricter than ``QUESTION``, whose "is"/"any" anywhere also catch remarks
such as "the lipstick is awful")."""


PLEASE = re.compile(r"\b(?:pls|plz|please|pleaseee*)\b|求求|拜托|麻烦")
"""Asking politely: a request, even when it sounds upset."""

WANTS = re.compile(
    r"\b(?:wants?|wanted|wanna|needs?|needa|pls|plz|please|help|anyone know|any1 know|wondering|i wonder"
    r"|worried|scared|afraid|can'?t find|cannot find|no reply|no response|not replying|still no|still not"
    r"|still hasn'?t|still hasnt|nothing yet|didn'?t work|doesn'?t work|not working|never|only have"
    r"|(?:nobody|no one|noone) (?:replied|answered|responds|responded|replies|answers)"
    r"|no (?:wechat|alipay|paypal|credit card|bank card|chinese bank)"
    r"|don'?t have)\b"
    r"|想|要|怕|担心|心有余悸|求|帮|咋办|怎么办|不知道|找不到|不回|一直不|每次|赶上|错过|给一下|给个|呗"
    r"|没|急|哭|只有|不会|用不了|不能用|不理人|希望|还得我|得我自己"
)
"""A statement that wants something, worries or complains ("want my money back", "之前买到假的 怕了",
"物流一直不显示"): with a shop topic, the shop FAQ answers it, where "ordered already, waiting for the
parcel 🥳" is just chatter."""


REGRET = re.compile(
    r"\b(?:havent|haven't|have not|hasnt|hasn't|not|never|didnt|didn't) (?:even |yet )?"
    r"(?:opened|used|tried|touched|unsealed)\b"
    r"|\b(?:unopened|still sealed|changed my mind|regret\w*|instead|i wanted the|looks nothing like)\b"
    r"|\bwish i(?:'d| had)? (?:got|gotten|picked|bought|ordered)\b"
    r"|\bwrong (?:shade|colou?r|one|size|tone)\b"
    r"|\b(?:would|wouldve|would've|should've|shouldve|should have|would have) (?:suit(?:ed)?|been better|got"
    r"|gotten|bought|picked|gone)\b"
    r"|后悔|不想要了|选错|买错|拍错|下错|挑错|没拆|未拆|没开封|未开封|没用过"
)
"""Regret over an order ("got cherry red but nude beige wouldve suited me, havent opened it", "买了眼霜
还没拆 后悔了"): a return or an exchange, even of the product it names."""


MENTION = re.compile(r"@\S+")
"""An @mention of the bot or another viewer: who the message is for, no word of what it asks."""


def asks(text: str) -> bool:
    """Does the message ask something: a question mark, a question word, a yes/no form, or a request
    ("something for dry skin pls, winter is killing me 🥶", "推荐个 黑眼圈太重了")? An @mention before it
    ("@liveroom whats ur cheapest thing") is not part of it."""
    folded = normalize_key(MENTION.sub(" ", text).strip())
    return bool(
        ASKS.search(CLAUSE_END.sub("\n", folded))
        or YES_NO.search(folded)
        or RECOMMEND.search(folded)
        or PLEASE.search(folded)
    )


@dataclass(frozen=True)
class Reading:
    """The shape and vocabulary of one question. ``text`` is the normalized question."""

    text: str
    question: bool
    price: bool = False
    stock: bool = False
    variant: bool = False
    promo: bool = False
    cheaper: bool | None = None
    """True for "which is cheaper", False for "which is more expensive", None for neither."""
    compares: str | None = None
    """What a comparison other than the price weighs: "size", "stock" or "other" (see ``COMPARED_ON``)."""
    superlative: str | None = None
    """"cheapest", "priciest", "popular", "stocked" (most in stock), "scarce" (fewest left) or "largest"."""
    top: int = 1
    """How many of the ranking the question asks for ("top 3 cheapest", "最贵的三个")."""
    total: bool = False
    """What several products cost together (with ``price``, or "total" said outright)."""
    sold_out: bool = False
    """"what's sold out?": the catalog's sold-out products and shades."""
    recommend: bool = False
    sell_thing: str | None = None
    """The normalized X of "do you sell X?" / "有没有X", when X could be a product."""
    categories: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    """Categories the question says it does not want ("给男朋友挑个礼物 不要化妆品的")."""
    tags: tuple[str, ...] = ()
    colour: str | None = None
    """A colour family ("red") the question names."""
    max_price: Decimal | None = None
    min_price: Decimal | None = None
    max_stock: int | None = None
    """Fewer than this many left or fewer ("库存不到100的有哪些": 99), a bound on the stock, not the price."""
    min_stock: int | None = None
    in_stock: bool = False
    deictic: bool = False

    @property
    def filters_catalog(self) -> bool:
        """Does the question ask about the catalog rather than one product (a price bound, a
        recommendation, a ranking, "do you sell X", a category)?"""
        return bool(
            self.max_price is not None
            or self.min_price is not None
            or self.stock_bounded
            or self.recommend
            or self.superlative
            or self.sell_thing
            or self.categories
        )

    @property
    def filters(self) -> bool:
        """Does the question narrow the catalog (category, tag, colour, price or stock)?"""
        return bool(
            self.categories
            or self.tags
            or self.colour
            or self.max_price
            or self.min_price
            or self.stock_bounded
        )

    @property
    def stock_bounded(self) -> bool:
        return self.max_stock is not None or self.min_stock is not None


_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(
    r"([一二两三四五六七八九])?([百十])([一二三四五六七八九])?(?=[块元米以内之左到至的下上\s~～-]|$)"
)


_EN_VALUES = {
    "a": 100,
    "one": 100,
    "two": 200,
    "three": 300,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
_EN_NUMBER = re.compile(
    r"\b(under|below|than|over|above|around|about|within) "
    r"(?:(a|one|two|three) hundred|(twenty|thirty|forty|fifty))\b"
)


def _arabic(folded: str) -> str:
    """ "一百五块" -> "150块", "八十元以内" -> "80元以内", "under a hundred" -> "under 100": the price
    patterns read digits."""

    def value(match: re.Match[str]) -> str:
        head, unit, tail = match.groups()
        base = 100 if unit == "百" else 10
        number = _CN_DIGITS.get(head or "一", 1) * base
        if tail:
            number += _CN_DIGITS[tail] * (base // 10)
        return str(number)

    folded = _EN_NUMBER.sub(lambda m: f"{m.group(1)} {_EN_VALUES[m.group(2) or m.group(3)]}", folded)
    return _CN_NUMBER.sub(value, folded).replace("过百", "过100").replace("上百", "过100")


FREE_OF = re.compile(
    r"\b(?:fragrance|perfume|scent|alcohol|oil|paraben|sulfate|silicone)s?\s*-?\s*free\b"
    r"|\b(?:without|no) (?:any )?(?:fragrance|perfume|scent|alcohol)s?\b"
    r"|\b(?:it|this|that|they|these|this one|that one) (?:have|has|contain|contains|got) (?:any |added |a )*"
    r"(?:fragrance|perfume|scent)s?\b|\b(?:fragrance|perfume|scent)s? in (?:it|this|that|them)\b",
    re.IGNORECASE,
)
"""What a product is free of or contains names no product: "fragrance-free skincare" and "does it have
fragrance" are not about the perfume."""


STRETCHED_SO = re.compile(r"\b(so|to)o{2,}\b")
"""Chat stretches "so"/"too" ("my face gets sooo shiny"); the vocabulary says them once."""


SCRIPT_CHANGE = re.compile(r"(?<=[\u4e00-\u9fff])(?=[a-z])|(?<=[a-z])(?=[\u4e00-\u9fff])")
"""Where Chinese meets a Latin word: read as a space, so English words in mixed chat are words."""


def read_question(text: str, names: tuple[str, ...] = ()) -> Reading:
    """Read the shape and catalog vocabulary of ``text`` (any language, raw chat). ``names``: the product
    names/aliases found in it (normalized); colours and attributes are not read inside them ("口红" is a
    lipstick, not the colour 红; "Waterproof Mascara" is a name, not a question about waterproofing)."""
    folded = normalize_key(text)
    unnamed = _blank(folded, names)
    tags = _found(
        _refused_blanked(
            STRETCHED_SO.sub(lambda m: "so" if m.group(1) == "so" else "too", NO_NEED.sub(" ", unnamed))
        ),
        _tag_words(),
        plurals=True,
    )
    categories = _categories(FREE_OF.sub(" ", folded))  # "does it have fragrance" asks for no perfume
    if "benefit:fragrance-free" in tags:  # "which are fragrance free? scents give me migraines"
        categories = tuple(c for c in categories if c != "fragrance")
    if len(categories) > 1 and ANY_OF_THEM.search(folded):  # "matte finish? lips eyes face idc"
        categories = ()
    spaced = SCRIPT_CHANGE.sub(" ", folded)  # "唇釉有discount吗": the English word stands alone
    price = bool(PRICE_WORDS.search(spaced)) and not AMOUNT_USED.search(folded)
    max_stock, min_stock, priced = _stock_bounds(_arabic(folded))
    return Reading(
        text=folded,
        question=bool(QUESTION.search(spaced)),
        price=price,
        stock=bool(STOCK_WORDS.search(spaced)),
        variant=bool(VARIANT_WORDS.search(GOODS_OPTIONS.sub(" ", spaced))),
        promo=bool(PROMO_WORDS.search(NOT_PROMO_CODE.sub(" ", spaced)) or DEAL_FLOOR.search(folded)),
        cheaper=True if CHEAPER.search(folded) else (False if PRICIER.search(folded) else None),
        compares=_compares(unnamed),
        superlative=None if DEAL_FLOOR.search(folded) else _superlative(folded),
        top=_top(folded),
        sold_out=bool(SOLD_OUT_ASK.search(folded)),
        total=bool(TOTAL_ASK.search(folded)) and (price or bool(TOTAL_SAID.search(folded))),
        recommend=bool(RECOMMEND.search(folded) or ((tags or categories) and _needs(folded, names))),
        sell_thing=_sell_thing(folded),
        categories=categories,
        excluded=_excluded(folded),
        tags=tags,
        colour=_asked_colour(unnamed),
        max_price=_range(priced, "high") or _amount(priced, MAX_PRICE),
        min_price=_range(priced, "low") or _amount(priced, MIN_PRICE),
        max_stock=max_stock,
        min_stock=min_stock,
        in_stock=bool(IN_STOCK.search(folded)),
        deictic=bool(DEICTIC.search(folded)),
    )


def strip_vocabulary(folded: str) -> str:
    """``folded`` without the catalog vocabulary it uses (category, attribute and colour words)."""
    for words in (category_words(), _tag_words(), _colour_words()):
        for word, _ in words:
            start = find_word(word, folded)
            while start != -1:
                folded = folded[:start] + " " + folded[start + len(word) :]
                start = find_word(word, folded)
    return " ".join(folded.split())


def _blank(folded: str, names: tuple[str, ...]) -> str:
    """``folded`` with each of ``names`` replaced by spaces (same length, so offsets stay)."""
    for name in names:
        if name:
            folded = folded.replace(name, " " * len(name))
    return folded


SUPERLATIVES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("largest", LARGEST),
    ("stocked", MOST_STOCK),
    ("scarce", LEAST_STOCK),
    ("cheapest", CHEAPEST),
    ("priciest", PRICIEST),
    ("popular", POPULAR),
)
"""Rankings a question can ask for; the first that matches wins ("most in stock" before "most")."""


def _compares(unnamed: str) -> str | None:
    if not COMPARING.search(unnamed) or CHEAPER.search(unnamed) or PRICIER.search(unnamed):
        return None
    return next((what for what, pattern in COMPARED_ON if pattern.search(unnamed)), None)


_TOP_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5}
_TOP_WORDS |= {"second": 2, "third": 3}
TOP_N = re.compile(
    r"\btop\s*([2-5]|two|three|four|five)\b"
    r"|\b([2-5]|two|three|four|five) (?:cheapest|priciest|dearest|most|least|best|biggest)\b"
    r"|最[^\s，,。?？]{1,4}的\s*(?:是\s*)?(?:哪)?([2-5两二三四五])\s*[个样款件种名]"
    r"|前\s*([2-5两二三四五])\s*[个样款件种名]"
    r"|\b([23]|second|third)(?:nd|rd)? (?:most )?(?:cheapest|priciest|dearest|expensive|biggest)\b"
    r"|第\s*([2-5二三四五])\s*(?:便宜|贵)"
)
"""How many products a ranking asks for; "the 2nd cheapest" / "第二便宜" lists the two cheapest, in order."""


def _superlative(folded: str) -> str | None:
    """The first ranking the question asks for, in ``SUPERLATIVES`` order."""
    return next((which for which, pattern in SUPERLATIVES if pattern.search(folded)), None)


def _needs(folded: str, names: tuple[str, ...]) -> bool:
    """Whether ``folded`` asks for something it needs: anywhere when it names no product ("dry skin, need
    something rich"), and as its opening words when it names a product only by a category word ("need a
    lipstick that lasts", not "does the mascara come off or do i need something else")."""
    match = NEED_ASK.search(folded)
    if match is None or not all(name in category_word_keys() for name in names):
        return False
    return not names or match.start() <= NEED_LEADS


def _top(folded: str) -> int:
    """The N of "top N" / "the 3 cheapest" / "最便宜的三样" (2 to 5), else 1."""
    match = TOP_N.search(folded)
    if match is None:
        return 1
    said = next(group for group in match.groups() if group)
    return int(said) if said.isdigit() else _TOP_WORDS[said]


ADDRESS = re.compile(
    r"^(?:家人们|姐妹们|集美们|宝宝们|宝子们|亲们|大家)(?:有)?"
    r"|^(?:想|要)?(?:给|帮|替)[^买\s]{1,6}买(?:个|一个|点|一些)?"
)
"""How a viewer calls the room, or whom the thing is for, before asking ("家人们有洗发水卖吗", "给男朋友
买剃须刀 有吗"): not part of the thing."""
NEED_ASKED = re.compile(r"\b(?:do|would|will|should) (?:i|u|you|we) (?:still |even |really |also )?need\b")
_BEFORE_CLAUSE = re.compile(r"\s+(?:for|with|that|which|to|in|on|from|under|below|like)\b")
_ALTERNATIVE = re.compile(r"\s*/\s*|\s+or\s+")


def _sell_thing(folded: str) -> str | None:
    for pattern in SELL:
        match = pattern.search(folded)
        if match is None:
            continue
        thing = ADDRESS.sub("", SHOP_PLACE.sub("", match.group("thing"))).strip(" ~～")
        if not BARE_THING_WORDS.sub("", thing).strip():
            continue  # "…, got any?": the thing is said elsewhere
        if pattern is SELL[-1] and NEED_ASKED.search(folded):
            continue  # "do i still need a makeup remover or can the face wash…": whether, not a request
        said = _BEFORE_CLAUSE.split(thing, maxsplit=1)[0]  # "shampoo for an oily scalp": the shampoo
        head = _ALTERNATIVE.split(said, maxsplit=1)[0]  # "a gua sha or face roller": either will do
        if pattern in GOODS_CHECKED and (
            BARE_THING_WORDS.search(said) or not strip_vocabulary(thing) or not GOODS_HEAD.search(head)
        ):
            continue  # "really?", "matte finish stuff?", "YEA?": a remark, catalog words, or no goods
        if any(is_cjk(ch) for ch in head) and head.split():
            head = head.split()[0]  # "卸妆油 求链接": the thing is the first clause, the link a request
        if thing and len(head) <= 40 and len(head.split()) <= 4 and not NOT_A_THING.search(head):
            return thing
    return None


def _range(folded: str, end: str) -> Decimal | None:
    """The ``end`` ("low"/"high") of a price range ("between 80 and 90", "100到150元"), else None."""
    for pattern in PRICE_RANGE:
        match = pattern.search(folded)
        if match is not None and Decimal(match.group("low")) < Decimal(match.group("high")):
            return Decimal(match.group(end))  # not "went 25-3 in ranked"
    return None


def _amount(folded: str, patterns: tuple[re.Pattern[str], ...]) -> Decimal | None:
    for pattern in patterns:
        match = pattern.search(folded)
        if match is not None:
            try:
                return Decimal(match.group("amount"))
            except InvalidOperation:  # pragma: no cover - the pattern only admits digits
                return None
    return None


def _found(folded: str, words: tuple[tuple[str, str], ...], *, plurals: bool = False) -> tuple[str, ...]:
    """The values of ``words`` ((normalized word, value), longest first) found in ``folded``; a shorter
    word inside a longer one already found ("oily" inside "oily skin") is not counted twice. With
    ``plurals``, a word of four letters or more is also found in the plural ("gifts")."""
    found: dict[str, None] = {}
    taken: list[tuple[int, int]] = []
    for word, value in words:
        plural = plurals and len(word) > 3  # not "ha" (hyaluronic acid) in "has"
        start = find_word(word, folded, plurals=plural)
        while start != -1:
            end = start + len(word)
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
                found[value] = None
                break
            start = _next(word, folded, start + 1, plural)
    return tuple(found)


def _next(word: str, folded: str, offset: int, plurals: bool = False) -> int:
    index = find_word(word, folded[offset:], plurals=plurals)
    return -1 if index == -1 else index + offset


def _longest_first(pairs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            ((normalize_key(w), v) for w, v in pairs.items() if normalize_key(w)), key=lambda p: -len(p[0])
        )
    )


@lru_cache(maxsize=1)
def category_words() -> tuple[tuple[str, str], ...]:
    """(word, category id or group key) of every category word, longest first."""
    words = {word: category for category, words in CATEGORY_WORDS.items() for word in words}
    words.update({word: key for key, group in CATEGORY_GROUPS.items() for word in group.words})
    return _longest_first(words)


NEGATED = re.compile(
    r"\bnon-(?P<one>[a-z]+)"  # "non-beauty lifestyle bits": only the word joined to it
    r"|\b(?:non|not(?: counting)?|no|without|except(?: for)?|other than|excluding|apart from|aside from"
    r"|doesn'?t (?:wear|use|like)|don'?t (?:want|need|wear))[\s-]+"
    r"(?:a |an |any |the )?(?P<en>[a-z-]+(?: (?:or|nor|and|n) [a-z-]+)*(?: [a-z-]+)?)"
    r"|(?:不要|不用|不是|不想要|非|除了|别推|别给我推|不要推|别要)(?P<zh>[\u4e00-\u9fff]{1,4})"
    r"|(?P<zha>[\u4e00-\u9fff]{1,6}(?:[和跟与、][\u4e00-\u9fff]{1,4})*)(?:都|也)?(?:不算|除外|不考虑)"
    r"|(?:啥|什么|任何)(?P<zhb>[\u4e00-\u9fff]{2,3}?)(?:都|也)(?:不|没)(?:用|碰|要|化|擦)"  # "他啥护肤都不用"
)
"""A category said not to be wanted ("a gift for my bf who doesn't wear makeup", "不要化妆品的")."""


ANY_OF_THEM = re.compile(
    r"\b(?:idc|idrc|whatever|don'?t care|doesn'?t matter|dont mind|any of them|any works|either works)\b"
    r"|都行|都可以|无所谓|随便|都ok|哪类都"
)
"""Categories listed only to say any will do ("lips eyes face idc"): no category asked."""


NO_NEED = re.compile(r"\bgift ?cards?\b|\be-?gift\b|礼品卡|购物卡|储值卡")
"""Words with a need's word in them that ask for no such goods ("i have a 60 yuan gift card")."""


NO_MAKEUP = re.compile(
    r"(?:不|不怎么|不太|不爱|从不|很少)(?:化妆|画妆|化妆的)|素颜党|不用化妆品"
    r"|\bnot (?:really |much of )?(?:a )?make-?up (?:person|girl|guy|fan)\b"
    r"|\b(?:never|rarely) wears? make-?up\b"
)
"""Someone who does not wear make-up ("他不化妆"): the make-up categories are not wanted."""
STYLE = re.compile(r"\blook\b|妆感|感觉|风格")


NOT_COLOURS = re.compile(
    r"粉的还是|还是粉的|粉质|粉状|粉末|开黑|黑眼圈|黑头|黑印|黑乎乎|黑黑的|黑圈|一圈黑|黄黑皮|黑皮|白皮|冷白皮|美白|显白|泛白|发白|假白|白白|红血丝|泛红|红肿|网红|红包|走红|爆红|红人"
    r"|\bblack ?heads?\b|\bdark circles\b|\bwhite ?cast\b|\bred(?:ness| face| spots?)\b"
)
"""Words with a colour in them that name no colour ("黑眼圈" dark circles, "开黑" gaming together)."""


def _expanded(value: str) -> tuple[str, ...]:
    """The categories a category word's value stands for: a group ("makeup") its categories, else itself."""
    group = CATEGORY_GROUPS.get(value)
    return group.categories if group is not None else (value,)


def _negations(folded: str) -> list[tuple[re.Match[str], str]]:
    """Each ``NEGATED`` match with the words it refuses; in Chinese only when they start with a
    category word ("不要彩妆的"), since "不用补的底妆" refuses the touch-up, not the base make-up."""
    found = []
    for match in NEGATED.finditer(folded):
        zh = match.group("zh") or match.group("zhb") or _from_a_category_word(match.group("zha"))
        words = match.group("one") or match.group("en") or zh or ""
        if zh and not any(words.startswith(w) for w, _ in category_words()):
            continue
        found.append((match, words))
    return found


def _from_a_category_word(said: str | None) -> str | None:
    """What a refusal said after its words ("最贵的护肤和香水不算") refuses: from its first category word
    on."""
    if not said:
        return None
    starts = [i for w, _ in category_words() if (i := said.find(w)) != -1]
    return said[min(starts) :] if starts else None


def _refused_blanked(folded: str) -> str:
    """``folded`` without the English words a negation refuses ("need full coverage, not a sheer thing":
    no sheer), unless the negation is itself a catalog word ("without fragrance")."""
    for match, words in _negations(folded):
        if match.group("zh") or match.group("zhb") or match.group("zha"):
            continue
        said = folded[match.start() : match.end()]
        negation_is_a_tag = any(
            find_word(w, said) != -1 and find_word(w, words) == -1 for w, _ in _tag_words()
        )
        if not negation_is_a_tag:
            folded = folded.replace(words, " " * len(words), 1)
    return folded


def _excluded(folded: str) -> tuple[str, ...]:
    """The categories said not to be wanted ("不要化妆品的", "not a heavy perfume"), groups expanded."""
    found: dict[str, None] = (
        dict.fromkeys(CATEGORY_GROUPS["makeup"].categories) if NO_MAKEUP.search(folded) else {}
    )
    for match, words in _negations(folded):
        if STYLE.search(folded[match.start() : match.end() + 6]):
            continue  # "a natural no-makeup look": a style asked for, not a category refused
        for value in _found(words, category_words()):
            found.update(dict.fromkeys(_expanded(value)))
    return tuple(found)


def _categories(folded: str) -> tuple[str, ...]:
    """The categories the question names; a group word ("彩妆") stands for each of its categories, and a
    category said not to be wanted ("non makeup", "不要彩妆") is not named."""
    found: dict[str, None] = {}
    for _, words in _negations(folded):
        folded = folded.replace(words, " " * len(words))
    values = _found(folded, category_words())
    specific = {value for value in values if value not in CATEGORY_GROUPS}
    for value in values:
        group = CATEGORY_GROUPS.get(value)
        if group is not None and specific & set(group.categories):
            continue  # "眼部彩妆": the eye category, not all make-up
        found.update(dict.fromkeys(_expanded(value)))
    return tuple(found)


@lru_cache(maxsize=1)
def _tag_words() -> tuple[tuple[str, str], ...]:
    return _longest_first({word: term.tag for term in TERMS for word in (*term.words_en, *term.words_zh)})


def _asked_colour(unnamed: str) -> str | None:
    """The colour asked about: of several, the one said in a clause that asks ("anything in brown? black
    liner is way too harsh on me")."""
    found = _found(NOT_COLOURS.sub(" ", unnamed), _colour_words())
    if len(found) > 1:
        for clause in QUESTION_END.split(unnamed):
            if asks(clause) and (said := _found(NOT_COLOURS.sub(" ", clause), _colour_words())):
                return said[0]
    return next(iter(found), None)


QUESTION_END = re.compile(rf"[?？]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|{CLAUSE_END.pattern}")
"""Where a clause ends, a question mark and a space between Chinese clauses included."""

_ASKED_NEXT = re.compile(
    r"(?<=[?？])(?![?？])\s*|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|"
    + CLAUSE_END.pattern
    + r"|\s+(?:and|also|plus|n|&)\s+(?=(?:how|what|whats|which|is|are|does|do|can|will|any|r)\b)",
    re.IGNORECASE,
)


_TOPIC_ONLY = re.compile(
    r"^[\u4e00-\u9fff]{1,3}呢\W*$|\b(?:is|was) (?:that|this|it) (?:from |the |ur |your |a |an )"
    r"|^(?:这|那)?是(?:不是)?(?:那个|这个|用的)[^\s，,]{1,10}吗\W*$"
)
"""A clause that only names what the next one is about ("干皮呢 会不会越喷越干", "is that the serum?? is
it ok for sensitive skin")."""


def question_parts(text: str) -> list[str]:
    """The questions one chat line asks, in order ("一支多少克啊 多少米", "is it waterproof? how long does it
    last", "how many come in it and what colours"), each with the remarks said before it; the line
    itself when it asks one thing or none."""
    parts: list[str] = []
    said = ""
    for piece in _ASKED_NEXT.split(MENTION.sub(" ", text).strip()):
        if not piece or not piece.strip():
            continue
        said = f"{said} {piece.strip()}".strip()
        if asks(piece) and re.search(r"\w", piece) and not _TOPIC_ONLY.search(piece.strip()):
            parts.append(said)
            said = ""
    if len(parts) < 2:
        return [text]
    if said:
        parts[-1] = f"{parts[-1]} {said}"
    return parts


@lru_cache(maxsize=1)
def _colour_words() -> tuple[tuple[str, str], ...]:
    """The catalog's colour words, and every colour NLU knows (nlu/text/attributes.py), so a colour the shop
    has no shade of ("blue") is still read as a colour and answered with the shades there are."""
    from nlu.text.attributes import COLOURS

    words = {**COLOURS, **COLOUR_WORDS}
    # A lone character (红, 粉) is part of too many other words (口红 is a lipstick, 蛋白粉 protein powder).
    return _longest_first({w: f for w, f in words.items() if not (len(w) == 1 and not w.isascii())})


def category_word_keys() -> frozenset[str]:
    """Every normalized word that names a category ("lipstick", "口红"), some of them also aliases."""
    return frozenset(word for word, _ in category_words())
