"""The question sets of the question-answering evaluation (issue 15) and how an answer is scored.

``tests/qa/dev.jsonl`` (for tuning) and ``tests/qa/heldout.jsonl`` (the final check), one JSON object a line::

    {"id": "pfaq-en-001", "category": "product_faq", "lang": "en",
     "text": "does the mascara come off with just water?",
     "context": ["how much is the mascara?"],   # optional: earlier messages of the same viewer, sent first
     "addressed": true,                          # optional (true): prefix "@<bot_name> " to every message
     "must": [["waterproof", "oil"], ["remover", "卸"]],  # every group; a group by any of its strings
     "must_not": ["¥79.90", "Mascara: "],       # none of them
     "expect": "answer"}                         # or "no_shop_answer" (off-topic)

Strings are matched case-insensitively as substrings of the reply (NFKC, the reply's leading ``@mentions``
cut). Pure functions only: the harness (bench/eval_qa.py) and the tests (tests/qa/) share them.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.common import REPO
from bench.room_replay import LEADING_MENTIONS
from connectors.simulator.payloads import MAX_TEXT_CHARS
from knowledge_graph.answers import replies
from tests.nlu.split_overlap import overlaps

QA_DIR = REPO / "tests" / "qa"
SPLITS = {"dev": QA_DIR / "dev.jsonl", "heldout": QA_DIR / "heldout.jsonl", "tune": QA_DIR / "tune.jsonl"}
"""dev and tune are for tuning (tune: a second set by other writers, added after the first held-out run);
heldout is the final check and must share no question with either."""
TUNING_SPLITS = ("dev", "tune")
CATEGORIES = (
    "product_faq", "shop_faq", "shop_faq_paraphrase", "compare", "superlative", "filter", "recommend",
    "not_carried", "follow_up", "promotion", "variant", "off_topic",
)  # fmt: skip
LANGS = ("en", "zh")
EXPECTS = ("answer", "no_shop_answer")
OUTCOMES = ("correct", "wrong", "handoff", "silent")
KEYS = frozenset({"id", "category", "lang", "text", "context", "addressed", "must", "must_not", "expect"})
REQUIRED = ("id", "category", "lang", "text")
MENTION_ROOM = 42  # "@" + the longest bot name we expect + " ": kept free of the simulator's text limit


class QuestionError(ValueError):
    """A question file line that does not follow the schema; the message names file:line."""


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    lang: str
    text: str
    context: tuple[str, ...] = ()
    addressed: bool = True
    must: tuple[tuple[str, ...], ...] = ()
    must_not: tuple[str, ...] = ()
    expect: str = "answer"
    source: str = ""  # file:line

    def messages(self, bot_name: str) -> list[str]:
        """What the viewer sends, in order: the context, then the question."""
        prefix = f"@{bot_name} " if self.addressed else ""
        return [prefix + text for text in (*self.context, self.text)]


def _strings(value: Any, what: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise ValueError(f"{what} must not be empty")
    return tuple(value)


def parse_question(data: Any, source: str = "") -> Question:
    """One validated question (raises ``ValueError`` naming what is wrong)."""
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ValueError(f"unknown keys {unknown} (known: {sorted(KEYS)})")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ValueError(f"missing keys {missing}")
    for k in ("id", "text", "category", "lang", "expect"):
        if k in data and not isinstance(data[k], str):
            raise ValueError(f"{k} must be a string")
    if not data["id"].strip():
        raise ValueError("id must not be empty")
    if not data["text"].strip():
        raise ValueError("text must not be empty")
    if data["category"] not in CATEGORIES:
        raise ValueError(f"category {data['category']!r} is not one of {list(CATEGORIES)}")
    if data["lang"] not in LANGS:
        raise ValueError(f"lang {data['lang']!r} is not one of {list(LANGS)}")
    expect = data.get("expect", "answer")
    if expect not in EXPECTS:
        raise ValueError(f"expect {expect!r} is not one of {list(EXPECTS)}")
    addressed = data.get("addressed", True)
    if not isinstance(addressed, bool):
        raise ValueError("addressed must be true or false")
    context = _strings(data.get("context", []), "context")
    must_raw = data.get("must", [])
    if not isinstance(must_raw, list):
        raise ValueError("must must be a list of groups (lists of strings)")
    must = tuple(_strings(g, f"must group {i + 1}", allow_empty=False) for i, g in enumerate(must_raw))
    must_not = _strings(data.get("must_not", []), "must_not")
    for text in (*context, data["text"]):
        if len(text) > MAX_TEXT_CHARS - MENTION_ROOM:
            raise ValueError(f"a message is longer than {MAX_TEXT_CHARS - MENTION_ROOM} characters")
    return Question(
        data["id"],
        data["category"],
        data["lang"],
        data["text"],
        context,
        addressed,
        must,
        must_not,
        expect,
        source,
    )


def load_questions(path: Path) -> list[Question]:
    """Every question of a JSONL file, validated; blank lines are skipped. Raises :class:`QuestionError`."""
    questions: list[Question] = []
    seen: dict[str, str] = {}
    name = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{n}"
        try:
            question = parse_question(json.loads(line), where)
        except ValueError as err:  # json.JSONDecodeError is one
            raise QuestionError(f"{where}: {err}") from None
        if question.id in seen:
            raise QuestionError(f"{where}: duplicate id {question.id!r} (first at {seen[question.id]})")
        seen[question.id] = where
        questions.append(question)
    return questions


def overlap_key_text(question: Question) -> str:
    """What the overlap check compares: the context and the question, in order."""
    return " ".join((*question.context, question.text))


def split_overlap(dev: list[Question], heldout: list[Question]) -> list[tuple[str, str, str]]:
    """(kind, held-out source, dev source) of held-out questions that are copies (``exact``) or near copies
    (``near``) of dev questions, with tests/nlu/split_overlap.py's normalisation and similarity."""
    found = overlaps(
        [(q.source, overlap_key_text(q)) for q in dev], [(q.source, overlap_key_text(q)) for q in heldout]
    )
    return [(kind, held, dev_source) for kind in ("exact", "near") for held, _, dev_source, _ in found[kind]]


# --- scoring ------------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Reply and needle alike: NFKC, case-folded, spaces collapsed, the leading ``@mentions`` cut."""
    text = LEADING_MENTIONS.sub("", unicodedata.normalize("NFKC", text).strip())
    return " ".join(text.split()).casefold()


def handoff_texts() -> frozenset[str]:
    """The bot's "I can't answer that here" replies in both languages (hand-offs, "which product?",
    refusals), as :func:`fold` leaves them."""
    texts = set()
    for lang in LANGS:
        for reply in (
            replies.handoff_reply,
            replies.unknown_reply,
            replies.which_product,
            replies.graph_unavailable,
        ):
            texts.add(reply(lang))
        texts |= {replies.which_product_for(lang, what) for what in ("stock", "variant", "info")}
        texts.add(replies.recommend_reply([], lang))  # "tell me your skin type...": a question back
    texts |= set(refusal_texts())
    return frozenset(fold(t) for t in texts)


def refusal_texts() -> list[str]:
    """The domain's out-of-scope replies ("I can only help with the stream and its products"): a refusal
    gives no facts, so like a hand-off it is not an answer, right or wrong."""
    import yaml

    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    return [variant["text"] for variant in domain["responses"]["utter_out_of_scope"]]


HANDOFFS = handoff_texts()


def is_handoff(reply: str) -> bool:
    return fold(reply) in HANDOFFS


def check(question: Question, reply_texts: list[str]) -> str:
    """Why the replies fail the question's ``must`` / ``must_not`` ("" when they pass)."""
    joined = " / ".join(fold(r) for r in reply_texts)
    problems = [
        "missing one of " + " | ".join(group)
        for group in question.must
        if not any(fold(s) in joined for s in group)
    ]
    problems += [f"contains {s!r}" for s in question.must_not if fold(s) in joined]
    return "; ".join(problems)


def classify(question: Question, reply_texts: list[str]) -> tuple[str, str]:
    """(outcome, why) of the bot's replies to a question: ``correct``, ``wrong`` (a confident answer that
    fails the check), ``handoff`` (only hand-off texts) or ``silent`` (no reply). For an off-topic
    question (``no_shop_answer``) silence and a hand-off are correct."""
    answers = [r for r in reply_texts if not is_handoff(r)]
    off_topic = question.expect == "no_shop_answer"
    if not reply_texts:
        return ("correct", "") if off_topic else ("silent", "no reply within the timeout")
    if not answers:
        return ("correct", "") if off_topic else ("handoff", "handed off")
    why = check(replace(question, must=()) if off_topic else question, answers)
    return ("wrong", why) if why else ("correct", "")
