"""Chat texts the fast normalizer and sentiment are checked on (and benchmarked with).

The repo's own chat (``bench/rooms``, the simulator's chatter, the labelled sentiment set of the
Rasa runtime tests) is always there; the shared evaluation sets next to the repo (``../shared/data``:
COLD Chinese offensive-language test set, CLINC150 English queries, raw Twitch IRC lines) are used
when present and skipped otherwise.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data"
COLD = SHARED / "eval" / "cold_test.csv"
CLINC = SHARED / "eval" / "clinc150_test_val.json"
IRC = SHARED / "protocol" / "twitch" / "irc_raw_lines.jsonl"


def room_texts() -> list[str]:
    """Every chat line of the room evaluation logs (English and Chinese)."""
    texts = []
    for path in sorted((REPO / "bench" / "rooms").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def chatter_texts() -> list[str]:
    """The simulator's everyday chatter (what the gateway benchmark sends most)."""
    from connectors.simulator.chatlog import CHATTER

    return list(CHATTER)


def labelled_sentiment_texts() -> list[str]:
    """The hand-labelled chat sentiment set the Rasa runtime tests score (English and Chinese)."""
    data = json.loads(
        (REPO / "tests" / "rasa_runtime" / "sentiment_labelled.json").read_text(encoding="utf-8")
    )
    return [text for lang in ("en", "zh") for text, _ in data[lang]]


def cold_texts() -> list[str]:
    """COLD test set (Chinese comments), or nothing when the shared data is absent."""
    if not COLD.is_file():
        return []
    with COLD.open(encoding="utf-8-sig", newline="") as f:
        return [row["TEXT"] for row in csv.DictReader(f)]


def clinc_texts() -> list[str]:
    """CLINC150 test and validation queries (English), or nothing when absent."""
    if not CLINC.is_file():
        return []
    data = json.loads(CLINC.read_text(encoding="utf-8"))
    return [text for key, rows in data.items() if "test" in key or "val" in key for text, _ in rows]


def irc_texts() -> list[str]:
    """Raw Twitch IRC lines and their trailing message part, or nothing when absent."""
    if not IRC.is_file():
        return []
    texts = []
    for line in IRC.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)["input"]
        texts.append(raw)
        # prefix (tags) " :" source command " :" message
        _, _, trailing = raw.partition(" :")
        _, has_message, message = trailing.partition(" :")
        if has_message:
            texts.append(message)
    return texts
