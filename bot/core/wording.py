"""The gateway's own words (en/zh): the moderation warning and the canned answer when the graph is down."""

from __future__ import annotations

WARNINGS = {
    "en": "please keep the chat friendly 🙏",
    "zh": "请文明发言哦～",
}

CANNED = {
    "en": "Sorry, I can't look that up right now — a moderator will get back to you.",
    "zh": "抱歉，我现在查不到这个信息，稍后会有房管回复你～",
}


def warning(lang: str) -> str:
    return WARNINGS.get(lang, WARNINGS["en"])


def canned_answer(lang: str) -> str:
    return CANNED.get(lang, CANNED["en"])
