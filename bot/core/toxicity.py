"""Bilingual toxic-text detection for live chat: a graded lexicon with context rules, plus a small linear
model for what the lexicon does not name.

Why this shape: the check runs on every chat message in the gateway, so it must cost microseconds, and a
false positive publicly punishes a friendly viewer, so precision matters more than recall.

* The lexicon (bot/core/toxicity_lexicon.py: ``TOXIC_EN``, ``TOXIC_ZH``, rules) names insults, slurs and
  threats with a severity (3 = timeout: threats, "kill yourself", slurs; 2 = delete: insults; 1 = warn: mild),
  and it is what sets the severity whenever it speaks. English terms match on word
  boundaries after de-obfuscation ("f u c k", "1d10t", "f*ck", full-width letters); Chinese by substring,
  some only next to a person word (垃圾 the rubbish bin is fine, 垃圾主播 is not).
* Friendly slang is removed before matching ("fuck you money", "idiot sandwich", "killing it"), an
  insult aimed at oneself ("im such an idiot lol") is not moderated, and Chinese group labels (偷井盖,
  直男癌) are skipped when the message quotes or argues against them.
* The model (hashed character 1-3-grams, logistic regression, ``bot/core/toxicity_model.npz``, built by
  ``bench/train_toxicity.py`` from COLD and TweetEval fetched locally) scores only what the lexicon let
  pass: a confident score warns, a very confident one deletes (Chinese only), never a timeout. Its
  thresholds come from the dev split with a budget of 0.1 % / 0.02 % of the safe rows.

``toxicity(text) -> (severity, term)`` is the interface the moderator uses; ``assess`` gives the score
and where the verdict came from.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from bot.core.toxicity_lexicon import (
    EN_EXCLAIM,
    EN_FRIENDLY,
    EN_THREAT,
    EN_VARIANTS,
    FRIENDLY_WORDS,
    PINYIN,
    SELF_BEFORE,
    TOXIC_EN,
    TOXIC_ZH,
    ZH_FRIENDLY,
    ZH_GROUP_LABELS,
    ZH_META,
    ZH_PERSON,
    ZH_RULES,
    ZH_TARGETED,
)

MODEL_PATH = Path(__file__).with_name("toxicity_model.npz")

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "+": "t"})
_LEET_SIGNS = re.compile(r"[!$](?=[a-z$!])")  # "b!tch", "a$$hole"; a trailing "idiot!" stays
_SEPARATED = re.compile(r"\b(?:[a-z][\s.*_-]){2,}[a-z]\b")
_SEPARATORS = re.compile(r"[\s.*_-]")
# Runs are replaced by a group (operator.itemgetter: a C call per match) rather than a template such as
# r"\1\1", which re expands in Python for every match and made these two substitutions 3-5x slower.
_REPEATS = re.compile(r"((.)\2)\2+")  # three or more of a character -> two
_REPEAT_ANY = re.compile(r"(.)\1+")  # two or more -> one
_RUN = itemgetter(1)
_WHITESPACE = re.compile(r"\s+")
_VOWELS = "aeiou"
_CJK = re.compile(r"[\u3400-\u9fff]")


def _collapse(text: str) -> str:
    return _REPEAT_ANY.sub(_RUN, text)


def _star_pattern(term: str) -> str:
    """A term whose vowels may be masked by ``*`` or ``#`` ("f*ck", "b*tch")."""
    return "".join(f"[{ch}*#]" if ch in _VOWELS else re.escape(ch) for ch in term)


def _term_pattern(terms: list[str]) -> re.Pattern[str]:
    """One alternation per first letter (``i(?:diots|diot)|m(?:orons|oron)``): Python's re tries every
    alternative at every position, so grouping by the first letter makes long messages ~2.5x faster."""
    groups: dict[str, list[str]] = {}
    for term in sorted(terms, key=len, reverse=True):
        groups.setdefault(term[0], []).append(_star_pattern(term[1:]))
    alternatives = (re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items())
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b")


_EN_PATTERN = _term_pattern(list(TOXIC_EN))
# the same terms with doubled letters collapsed, matched on collapsed text ("iddiot", "shuttt up")
_EN_COLLAPSED = {_collapse(t): t for t in sorted(TOXIC_EN, key=len) if _collapse(t) not in {"niger", "kil"}}
_EN_COLLAPSED_PATTERN = _term_pattern(list(_EN_COLLAPSED))
_EN_VARIANT_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, EN_VARIANTS)) + r")\b")
_ZH_PATTERN = re.compile("|".join(map(re.escape, sorted(TOXIC_ZH, key=len, reverse=True))))
_ZH_TARGETED_PATTERN = re.compile("|".join(map(re.escape, ZH_TARGETED)))
_PINYIN_PATTERN = re.compile(r"(?<![a-z])(" + "|".join(PINYIN) + r")(?![a-z])")


def nfkc_casefold(text: str) -> str:
    """Full-width -> ASCII (NFKC), lower case. ASCII text skips ``unicodedata``: NFKC leaves it as it
    is and ``casefold`` is ``lower`` there, and most chat is ASCII."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def fold_text(text: str) -> str:
    """Normalize for matching: full-width -> ASCII, lower case, long repeats collapsed (sooo -> soo)."""
    return _REPEATS.sub(_RUN, nfkc_casefold(text))


class TextForms(NamedTuple):
    """The forms of one message every check reads, computed once per message (the moderator, the
    lexicon, the model and the link filter used to redo NFKC and case folding 4-5 times each). A
    NamedTuple: built for every message, and a tuple is ~3x cheaper to make than a frozen dataclass."""

    text: str  # as the viewer typed it
    nfkc: str  # ``nfkc_casefold(text)``: what the link filter reads
    folded: str  # ``fold_text(text)``: what the lexicon, the model and the repeat rules read


def text_forms(text: str) -> TextForms:
    nfkc = nfkc_casefold(text)
    return TextForms(text, nfkc, _REPEATS.sub(_RUN, nfkc))


def _latin(folded: str) -> str:
    """De-obfuscated Latin text: leetspeak, spaced-out letters and known misspellings undone."""
    latin = _LEET_SIGNS.sub(lambda m: "i" if m.group(0) == "!" else "s", folded).translate(_LEET)
    latin = _SEPARATED.sub(lambda m: _SEPARATORS.sub("", m.group(0)), latin)
    latin = EN_FRIENDLY.sub(" ", latin)
    return _EN_VARIANT_PATTERN.sub(lambda m: EN_VARIANTS[m.group(1)], latin)


def _canonical(matched: str, terms: list[str]) -> str:
    """The lexicon term behind a (possibly star-masked) match."""
    for term in terms:
        if len(term) == len(matched) and all(
            a == b or (b in "*#" and a in _VOWELS) for a, b in zip(term, matched, strict=True)
        ):
            return term
    return matched


_EN_TERMS = list(TOXIC_EN)
_EN_COLLAPSED_TERMS = list(_EN_COLLAPSED)


def _english(folded: str) -> tuple[int, str]:
    latin = _latin(folded)
    worst = (0, "")
    for text, pattern, terms, lookup in (
        (latin, _EN_PATTERN, _EN_TERMS, None),
        (EN_FRIENDLY.sub(" ", _collapse(latin)), _EN_COLLAPSED_PATTERN, _EN_COLLAPSED_TERMS, _EN_COLLAPSED),
    ):
        for match in pattern.finditer(text):
            term = _canonical(match.group(1), terms)
            term = lookup.get(term, term) if lookup else term
            severity = TOXIC_EN.get(term, 0)
            start = match.start()
            if severity and severity < 3 and SELF_BEFORE.search(text, max(0, start - 40), start):
                continue  # "im such an idiot": not aimed at anyone else
            worst = max(worst, (severity, term))
        if worst[0]:
            break
    if worst[0] < 3 and EN_THREAT.search(latin):
        worst = (3, "threat")
    return worst


def _chinese(folded: str) -> tuple[int, str]:
    compact = ZH_FRIENDLY.sub("", _WHITESPACE.sub("", folded))
    worst = (0, "")
    meta = None
    for match in _ZH_PATTERN.finditer(compact):
        term = match.group(0)
        if term in ZH_GROUP_LABELS:
            meta = bool(ZH_META.search(compact)) if meta is None else meta
            if meta:
                continue
        worst = max(worst, (TOXIC_ZH[term], term))
    for match in _PINYIN_PATTERN.finditer(compact):
        worst = max(worst, (PINYIN[match.group(1)], match.group(1)))
    for pattern, severity, name in ZH_RULES:
        if worst[0] < severity and pattern.search(compact):
            worst = (severity, name)
    if worst[0] < 2:
        for match in _ZH_TARGETED_PATTERN.finditer(compact):
            near = compact[max(0, match.start() - 6) : match.start()] + compact[match.end() : match.end() + 4]
            if ZH_PERSON.search(near):
                worst = max(worst, (ZH_TARGETED[match.group(0)], match.group(0)))
    return worst


def lexicon_toxicity(text: str) -> tuple[int, str]:
    """Highest lexicon severity (0 = clean) and the term found, English and Chinese."""
    return lexicon_of(fold_text(text))


def lexicon_of(folded: str) -> tuple[int, str]:
    """``lexicon_toxicity`` of a text already folded by :func:`fold_text`."""
    worst = _english(folded)
    if worst[0] < 3 and (not folded.isascii() or _PINYIN_PATTERN.search(folded)):
        worst = max(worst, _chinese(folded))
    return worst


# --- model ----------------------------------------------------------------------------------------------
N_BITS = 18
NGRAMS = (1, 2, 3)


def model_text(text: str) -> str:
    """What the model reads: folded, whitespace collapsed, framed by start/end marks."""
    return _frame(fold_text(text))


def _frame(folded: str) -> str:
    return "\x02" + _WHITESPACE.sub(" ", folded).strip() + "\x03"


def features(text: str, n_bits: int = N_BITS) -> list[int]:
    """Distinct hashed character n-gram ids (CRC32 of UTF-32 slices): the same in training and serving."""
    return framed_features(model_text(text), n_bits)


def framed_features(framed: str, n_bits: int = N_BITS) -> list[int]:
    """``features`` of a text already framed by :func:`model_text`."""
    raw = framed.encode("utf-32-le")
    mask = (1 << n_bits) - 1
    crc = zlib.crc32
    size = 4 * len(framed)
    out: set[int] = set()
    for n in NGRAMS:
        width = 4 * n
        out.update(crc(raw[start : start + width]) & mask for start in range(0, size - width + 4, 4))
    return list(out)


def model_input(text: str, lang: str) -> str:
    """English loses friendly slang and untargeted swearing first: they are not evidence in a live room
    (the same in training and serving)."""
    if lang == "en":
        return _without_slang(fold_text(text))
    return text


def _without_slang(folded: str) -> str:
    return EN_EXCLAIM.sub(" ", EN_FRIENDLY.sub(" ", folded))


def model_text_of(forms: TextForms, lang: str) -> str:
    """``model_text(model_input(forms.text, lang))`` from the forms already computed. English text is
    still folded a second time after the slang is removed: that is the text the model was trained on,
    and folding is not shown to be idempotent on every character sequence (ASCII takes the fast path)."""
    if lang == "en":
        return model_text(_without_slang(forms.folded))
    return _frame(forms.folded)


def language(text: str) -> str:
    """``zh`` when the text has any CJK character, else ``en``: picks the model."""
    return "zh" if _CJK.search(text) else "en"


@dataclass(frozen=True)
class LinearModel:
    """Per-language weights over hashed features, and the warn / delete probability thresholds."""

    weights: dict[str, array[float]]
    bias: dict[str, float]
    warn: dict[str, float]
    delete: dict[str, float]
    n_bits: int

    def probability(self, text: str) -> float:
        return self.probability_of(text_forms(text))

    def severity(self, text: str) -> tuple[int, float]:
        return self.severity_of(text_forms(text))

    def probability_of(self, forms: TextForms, lang: str | None = None) -> float:
        """``probability`` from a message's forms (``lang``: ``language(forms.text)`` when known)."""
        lang = lang or language(forms.text)
        ids = framed_features(model_text_of(forms, lang), self.n_bits)
        if not ids:
            return 0.0
        w = self.weights[lang]
        z = self.bias[lang] + sum(map(w.__getitem__, ids)) / math.sqrt(len(ids))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def severity_of(self, forms: TextForms, lang: str | None = None) -> tuple[int, float]:
        lang = lang or language(forms.text)
        p = self.probability_of(forms, lang)
        return self.grade(p, lang), p

    def grade(self, p: float, lang: str) -> int:
        """The severity a probability earns: 2 delete, 1 warn, 0 nothing."""
        if p >= self.delete[lang]:
            return 2
        if p >= self.warn[lang]:
            return 1
        return 0

    def most_severe(self, lang: str) -> int:
        """The highest severity the model can give in ``lang`` (a threshold above 1.0 is never met:
        English never deletes). The moderator skips the model where this cannot change its decision."""
        if self.delete[lang] <= 1.0:
            return 2
        return 1 if self.warn[lang] <= 1.0 else 0


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> LinearModel | None:
    """The shipped model, or None when the file is absent (the lexicon then works alone)."""
    if not path.exists():
        return None
    import numpy as np

    with np.load(path) as data:
        langs = [str(x) for x in data["langs"]]
        weights = {lang: array("f", data[f"w_{lang}"].astype(np.float32).tobytes()) for lang in langs}
        return LinearModel(
            weights=weights,
            bias={lang: float(data[f"b_{lang}"]) for lang in langs},
            warn={lang: float(data[f"warn_{lang}"]) for lang in langs},
            delete={lang: float(data[f"delete_{lang}"]) for lang in langs},
            n_bits=int(data["n_bits"]),
        )


# --- verdict --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    severity: int  # 0 clean, 1 warn, 2 delete, 3 timeout
    term: str  # the lexicon term, or "model" when only the model fired
    source: str  # "lexicon", "model" or "" when clean
    score: float  # the model's probability (0.0 when it was not consulted)


def assess(text: str, use_model: bool = True) -> Verdict:
    """The lexicon first (names the term, sets severity); the model only warns where the lexicon is silent."""
    return assess_forms(text_forms(text), use_model)


def assess_forms(forms: TextForms, use_model: bool = True) -> Verdict:
    """``assess`` of a message whose forms are already computed."""
    severity, term = lexicon_of(forms.folded)
    if severity:
        return Verdict(severity, term, "lexicon", 0.0)
    model = load_model() if use_model else None
    if model is None:
        return Verdict(0, "", "", 0.0)
    severity, score = model.severity_of(forms)
    if severity and friendly_only(forms.folded):
        severity = 0
    return Verdict(severity, "model" if severity else "", "model" if severity else "", score)


_SECOND_PERSON = re.compile(r"\b(?:you|u|ur|your)\b")


def friendly_only(folded: str) -> bool:
    """Praise slang ("this is sick", "killing it") without a second-person target: the model stays quiet
    (``folded``: the text folded by :func:`fold_text`)."""
    return bool(FRIENDLY_WORDS.search(folded)) and not _SECOND_PERSON.search(folded)


def toxicity(text: str) -> tuple[int, str]:
    """Highest severity (0 = clean) and the term found, for English and Chinese chat."""
    verdict = assess(text)
    return verdict.severity, verdict.term
