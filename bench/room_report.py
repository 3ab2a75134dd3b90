"""Judge a room replay: each line's outcome, the figures issue 14 set targets for, and the Markdown report.

A line's outcome is what a viewer would see: ``moderate`` (a moderation decision on it, warn included),
``handoff`` (recorded for moderators as an open question or complaint), ``answer`` (a bot reply to it),
``dropped`` (the simulator refused it) or ``silent``. Every line gets exactly one, so replies + silent +
moderated + dropped = lines is checked here, and against the gateway's own outcome counters.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bench.room_logs import EXPECTS, addresses_bot
from bench.room_replay import RoomRun

OUTCOMES = ("silent", "answer", "handoff", "moderate", "dropped")
CHATTER_PATH = "rasa*"  # replies to chatter: the gateway answers chatter only through Rasa (rasa/coalesced)


@dataclass(frozen=True)
class Target:
    """A quality target of issue 14, checked by the script (never by the CI test: behaviour is moving)."""

    key: str
    label: str
    limit: float
    at_most: bool

    def passes(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit


TARGETS = (
    Target("replies_per_200_chat", "bot replies per 200 chat messages not addressed to it", 1.0, True),
    Target("reply_ok_pct", "bot replies that were correct or acceptable (%)", 90.0, False),
    Target("false_handoff_pct", "false hand-offs (% of messages)", 0.2, True),
    Target("friendly_moderated_pct", "friendly messages warned or moderated (%)", 0.5, True),
)


@dataclass
class LineResult:
    room: str
    message_id: str
    source: str
    viewer: str
    text: str
    expect: str | None
    kind: str
    addressed: bool
    outcome: str = "silent"
    replies: list[str] = field(default_factory=list)
    path: str = ""
    moderation: str = ""  # rule/action


def _key(*parts: str) -> tuple[str, ...]:
    return tuple(" ".join(unicodedata.normalize("NFKC", p).split()) for p in parts)


def judge(
    runs: Iterable[RoomRun],
    *,
    bot_name: str,
    moderation_rows: Iterable[dict[str, Any]],
    handoffs: Iterable[dict[str, Any]],
    answer_paths: dict[str, tuple[str, str | None]],
    warnings: Iterable[str],
) -> list[LineResult]:
    """One :class:`LineResult` per replayed line, in replay order."""
    warning_texts = set(warnings)
    results: list[LineResult] = []
    by_mod_key: dict[tuple[str, ...], list[LineResult]] = defaultdict(list)
    by_handoff_key: dict[tuple[str, ...], list[LineResult]] = defaultdict(list)
    for run in runs:
        for mid, line in zip(run.message_ids, run.lines, strict=True):
            viewer = run.viewer_of(mid)
            result = LineResult(
                run.room, mid, line.source, viewer, line.text, line.expect, line.kind,
                addresses_bot(line.text, bot_name),
            )  # fmt: skip
            messages = run.replies.get(mid, [])
            warned = any(
                m.text.split(" ", 1)[-1] in warning_texts or m.text in warning_texts for m in messages
            )
            result.replies = [m.text for m in messages]
            if warned:
                result.outcome, result.moderation = "moderate", "?/warn"
            elif messages:
                result.outcome = "answer"
                result.path = answer_paths.get(mid, (CHATTER_PATH, None))[0]
                if result.path == "empty_turn_handoff":
                    result.outcome = "handoff"
            elif mid in run.deleted:
                result.outcome, result.moderation = "moderate", "?/delete"
            elif mid not in run.accepted:
                result.outcome = "dropped"
            results.append(result)
            by_mod_key[_key(run.room, viewer, line.text[:200])].append(result)
            by_handoff_key[_key(run.room, viewer, line.text.strip()[:500])].append(result)
    for row in sorted(moderation_rows, key=lambda r: float(r.get("at") or 0)):
        queue = by_mod_key.get(_key(str(row.get("room")), str(row.get("viewer")), str(row.get("text"))))
        if queue:
            hit = queue.pop(0)
            hit.outcome, hit.moderation = "moderate", f"{row.get('rule')}/{row.get('action')}"
    for question in sorted(handoffs, key=lambda q: int(q.get("at") or 0)):
        key = _key(str(question.get("room")), str(question.get("viewer_id")), str(question.get("text")))
        queue = by_handoff_key.get(key)
        if queue:
            hit = queue.pop(0)
            if hit.outcome != "moderate":
                hit.outcome = "handoff"
    return results


def pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def figures(results: list[LineResult], runs: list[RoomRun]) -> dict[str, Any]:
    """The report's numbers (JSON-ready)."""
    outcome_counts = Counter(r.outcome for r in results)
    not_addressed = [r for r in results if not r.addressed]
    addressed = [r for r in results if r.addressed]
    replied = [r for r in results if r.outcome in ("answer", "handoff")]
    labelled = [r for r in results if r.expect in EXPECTS]
    friendly = [r for r in labelled if r.expect != "moderate"]
    handoffs = [r for r in results if r.outcome == "handoff"]
    # false: a hand-off of a line that asked nothing of the bot (a shop question it could not answer,
    # handed off honestly, is acceptable, like the replies below)
    false_handoffs = [r for r in handoffs if r.expect not in ("handoff", "answer")]
    labelled_replies = [r for r in replied if r.expect in EXPECTS]
    correct = [r for r in labelled_replies if r.expect == r.outcome]
    acceptable = [r for r in labelled_replies if r.expect in ("answer", "handoff") and r.expect != r.outcome]
    confusion = {
        expect: dict(Counter(r.outcome for r in labelled if r.expect == expect)) for expect in EXPECTS
    }
    na_replied = sum(1 for r in not_addressed if r.outcome in ("answer", "handoff"))
    # the target's chat: not addressed and not a shop question the log expects answered (in a real,
    # unlabelled log every line not addressed to the bot counts)
    chat = [r for r in not_addressed if r.expect not in ("answer", "handoff")]
    chat_replied = sum(1 for r in chat if r.outcome in ("answer", "handoff"))
    gateway = merge_gateway([run.metrics for run in runs])
    lines = len(results)
    accounting = {
        "lines": lines,
        "replies": len(replied),
        "silent": outcome_counts["silent"],
        "moderated": outcome_counts["moderate"],
        "dropped": outcome_counts["dropped"],
    }
    accounting["balanced"] = (
        accounting["replies"] + accounting["silent"] + accounting["moderated"] + accounting["dropped"]
        == lines
    )
    accepted = sum(len(run.accepted) for run in runs)
    gateway_outcomes = sum(gateway["outcomes"].values()) + gateway["deferred"]
    accounting["gateway_events_in"] = gateway["events_in"]
    accounting["gateway_accounted"] = gateway_outcomes
    accounting["gateway_balanced"] = gateway["events_in"] == accepted == gateway_outcomes
    return {
        "lines": lines,
        "labelled_lines": len(labelled),
        "outcomes": {o: outcome_counts[o] for o in OUTCOMES},
        "not_addressed": len(not_addressed),
        "not_addressed_replied": na_replied,
        "replies_per_200_not_addressed": round(200 * na_replied / len(not_addressed), 2)
        if not_addressed
        else None,
        "chat_not_addressed": len(chat),
        "chat_replied": chat_replied,
        "replies_per_200_chat": round(200 * chat_replied / len(chat), 2) if chat else None,
        "addressed": len(addressed),
        "addressed_replied": sum(1 for r in addressed if r.outcome in ("answer", "handoff")),
        "addressed_reply_pct": pct(
            sum(1 for r in addressed if r.outcome in ("answer", "handoff")), len(addressed)
        ),
        "bot_messages": sum(len(r.replies) for r in results) + sum(len(run.unprompted) for run in runs),
        "unprompted_bot_messages": sum(len(run.unprompted) for run in runs),
        "replies_by_path": gateway["answer_paths"],
        "replies_by_path_seen": dict(Counter(r.path or "no reply seen" for r in replied)),
        "handoffs": len(handoffs),
        "handoff_pct": pct(len(handoffs), lines),
        "false_handoffs": len(false_handoffs),
        "false_handoff_pct": pct(len(false_handoffs), lines),
        "moderation_by_rule_action": gateway["moderation"],
        "moderated_pct": pct(outcome_counts["moderate"], lines),
        "moderation_by_line": dict(Counter(r.moderation for r in results if r.outcome == "moderate")),
        "friendly_lines": len(friendly),
        "friendly_moderated": sum(1 for r in friendly if r.outcome == "moderate"),
        "friendly_moderated_pct": pct(sum(1 for r in friendly if r.outcome == "moderate"), len(friendly)),
        "replies_labelled": len(labelled_replies),
        "replies_correct": len(correct),
        "replies_acceptable": len(acceptable),
        "reply_ok_pct": pct(len(correct) + len(acceptable), len(labelled_replies)),
        "confusion": confusion,
        "accounting": accounting,
        "gateway": gateway,
        "targets": {
            t.key: {"label": t.label, "limit": t.limit, "at_most": t.at_most, "pass": None} for t in TARGETS
        },
    }


def check_targets(fig: dict[str, Any]) -> dict[str, Any]:
    """Fill in PASS/FAIL (None: not measurable on this log, e.g. no labels or no replies)."""
    for target in TARGETS:
        value = fig.get(target.key)
        if target.key in ("reply_ok_pct", "friendly_moderated_pct") and not fig["labelled_lines"]:
            value = None
        fig["targets"][target.key].update(value=value, **{"pass": target.passes(value)})
    return fig


def merge_gateway(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum the per-room gateway figures."""
    merged: dict[str, Any] = {"events_in": 0.0, "deferred": 0.0}
    for part in parts:
        merged["events_in"] += part.get("events_in", 0.0)
        merged["deferred"] += part.get("deferred", 0.0)
        for key in ("outcomes", "dropped", "answer_paths", "triage", "moderation"):
            bucket = merged.setdefault(key, {})
            for name, value in part.get(key, {}).items():
                bucket[name] = bucket.get(name, 0.0) + value
    for key in ("outcomes", "dropped", "answer_paths", "triage", "moderation"):
        merged.setdefault(key, {})
    return merged


# --- Markdown -------------------------------------------------------------------------------------------
def _cell(text: str, limit: int = 90) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _balanced(ok: bool) -> str:
    return "balanced" if ok else "NOT balanced"


def _header(*columns: str) -> list[str]:
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[ok]


def markdown(title: str, fig: dict[str, Any], per_log: dict[str, dict[str, Any]], results: list[LineResult],
             meta: dict[str, Any], chart: str | None) -> str:  # fmt: skip
    """The human report: targets, figures, per log, confusion, moderation, every bot reply."""
    out = [f"# {title}", ""]
    out += [f"- {k}: {v}" for k, v in meta.items()]
    out += ["", "## Targets (issue 14)", "", "| target | value | limit | verdict |", "|---|---:|---:|---|"]
    for t in fig["targets"].values():
        limit = f"{'≤' if t['at_most'] else '≥'} {t['limit']:g}"
        out.append(f"| {t['label']} | {t.get('value')} | {limit} | {_verdict(t.get('pass'))} |")
    acc = fig["accounting"]
    out += [
        "",
        "## Figures",
        "",
        f"- lines replayed: {fig['lines']} ({fig['labelled_lines']} with an expected outcome)",
        f"- not addressed to the bot: {fig['not_addressed']}, replied to: {fig['not_addressed_replied']} "
        f"= {fig['replies_per_200_not_addressed']} per 200; of them chat (not a shop question the log "
        f"expects answered): {fig['chat_not_addressed']}, replied to: {fig['chat_replied']} "
        f"= **{fig['replies_per_200_chat']} per 200**",
        f"- addressed to the bot: {fig['addressed']}, replied to: {fig['addressed_replied']} "
        f"({fig['addressed_reply_pct']} %)",
        f"- bot messages in the room: {fig['bot_messages']} ({fig['unprompted_bot_messages']} not replies)",
        f"- hand-offs recorded: {fig['handoffs']} ({fig['handoff_pct']} % of lines), false: "
        f"{fig['false_handoffs']} ({fig['false_handoff_pct']} %)",
        f"- moderated (warn/delete/timeout, dry run counted): {fig['outcomes']['moderate']} "
        f"({fig['moderated_pct']} %); friendly lines moderated: {fig['friendly_moderated']} of "
        f"{fig['friendly_lines']} ({fig['friendly_moderated_pct']} %)",
        f"- labelled replies: {fig['replies_labelled']}, correct {fig['replies_correct']}, acceptable "
        f"{fig['replies_acceptable']} ({fig['reply_ok_pct']} %)",
        f"- accounting: replies {acc['replies']} + silent {acc['silent']} + moderated {acc['moderated']} + "
        f"dropped {acc['dropped']} = {acc['lines']} lines ({_balanced(acc['balanced'])});"
        f" gateway: {acc['gateway_events_in']:g} events in, {acc['gateway_accounted']:g} accounted "
        f"({_balanced(acc['gateway_balanced'])})",
        f"- replies by path (gateway, liveroom_answers_total): {fig['replies_by_path']}",
        f"- replies by path (per line; {CHATTER_PATH} = chatter, answered through Rasa): "
        f"{fig['replies_by_path_seen']}",
        f"- gateway outcomes: {fig['gateway']['outcomes']}; dropped by reason: {fig['gateway']['dropped']}; "
        f"triage: {fig['gateway']['triage']}",
    ]
    if chart:
        out += ["", f"![outcomes]({chart})"]
    out += ["", "## Per log", ""]
    out += _header("log", "lines", "chat not addressed: replies/200", "addressed replied %", "hand-offs",
                   "moderated", "friendly moderated %")  # fmt: skip
    for name, f in per_log.items():
        out.append(
            f"| {name} | {f['lines']} | {f['replies_per_200_chat']} | {f['addressed_reply_pct']} | "
            f"{f['handoffs']} | {f['outcomes']['moderate']} | {f['friendly_moderated_pct']} |"
        )
    if fig["labelled_lines"]:
        out += ["", "## Expected vs actual outcome", ""]
        out += _header("expected \\ actual", *OUTCOMES)
        for expect, row in fig["confusion"].items():
            out.append(f"| {expect} | " + " | ".join(str(row.get(o, 0)) for o in OUTCOMES) + " |")
    out += [
        "",
        "## Moderation by rule and action (gateway)",
        "",
        "| rule/action/mode | count |",
        "|---|---:|",
    ]
    out += [f"| {k} | {v:g} |" for k, v in sorted(fig["moderation_by_rule_action"].items())]
    moderated = [r for r in results if r.outcome == "moderate"]
    out += [
        "",
        "## Moderated lines",
        "",
        "| log line | kind | expected | message | rule/action |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {r.source} | {r.kind or '-'} | {r.expect or '-'} | {_cell(r.text)} | {r.moderation} |"
        for r in moderated
    ]
    replied = [r for r in results if r.outcome in ("answer", "handoff")]
    out += ["", f"## Every bot reply ({len(replied)} lines)", ""]
    out += _header("log line", "kind", "expected", "addressed", "message", "reply", "outcome", "path")
    for r in replied:
        reply = " / ".join(r.replies) or "(hand-off recorded, no reply seen)"
        out.append(
            f"| {r.source} | {r.kind or '-'} | {r.expect or '-'} | {'yes' if r.addressed else 'no'} | "
            f"{_cell(r.text)} | {_cell(reply, 120)} | {r.outcome} | {r.path or '-'} |"
        )
    return "\n".join(out) + "\n"
