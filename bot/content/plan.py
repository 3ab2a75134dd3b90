"""Before a stream: the preview announcement and the run-of-show, from the graph and the last recording.

:func:`gather` reads everything once into :class:`Facts` (a handful of graph reads, one read-only SQLite
read in a worker thread); :func:`preview` and :func:`run_of_show` are pure functions of it, so the CLI,
the report page and the tests see the same result for the same data.

Sources:

* the schedule: the stream running at ``now`` or the next one (``queries.next_stream``), and the one after
  it for the outro;
* promotions valid at the stream's start (``queries.active_promotions``);
* new and restocked products: the graph keeps no per-product created/updated timestamps, but every edit
  leaves an :mod:`~knowledge_graph.editing.audit` entry in the same statement. "New" is a Product
  ``create`` entry,
  "restocked" a Product or Variant ``update`` whose ``stock`` went from 0 to more, both since the latest
  recorded session started (else the last 7 days). A catalog import (seeding) writes one Catalog entry, not
  one per product, so imported products are neither;
* what viewers asked last time: the latest recorded session's questions per catalog product and its asks
  for products the shop does not sell (``demand``);
* the interaction graph: ``Product.askers`` (distinct viewers who ever asked about it), the popularity
  signal recommendations use (knowledge_graph/interactions.py);
* stock, product and per shade (variants).

Public posts quote catalog data only, never viewer text (an echo lets anyone write the shop's post: see
knowledge_graph/answers/wording.py); the asks for products the shop does not sell are shown to the streamer
beside the posts (and in the run-of-show), not in them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.content.text import Doc, tr
from bot.web.report_data import _connect
from knowledge_graph import (
    Category,
    GraphStore,
    Product,
    Promotion,
    StreamSession,
    active_promotions,
    get_streamer,
    list_audit,
    list_categories,
    list_products,
    next_stream,
    normalize_key,
)
from knowledge_graph.answers import BEIJING, best_promotion, discounted, format_price

__all__ = ["Facts", "gather", "preview", "run_of_show", "x_length"]

LOOKBACK_S = 7 * 86400
LOW_STOCK = 10
SHORT_LIMIT = 280
TITLE_LIMIT = 60


@dataclass
class LastStream:
    session: str | None = None
    started: float | None = None
    asks: Counter[str] = field(default_factory=Counter)
    """SKU -> questions naming it."""
    demand: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Facts:
    now_ms: int
    streamer: tuple[str, str]
    stream: StreamSession | None
    following: StreamSession | None
    promotions: list[Promotion]
    products: list[Product]
    categories: dict[str, Category]
    askers: dict[str, int]
    shades_out: dict[str, list[str]]
    new: list[str]
    restocked: list[str]
    last: LastStream
    since_ms: int

    def product(self, sku: str) -> Product:
        return next(p for p in self.products if p.sku == sku)


def read_last_stream(db: Path, products: list[Product]) -> LastStream:
    """The latest recorded session's questions per product (by SKU) and its not-carried demand."""
    conn = _connect(db)
    if conn is None:
        return LastStream()
    try:
        head = conn.execute("SELECT id, started FROM sessions ORDER BY started DESC LIMIT 1").fetchone()
        if head is None:
            return LastStream()
        session = str(head["id"])
        keys = {key: p.sku for p in products for key, _ in p.match_keys()}
        asks: Counter[str] = Counter()
        for name, n in conn.execute(
            "SELECT product, COUNT(*) FROM questions WHERE session = ? AND product IS NOT NULL "
            "GROUP BY product",
            (session,),
        ):
            sku = keys.get(normalize_key(str(name)))
            if sku:
                asks[sku] += int(n)
        try:
            demand = [
                (str(text), int(n))
                for text, n in conn.execute(
                    "SELECT min(text), SUM(asks) n FROM demand WHERE session = ? GROUP BY qkey "
                    "ORDER BY n DESC, min(text) LIMIT 10",
                    (session,),
                )
            ]
        except sqlite3.OperationalError:
            demand = []
        return LastStream(session, float(head["started"]), asks, demand)
    finally:
        conn.close()


async def gather(store: GraphStore, db: Path, now: float | None = None) -> Facts:
    now_ms = int((time.time() if now is None else now) * 1000)
    stream = await next_stream(store, now_ms)
    following = await next_stream(store, stream.ends_at) if stream is not None else None
    at = max(now_ms, stream.starts_at) if stream is not None else now_ms
    promotions = await active_promotions(store, at)
    products = await list_products(store)
    categories = {c.id: c for c in await list_categories(store)}
    streamer = await get_streamer(store)
    askers = {
        str(r["sku"]): int(r["askers"])
        for r in await store.read("MATCH (p:Product) RETURN p.sku AS sku, coalesce(p.askers, 0) AS askers")
    }
    variant_rows = await store.read(
        "MATCH (p:Product)-[:HAS_VARIANT]->(v:Variant) "
        "RETURN p.sku AS sku, v.id AS id, v.colour AS colour, v.size AS size, v.stock AS stock ORDER BY v.id"
    )
    shades_out: dict[str, list[str]] = {}
    variant_sku: dict[str, str] = {}
    for r in variant_rows:
        variant_sku[str(r["id"])] = str(r["sku"])
        if int(r["stock"] or 0) == 0:
            shades_out.setdefault(str(r["sku"]), []).append(str(r["colour"] or r["size"] or r["id"]))
    last = await asyncio.to_thread(read_last_stream, db, products)
    since_ms = int(last.started * 1000) if last.started else now_ms - LOOKBACK_S * 1000
    in_stock = {p.sku for p in products if p.stock > 0}
    new: list[str] = []
    restocked: list[str] = []
    for entity in ("Product", "Variant"):
        for entry in reversed(await list_audit(store, entity, limit=2000)):
            if entry.at < since_ms:
                continue
            sku = entry.key if entity == "Product" else variant_sku.get(entry.key, "")
            if sku not in in_stock:
                continue
            stock = entry.changes.get("stock")
            if entity == "Product" and entry.action == "create" and sku not in new:
                new.append(sku)
            elif (
                entry.action == "update"
                and isinstance(stock, list)
                and len(stock) == 2
                and not stock[0]
                and (stock[1] or 0) > 0
                and sku not in restocked
                and sku not in new
            ):
                restocked.append(sku)
    return Facts(
        now_ms=now_ms,
        streamer=(streamer.name_en, streamer.name_zh) if streamer else ("", ""),
        stream=stream,
        following=following,
        promotions=promotions,
        products=products,
        categories=categories,
        askers=askers,
        shades_out=shades_out,
        new=new,
        restocked=restocked,
        last=last,
        since_ms=since_ms,
    )


# --- wording helpers --------------------------------------------------------------------------------------
def x_length(text: str) -> int:
    """Length as X (Twitter) counts it: CJK and other wide characters weigh 2, everything else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _join(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _when(session: StreamSession, lang: str) -> str:
    start = datetime.fromtimestamp(session.starts_at / 1000, UTC).astimezone(BEIJING)
    end = datetime.fromtimestamp(session.ends_at / 1000, UTC).astimezone(BEIJING)
    if lang == "zh":
        return f"{start.month}月{start.day}日 {start:%H:%M}-{end:%H:%M}（北京时间）"
    return f"{start:%a %b} {start.day}, {start:%H:%M}-{end:%H:%M} (Beijing time)"


def _price_line(product: Product, promotions: list[Promotion], lang: str) -> str:
    price = format_price(product.price, product.currency)
    promo = best_promotion(product, promotions)
    if promo is None:
        return f"{product.name(lang)} {price}"
    now = format_price(discounted(product, promo), product.currency)
    if lang == "zh":
        return f"{product.name(lang)} {price}，用 {promo.code} 到手 {now}"
    return f"{product.name(lang)} {price}, {now} with {promo.code}"


def _featured(facts: Facts, n: int = 5) -> list[str]:
    """SKUs the posts feature, in order: new, restocked, most asked last time, product promotions."""
    order: list[str] = []
    promo_skus = [s for p in facts.promotions for s in p.skus]
    asked = [sku for sku, _ in sorted(facts.last.asks.items(), key=lambda x: (-x[1], x[0]))]
    stocked = {p.sku for p in facts.products if p.stock > 0}
    for sku in [*facts.new, *facts.restocked, *asked, *promo_skus]:
        if sku in stocked and sku not in order:
            order.append(sku)
    return order[:n]


def _code(promo: Promotion, lang: str) -> str:
    title = promo.title(lang)
    if not title:
        return promo.code
    return f"{promo.code}（{title}）" if lang == "zh" else f"{promo.code} ({title})"


def _fit(parts: list[str], limit: int, sep: str = " ") -> str:
    """The parts in order, each kept only if the whole still fits ``limit`` (X length)."""
    kept: list[str] = []
    for part in parts:
        if part and x_length(sep.join([*kept, part])) <= limit:
            kept.append(part)
    return sep.join(kept)


# --- preview ----------------------------------------------------------------------------------------------
def preview(facts: Facts, lang: str) -> dict[str, Any]:
    """``{"title", "short", "long", "sources", "note"}`` in ``lang``."""
    zh = lang == "zh"
    streamer = facts.streamer[1 if zh else 0] or facts.streamer[0] or facts.streamer[1]
    stream = facts.stream
    name = (stream.title(lang) if stream else None) or (f"{streamer}直播间" if zh else f"{streamer} live")
    when = _when(stream, lang) if stream else tr(lang, "content.preview_no_schedule")
    codes = list(facts.promotions)
    new = [facts.product(s).name(lang) for s in facts.new[:3]]
    back = [facts.product(s).name(lang) for s in facts.restocked[:3]]
    asked = [
        facts.product(s).name(lang) for s, _ in sorted(facts.last.asks.items(), key=lambda x: (-x[1], x[0]))
    ]
    stocked = {p.name(lang) for p in facts.products if p.stock > 0}
    asked = [a for a in asked if a not in new and a not in back and a in stocked][:3]
    featured = _featured(facts)

    if stream is not None:
        start = datetime.fromtimestamp(stream.starts_at / 1000, UTC).astimezone(BEIJING)
        short_when = f"{start.month}月{start.day}日 {start:%H:%M}" if zh else f"{start:%a} {start:%H:%M}"
    else:
        short_when = ""
    title = _fit(
        [name, f"· {short_when}" if short_when else "", f"· {codes[0].code}" if codes else ""], TITLE_LIMIT
    )
    if not title:
        title = name[:TITLE_LIMIT]

    if zh:
        parts = [
            f"【{name}】{when}开播！",
            f"优惠码：{'、'.join(_code(p, lang) for p in codes)}。" if codes else "",
            f"新品：{_join(new, lang)}。" if new else "",
            f"补货：{_join(back, lang)}。" if back else "",
            f"上次大家问得最多的{_join(asked, lang)}，这次详细讲～" if asked else "",
            f"优惠码：{'、'.join(p.code for p in codes)}。" if codes else "",
        ]
    else:
        parts = [
            f"{name}: {when}.",
            f"Codes: {', '.join(_code(p, lang) for p in codes)}." if codes else "",
            f"New: {_join(new, lang)}." if new else "",
            f"Back in stock: {_join(back, lang)}." if back else "",
            f"You asked about {_join(asked, lang)} last time: we'll show them." if asked else "",
            f"Codes: {', '.join(p.code for p in codes)}." if codes else "",
        ]
    # the code line with the codes' titles, or bare codes when that leaves room for more of the post
    sep = "" if zh else " "
    short = _fit(parts[:5], SHORT_LIMIT, sep)
    if codes:
        bare = _fit([parts[0], parts[5], *parts[2:5]], SHORT_LIMIT, sep)
        if sum(p in bare for p in parts[2:5] if p) > sum(p in short for p in parts[2:5] if p):
            short = bare

    long_lines = [f"{name}", when, ""]
    if codes:
        long_lines.append("优惠码：" if zh else "Codes:")
        long_lines += [f"· {p.code}" + (f" — {p.title(lang)}" if p.title(lang) else "") for p in codes]
        long_lines.append("")
    if new:
        long_lines.append(("新品：" if zh else "New: ") + _join(new, lang))
    if back:
        long_lines.append(("补货：" if zh else "Back in stock: ") + _join(back, lang))
    if featured:
        long_lines.append("今晚重点：" if zh else "Tonight:")
        long_lines += [f"· {_price_line(facts.product(s), facts.promotions, lang)}" for s in featured]
    if asked:
        counts = [
            f"{facts.product(s).name(lang)}（{n}次）" if zh else f"{facts.product(s).name(lang)} ({n}×)"
            for s, n in sorted(facts.last.asks.items(), key=lambda x: (-x[1], x[0]))[:3]
        ]
        long_lines += ["", ("上次大家问得最多：" if zh else "Most asked last stream: ") + _join(counts, lang)]
    long = "\n".join(long_lines).strip()

    demand = facts.last.demand
    note = (
        tr(
            lang,
            "content.preview_note_demand",
            n=sum(n for _, n in demand),
            items="; ".join(f"“{text}” ×{n}" for text, n in demand[:5]),
        )
        if demand
        else ""
    )
    sources = {
        "stream": stream.id if stream else None,
        "promotions": [p.code for p in codes],
        "new": facts.new,
        "restocked": facts.restocked,
        "since": datetime.fromtimestamp(facts.since_ms / 1000, UTC).isoformat(timespec="seconds"),
        "last_session": facts.last.session,
        "asked": dict(facts.last.asks.most_common(5)),
    }
    return {"title": title, "short": short, "long": long, "note": note, "sources": sources}


def preview_doc(facts: Facts, lang: str) -> Doc:
    p = preview(facts, lang)
    doc = Doc(tr(lang, "content.preview"))
    doc.add(tr(lang, "content.preview_title"), [p["title"]], verbatim=True)
    doc.add(
        f"{tr(lang, 'content.preview_short')} — {x_length(p['short'])}",
        p["short"].splitlines(),
        verbatim=True,
    )
    doc.add(tr(lang, "content.preview_long"), p["long"].splitlines(), verbatim=True)
    s = p["sources"]
    t = lambda key, **v: tr(lang, f"content.{key}", **v)  # noqa: E731
    lines = [
        f"{t('src_schedule')}: {s['stream'] or '–'}",
        f"{t('src_promotions')}: {', '.join(s['promotions']) or '–'}",
        f"{t('src_new', since=s['since'])}: {', '.join(s['new']) or '–'}",
        f"{t('src_restocked', since=s['since'])}: {', '.join(s['restocked']) or '–'}",
        f"{t('src_last', session=s['last_session'] or '–')}",
    ]
    if p["note"]:
        lines.append(p["note"])
    doc.add(tr(lang, "content.preview_sources"), lines)
    return doc


# --- run of show ------------------------------------------------------------------------------------------
@dataclass
class Segment:
    start_min: float
    end_min: float
    kind: str  # "intro", "product", "requests", "open", "outro"
    sku: str | None = None
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def _hm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _reasons(facts: Facts, lang: str) -> dict[str, tuple[float, list[str]]]:
    """SKU -> (score, reasons) for every product with a reason to be presented (sold out ones included)."""
    t = lambda key, **v: tr(lang, f"content.{key}", **v)  # noqa: E731
    top_ask = max(facts.last.asks.values(), default=0) or 1
    top_askers = max(facts.askers.values(), default=0) or 1
    ranked = sorted(
        (p for p in facts.products if facts.askers.get(p.sku, 0) > 0),
        key=lambda p: (-facts.askers.get(p.sku, 0), p.sku),
    )
    best_in: dict[str, str] = {}
    for p in ranked:
        if p.category:
            best_in.setdefault(p.category, p.sku)
    out: dict[str, tuple[float, list[str]]] = {}
    for p in facts.products:
        score = 0.0
        why: list[str] = []
        asks = facts.last.asks.get(p.sku, 0)
        if asks:
            score += 3.0 * asks / top_ask
            why.append(t("reason_asked", n=asks))
        askers = facts.askers.get(p.sku, 0)
        if askers:
            score += 2.0 * askers / top_askers
            rank = next(i for i, q in enumerate(ranked, 1) if q.sku == p.sku)
            category = facts.categories.get(p.category or "")
            if category is not None and best_in.get(category.id) == p.sku:
                why.append(t("reason_popular_cat", category=category.name(lang)))
            elif rank <= 5:
                why.append(t("reason_popular", rank=rank, askers=askers))
        for promo in facts.promotions:
            if p.sku in promo.skus:
                score += 1.0
                why.append(t("reason_promo", code=promo.code))
        if p.sku in facts.new:
            score += 1.5
            why.append(t("reason_new"))
        if p.sku in facts.restocked:
            score += 1.0
            why.append(t("reason_restocked"))
        if not why:
            continue
        if p.stock == 0:
            why.append(t("reason_sold_out"))
        elif p.stock <= LOW_STOCK:
            why.append(t("reason_low_stock", n=p.stock))
        if facts.shades_out.get(p.sku) and p.stock > 0:
            why.append(t("reason_shades_out", shades=_join(facts.shades_out[p.sku], lang)))
        out[p.sku] = (score, why)
    return out


def run_of_show(
    facts: Facts, minutes: int, lang: str, *, slot_min: int = 8, intro_min: int = 5, outro_min: int = 5
) -> dict[str, Any]:
    """Ordered segments filling ``minutes``: intro, products by demand (each with its reasons), a segment for
    the asks the shop cannot serve yet (when there were any), open Q&A with the time left, outro."""
    if minutes < intro_min + outro_min + slot_min:
        raise ValueError(f"a run-of-show needs at least {intro_min + outro_min + slot_min} minutes")
    t = lambda key, **v: tr(lang, f"content.{key}", **v)  # noqa: E731
    reasons = _reasons(facts, lang)
    ranked = sorted(reasons.items(), key=lambda x: (-x[1][0], x[0]))
    present = [(sku, r) for sku, r in ranked if facts.product(sku).stock > 0]
    flagged = [(sku, r) for sku, r in ranked if facts.product(sku).stock == 0]
    demand = facts.last.demand
    requests_min = 5 if demand or facts.restocked else 0
    available = minutes - intro_min - outro_min - requests_min
    present = present[: max(0, available // slot_min)]
    segments: list[Segment] = []
    codes = ", ".join(p.code for p in facts.promotions)
    segments.append(Segment(0, intro_min, "intro", reasons=[t("intro_next", codes=codes)] if codes else []))
    clock = float(intro_min)
    half = (len(present) + 1) // 2
    for i, (sku, (score, why)) in enumerate(present):
        if i == half and requests_min:
            clock = _requests(segments, clock, requests_min, facts, lang)
        segments.append(Segment(clock, clock + slot_min, "product", sku, why, round(score, 2)))
        clock += slot_min
    if requests_min and not any(s.kind == "requests" for s in segments):
        clock = _requests(segments, clock, requests_min, facts, lang)
    if minutes - outro_min - clock >= 1:
        segments.append(Segment(clock, minutes - outro_min, "open"))
    after = facts.following
    segments.append(
        Segment(
            minutes - outro_min,
            minutes,
            "outro",
            reasons=[t("outro_next", when=_when(after, lang))] if after else [],
        )
    )
    return {
        "minutes": minutes,
        "segments": segments,
        "flagged": [(sku, why) for sku, (_, why) in flagged],
    }


def _requests(segments: list[Segment], clock: float, length: int, facts: Facts, lang: str) -> float:
    why = []
    demand = facts.last.demand
    if demand:
        items = "; ".join(f"“{text}” ×{n}" for text, n in demand[:3])
        why.append(tr(lang, "content.reason_demand", n=sum(n for _, n in demand), items=items))
    if facts.restocked:
        names = _join([facts.product(s).name(lang) for s in facts.restocked], lang)
        why.append(f"{tr(lang, 'content.reason_restocked')}: {names}")
    segments.append(Segment(clock, clock + length, "requests", reasons=why))
    return clock + length


def run_of_show_doc(facts: Facts, minutes: int, lang: str, **kwargs: int) -> Doc:
    plan = run_of_show(facts, minutes, lang, **kwargs)
    labels = {
        "intro": tr(lang, "content.seg_intro"),
        "outro": tr(lang, "content.seg_outro"),
        "requests": tr(lang, "content.seg_requests"),
        "open": tr(lang, "content.seg_open"),
    }
    sep = "；" if lang == "zh" else "; "
    lines = []
    for s in plan["segments"]:
        if s.kind == "product":
            product = facts.product(s.sku)  # type: ignore[arg-type]
            what = f"{product.name(lang)} ({format_price(product.price, product.currency)})"
        else:
            what = labels[s.kind]
        why = f" — {sep.join(s.reasons)}" if s.reasons else ""
        lines.append(f"{_hm(s.start_min)}–{_hm(s.end_min)} {what}{why}")
    doc = Doc(f"{tr(lang, 'content.runofshow')} · {tr(lang, 'content.runofshow_for', minutes=minutes)}")
    title = facts.stream.title(lang) if facts.stream else None
    if title:
        doc.title += f" · {title}"
    doc.add(tr(lang, "content.runofshow"), lines)
    doc.add(
        tr(lang, "content.flagged"),
        [f"{facts.product(sku).name(lang)} — {sep.join(why)}" for sku, why in plan["flagged"]]
        or [tr(lang, "content.none")],
    )
    return doc
