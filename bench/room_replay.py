"""Replay a room's chat through the running stack and record what the bot did with every line.

The lines go over the simulator WebSocket as the viewers who wrote them (one replay-mode socket speaks for
every viewer, as in ``connectors/simulator/replay.py``), each with its own ``message_id``, at a steady
rate. Three things come back on that socket and are tied to a line:

- the room's echo of each accepted message (a line with no echo was refused by the connector: dropped);
- the bot's messages, by ``reply_to`` (a reply merged for several viewers carries their ``@mentions``);
- ``deleted`` / ``timed_out`` notices (moderation live, not in dry run).

Moderation decisions (dry run included) are read from the moderator dashboard's frame, which lists the
gateway's recent moderation log; the gateway's own accounting (``/metrics``) closes each room's replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.loadgen import scrape, settle
from bench.room_logs import RoomLine, schedule
from connectors.simulator.replay import replay_headers, replay_url
from connectors.tasks import cancel_and_wait
from ops.metrics_text import Samples, by_label, total

LEADING_MENTIONS = re.compile(r"^((?:@\S+\s+)+)")


@dataclass
class BotMessage:
    """A message the bot posted in the room, as the viewers saw it."""

    text: str
    reply_to: str | None
    at: float


@dataclass
class RoomRun:
    """What one room's replay saw; ``message_ids[i]`` is the id of ``lines[i]``."""

    room: str
    lines: list[RoomLine]
    message_ids: list[str]
    accepted: set[str] = field(default_factory=set)
    replies: dict[str, list[BotMessage]] = field(default_factory=lambda: defaultdict(list))
    unprompted: list[BotMessage] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    timed_out: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the connector's error reasons
    metrics: dict[str, Any] = field(default_factory=dict)
    send_s: float = 0.0
    behind_s: float = 0.0
    unaccounted: float = 0.0

    def __post_init__(self) -> None:
        self._ids = set(self.message_ids)
        pairs = zip(self.message_ids, self.lines, strict=True)
        self._viewers = {mid: str(frame_for(line, mid)["viewer"]) for mid, line in pairs}

    def message_ids_set(self) -> set[str]:
        return self._ids

    def viewer_of(self, message_id: str) -> str:
        """The viewer name a line was sent under (as the simulator and the moderation log show it)."""
        return self._viewers[message_id]


class ModerationLog:
    """Every moderation row the dashboard shows, polled (the frame holds only the newest 30)."""

    def __init__(self, session: aiohttp.ClientSession, gateway_url: str, interval_s: float = 0.5) -> None:
        self.session = session
        self.url = f"{gateway_url}/dashboard/frame.json"
        self.interval_s = interval_s
        self.rows: dict[str, dict[str, Any]] = {}
        self.full_frames = 0  # polls that saw a full frame: rows may have scrolled past unseen
        self._task: asyncio.Task[None] | None = None

    async def poll(self) -> None:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
            async with self.session.get(self.url) as resp:
                if resp.status != 200:
                    return
                frame = json.loads(await resp.text() or "{}")
            rows = frame.get("moderation") or []
            fresh = [row for row in rows if row.get("id") not in self.rows]
            if rows and len(fresh) == len(rows) and len(rows) >= 30 and self.rows:
                self.full_frames += 1
            for row in fresh:
                self.rows[str(row.get("id"))] = row

    async def _run(self) -> None:
        while True:
            await self.poll()
            await asyncio.sleep(self.interval_s)

    async def __aenter__(self) -> ModerationLog:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.sleep(1.2)  # the sampler publishes one frame a second: take the last one
        await self.poll()
        assert self._task is not None
        await cancel_and_wait(self._task)


def frame_for(line: RoomLine, message_id: str) -> dict[str, Any]:
    """The simulator client frame of one line: the viewer's name without spaces (a merged reply's
    ``@mentions`` are split on them), cut to the protocol's 40 characters."""
    viewer = "_".join(line.viewer.split())[:40] or "viewer"
    return {
        "type": "chat",
        "viewer": viewer,
        "viewer_id": viewer,
        "message_id": message_id,
        "text": line.text,
    }


async def replay_room(
    session: aiohttp.ClientSession,
    gateway_url: str,
    room: str,
    lines: list[RoomLine],
    rate: float,
    run_id: str,
    progress: Callable[[str], None] = print,
    settle_timeout_s: float = 180.0,
    own_pace: bool = False,
) -> RoomRun:
    """Send ``lines`` into ``room`` at ``rate`` lines/s (or at the log's own pace: :func:`schedule`), wait for
    the stack to finish them, return the run."""
    ids = [f"{run_id}-{room}-{i}" for i in range(len(lines))]
    run = RoomRun(room, lines, ids)
    own = run.message_ids_set()
    awaiting: dict[str, list[str]] = defaultdict(list)  # viewer -> their lines without a reply yet
    before = await scrape(session, gateway_url)
    ws_url = gateway_url.replace("http://", "ws://") + f"/ws/rooms/{room}"
    # replay mode: one socket for every viewer of the log (``session`` is a logged-in moderator's)
    async with session.ws_connect(replay_url(ws_url), headers=replay_headers(), max_msg_size=0) as ws:
        await ws.receive_json(timeout=10)  # welcome

        def on_frame(data: dict[str, Any]) -> None:
            kind = data.get("type")
            if kind == "deleted":
                run.deleted.add(str(data.get("message_id")))
            elif kind == "timed_out":
                run.timed_out.append(str(data.get("viewer_id")))
            elif kind == "error":
                run.refused.append(str(data.get("reason")))
            elif kind == "chat" and not data.get("bot"):
                if data.get("message_id") in own:
                    run.accepted.add(str(data["message_id"]))
            elif kind == "chat":
                attribute(
                    run, awaiting, BotMessage(str(data.get("text", "")), data.get("reply_to"), time.time())
                )

        async def read() -> None:
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    with contextlib.suppress(ValueError):
                        on_frame(json.loads(msg.data))

        reader = asyncio.create_task(read())
        offsets = schedule(lines, rate, own_pace)
        start = time.perf_counter()
        last_report = start
        for i, (mid, line) in enumerate(zip(ids, lines, strict=True)):
            delay = start + offsets[i] - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                run.behind_s = max(run.behind_s, -delay)
            awaiting[run.viewer_of(mid)].append(mid)
            await ws.send_str(json.dumps(frame_for(line, mid), ensure_ascii=False))
            await asyncio.sleep(0)
            if time.perf_counter() - last_report >= 5 or i + 1 == len(lines):
                last_report = time.perf_counter()
                progress(
                    f"  [{room}] {i + 1}/{len(lines)} sent ({(i + 1) / (last_report - start):.1f}/s), "
                    f"{len(run.replies)} replied to, {len(run.deleted)} deleted"
                )
        run.send_s = time.perf_counter() - start
        await asyncio.sleep(0.5)  # the last echoes
        progress(f"  [{room}] waiting for the stack to finish {len(run.accepted)} accepted lines…")
        after, run.unaccounted = await settle(
            session, gateway_url, before, len(run.accepted), settle_timeout_s
        )
        await asyncio.sleep(2.0)  # stragglers: replies the pacer handed over just now
        await cancel_and_wait(reader)
    run.metrics = gateway_figures(after, before)
    return run


def attribute(run: RoomRun, awaiting: dict[str, list[str]], message: BotMessage) -> None:
    """Tie a bot message to the line it answers: ``reply_to``, else the leading ``@mentions`` (a merged
    reply names every asker: each one's oldest unanswered line), else it was the bot's own idea."""
    targets: list[str] = []
    if message.reply_to in run.message_ids_set():
        targets = [message.reply_to]
    else:
        lead = LEADING_MENTIONS.match(message.text)
        for name in lead.group(1).split() if lead else []:
            pending = awaiting.get(name.removeprefix("@"))
            if pending:
                targets.append(pending[0])
    if not targets:
        run.unprompted.append(message)
        return
    for mid in targets:
        run.replies[mid].append(message)
        viewer_lines = awaiting.get(run.viewer_of(mid), [])
        if mid in viewer_lines:
            viewer_lines.remove(mid)


def gateway_figures(after: Samples, before: Samples) -> dict[str, Any]:
    """The gateway's own accounting of the replay (deltas of its counters)."""
    moderation: dict[str, float] = {}
    for labels, value in after.items():
        if labels[0] != "liveroom_moderation_actions_total":
            continue
        meta = dict(labels[1])
        delta = value - before.get(labels, 0.0)
        if delta:
            key = f"{meta.get('rule', '?')}/{meta.get('action', '?')}/{meta.get('mode', '?')}"
            moderation[key] = moderation.get(key, 0.0) + delta
    return {
        "events_in": total(after, "liveroom_events_in_total") - total(before, "liveroom_events_in_total"),
        "outcomes": by_label(after, before, "liveroom_event_outcomes_total", "outcome"),
        "dropped": by_label(after, before, "liveroom_events_dropped_total", "reason"),
        "answer_paths": by_label(after, before, "liveroom_answers_total", "path"),
        "triage": by_label(after, before, "liveroom_triage_total", "priority"),
        "moderation": moderation,
        # questions of this replay still waiting for Rasa (a gauge: its growth over the replay)
        "deferred": total(after, "liveroom_deferred_questions")
        - total(before, "liveroom_deferred_questions"),
    }
