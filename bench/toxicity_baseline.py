"""The toxicity lexicon the bot shipped before issue 14 (bot/core/moderation.py at d08f601), frozen here so
bench/eval_toxicity.py can report the new detector against it in the same run. Not used by the bot."""

from __future__ import annotations

import re
import unicodedata

# 3 -> timeout. English terms match on word boundaries after de-obfuscation; Chinese by substring.
TOXIC_EN: dict[str, int] = {
    "idiot": 2,
    "stupid": 2,
    "moron": 2,
    "dumbass": 2,
    "loser": 2,
    "shut up": 2,
    "trash streamer": 2,
    "retard": 3,
    "retarded": 3,
    "kys": 3,
    "kill yourself": 3,
    "die in a fire": 3,
    "go die": 3,
    "fuck you": 3,
    "fuck off": 2,
    "piece of shit": 3,
    "bitch": 2,
    "whore": 3,
    "scam streamer": 2,
}
TOXIC_ZH: dict[str, int] = {
    "傻逼": 3,
    "煞笔": 3,
    "沙比": 3,
    "傻b": 3,
    "sb主播": 3,
    "脑残": 2,
    "智障": 2,
    "废物": 2,
    "垃圾主播": 2,
    "去死": 3,
    "滚蛋": 2,
    "滚出": 2,
    "你妈死了": 3,
    "nmsl": 3,
    "cnm": 3,
    "操你": 3,
    "贱人": 3,
    "骗子主播": 2,
    "恶心死了": 1,
    "白痴": 2,
}
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_SEPARATED = re.compile(r"\b(?:[a-z][\s.*_-]){2,}[a-z]\b")
_REPEATS = re.compile(r"(.)\1{2,}")
_EN_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TOXIC_EN), key=len, reverse=True)) + r")\b")


def fold_text(text: str) -> str:
    """Normalize for matching: full-width -> ASCII, lower case, long repeats collapsed (sooo -> soo)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _REPEATS.sub(r"\1\1", folded)


def toxicity(text: str) -> tuple[int, str]:
    """Highest severity (0 = clean) and the term found, for English and Chinese chat."""
    folded = fold_text(text)
    latin = _SEPARATED.sub(lambda m: re.sub(r"[\s.*_-]", "", m.group(0)), folded.translate(_LEET))
    latin = _REPEATS.sub(r"\1", latin)  # "idiooot" -> "idiot" for matching only
    worst = (0, "")
    for match in _EN_PATTERN.finditer(latin):
        worst = max(worst, (TOXIC_EN[match.group(1)], match.group(1)))
    compact = re.sub(r"\s+", "", folded)
    for term, severity in TOXIC_ZH.items():
        if term in compact:
            worst = max(worst, (severity, term))
    return worst
