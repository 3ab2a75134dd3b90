"""PNG charts of the load and soak benchmarks (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def latency_vs_load(
    curves: dict[str, list[tuple[float, float, float]]],
    target_ms: float,
    path: Path,
    title: str,
    xlabel: str = "offered chat load (messages/s, ~7 % questions, bursts of 10x)",
) -> Path:
    """``curves``: system -> [(offered rate, p50 ms, p95 ms)]; log-log, with the p95 target line."""
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for (name, points), colour in zip(curves.items(), ("tab:blue", "tab:red", "tab:green"), strict=False):
        points = sorted(points)
        xs = [p[0] for p in points]
        ax.plot(xs, [p[2] for p in points], "o-", color=colour, label=f"{name} p95")
        ax.plot(xs, [p[1] for p in points], "s--", color=colour, alpha=0.5, label=f"{name} p50")
    ax.axhline(target_ms, color="grey", linestyle=":", label=f"target p95 {target_ms:g} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("reply latency to questions (ms)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def soak_chart(
    rss_mb: dict[str, list[tuple[float, float]]], p95_ms: list[tuple[float, float]], path: Path, title: str
) -> Path:
    """RSS per process over time (top) and p95 reply latency per window (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), dpi=110, sharex=True)
    for name, series in sorted(rss_mb.items()):
        top.plot([t / 60 for t, _ in series], [v for _, v in series], label=name)
    top.set_ylabel("RSS (MB)")
    top.set_yscale("log")
    top.grid(True, which="both", alpha=0.3)
    top.legend(fontsize=8, ncol=3)
    bottom.plot([t / 60 for t, _ in p95_ms], [v for _, v in p95_ms], "o-", color="tab:red")
    bottom.set_ylabel("p95 reply latency (ms)")
    bottom.set_xlabel("minutes")
    bottom.grid(True, alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def outcome_bars(
    groups: dict[str, dict[str, int]], outcomes: tuple[str, ...], path: Path, title: str
) -> Path:
    """One horizontal bar per group (e.g. expected outcome or log), stacked by actual outcome, in % of the
    group's lines, with the group's size on the left."""
    colours = {"silent": "#9e9e9e", "answer": "tab:blue", "handoff": "tab:purple", "moderate": "tab:red",
               "dropped": "tab:orange"}  # fmt: skip
    names = list(groups)
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.55 * len(names)), dpi=110)
    left = [0.0] * len(names)
    for outcome in outcomes:
        shares = []
        for name in names:
            size = sum(groups[name].values())
            shares.append(100 * groups[name].get(outcome, 0) / size if size else 0.0)
        ax.barh(names, shares, left=left, color=colours.get(outcome), label=outcome)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(range(len(names)), [f"{n} (n={sum(groups[n].values())})" for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of lines")
    ax.set_title(title, pad=24)
    ax.legend(fontsize=8, ncol=len(outcomes), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def accuracy_bars(
    cells: dict[str, dict[str, dict[str, float] | None]], target_pct: float, path: Path, title: str
) -> Path:
    """``cells``: group -> series -> {"accuracy_pct", "wrong_pct", "n"} (or None: not measured). One bar per
    series in each group (accuracy %), the wrong-answer rate as a red mark on it, and the target line."""
    groups = list(cells)
    series = sorted({s for row in cells.values() for s in row})
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(groups) + 2), 5), dpi=110)
    for k, (name, colour) in enumerate(zip(series, ("tab:blue", "tab:orange", "tab:green"), strict=False)):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(groups))]
        rows = [cells[g].get(name) for g in groups]
        acc = [(r["accuracy_pct"] or 0.0) if r else 0.0 for r in rows]
        bars = ax.bar(xs, acc, width, color=colour, label=f"{name} accuracy")
        for bar, r in zip(bars, rows, strict=True):
            if r:
                ax.annotate(
                    f"n={r['n']:g}",
                    (bar.get_x() + bar.get_width() / 2, 1),
                    ha="center",
                    fontsize=6,
                    rotation=90,
                    va="bottom",
                )
        wrong = [(x, r["wrong_pct"]) for x, r in zip(xs, rows, strict=True) if r and r["wrong_pct"]]
        ax.scatter(
            [x for x, _ in wrong],
            [w for _, w in wrong],
            marker="_",
            s=200,
            linewidths=3,
            color="red",
            zorder=3,
            label="wrong answers %" if k == 0 else None,
        )
    ax.axhline(target_pct, color="grey", linestyle=":", label=f"target {target_pct:g} %")
    ax.set_xticks(range(len(groups)), groups, rotation=30, ha="right")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of questions")
    ax.set_title(title, pad=24)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
