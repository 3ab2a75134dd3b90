"""The fast nlu.text normalizer and sentiment return exactly what the reference implementation does.

``reference_text.py`` keeps the straightforward implementation; here both run on real chat (the room
logs, the simulator's chatter, and the shared COLD / CLINC150 / Twitch IRC data when present), on
generated adversarial text, and the facts about Unicode and ``re`` the fast paths rely on are checked
over every code point.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.text import normalizer, sentiment
from nlu.text.language import detect_language
from nlu.text.normalizer import Normalized
from tests.nlu.text import corpora, reference_text

CORPORA = {
    "rooms": corpora.room_texts,
    "chatter": corpora.chatter_texts,
    "labelled_sentiment": corpora.labelled_sentiment_texts,
    "cold": corpora.cold_texts,
    "clinc150": corpora.clinc_texts,
    "twitch_irc": corpora.irc_texts,
}

ALL_CHARS = "".join(map(chr, range(sys.maxunicode + 1)))


CROSS_LANGUAGE_STRIDE = 5
"""On the large shared corpora every text is checked in the language detected for it, every 5th also
in the other one (the reference takes ~0.5 ms a message; all of them would take ~15 s)."""


@functools.cache
def reference_normalize(text: str) -> Normalized:
    """The reference normalization once per text (the reference sentiment normalizes again)."""
    return _REFERENCE_NORMALIZE(text)


_REFERENCE_NORMALIZE = reference_text.normalize


@pytest.fixture(autouse=True)
def _reference_normalizes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference_text, "normalize", reference_normalize)


def assert_same(text: str, both_languages: bool = True) -> None:
    """normalize, normalize_text and sentiment (detected language, and en and zh) agree with the reference."""
    assert normalizer.normalize(text) == reference_normalize(text), text
    assert normalizer.normalize_text(text) == reference_text.normalize_text(text), text
    detected = detect_language(text) if text and text.strip() else None
    expected = {detected: reference_text.sentiment(text, detected)}
    assert sentiment.sentiment(text) == expected[detected], text
    for lang in ("en", "zh") if both_languages else (detected,):
        if lang not in expected:
            expected[lang] = reference_text.sentiment(text, lang)
        assert sentiment.sentiment(text, lang) == expected[lang], (text, lang)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_identical_on_real_chat(name: str) -> None:
    texts = CORPORA[name]()
    if not texts:
        pytest.skip(f"{name}: ../shared/data not present")
    stride = CROSS_LANGUAGE_STRIDE if len(texts) > 2000 else 1
    for i, text in enumerate(texts):
        assert_same(text, both_languages=i % stride == 0)
    reference_normalize.cache_clear()


TRICKY = [
    "wwww.example.com",  # the run of w is read first, so no URL starts inside it
    "hhttp://x.y",
    "a@@@b @@bot",  # a run that reaches past a trigger
    "email me@x.com @bot hi",
    "haha5 lol5 lol! looool kekw123 poggggers zzzz zzz",
    "xhttp://a.b awww.c.d",  # a URL inside a word
    "[doge][[笑哭]] [] [ x ] :D:):(<3❤️❤\ufe0f",
    "ΑΣ ΣΑ Σ ﬁne İstanbul Straße ①② ㈱ ＸＬ？？？\u3000主播",
    "e\u0301 \u1100\u1161 ǅ ſ K",
    "不是很好 没有 并不好 太太贵 超级超级好看 好好好 哪个贵 太贵了，冲冲冲",
    "not bad but kind of good!!! NO way?? least good",
]


@pytest.mark.parametrize("text", TRICKY)
def test_identical_on_tricky_text(text: str) -> None:
    assert_same(text)


PIECES = [
    # emote codes, stretched and cased
    *("lul LUL lulw KEKW kekw omegalul OMEGALUL lmao lol looool rofl xd XD haha hahaha hahah hehe".split()),
    *("hihihi hihi PogChamp pog poggers pogggers pogu kappa Kappa zz zzz zzzz ez sadge monkaS".split()),
    *"[doge] [笑哭] [打call] [x] [ ] [[ ] [".split(),
    *("@ @bot @主播 a@b.c http:// https:// HTTP:// www. WWW. ｈｔｔｐ:// http www".split()),
    *"<3 :) :D :d :( ❤ ❤️ \ufe0f 😂 🤣 🔥 👍 🙂 😭".split(),
    *"ＸＬ ？ ！ ， 。 ～ Ｋ K ſ ① ㈱ ﬁ ß ẞ İ ı Σ ΑΣ σ ς".split(),
    *"主播 好 不 没 别 并不 不是 太 超级 超 真 很 贵 太贵 哪个 还是 666 66 6 哈 哈哈 笑死 垃圾".split(),
    *"yyds nb 好卡 太好了 没意思 还不发货 不发货 冲冲冲".split(),
    *"good bad not no never love great but kind of very GREAT isn't trash w l mid hype !!! ?? ...".split(),
    *"a h w t p s e i o l x d : / . - _ ' 1 0".split(),
    " ",
    "  ",
    "\u3000",
    "\n",
    "\t",
    "\u0301",
    "e\u0301",
    "\u1100\u1161",
    "\u200d",
]
adversarial = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(adversarial)
def test_identical_on_adversarial_text(text: str) -> None:
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_identical_on_any_text(text: str) -> None:
    assert_same(text)


# --- what the fast paths rely on, over every code point ---------------------------------------------


@functools.cache
def nfkc_of_every_char() -> list[str]:
    """NFKC of each code point on its own."""
    return [unicodedata.normalize("NFKC", c) for c in ALL_CHARS]


def test_lower_cased_text_has_nothing_a_url_matches_only_ignoring_case() -> None:
    """The URL trigger is case-sensitive while ``_URL`` ignores case: no character's NFKC-lower form
    holds a character that matches ``https?://|www.`` only when case is ignored."""
    ignoring_case = {c for c in ALL_CHARS if re.fullmatch(r"(?i)[htpsw:/.]", c)}
    assert ignoring_case - set("htpsw:/.") == set("HTPSW\u017f")
    lower_cased = "".join(nfkc_of_every_char()).lower()
    assert not ignoring_case.intersection(lower_cased) - set("htpsw:/.")


def test_a_char_that_nfkc_changes_never_passes_is_normalized() -> None:
    """``is_normalized`` true for a string => each of its characters is its own NFKC.

    Those characters have NFKC_Quick_Check=No, which fails the check whatever surrounds them; here
    each is tried alone and after / before a letter, a Hangul jamo and a combining mark."""
    changed = [c for c, nfkc in zip(ALL_CHARS, nfkc_of_every_char(), strict=True) if nfkc != c]
    assert len(changed) > 4000
    for c in changed:
        for context in ("{}", "a{}", "{}a", "\u1100{}", "{}\u0301", "e{}\u0301"):
            assert not unicodedata.is_normalized("NFKC", context.format(c)), hex(ord(c))


def test_lower_is_per_character_except_final_sigma() -> None:
    """``str.lower`` of a string is the join of its characters' lower-casing, sigma aside, and no
    character lower-cases to nothing (so an unchanged length means one character each)."""
    text = ALL_CHARS.replace("\u03a3", "")
    per_char = [c.lower() for c in text]
    assert all(per_char)
    assert text.lower() == "".join(per_char)


def test_not_a_word_char_nor_underscore_is_isalnum() -> None:
    """The normalizer's ``[^\\W_]`` look-behinds stand for ``str.isalnum``."""
    assert "".join(re.findall(r"[^\W_]", ALL_CHARS)) == "".join(c for c in ALL_CHARS if c.isalnum())


def _stretched(word: str) -> st.SearchStrategy[str]:
    """``word`` with each letter repeated 1-4 times (``poggers`` -> ``poooggggers``)."""
    repeats = st.tuples(*(st.integers(1, 4) for _ in word))
    return repeats.map(lambda k: "".join(c * n for c, n in zip(word, k, strict=True)))


stretched_emotes = st.sampled_from(sorted(reference_text._WORD_EMOTES | {"haha", "hehe", "hihihi"})).flatmap(
    _stretched
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(stretched_emotes, st.text(alphabet="abdeghiklmnopqrsuwxyz", min_size=1, max_size=10)))
def test_every_word_the_emote_rules_take_is_a_trigger_candidate(word: str) -> None:
    once, twice = reference_text._squeeze(word, 1), reference_text._squeeze(word, 2)
    taken = once in reference_text._WORD_EMOTES or twice in reference_text._WORD_EMOTES
    if taken or re.fullmatch(r"(?:ha){2,}h?|(?:he){2,}|(?:hi){3,}", word):
        trigger = normalizer._TRIGGER.match(f" {word} ", 1)
        assert trigger and trigger.end() == len(word) + 1


# --- VADER: what sentiment_en skips or retraces -----------------------------------------------------

VADER_PIECES = [
    *"good bad GREAT not no never least at very kind of but so pretty love hate wow gg lol".split(),
    *":) :( :D <3 !!! ? ?? ... 'good' good! (bad) 👋 😂 ❤ 🙂 sux kinda NOT".split(),
    " ",
    "\n",
]
vader_texts = st.lists(st.sampled_from(VADER_PIECES), max_size=12).map(" ".join)


def vader_texts_from_corpora() -> list[str]:
    texts = corpora.room_texts() + corpora.chatter_texts() + corpora.clinc_texts()[::7]
    return [t for t in texts + [normalizer.normalize_text(t) for t in texts] if t.strip()]


@pytest.fixture(scope="module")
def vader() -> object:
    analyzer = sentiment._vader()
    if analyzer is None:
        pytest.skip("vaderSentiment not installed")
    return analyzer


def test_vader_compound_and_zero_check_agree_with_vader_on_real_chat(vader: object) -> None:
    assert sentiment._vader_module() is not None, "vaderSentiment is not the release _vader_compound retraces"
    for text in vader_texts_from_corpora():
        expected = vader.polarity_scores(text)["compound"]  # type: ignore[attr-defined]
        assert sentiment._vader_compound(vader, text) == expected, text
        if sentiment._vader_scores_zero(vader, text):
            assert expected == 0.0, text


@settings(max_examples=300, deadline=None)
@given(vader_texts)
def test_vader_compound_and_zero_check_agree_with_vader(vader: object, text: str) -> None:
    expected = vader.polarity_scores(text)["compound"]  # type: ignore[attr-defined]
    assert sentiment._vader_compound(vader, text) == expected
    if sentiment._vader_scores_zero(vader, text):
        assert expected == 0.0
