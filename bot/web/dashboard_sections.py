"""The dashboard frame's sections read from the gateway's in-process state (rooms, the bot's and other
moderators' moderation, connections, send budgets, upstreams), and the rows of the graph's open questions.

Pure reads of memory the gateway already keeps; :class:`bot.web.dashboard_sampler.LiveSampler` calls them
once per second and assembles the frame.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.core.enforcement import ModerationRecord, action_label
from bot.core.gateway import Gateway
from bot.core.moderation import Action
from bot.web.dashboard_notices import NoticeBoard
from knowledge_graph.editing.open_questions import OpenQuestion

MODERATION_ROWS = 30


def undo_status(record: ModerationRecord, gateway: Gateway, now: float) -> str | None:
    """None when the decision can be undone now, else why not (an i18n key suffix)."""
    if record.undone_at is not None:
        return "undone"
    if record.decision.action is Action.DELETE:
        return "deleted"  # no platform restores a deleted chat message
    if record.decision.action is not Action.TIMEOUT:
        return "nothing"  # a warning was already posted; ignore/none changed nothing on the platform
    if not record.executed:
        return "not_executed"  # dry run, or the platform declined: nothing to lift
    if now - record.at > gateway.moderation_timeout_s:
        return "expired"
    connector = gateway.connector(record.platform)
    if connector is None or not connector.can_lift_timeout:
        return "unsupported"
    return None


def record_id(record: ModerationRecord) -> str:
    """A stable id for a log entry while it is in the gateway's bounded log."""
    return f"{record.at:.6f}-{id(record):x}"


def rooms(gateway: Gateway) -> list[dict[str, Any]]:
    """Each room's audience state and queues."""
    out = []
    for room in gateway.room_views():
        snap = room.audience
        out.append(
            {
                "platform": room.platform,
                "room": room.name,
                "mood": snap.mood,
                "sentiment": snap.sentiment,
                "messages_per_minute": snap.messages_per_minute,
                "active_viewers": snap.active_viewers,
                "hot_products": snap.hot_products,
                "vision": {k: round(v, 3) for k, v in snap.vision.items()},
                "attention": None if snap.attention is None else round(snap.attention, 3),
                "queue": room.queue,
                "deferred": room.deferred,
            }
        )
    return out


def top_products(rooms: list[dict[str, Any]]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for room in rooms:
        for name, count in room["hot_products"]:
            counts[name] += count
    return counts.most_common(10)


def not_carried_row(ask: OpenQuestion) -> dict[str, Any]:
    return {
        "id": ask.id,
        "text": ask.text,
        "lang": ask.lang,
        "count": ask.count,
        "platform": ask.platform,
        "room": ask.room,
        "at": ask.at,
        "last_at": ask.last_at,
    }


def moderation(gateway: Gateway, notices: NoticeBoard, now: float) -> list[dict[str, Any]]:
    """The bot's decisions (``source`` "bot", with their undo) and other moderators' actions
    (``source`` "moderator" with ``by`` their name, or "platform"), newest first."""
    rows = bot_moderation(gateway, now) + notices.notice_rows(MODERATION_ROWS)
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:MODERATION_ROWS]


def bot_moderation(gateway: Gateway, now: float) -> list[dict[str, Any]]:
    rows = []
    for record in list(gateway.moderation_log)[-MODERATION_ROWS:][::-1]:
        action = record.decision.action
        rows.append(
            {
                "id": record_id(record),
                "at": round(record.at, 3),
                "platform": record.platform,
                "room": record.room,
                "viewer": record.viewer,
                "text": record.text,
                "action": action.value,
                "rule": record.decision.rule,
                "detail": record.decision.detail,
                "mode": "dry_run" if record.dry_run else "live",
                "label": action_label(action, record.dry_run),
                "executed": record.executed,
                "undone_at": record.undone_at,
                "why_not_undo": undo_status(record, gateway, now),
                "source": "bot",
                "by": "",
            }
        )
    return rows


def connections(gateway: Gateway, notices: NoticeBoard) -> list[dict[str, Any]]:
    out = []
    for name, connector in gateway.platforms().items():
        snap = connector.stats.snapshot()
        out.append(
            {
                "platform": name,
                "rooms": {room: state.value for room, state in sorted(snap.states.items())},
                "received": snap.received,
                "delivered": snap.outcome("delivered"),
                "dropped": snap.outcome("dropped"),
                "reconnects": sum(snap.reconnects.values()),
                "send_failures": sum(n for (o, _), n in snap.sends.items() if o == "failed"),
                # chat silenced, watched / online counters, live (platforms that push them)
                "status": notices.room_status(name),
            }
        )
    return out


def budget(gateway: Gateway) -> list[dict[str, Any]]:
    out = []
    for send in gateway.send_views():
        platform, limit, remaining = send.platform, send.limit, send.remaining
        out.append(
            {
                "platform": platform,
                "limit": limit.messages,
                "window_s": limit.window_s,
                "remaining": remaining,
                "used": limit.messages - remaining,
                "pending": send.pending,
            }
        )
    return out


def upstreams(gateway: Gateway) -> dict[str, bool]:
    return gateway.upstreams()
