"""The bilingual vocabulary of the catalog: what viewers call its tags, shades and categories.

The question-answering layer reads viewer words through this module: "油皮能用什么" becomes the
tag ``skin:oily``, "有红色的吗" the colour family ``red`` (and so the shades "brick red" and
"cherry red"), "推荐一支口红" the category ``lips``; and it shows tags and shades back to the
viewer with the ``en``/``zh`` labels. Pure data, no I/O.

Every product tag in ``demo_catalog.json`` except ``size:`` has a ``Term`` (the demo catalog test
checks it), every variant colour a ``SHADES`` entry and a colour family. Colour family names
agree with the canonical colours of ``nlu/attributes.py`` (``COLOURS`` values). Words are stored
as viewers type them; match them after ``knowledge_graph.text.normalize_key``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATEGORY_GROUPS",
    "CATEGORY_WORDS",
    "COLOUR_FAMILIES",
    "COLOUR_WORDS",
    "SHADES",
    "SHOP_TOPICS",
    "TERMS",
    "CategoryGroup",
    "Term",
    "term_for",
]


@dataclass(frozen=True)
class Term:
    """One tag value: its display labels and the words viewers use for it in each language."""

    tag: str
    en: str
    zh: str
    words_en: tuple[str, ...]
    words_zh: tuple[str, ...]


TERMS: tuple[Term, ...] = (
    # skin types (skin care and base products)
    Term(
        "skin:oily",
        "oily skin",
        "油皮",
        ("oily skin", "oily", "greasy skin", "oily complexion", "greasy", "shiny t-zone"),
        ("油皮", "油性皮肤", "油性肌肤", "大油皮", "爱出油", "大油田", "油田", "出油"),
    ),
    Term(
        "skin:dry",
        "dry skin",
        "干皮",
        ("dry skin", "dry", "flaky skin", "dehydrated skin", "tight skin"),
        ("干皮", "干性皮肤", "干性肌肤", "大干皮", "干巴巴", "脸干", "皮肤干"),
    ),
    Term(
        "skin:combination",
        "combination skin",
        "混合肌",
        ("combination skin", "combination", "combo skin", "t-zone"),
        ("混合肌", "混合皮", "混油", "混干", "混合性皮肤"),
    ),
    Term(
        "skin:sensitive",
        "sensitive skin",
        "敏感肌",
        ("sensitive skin", "sensitive", "reactive skin"),
        ("敏感肌", "敏感皮", "敏感性皮肤", "皮肤敏感"),
    ),
    Term(
        "skin:all",
        "all skin types",
        "所有肤质",
        ("all skin types", "every skin type", "any skin type", "normal skin"),
        ("所有肤质", "各种肤质", "任何肤质", "全肤质", "中性皮肤"),
    ),
    # finishes
    Term("finish:matte", "matte", "哑光", ("matte", "matt", "velvet"), ("哑光", "雾面", "丝绒", "磨砂")),
    Term("finish:dewy", "dewy", "水光", ("dewy", "glowy", "radiant"), ("水光", "光泽感", "水润光泽")),
    Term("finish:satin", "satin", "柔雾", ("satin", "semi-matte", "soft matte"), ("柔雾", "半哑光", "缎光")),
    Term(
        "finish:natural",
        "natural",
        "自然妆效",
        ("natural finish", "natural", "skin-like"),
        ("自然妆效", "自然", "伪素颜"),
    ),
    Term(
        "finish:glossy",
        "glossy",
        "镜面水光",
        ("glossy", "shiny", "shine", "gloss"),
        ("镜面", "亮面", "镜面水光"),
    ),
    Term(
        "finish:sheer", "sheer", "清透", ("sheer", "light tint", "barely there"), ("清透", "薄透", "淡淡的")
    ),
    Term(
        "finish:shimmer",
        "shimmer",
        "珠光",
        ("shimmer", "shimmery", "sparkle", "glitter"),
        ("珠光", "闪片", "亮片", "偏光"),
    ),
    # key ingredients
    Term(
        "ingredient:hyaluronic-acid",
        "hyaluronic acid",
        "玻尿酸",
        ("hyaluronic acid", "hyaluronic", "ha", "sodium hyaluronate"),
        ("玻尿酸", "透明质酸", "透明质酸钠"),
    ),
    Term(
        "ingredient:niacinamide",
        "niacinamide",
        "烟酰胺",
        ("niacinamide", "vitamin b3"),
        ("烟酰胺", "维生素b3"),
    ),
    Term(
        "ingredient:shea-butter", "shea butter", "乳木果油", ("shea butter", "shea"), ("乳木果油", "乳木果")
    ),
    Term(
        "ingredient:jojoba-oil", "jojoba oil", "荷荷巴油", ("jojoba oil", "jojoba"), ("荷荷巴油", "霍霍巴油")
    ),
    Term(
        "ingredient:vitamin-e",
        "vitamin E",
        "维生素E",
        ("vitamin e", "tocopherol"),
        ("维生素e", "维e", "生育酚"),
    ),
    Term("ingredient:amino-acids", "amino acids", "氨基酸", ("amino acids", "amino acid"), ("氨基酸",)),
    Term("ingredient:ceramides", "ceramides", "神经酰胺", ("ceramides", "ceramide"), ("神经酰胺",)),
    Term("ingredient:peptides", "peptides", "多肽", ("peptides", "peptide"), ("多肽", "胜肽", "肽")),
    Term("ingredient:caffeine", "caffeine", "咖啡因", ("caffeine",), ("咖啡因",)),
    Term("ingredient:squalane", "squalane", "角鲨烷", ("squalane",), ("角鲨烷",)),
    Term("ingredient:glycerin", "glycerin", "甘油", ("glycerin", "glycerine"), ("甘油", "丙三醇")),
    Term("ingredient:silica", "silica", "二氧化硅", ("silica",), ("二氧化硅", "硅石粉")),
    # benefits
    Term(
        "benefit:hydrating",
        "hydrating",
        "补水保湿",
        ("hydrating", "hydration", "moisturising", "moisturizing", "moisture", "dehydrated"),
        ("补水", "保湿", "缺水", "补水保湿"),
    ),
    Term(
        "benefit:long-wear",
        "long-wearing",
        "持久",
        (
            "long-wear",
            "long wear",
            "long-lasting",
            "long lasting",
            "lasts all day",
            "stays put",
            "transfer-proof",
        ),
        ("持久", "持妆", "不脱妆", "长效", "脱妆", "掉妆", "花妆", "不掉色"),
    ),
    Term(
        "benefit:waterproof",
        "waterproof",
        "防水",
        ("waterproof", "water-proof", "water resistant to tears", "sweat-proof"),
        ("防水", "防汗"),
    ),
    Term(
        "benefit:water-resistant",
        "water-resistant",
        "耐水",
        ("water-resistant", "water resistant", "swim-proof"),
        ("耐水", "防水防汗", "游泳可用"),
    ),
    Term(
        "benefit:smudge-proof",
        "smudge-proof",
        "不晕染",
        ("smudge-proof", "smudge proof", "no smudging", "does not smudge", "won't smudge"),
        ("不晕染", "不晕妆", "防晕", "不晕"),
    ),
    Term(
        "benefit:oil-control",
        "oil control",
        "控油",
        (
            "oil control",
            "oil-control",
            "controls shine",
            "shine control",
            "mattifying",
            "so shiny",
            "too shiny",
            "gets shiny",
            "shiny skin",
            "shiny face",
            "shiny nose",
            "oily t-zone",
        ),
        ("控油", "吸油", "不泛油光"),
    ),
    Term(
        "benefit:firming",
        "firming",
        "紧致",
        ("firming", "lifting", "anti-ageing", "anti-aging", "anti aging", "anti ageing", "wrinkles"),
        ("紧致", "抗老", "提拉", "抗初老"),
    ),
    Term(
        "benefit:sun-protection",
        "sun protection",
        "防晒",
        ("sun protection", "spf", "uv protection", "sunscreen", "sunburn", "beach", "sunny"),
        ("防晒", "防紫外线", "防晒黑", "晒黑", "晒伤", "暴晒", "海边"),
    ),
    Term(
        "benefit:nourishing",
        "nourishing",
        "滋润",
        ("nourishing", "softening", "conditioning", "chapped", "cracked lips", "dry lips", "flaky lips"),
        ("滋润", "润唇", "不拔干", "起皮", "干裂", "嘴唇干", "嘴巴干", "唇干", "嘴干"),
    ),
    Term(
        "benefit:gentle-cleansing",
        "gentle cleansing",
        "温和清洁",
        ("gentle cleansing", "gentle", "mild"),
        ("温和清洁", "温和", "不紧绷"),
    ),
    Term(
        "benefit:repairing",
        "repairing",
        "修护",
        ("repairing", "repair", "barrier repair", "recovery"),
        ("修护", "修复", "屏障修护"),
    ),
    Term(
        "benefit:depuffing",
        "de-puffing",
        "消浮肿",
        (
            "de-puffing",
            "depuffing",
            "puffiness",
            "puffy eyes",
            "puffy",
            "swollen eyes",
            "dark circles",
            "eye bags",
        ),
        ("消浮肿", "浮肿", "眼肿", "水肿", "肿眼泡", "黑眼圈", "眼袋"),
    ),
    Term(
        "benefit:high-coverage",
        "high coverage",
        "高遮瑕",
        ("high coverage", "full coverage", "medium coverage", "covers blemishes", "coverage"),
        ("高遮瑕", "遮瑕", "遮瑕力强"),
    ),
    Term(
        "benefit:lengthening",
        "lengthening",
        "纤长",
        ("lengthening", "longer lashes", "length", "short lashes", "stubby lashes"),
        ("纤长", "拉长睫毛", "刷长", "睫毛短", "短睫毛", "睫毛塌"),
    ),
    Term(
        "benefit:quick-drying",
        "quick-drying",
        "速干",
        ("quick-drying", "quick drying", "dries fast", "fast-drying"),
        ("速干", "干得快"),
    ),
    Term(
        "benefit:buildable",
        "buildable",
        "可叠加",
        ("buildable", "build up", "layerable"),
        ("可叠加", "好叠涂", "叠加显色"),
    ),
    # shopper needs
    Term(
        "need:beginner",
        "beginner-friendly",
        "新手友好",
        ("beginner", "beginners", "beginner-friendly", "newbie", "first time", "easy to use"),
        ("新手", "小白", "化妆新手", "手残党", "新手友好"),
    ),
    Term(
        "need:gift",
        "gift idea",
        "适合送礼",
        ("gift", "present", "gift idea", "for my girlfriend", "for my mum", "for my mom"),
        ("送礼", "礼物", "送人", "送女朋友", "送妈妈", "伴手礼"),
    ),
    Term(
        "need:travel",
        "travel-friendly",
        "出行便携",
        ("travel", "travelling", "traveling", "on the go", "portable", "trip", "holiday", "vacation"),
        ("旅行", "出差", "出门", "便携", "随身"),
    ),
    Term(
        "need:sensitive-skin",
        "gentle on sensitive skin",
        "敏感肌友好",
        ("for sensitive skin", "gentle on skin", "fragrance-free", "alcohol-free"),
        ("敏感肌可用", "敏感肌友好", "无香精", "无酒精"),
    ),
)

_BY_TAG = {term.tag: term for term in TERMS}


def term_for(tag: str) -> Term | None:
    """The ``Term`` of a tag ("skin:oily"), or None for a tag without one (sizes, unknown tags)."""
    return _BY_TAG.get(tag)


SHADES: dict[str, str] = {
    "brick red": "砖红色",
    "cherry red": "樱桃红",
    "rose pink": "玫瑰粉",
    "nude beige": "裸米色",
    "coral": "珊瑚色",
    "berry": "浆果色",
    "clear": "透明色",
    "peach": "蜜桃色",
    "21 ivory": "21号象牙白",
    "23 natural": "23号自然色",
    "black": "黑色",
    "brown": "棕色",
    "champagne": "香槟色",
    "dusty pink": "豆沙粉",
}
"""Every variant colour of the catalog (lower-case English, as stored) -> its Chinese name."""

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "red": ("brick red", "cherry red"),
    "pink": ("rose pink", "dusty pink"),
    "rose": ("rose pink", "dusty pink"),
    "nude": ("nude beige", "peach"),
    "beige": ("nude beige", "21 ivory", "23 natural", "champagne"),
    "coral": ("coral",),
    "orange": ("coral",),
    "peach": ("peach",),
    "purple": ("berry",),
    "burgundy": ("berry",),
    "brown": ("brown",),
    "black": ("black",),
    "white": ("21 ivory",),
    "gold": ("champagne",),
    "clear": ("clear",),
}
"""Colour family (``nlu/attributes.py`` canonical names, plus "clear") -> the catalog shades in it."""

COLOUR_WORDS: dict[str, str] = {
    # English
    "red": "red",
    "reds": "red",
    "brick": "red",
    "cherry": "red",
    "pink": "pink",
    "pinks": "pink",
    "rose": "rose",
    "nude": "nude",
    "nudes": "nude",
    "beige": "beige",
    "ivory": "beige",
    "coral": "coral",
    "orange": "orange",
    "peach": "peach",
    "purple": "purple",
    "plum": "purple",
    "berry": "purple",
    "burgundy": "burgundy",
    "wine": "burgundy",
    "brown": "brown",
    "black": "black",
    "white": "white",
    "fair": "white",
    "gold": "gold",
    "champagne": "gold",
    "clear": "clear",
    "transparent": "clear",
    # Chinese
    "红": "red",
    "红色": "red",
    "大红": "red",
    "正红": "red",
    "砖红": "red",
    "樱桃红": "red",
    "红的": "red",
    "粉": "pink",
    "粉色": "pink",
    "粉红": "pink",
    "粉红色": "pink",
    "粉的": "pink",
    "玫瑰色": "rose",
    "豆沙色": "rose",
    "豆沙": "rose",
    "裸色": "nude",
    "奶茶色": "nude",
    "米色": "beige",
    "象牙白": "beige",
    "珊瑚色": "coral",
    "橘色": "orange",
    "橙色": "orange",
    "蜜桃色": "peach",
    "桃色": "peach",
    "紫色": "purple",
    "紫": "purple",
    "莓果色": "purple",
    "浆果色": "purple",
    "酒红": "burgundy",
    "酒红色": "burgundy",
    "棕色": "brown",
    "咖啡色": "brown",
    "黑色": "black",
    "黑的": "black",
    "黑": "black",
    "白色": "white",
    "白的": "white",
    "金色": "gold",
    "香槟色": "gold",
    "透明": "clear",
    "透明色": "clear",
}
"""A viewer's colour word (either language) -> a ``COLOUR_FAMILIES`` key."""


@dataclass(frozen=True)
class CategoryGroup:
    """A word for several categories at once, with its labels."""

    categories: tuple[str, ...]
    words: tuple[str, ...]
    en: str
    zh: str


#: "makeup" / "彩妆" is lips, base and eyes (not skin care).
CATEGORY_GROUPS: dict[str, CategoryGroup] = {
    "makeup": CategoryGroup(
        ("lips", "base", "eyes"),
        ("makeup", "make-up", "make up", "colour cosmetics", "彩妆"),
        "make-up",
        "彩妆",
    ),
}

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "lips": (
        "lips",
        "嘴巴",
        "嘴唇",
        "lip",
        "lip makeup",
        "lipstick",
        "lipsticks",
        "lip gloss",
        "gloss",
        "lip balm",
        "唇部",
        "唇妆",
        "唇",
        "口红",
        "唇膏",
        "唇釉",
        "唇彩",
        "润唇膏",
    ),
    "skincare": (
        "skincare",
        "skin care",
        "skin-care",
        "serum",
        "moisturiser",
        "moisturizer",
        "cream",
        "toner",
        "cleanser",
        "sunscreen",
        "face mask",
        "护肤",
        "护肤品",
        "保养",
        "精华",
        "面霜",
        "水乳",
        "爽肤水",
        "洗面奶",
        "防晒",
        "面膜",
    ),
    "base": (
        "base",
        "base makeup",
        "base make-up",
        "complexion",
        "foundation",
        "cushion",
        "powder",
        "blush",
        "setting spray",
        "makeup brushes",
        "底妆",
        "粉底",
        "气垫",
        "散粉",
        "定妆",
        "腮红",
        "化妆刷",
    ),
    "eyes": (
        "eyes",
        "eye",
        "eye products",
        "eye makeup",
        "eyeshadow",
        "eye shadow",
        "mascara",
        "eyeliner",
        "眼部",
        "眼妆",
        "眼影",
        "睫毛膏",
        "眼线",
    ),
    "fragrance": (
        "fragrance",
        "fragrances",
        "perfume",
        "perfumes",
        "scent",
        "body mist",
        "香氛",
        "香水",
        "香氛喷雾",
    ),
    "lifestyle": (
        "lifestyle",
        "home",
        "accessories",
        "candle",
        "scrunchie",
        "hair accessories",
        "tumbler",
        "water bottle",
        "生活好物",
        "生活用品",
        "家居",
        "蜡烛",
        "发圈",
        "保温杯",
        "杯子",
    ),
}
"""Category id -> viewer words (both languages) that ask for that category."""


SHOP_TOPICS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "legit",
            "fake",
            "real",
            "authentic",
            "knock-off",
            "counterfeit",
            "高仿",
            "假货",
            "假的",
            "保真",
            "真的假的",
            "reseller",
            "grey market",
            "straight from the brand",
            "水货",
            "代购",
            "山寨",
            "靠谱吗",
        ),
        "genuine authentic products 正品",
    ),
    (
        (
            "visa",
            "mastercard",
            "credit card",
            "debit card",
            "apple pay",
            "paypal",
            "wechat",
            "alipay",
            "信用卡",
            "刷卡",
            "花呗",
            "微信",
            "支付宝",
            "银行卡",
        ),
        "how to pay payment 付款 支付",
    ),
    (
        (
            "canada",
            "uk",
            "usa",
            "america",
            "japan",
            "hong kong",
            "taiwan",
            "overseas",
            "abroad",
            "加拿大",
            "日本",
            "美国",
            "英国",
            "香港",
            "台湾",
            "海外",
            "国外",
        ),
        "ship internationally 国际 海外配送",
    ),
    (
        (
            "postage",
            "free shipping",
            "shipping free",
            "free delivery",
            "delivery free",
            "delivery fee",
            "shipping cost",
            "pay for delivery",
            "pay for shipping",
            "extra for shipping",
            "shipping fee",
            "加钱寄",
            "另外加钱",
            "邮费",
            "包邮",
            "免邮",
            "运费",
            "邮费",
        ),
        "shipping cost 运费",
    ),
    (
        (
            "send it back",
            "money back",
            "refund",
            "return",
            "change my mind",
            "退货",
            "退款",
            "退不",
            "能退",
            "反悔",
            "后悔",
            "不想要",
        ),
        "return 退货",
    ),
    (
        (
            "swap",
            "exchange",
            "change the colour",
            "change the shade",
            "wrong shade",
            "wrong colour",
            "wrong color",
            "换色",
            "换个色",
            "换货",
            "能换",
            "拍错",
        ),
        "exchange for a different shade 换色号",
    ),
    (
        (
            "smashed",
            "broken",
            "cracked",
            "leaking",
            "damaged",
            "expired",
            "past its date",
            "crushed",
            "squashed",
            "use-by",
            "expiry",
            "expiration",
            "best before",
            "close to expiry",
            "压扁",
            "破了",
            "碎",
            "临期",
            "快过期",
            "保质期",
            "破损",
            "裂",
            "漏",
            "碎了",
            "过期",
        ),
        "arrives damaged or expired 破损 过期",
    ),
    (
        ("human", "real person", "customer service", "support", "人工", "真人", "客服", "售后"),
        "contact customer service 客服",
    ),
    (
        ("package", "parcel", "where's my order", "track", "tracking", "包裹", "物流", "到哪了", "快递到哪"),
        "track my order 物流",
    ),
    (
        (
            "go live",
            "stream",
            "live tonight",
            "on air",
            "every night",
            "开播",
            "直播时间",
            "几点播",
            "上线",
            "几点开",
        ),
        "when do you stream 直播",
    ),
    (
        (
            "send out",
            "dispatch",
            "ship my",
            "sending my",
            "leave the warehouse",
            "发货",
            "发出",
            "寄出",
            "收到货",
            "on its way",
            "ship out",
            "sent out",
            "寄出来",
            "动身",
            "几天发",
            "多久发",
        ),
        "when will my order ship 发货",
    ),
)
"""Shop-question topics: words viewers use -> words a shop's FAQ on that topic uses. The answerer adds
the topic words of a question before it ranks the shop's FAQs by meaning, so slang ("is this stuff
legit") reaches the FAQ that answers it ("Are the products genuine?")."""
