"""PNG and PDF of a session report, drawn server-side with matplotlib from the report dict.

One A4 page with the same figures and charts as the HTML report (messages and questions over time,
answer rate, top asked products, mood timeline, recommendations shown, top questions, demand for
products the shop does not carry), so what is sent
to a sponsor or pasted in a chat group matches what the moderators saw. Chinese text needs a CJK font:
Debian's fonts-noto-cjk is used when installed (``make system-deps``), else the default font (CJK
characters then show as boxes, and a warning is logged once).

matplotlib is imported lazily (it costs ~1 s on first use) and only through ``Figure`` (no pyplot
global state), so renders in worker threads do not interfere.
"""

from __future__ import annotations

import functools
import io
import logging
import textwrap
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

COLORS = {"messages": "#7c3aed", "questions": "#d4a000", "answered": "#1e9e57", "sentiment": "#1e9e57"}
MOOD_COLORS = {"happy": "#2ecc71", "neutral": "#95a5a6", "bored": "#f1c40f", "upset": "#e74c3c"}


def plain_text(text: str) -> str:
    """``text`` escaped so matplotlib draws it as typed, never as mathtext.

    matplotlib parses any string holding a pair of unescaped ``$`` as a formula, and an unknown command
    (``$\\foo$``) raises at ``savefig``: one viewer's question among the top questions broke a session's
    export for good (review M4). Every ``$`` becomes ``\\$``, which matplotlib shows as ``$``; escaping
    each one (also an already escaped ``\\$``) keeps the count of unescaped ones at zero. Applied to
    everything drawn that did not come from this file: viewer questions, product names, labels."""
    return text.replace("$", r"\$")


@functools.cache
def _font_family() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for cjk in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei"):
        if cjk in names:
            return [cjk, "DejaVu Sans"]
    log.warning("no CJK font found (install fonts-noto-cjk): Chinese text in report exports shows as boxes")
    return ["DejaVu Sans"]


def render(report: dict[str, Any], fmt: str, labels: dict[str, str]) -> bytes:
    """The report as ``fmt`` ("png" or "pdf") bytes; ``labels`` are the page's strings in its language."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown export format {fmt!r}")
    import numpy as np
    from matplotlib import rcParams
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    rcParams["font.family"] = _font_family()
    rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(8.27, 11.69), dpi=110)
    grid = fig.add_gridspec(6, 2, height_ratios=[0.35, 1.2, 1.1, 1.1, 1.1, 0.9], hspace=0.75, wspace=0.45)
    fig.subplots_adjust(left=0.09, right=0.97, top=0.95, bottom=0.04)
    totals = report["totals"]
    # an object array of datetimes: the axes' date converter reads it as it reads a list of them
    times = np.array([datetime.fromtimestamp(t) for t in report["series"]["t"]], dtype=object)
    fmt_time = DateFormatter("%H:%M" if report["duration_s"] > 600 else "%H:%M:%S")

    start = datetime.fromtimestamp(report["started"]).strftime("%Y-%m-%d %H:%M")
    labels = {key: plain_text(value) for key, value in labels.items()}  # translations: not ours either
    fig.suptitle(
        f"{labels['title']} · {report['id']}  ({start}, {report['duration_s'] / 60:.0f} min)", fontsize=13
    )
    head = fig.add_subplot(grid[0, :])
    head.axis("off")
    rate = totals["answer_rate"]
    kpis = [
        (labels["messages"], f"{totals['messages']:,}"),
        (labels["questions"], f"{totals['questions']:,}"),
        (labels["answer_rate"], "–" if rate is None else f"{rate:.0%}"),
        (labels["handed_off"], f"{totals['handed_off']:,}"),
        (labels["recommendations"], f"{totals['recommendations']:,}"),
        (labels["peak"], f"{totals['peak_messages_per_s']}/s"),
    ]
    for i, (name, value) in enumerate(kpis):
        x = i / len(kpis)
        head.text(x, 0.75, value, fontsize=16, fontweight="bold", transform=head.transAxes)
        head.text(
            x, 0.3, textwrap.fill(name, 16), fontsize=7, color="#555", va="top", transform=head.transAxes
        )

    series = report["series"]
    ax = fig.add_subplot(grid[1, :])
    for key in ("messages", "questions", "answered"):
        ax.plot(times, series[f"{key}_per_min"], label=labels[f"series_{key}"], color=COLORS[key], lw=1.4)
    ax.fill_between(times, series["messages_per_min"], color=COLORS["messages"], alpha=0.1)
    _style(ax, labels["chart_activity"], labels["per_min"], fmt_time)
    ax.legend(fontsize=7, loc="upper left", frameon=False)

    ax = fig.add_subplot(grid[2, 0])
    answered, handed, questions = totals["answered"], totals["handed_off"], totals["questions"]
    other = max(0, questions - answered - handed)
    parts = [(labels["answered"], answered, "#1e9e57"), (labels["handed_off"], handed, "#d4a000")]
    parts.append((labels["unanswered"], other, "#c0392b"))
    parts = [p for p in parts if p[1] > 0] or [(labels["none"], 1, "#ddd")]
    ax.pie(
        [p[1] for p in parts],
        labels=[f"{p[0]} {p[1]}" for p in parts],
        colors=[p[2] for p in parts],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.45},
        textprops={"fontsize": 7},
    )
    ax.set_title(f"{labels['chart_answer_rate']}: {'–' if rate is None else f'{rate:.0%}'}", fontsize=10)

    _barh(fig.add_subplot(grid[2, 1]), report["top_products"], labels["chart_products"], "#7c3aed", labels)

    ax = fig.add_subplot(grid[3, :])
    ax.plot(
        times, _nan(series["sentiment"]), color=COLORS["sentiment"], lw=1.4, label=labels["series_sentiment"]
    )
    if any(v is not None for v in series["vision_happy"]):
        ax.plot(times, _nan(series["vision_happy"]), color="#e67e22", lw=1.2, label=labels["series_vision"])
    ax.axhline(0, color="#999", lw=0.6)
    ax.set_ylim(-1, 1)
    moods = ", ".join(f"{labels.get('mood_' + m, m)} {share:.0%}" for m, share in report["moods"].items())
    _style(ax, f"{labels['chart_mood']}  ({moods})" if moods else labels["chart_mood"], "", fmt_time)
    ax.legend(fontsize=7, loc="upper left", frameon=False)

    ax = fig.add_subplot(grid[4, 0])
    ax.set_ylim(bottom=0, top=max(1.0, *series["recommendations_per_min"]) * 1.1)
    ax.bar(
        times, series["recommendations_per_min"], width=max(report["bucket_s"], 1) / 86400, color="#1f6feb"
    )
    _style(ax, labels["chart_recommendations"], labels["per_min"], fmt_time)
    _barh(
        fig.add_subplot(grid[4, 1]),
        report["top_questions"][:6],
        labels["chart_questions"],
        "#d4a000",
        labels,
        wrap=28,
    )
    _ranked_list(fig.add_subplot(grid[5, 0]), report["demand"][:6], labels["chart_demand"], labels, cut=44)
    revenue = [
        (f"{row['platform']}  {row['text']}", int(row["events"])) for row in report["revenue"]["totals"][:6]
    ]
    _ranked_list(fig.add_subplot(grid[5, 1]), revenue, labels["chart_revenue"], labels, cut=44)

    out = io.BytesIO()
    fig.savefig(
        out, format=fmt, metadata={"Title": f"liveroom report {report['id']}"} if fmt == "pdf" else None
    )
    return out.getvalue()


def _nan(values: list[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]


def _style(ax: Any, title: str, ylabel: str, fmt_time: Any) -> None:
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_formatter(fmt_time)
    ax.grid(alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _ranked_list(
    ax: Any, rows: list[tuple[str, int]], title: str, labels: dict[str, str], cut: int = 100
) -> None:
    """Viewer text with its count, one per line (long asks are cut at ``cut`` characters, not to a bar
    label's length)."""
    ax.set_title(title, fontsize=10, loc="left")
    ax.axis("off")
    if not rows:
        ax.text(0.5, 0.5, labels["none"], ha="center", va="center", color="#888", transform=ax.transAxes)
        return
    for i, (text, count) in enumerate(rows):
        y = 1 - (i + 0.5) / max(len(rows), 4)
        ax.text(0.0, y, f"×{count}", fontsize=8, fontweight="bold", color="#c0392b", transform=ax.transAxes)
        shown = text if len(text) <= cut else text[: cut - 1] + "…"
        ax.text(0.14 if cut < 100 else 0.07, y, plain_text(shown), fontsize=8, transform=ax.transAxes)


def _barh(
    ax: Any, rows: list[tuple[str, int]], title: str, color: str, labels: dict[str, str], wrap: int = 22
) -> None:
    ax.set_title(title, fontsize=10, loc="left")
    if not rows:
        ax.text(0.5, 0.5, labels["none"], ha="center", va="center", color="#888", transform=ax.transAxes)
        ax.axis("off")
        return
    names = [plain_text(n if len(n) <= wrap else n[: wrap - 1] + "…") for n, _ in rows][::-1]
    ax.barh(names, [c for _, c in rows][::-1], color=color)
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
