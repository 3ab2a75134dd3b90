"""PNG charts of the load, soak and ingest benchmarks (matplotlib, headless)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle


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


def ingest_chart(result: dict[str, Any], path: Path, title: str) -> Path:
    """bench_ingest.py's run: messages per CPU-second from the physical limit down to plain Rasa (left,
    log scale, with the targets) and the per-message stages of ``Gateway.ingest`` (right, µs/message)."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(13, 5.5), dpi=110, gridspec_kw={"width_ratios": [1.3, 1]}
    )
    bars = {
        "json.loads\nonly (limit)": result.get("physical_limit", {}).get("msgs_per_server_cpu_s"),
        "in process\ngenerated": result.get("in_process", {}).get("generated", {}).get("msgs_per_cpu_s"),
        "in process\nreal-style": result.get("in_process", {}).get("real_style", {}).get("msgs_per_cpu_s"),
        "2 shards\n(both CPUs)": result.get("shards", {}).get("two_shards_msgs_per_cpu_s"),
        "full stack\n(gateway)": result.get("full_stack", {}).get("msgs_per_gateway_cpu_s"),
        "full stack\nchatter only": result.get("full_stack_chatter_only", {}).get("msgs_per_gateway_cpu_s"),
        "plain Rasa\nREST (wall)": result.get("plain_rasa_rest_msgs_per_s"),
    }
    names = [n for n, v in bars.items() if v]
    values = [float(bars[n] or 0) for n in names]
    colours = ["#9e9e9e", "tab:blue", "tab:blue", "tab:green", "tab:purple", "tab:purple", "tab:red"]
    drawn = left.bar(names, values, color=[colours[list(bars).index(n)] for n in names])
    for bar, value in zip(drawn, values, strict=True):
        left.annotate(f"{value:,.0f}", (bar.get_x() + bar.get_width() / 2, value), ha="center", va="bottom",
                      fontsize=8)  # fmt: skip
    left.axhline(10_000, color="grey", linestyle=":", label="target 10,000 per core")
    left.axhline(8_000, color="tab:purple", linestyle=":", alpha=0.6, label="target 8,000 full stack")
    left.set_yscale("log")
    left.set_ylabel("messages per CPU-second (Rasa: per second)")
    left.tick_params(axis="x", labelsize=7.5)
    left.grid(True, axis="y", which="both", alpha=0.3)
    left.legend(fontsize=8)
    stages = result.get("stages", {})
    keys = [
        "language",
        "sentiment",
        "triage",
        "moderation",
        "toxicity",
        "audience",
        "metrics",
        "rest",
        "total",
    ]
    width = 0.8 / max(1, len(stages))
    for k, (log, table) in enumerate(stages.items()):
        ys = [i + (k - (len(stages) - 1) / 2) * width for i in range(len(keys))]
        right.barh(ys, [table.get(key, 0.0) for key in keys], width, label=log,
                   color=("tab:blue", "tab:orange")[k % 2])  # fmt: skip
    right.set_yticks(range(len(keys)), [("  (toxicity)" if k == "toxicity" else k) for k in keys])
    right.invert_yaxis()
    right.set_xlabel("µs per message (each stage alone, warm)")
    right.axvline(100, color="grey", linestyle=":", label="100 µs = 10,000/s")
    right.grid(True, axis="x", alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def icicle(stacks: Mapping[tuple[str, ...], int], path: Path, title: str, max_depth: int = 40) -> Path:
    """A flame graph as a PNG (root on top, callees below; width = share of samples) from collapsed stacks
    (py-spy ``-f raw``): dependable where rendering the SVG would need a browser. Frames narrower than
    0.5 % are left out, labels only where they fit."""
    tree: dict[str, Any] = {"n": 0, "kids": {}}
    for stack, count in stacks.items():
        node = tree
        node["n"] += count
        for frame in stack[:max_depth]:
            node = node["kids"].setdefault(frame, {"n": 0, "kids": {}})
            node["n"] += count
    whole = tree["n"] or 1
    depth_seen = [0]
    fig, ax = plt.subplots(figsize=(16, 10), dpi=110)
    cmap = plt.get_cmap("YlOrRd")

    def draw(node: dict[str, Any], x: float, depth: int) -> None:
        for frame, kid in sorted(node["kids"].items(), key=lambda kv: -kv[1]["n"]):
            width = kid["n"] / whole
            if width >= 0.005:
                depth_seen[0] = max(depth_seen[0], depth)
                colour = cmap(0.25 + 0.5 * (zlib.crc32(frame.encode()) % 100) / 100)
                ax.add_patch(Rectangle((x, depth), width, 0.95, facecolor=colour, edgecolor="white", lw=0.3))
                label = f"{frame.split(' (')[0]} {100 * width:.0f}%"
                if width * 16 * 110 / 6.5 > len(label) + 2:
                    ax.text(x + 0.002, depth + 0.5, label, va="center", fontsize=6.5, clip_on=True)
                elif width >= 0.012:  # too narrow to read across: the function's name, upright
                    short = f"{frame.split(' (')[0].rsplit('.', 1)[-1][:16]} {100 * width:.0f}%"
                    ax.text(x + width / 2, depth + 0.5, short, rotation=90, ha="center", va="center",
                            fontsize=5.5, clip_on=True)  # fmt: skip
                draw(kid, x, depth + 1)
            x += width

    draw(tree, 0.0, 0)
    ax.set_xlim(0, 1)
    ax.set_ylim(depth_seen[0] + 1, 0)
    ax.set_xlabel(f"share of {whole:,} samples")
    ax.set_yticks([])
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
