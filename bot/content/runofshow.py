"""The run-of-show: a stream's minutes laid out as intro, product slots ranked by what viewers asked and
what is new, restocked or on promotion (each slot with its reasons), a segment for the asks the shop cannot
serve yet, open Q&A and outro; sold-out products are listed apart, not presented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.content.facts import Facts
from bot.content.text import Doc, join_items, stream_when, tr
from knowledge_graph.answers import format_price

__all__ = ["Segment", "run_of_show", "run_of_show_doc"]

LOW_STOCK = 10


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
            why.append(t("reason_shades_out", shades=join_items(facts.shades_out[p.sku], lang)))
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
            reasons=[t("outro_next", when=stream_when(after, lang))] if after else [],
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
        names = join_items([facts.product(s).name(lang) for s in facts.restocked], lang)
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
