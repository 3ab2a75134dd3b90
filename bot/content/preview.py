"""The preview announcement of the next stream: a title, a short post that fits X's 280 (CJK counted
twice), a longer Weibo/Bilibili dynamic, and the sources each line came from, in English or Chinese.

Public posts quote catalog data only, never viewer text (an echo lets anyone write the shop's post: see
knowledge_graph/answers/wording.py); the asks for products the shop does not sell are shown to the streamer
beside the posts (and in the run-of-show), not in them.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from bot.content.facts import Facts
from bot.content.text import Doc, join_items, stream_when, tr
from knowledge_graph import Product, Promotion
from knowledge_graph.answers import BEIJING, best_promotion, discounted, format_price

__all__ = ["SHORT_LIMIT", "TITLE_LIMIT", "preview", "preview_doc", "x_length"]

SHORT_LIMIT = 280
TITLE_LIMIT = 60


def x_length(text: str) -> int:
    """Length as X (Twitter) counts it: CJK and other wide characters weigh 2, everything else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


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


def preview(facts: Facts, lang: str) -> dict[str, Any]:
    """``{"title", "short", "long", "sources", "note"}`` in ``lang``."""
    zh = lang == "zh"
    streamer = facts.streamer[1 if zh else 0] or facts.streamer[0] or facts.streamer[1]
    stream = facts.stream
    name = (stream.title(lang) if stream else None) or (f"{streamer}直播间" if zh else f"{streamer} live")
    when = stream_when(stream, lang) if stream else tr(lang, "content.preview_no_schedule")
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
            f"新品：{join_items(new, lang)}。" if new else "",
            f"补货：{join_items(back, lang)}。" if back else "",
            f"上次大家问得最多的{join_items(asked, lang)}，这次详细讲～" if asked else "",
            f"优惠码：{'、'.join(p.code for p in codes)}。" if codes else "",
        ]
    else:
        parts = [
            f"{name}: {when}.",
            f"Codes: {', '.join(_code(p, lang) for p in codes)}." if codes else "",
            f"New: {join_items(new, lang)}." if new else "",
            f"Back in stock: {join_items(back, lang)}." if back else "",
            f"You asked about {join_items(asked, lang)} last time: we'll show them." if asked else "",
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
        long_lines.append(("新品：" if zh else "New: ") + join_items(new, lang))
    if back:
        long_lines.append(("补货：" if zh else "Back in stock: ") + join_items(back, lang))
    if featured:
        long_lines.append("今晚重点：" if zh else "Tonight:")
        long_lines += [f"· {_price_line(facts.product(s), facts.promotions, lang)}" for s in featured]
    if asked:
        counts = [
            f"{facts.product(s).name(lang)}（{n}次）" if zh else f"{facts.product(s).name(lang)} ({n}×)"
            for s, n in sorted(facts.last.asks.items(), key=lambda x: (-x[1], x[0]))[:3]
        ]
        long_lines += [
            "",
            ("上次大家问得最多：" if zh else "Most asked last stream: ") + join_items(counts, lang),
        ]
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
