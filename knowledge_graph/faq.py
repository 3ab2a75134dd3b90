"""The streamer and the questions viewers keep asking, with ready answers.

Graph shape::

    (:Streamer {id, name_en, name_zh})
    (:FAQ {id, question_en, question_zh, answer_en, answer_zh})-[:ABOUT]->(:Product | :Streamer)

Skeleton depth: FAQs are stored and listed per product or for the streamer. Matching a
viewer's question to an FAQ comes with the FAQ search issue; the bilingual question
text is stored now so that search can be built on it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge_graph.errors import NotFound, ValidationError
from knowledge_graph.store import GraphStore
from knowledge_graph.text import pick_language

log = logging.getLogger(__name__)

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}")
_MAX_TEXT = 2000


def _check_id(field: str, value: object) -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValidationError(field, f"must be 1-128 characters of A-Z a-z 0-9 . _ : / # -, got {value!r}")


def _check_texts(obj: object, fields: Iterable[str], *, required: bool) -> None:
    for field in fields:
        value = getattr(obj, field)
        if value is None and not required:
            continue
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            raise ValidationError(field, f"must be a string of at most {_MAX_TEXT} characters")
    values = [getattr(obj, field) for field in fields]
    if required and not any(isinstance(v, str) and v.strip() for v in values):
        raise ValidationError(next(iter(fields)), "must not be blank in both languages")


@dataclass(frozen=True, kw_only=True)
class Streamer:
    """The person running the stream; FAQs about shipping, schedule etc. hang off it."""

    id: str
    name_en: str
    name_zh: str

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_texts(self, ("name_en", "name_zh"), required=True)

    def name(self, lang: str = "en") -> str:
        return pick_language(lang, self.name_en, self.name_zh) or ""


@dataclass(frozen=True, kw_only=True)
class FAQ:
    """A question and its answer in English and Chinese, about one product or the streamer.

    Exactly one of ``product_sku`` and ``streamer_id`` is set.
    """

    id: str
    question_en: str
    question_zh: str
    answer_en: str
    answer_zh: str
    product_sku: str | None = None
    streamer_id: str | None = None

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_texts(self, ("question_en", "question_zh"), required=True)
        _check_texts(self, ("answer_en", "answer_zh"), required=True)
        if (self.product_sku is None) == (self.streamer_id is None):
            raise ValidationError("product_sku", "exactly one of product_sku and streamer_id must be set")

    def question(self, lang: str = "en") -> str:
        return pick_language(lang, self.question_en, self.question_zh) or ""

    def answer(self, lang: str = "en") -> str:
        return pick_language(lang, self.answer_en, self.answer_zh) or ""


async def upsert_streamer(store: GraphStore, streamer: Streamer) -> None:
    await store.write(
        "MERGE (s:Streamer {id: $id}) SET s.name_en = $name_en, s.name_zh = $name_zh",
        {"id": streamer.id, "name_en": streamer.name_en, "name_zh": streamer.name_zh},
    )


_UPSERT_FAQS = """
UNWIND $rows AS row
MERGE (f:FAQ {id: row.id})
SET f.question_en = row.question_en, f.question_zh = row.question_zh,
    f.answer_en = row.answer_en, f.answer_zh = row.answer_zh
WITH f, row
OPTIONAL MATCH (f)-[old:ABOUT]->()
WITH f, row, collect(old) AS olds
FOREACH (r IN olds | DELETE r)
WITH f, row
OPTIONAL MATCH (p:Product {sku: row.product_sku})
OPTIONAL MATCH (s:Streamer {id: row.streamer_id})
WITH f, coalesce(p, s) AS target
FOREACH (t IN CASE WHEN target IS NULL THEN [] ELSE [target] END | CREATE (f)-[:ABOUT]->(t))
RETURN count(f) AS n
"""


async def upsert_faqs(store: GraphStore, faqs: Iterable[FAQ]) -> int:
    """Create or update FAQs by id (one statement) and (re)link each to what it is about.

    Raises NotFound, before writing anything, if a product or streamer is missing.
    """
    faq_list = list(faqs)
    if not faq_list:
        return 0
    skus = sorted({f.product_sku for f in faq_list if f.product_sku is not None})
    streamers = sorted({f.streamer_id for f in faq_list if f.streamer_id is not None})
    rows = await store.read(
        "OPTIONAL MATCH (p:Product) WHERE p.sku IN $skus WITH collect(p.sku) AS skus "
        "OPTIONAL MATCH (s:Streamer) WHERE s.id IN $streamers RETURN skus, collect(s.id) AS streamers",
        {"skus": skus, "streamers": streamers},
    )
    missing = sorted(set(skus) - set(rows[0]["skus"])) + sorted(set(streamers) - set(rows[0]["streamers"]))
    if missing:
        raise NotFound(f"FAQs refer to unknown products/streamers: {', '.join(missing)}")
    result = await store.write(_UPSERT_FAQS, {"rows": [_faq_row(f) for f in faq_list]})
    count = int(result[0]["n"]) if result else 0
    log.info("upserted %d FAQs into %s", count, store.describe())
    return count


async def list_faqs(store: GraphStore, sku: str | None = None) -> list[FAQ]:
    """FAQs about product ``sku``, or about the streamer when ``sku`` is None; by id."""
    if sku is None:
        query = "MATCH (f:FAQ)-[:ABOUT]->(s:Streamer) RETURN f, null AS sku, s.id AS streamer ORDER BY f.id"
    else:
        query = (
            "MATCH (f:FAQ)-[:ABOUT]->(p:Product {sku: $sku}) "
            "RETURN f, p.sku AS sku, null AS streamer ORDER BY f.id"
        )
    rows = await store.read(query, {"sku": sku})
    return [_faq_from_graph(row["f"], row["sku"], row["streamer"]) for row in rows]


async def count_faqs(store: GraphStore) -> int:
    rows = await store.read("MATCH (f:FAQ) RETURN count(f) AS n")
    return int(rows[0]["n"]) if rows else 0


async def get_streamer(store: GraphStore) -> Streamer | None:
    """The streamer (a graph holds one stream's data); None before seeding."""
    rows = await store.read("MATCH (s:Streamer) RETURN s ORDER BY s.id LIMIT 1")
    if not rows:
        return None
    props = rows[0]["s"]
    return Streamer(id=props["id"], name_en=props.get("name_en") or "", name_zh=props.get("name_zh") or "")


def _faq_row(faq: FAQ) -> dict[str, Any]:
    return {
        "id": faq.id,
        "question_en": faq.question_en,
        "question_zh": faq.question_zh,
        "answer_en": faq.answer_en,
        "answer_zh": faq.answer_zh,
        "product_sku": faq.product_sku,
        "streamer_id": faq.streamer_id,
    }


def _faq_from_graph(props: Mapping[str, Any], sku: str | None, streamer: str | None) -> FAQ:
    return FAQ(
        id=props["id"],
        question_en=props.get("question_en") or "",
        question_zh=props.get("question_zh") or "",
        answer_en=props.get("answer_en") or "",
        answer_zh=props.get("answer_zh") or "",
        product_sku=sku,
        streamer_id=streamer,
    )
