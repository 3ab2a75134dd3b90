"""Markdown and plain text of the content pieces, English or Chinese (strings: bot/web/i18n/*.content.json).

Each piece is first laid out as a :class:`Doc` (a title, then sections of lines); ``markdown()`` and
``plain()`` print the same Doc, so the two exports never disagree. Everything shown is recorded data or a
catalog field set into a fixed template.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.content.recap import hms
from bot.web.i18n import messages
from knowledge_graph import StreamSession
from knowledge_graph.answers import BEIJING

__all__ = ["Doc", "highlight_title", "join_items", "recap_doc", "stream_when", "tr"]


def tr(lang: str, key: str, **values: object) -> str:
    text = messages(lang).get(key, key)
    return text.format(**values) if values else text


def label(lang: str, group: str, value: str) -> str:
    """The translation of ``content.<group>_<value>`` ("path", "rasa"), else the value itself."""
    key = f"content.{group}_{value}"
    return messages(lang)[key] if key in messages(lang) else value


@dataclass
class Doc:
    title: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    preformatted: set[str] = field(default_factory=set)
    """Section headings whose lines are copied as they are (chapters, posts): no bullets."""

    def add(self, heading: str, lines: list[str], *, verbatim: bool = False) -> None:
        self.sections.append((heading, lines))
        if verbatim:
            self.preformatted.add(heading)

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for heading, lines in self.sections:
            out += [f"## {heading}", ""]
            if heading in self.preformatted:
                out += ["```text", *lines, "```"]
            else:
                out += [f"- {line}" for line in lines]
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def plain(self) -> str:
        out = [self.title, "=" * min(72, max(8, width(self.title))), ""]
        for heading, lines in self.sections:
            out += [heading, "-" * min(72, max(4, width(heading)))]
            out += lines if heading in self.preformatted else [f"  {line}" for line in lines]
            out.append("")
        return "\n".join(out).rstrip() + "\n"


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def width(text: str) -> int:
    """Columns a terminal gives ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def join_items(items: list[str], lang: str) -> str:
    """ "a, b and c" in English, "a、b、c" in Chinese."""
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def stream_when(session: StreamSession, lang: str) -> str:
    """A scheduled stream's day and hours, Beijing time."""
    start = datetime.fromtimestamp(session.starts_at / 1000, UTC).astimezone(BEIJING)
    end = datetime.fromtimestamp(session.ends_at / 1000, UTC).astimezone(BEIJING)
    if lang == "zh":
        return f"{start.month}月{start.day}日 {start:%H:%M}-{end:%H:%M}（北京时间）"
    return f"{start:%a %b} {start.day}, {start:%H:%M}-{end:%H:%M} (Beijing time)"


def _quote(term: str, lang: str) -> str:
    return f"「{term}」" if lang == "zh" else f"“{term}”"


def highlight_title(h: dict[str, Any], lang: str) -> str:
    """ "Matte Lipstick · Chat hype: “brick red”, “wow” LUL": the kind's label, the product asked about then,
    the moment's top chat terms and emotes, as they were typed (folded)."""
    label = tr(lang, f"content.hl_{h['kind']}")
    sep = "、" if lang == "zh" else ", "
    # chat is bilingual: the terms in the title's language first, the others after (order kept otherwise)
    terms = sorted(h["terms"], key=lambda tc: _is_cjk(tc[0]) != (lang == "zh"))
    words = sep.join(_quote(t, lang) for t, _ in terms[:3])
    emotes = " ".join(e for e, _ in h["emotes"][:2])
    said = " ".join(x for x in (words, emotes) if x)
    product = h.get(f"product_{lang}") or h.get("product")
    head = f"{product} · {label}" if product else label
    colon = "：" if lang == "zh" else ": "
    return f"{head}{colon}{said}" if said else head


def _when(epoch: float, lang: str) -> str:
    moment = datetime.fromtimestamp(epoch, UTC).astimezone(BEIJING)
    return moment.strftime("%Y-%m-%d %H:%M") + (" (北京时间)" if lang == "zh" else " (Beijing time)")


def _rate(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def recap_doc(recap: dict[str, Any], lang: str) -> Doc:
    totals = recap["totals"]
    started = float(recap["started"])
    t = lambda key, **v: tr(lang, f"content.{key}", **v)  # noqa: E731
    none = [t("none")]
    doc = Doc(f"{t('recap')} {recap['id']}")
    doc.add(
        t("session"),
        [
            f"{_when(started, lang)} – {_when(float(recap['ended']), lang)}",
            f"{t('duration')}: {hms(recap['duration_s'])}",
            f"{t('viewers')}: {t('viewers_value', peak=totals['peak_viewers'], avg=recap['avg_viewers'])}",
            f"{t('messages')}: {totals['messages']:,}",
            f"{t('questions')}: "
            + t(
                "questions_value",
                questions=totals["questions"],
                answered=totals["answered"],
                rate=_rate(totals["answer_rate"]),
                handed=totals["handed_off"],
            ),
        ],
    )
    doc.add(
        t("answer_paths"),
        [f"{label(lang, 'path', p)}: {n}" for p, n in recap["answer_paths"]] or none,
    )
    doc.add(
        t("products_asked"),
        [f"{p['name_' + lang]} {t('times', n=p['n'])}" for p in recap["products"]] or none,
    )
    doc.add(t("demand"), [f"{q} {t('times', n=n)}" for q, n in recap["demand"]] or none)
    doc.add(
        t("follow_up"),
        [f"{hms(h['t'] - started)} {h['text']}" for h in recap["follow_up"][:30]]
        + [f"{t('no_reply')}: {q} {t('times', n=n)}" for q, n in recap["no_reply"]]
        or none,
    )
    paid = recap["paid"]
    paid_lines: list[str] = []
    if paid["events"]:
        paid_lines.append(t("paid_events", events=paid["events"]))
        totals_text = ", ".join(f"{row['text']} ({row['platform']})" for row in paid["totals"])
        if totals_text:
            paid_lines.append(f"{t('paid_totals')}: {totals_text}")
        if paid["items"]:
            paid_lines.append(", ".join(f"{item} {t('times', n=n)}" for item, n in paid["items"]))
        for i, s in enumerate(paid["top_supporters"], 1):
            who = f"{t('top_supporters')} #{i}: {s['name']} ({s['platform']})"
            paid_lines.append(f"{who} {s['text']} {t('times', n=s['events'])}")
    doc.add(t("paid"), paid_lines or none)
    doc.add(
        t("mood_timeline"),
        [f"{hms(r['offset_s'])} {label(lang, 'mood', r['mood'])}" for r in recap["mood_runs"]] or none,
    )
    hl_lines = []
    for h in recap["highlights"]:
        rate = t("rate", rate=h["rate_per_min"], base=h["baseline_per_min"])
        hl_lines.append(f"{hms(h['t'] - started)} {highlight_title(h, lang)} — {rate}")
    doc.add(t("highlights"), [*hl_lines, t("chapters_note")] if hl_lines else none)
    if recap["highlights"]:
        best = max(recap["highlights"], key=lambda h: (h["score"], -h["t"]))
        doc.add(t("suggested_title"), [highlight_title(best, lang)])
    doc.add(t("chapters"), chapter_lines(recap, lang), verbatim=True)
    return doc


def chapter_lines(recap: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for c in recap["chapters"]:
        title = (
            tr(lang, "content.chapter_start")
            if c["highlight"] is None
            else highlight_title(recap["highlights"][c["highlight"]], lang)
        )
        lines.append(f"{c['at']} {title}")
    return lines
