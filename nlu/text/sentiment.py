"""Per-message sentiment in [-1, 1] for English and Chinese live chat (danmaku).

English: VADER's compound score (``vaderSentiment``, in the Rasa runtime) over the text with emote
codes spelled as their emotion, plus the chat lexicon below. Chinese: a danmaku lexicon with
negation (不/没/别 flip the next hit) and intensifiers (太/超/好/真/巨 scale it); general review
sentiment models misread danmaku ("主播太强了", "666", "笑死"). Emote classes from
``nlu.text.normalizer`` count in both languages. Pure Python; VADER is optional (lexicon only without it).

The gateway scores every message, so each language is one pass: the Chinese lexicon, negations,
intensifiers and punctuation are one compiled pattern read left to right, and VADER is only asked
when the text has a word of its lexicon or an emoji it describes (otherwise its compound is 0).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import re
import string
from functools import lru_cache
from typing import Any

from nlu.text.language import detect_language
from nlu.text.normalizer import normalize_text

EMOTE_SCORES: dict[str, float] = {
    "emotelaugh": 1.0,
    "emotehype": 1.5,
    "emotelove": 2.0,
    "emotesad": -1.5,
    "emoteangry": -2.5,
    "emotebored": -1.5,
}

# Chat words VADER does not know (or weighs wrongly), English.
EN_LEXICON: dict[str, float] = {
    "pog": 2.0,
    "poggers": 2.0,
    "hype": 1.5,
    "fire": 1.5,
    "goat": 2.0,
    "slay": 2.0,
    "based": 1.0,
    "w": 1.5,
    "dub": 1.5,
    "l": -1.5,
    "mid": -1.5,
    "trash": -2.5,
    "scam": -3.0,
    "boring": -2.0,
    "cringe": -2.0,
    "lag": -1.5,
    "laggy": -1.5,
    "overpriced": -2.0,
    "ripoff": -2.5,
    "rip-off": -2.5,
    "slow": -1.0,
    "broken": -2.0,
    "fake": -2.5,
    "refund": -1.5,
    "worst": -3.0,
    "66": 1.5,
    "666": 1.5,
    "gg": 1.0,
    "ty": 1.5,
    "tysm": 2.0,
    "thx": 1.5,
    "luv": 2.0,
    "omg": 1.0,
    "wtf": -1.5,
    "meh": -1.0,
    "ugh": -1.5,
    "yikes": -1.5,
    "sus": -1.0,
    "scammy": -2.5,
}

ZH_LEXICON: dict[str, float] = {
    # positive
    "666": 2.0,
    "66": 2.0,
    "牛": 2.0,
    "牛逼": 2.5,
    "nb": 2.0,
    "强": 1.5,
    "厉害": 2.0,
    "好看": 2.0,
    "漂亮": 2.0,
    "美": 1.5,
    "可爱": 2.0,
    "喜欢": 2.0,
    "爱了": 2.5,
    "爱": 1.5,
    "好用": 2.0,
    "划算": 2.0,
    "便宜": 1.0,
    "值": 1.5,
    "赞": 2.0,
    "棒": 2.0,
    "绝了": 2.0,
    "yyds": 2.5,
    "冲": 1.5,
    "冲冲冲": 2.0,
    "支持": 1.5,
    "谢谢": 1.5,
    "感谢": 1.5,
    "开心": 2.0,
    "哈哈": 1.0,
    "笑死": 1.0,
    "好笑": 1.0,
    "有趣": 1.5,
    "好听": 2.0,
    "温柔": 1.5,
    "买了": 1.0,
    "下单": 1.0,
    "已拍": 1.5,
    "入了": 1.0,
    "种草": 1.5,
    "好评": 2.0,
    "舒服": 1.5,
    "香": 1.0,
    "稳": 1.0,
    "顶": 1.0,
    "加油": 1.5,
    "辛苦": 1.0,
    "期待": 1.5,
    "惊艳": 2.0,
    "心动": 1.5,
    "完美": 2.5,
    "不错": 1.5,
    "太好了": 2.0,
    "好": 0.5,
    # negative
    "垃圾": -3.0,
    "骗子": -3.0,
    "骗人": -3.0,
    "假货": -3.0,
    "坑": -2.0,
    "坑人": -2.5,
    "贵": -1.5,
    "太贵": -2.0,
    "难看": -2.0,
    "丑": -2.0,
    "无聊": -2.0,
    "没意思": -2.0,
    "卡": -1.5,
    "卡了": -1.5,
    "好卡": -2.0,
    "慢": -1.0,
    "差": -2.0,
    "差评": -2.5,
    "退货": -1.5,
    "退款": -1.5,
    "生气": -2.0,
    "失望": -2.5,
    "难用": -2.0,
    "烂": -2.5,
    "恶心": -2.5,
    "过敏": -2.0,
    "烦": -2.0,
    "滚": -3.0,
    "无语": -2.0,
    "离谱": -1.5,
    "敷衍": -2.0,
    "睡着": -1.5,
    "困": -1.0,
    "拉胯": -2.0,
    "翻车": -2.0,
    "智商税": -2.5,
    "割韭菜": -2.5,
    "不好": -2.0,
    "别买": -2.5,
    "听不见": -1.5,
    "没声音": -1.5,
    "还不发货": -2.5,
    "不发货": -2.5,
}

_NEGATIONS = ("不", "没", "别", "不是", "没有", "并不")
_INTENSIFIERS = {
    "太": 1.5,
    "超": 1.5,
    "超级": 1.6,
    "好": 1.3,
    "真": 1.3,
    "巨": 1.6,
    "特别": 1.5,
    "非常": 1.5,
    "很": 1.2,
}
PRICE_ASKED_ZH = re.compile(r"最贵|哪个|哪款|哪一|还是|比|贵不贵|贵吗|多贵|更贵|贵点|贵一")
"""A question that weighs prices ("睫毛膏和眼线笔哪个贵", "保温杯贵还是蜡烛贵"): its 贵 asks, it does not
complain, so only "太贵" counts there."""
PLAIN_EXPENSIVE = re.compile(r"(?<!太)贵")
_EN_TOKEN = re.compile(r"[a-z0-9'\-]+")


_EN_NEGATIONS = frozenset(("not", "no", "never", "dont", "don't", "isnt", "isn't", "aint", "ain't"))
_ZH_PUNCTUATION = "，。!！?？,. "
"""Where a Chinese negation or intensifier stops applying."""
_LEXICON, _NEGATION, _INTENSIFIER, _PUNCTUATION = 1, 2, 3, 4
_ZH_PRECEDENCE = [
    *((w, _LEXICON) for w in sorted(ZH_LEXICON, key=len, reverse=True)),
    *((w, _NEGATION) for w in _NEGATIONS),  # in this order: 不 before 不是
    *((w, _INTENSIFIER) for w in sorted(_INTENSIFIERS, key=len, reverse=True)),
    *((c, _PUNCTUATION) for c in _ZH_PUNCTUATION),
]
"""What a Chinese position is read as, first match wins: the longest lexicon word, else a negation,
else the longest intensifier, else punctuation; otherwise the scan moves on one character."""


def _zh_kinds() -> dict[str, int]:
    """Matched text -> its kind. A lexicon word also listed as an intensifier (好) is read as the word,
    so the first kind listed is the one the scan meant."""
    kinds: dict[str, int] = {}
    for word, kind in _ZH_PRECEDENCE:
        kinds.setdefault(word, kind)
    return kinds


_ZH_KIND = _zh_kinds()


def _zh_scan() -> re.Pattern[str]:
    """``_ZH_PRECEDENCE`` as one pattern, an alternative per first character.

    Words with the same first character keep their order, and words with different first characters
    never compete for a position, so the first alternative that matches is the word the precedence
    picks. A plain first character per alternative lets ``re`` skip ahead to where a word can start."""
    rests: dict[str, list[str]] = {}
    for word, _ in _ZH_PRECEDENCE:
        alternatives = rests.setdefault(word[0], [])
        if word[1:] not in alternatives:
            alternatives.append(word[1:])
    return re.compile(
        "|".join(f"{re.escape(first)}(?:{'|'.join(map(re.escape, rest))})" for first, rest in rests.items())
    )


_ZH_SCAN = _zh_scan()


def _squash(total: float, alpha: float = 4.0) -> float:
    """VADER's normalization: total / sqrt(total^2 + alpha), in (-1, 1)."""
    if total == 0:
        return 0.0
    return max(-1.0, min(1.0, total / math.sqrt(total * total + alpha)))


@lru_cache(maxsize=1)
def _vader():
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _vader_emoji() -> frozenset[str]:
    """The characters VADER replaces by their description (it looks at one character at a time)."""
    vader = _vader()
    return frozenset(e for e in vader.emojis if len(e) == 1) if vader is not None else frozenset()


def _vader_scores_zero(vader: Any, text: str) -> bool:
    """True when VADER's compound for ``text`` is certainly 0: no emoji it describes, no lexicon word.

    VADER only gives a word a valence when the word is in its lexicon; every other rule scales a
    valence, and a zero total makes the compound 0.0. Its words are the whitespace tokens with outer
    punctuation stripped, unless that leaves 2 characters or fewer (``:)`` stays ``:)``)."""
    if not _vader_emoji().isdisjoint(text):
        return False
    lexicon = vader.lexicon
    for token in text.split():
        stripped = token.strip(string.punctuation)
        if (token if len(stripped) <= 2 else stripped).lower() in lexicon:
            return False
    return True


_VADER_RELEASE = "3.3.2"
"""The vaderSentiment release whose ``polarity_scores`` :func:`_vader_compound` retraces."""


@lru_cache(maxsize=1)
def _vader_module() -> Any:
    """vaderSentiment's module if it is the release :func:`_vader_compound` retraces, else None."""
    vader = _vader()
    if vader is None:
        return None
    try:
        release = importlib.metadata.version("vaderSentiment")
    except importlib.metadata.PackageNotFoundError:
        return None
    return importlib.import_module(type(vader).__module__) if release == _VADER_RELEASE else None


def _vader_compound(vader: Any, text: str) -> float:
    """VADER's ``polarity_scores(text)["compound"]``, without the work the compound does not need.

    ``polarity_scores`` copies the text a character at a time looking for emoji, runs its valence
    rules on every word, and also works out pos/neg/neu. For text without an emoji VADER describes,
    this does only the compound: a word outside the lexicon (or a booster, or "kind" of "kind of")
    gets 0 directly, as there, and the rest goes through VADER's own ``sentiment_valence``,
    ``_but_check`` and ``_punctuation_emphasis`` in the same order. Emoji, or another release, go to
    ``polarity_scores``."""
    module = _vader_module()
    if module is None or not _vader_emoji().isdisjoint(text):
        return vader.polarity_scores(text)["compound"]
    text = text.strip()
    sentitext = module.SentiText(text)
    words = sentitext.words_and_emoticons
    lexicon, boosters, last = vader.lexicon, module.BOOSTER_DICT, len(words) - 1
    sentiments: list[float] = []
    for i, item in enumerate(words):
        lower = item.lower()
        if (
            lower not in lexicon
            or lower in boosters
            or (lower == "kind" and i < last and words[i + 1].lower() == "of")
        ):
            sentiments.append(0)
        else:
            vader.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = vader._but_check(words, sentiments)
    if not sentiments:
        return 0.0
    total = float(sum(sentiments))
    emphasis = vader._punctuation_emphasis(text)
    if total > 0:
        total += emphasis
    elif total < 0:
        total -= emphasis
    return round(module.normalize(total), 4)


def _emote_total(norm: str) -> float:
    if "emote" not in norm:
        return 0.0
    return sum(EMOTE_SCORES.get(tok, 0.0) for tok in norm.split())


def _without_emotes(norm: str) -> str:
    if "emote" not in norm:
        return norm
    return " ".join(t for t in norm.split() if t not in EMOTE_SCORES)


def sentiment_en(text: str) -> float:
    norm = normalize_text(text)
    total = _emote_total(norm)
    plain = _without_emotes(norm)
    negated = False
    for tok in _EN_TOKEN.findall(plain):
        if tok in _EN_NEGATIONS:
            negated = True
            continue
        score = EN_LEXICON.get(tok)
        if score is not None:
            total += -0.7 * score if negated else score
            negated = False
    vader = _vader()
    if vader is not None and plain and not _vader_scores_zero(vader, plain):
        compound = _vader_compound(vader, plain)
        # Back to VADER's raw scale so it adds up with the chat lexicon before squashing.
        if abs(compound) < 1:
            total += compound * 2.0 / math.sqrt(max(1e-9, 1 - compound * compound))
        else:
            total += math.copysign(8.0, compound)
    return round(_squash(total), 3)


def sentiment_zh(text: str) -> float:
    norm = normalize_text(text)
    total = _emote_total(norm)
    hay = PLAIN_EXPENSIVE.sub(" ", norm) if PRICE_ASKED_ZH.search(norm) else norm
    scale, negate = 1.0, False
    for m in _ZH_SCAN.finditer(hay):
        word = m.group()
        kind = _ZH_KIND[word]
        if kind == _LEXICON:
            score = ZH_LEXICON[word] * scale
            total += -0.8 * score if negate else score
            scale, negate = 1.0, False
        elif kind == _NEGATION:
            negate = not negate
        elif kind == _INTENSIFIER:
            scale *= _INTENSIFIERS[word]
        else:
            scale, negate = 1.0, False
    # English words inside Chinese danmaku ("主播 yyds", "nb", "trash")
    for tok in _EN_TOKEN.findall(hay):
        if tok not in ZH_LEXICON:
            total += EN_LEXICON.get(tok, 0.0)
    return round(_squash(total), 3)


def sentiment(text: str | None, lang: str | None = None) -> float:
    """Sentiment of one chat message in [-1, 1] (0 = neutral)."""
    if not text or not text.strip():
        return 0.0
    lang = lang or detect_language(text)
    return sentiment_zh(text) if lang == "zh" else sentiment_en(text)
