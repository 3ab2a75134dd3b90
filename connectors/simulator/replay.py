"""Replay a chat log (JSON lines of normalized events) at a chosen rate.

In process (benchmarks)::

    await Replayer(events, rate=2000).run(sink)        # sink = gateway.ingest or connector.deliver

Over the simulator's WebSocket (a running ``make demo``)::

    python -m connectors.simulator.replay LOG.jsonl --rate 50 --url ws://127.0.0.1:8080/ws/rooms/demo
    python -m connectors.simulator.replay --generate 5000 --out var/chat.jsonl   # write a log

One socket speaks for every viewer of the log: a *replay* socket (``?replay=1``), which the simulator
accepts only with ``Authorization: Bearer $LIVEROOM_SIMULATOR_REPLAY_TOKEN`` (set the same variable for
the gateway) or a logged-in moderator session (see connectors/simulator/connector.py). Pacing is by a
fixed schedule (event i at start + i/rate), so a slow sink does not lower the average rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from connectors.base import ChatEvent, EventKind, EventSink
from connectors.simulator.chatlog import generate, read_log, write_log
from connectors.simulator.connector import REPLAY_TOKEN_ENV

log = logging.getLogger(__name__)


class Replayer:
    """Feeds events to a sink at ``rate`` events/s (0 = as fast as the sink takes them)."""

    def __init__(self, events: Sequence[ChatEvent], *, rate: float = 0.0) -> None:
        if rate < 0:
            raise ValueError("rate must be >= 0")
        self.events = events
        self.rate = rate
        self.behind_s = 0.0  # how far the sink made us fall behind the schedule, at worst

    async def run(self, sink: EventSink) -> float:
        """Deliver every event in order; returns the elapsed seconds."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        for i, event in enumerate(self.events):
            if self.rate:
                due = started + i / self.rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    self.behind_s = max(self.behind_s, -delay)
            await sink(event)
        return loop.time() - started


def ensure_replay_token(env: MutableMapping[str, str] = os.environ) -> str:
    """The replay token in ``env``, created (random) when unset: a process that starts the stack and then
    replays into it (tests, benchmarks) gives the gateway and its own clients the same one."""
    token = env.get(REPLAY_TOKEN_ENV, "").strip()
    if not token:
        token = env[REPLAY_TOKEN_ENV] = secrets.token_urlsafe(24)
    return token


def replay_url(url: str) -> str:
    """A simulator room URL in replay mode (many viewers, their own ids, message ids and roles)."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, "replay=1") if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def replay_headers(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The bearer header a replay socket needs (empty without a token: then a moderator session must do)."""
    token = env.get(REPLAY_TOKEN_ENV, "").strip()
    return {"Authorization": f"Bearer {token}"} if token else {}


def to_frame(event: ChatEvent) -> dict[str, Any]:
    """A normalized event as a simulator client frame (chat, gift or super_chat)."""
    frame: dict[str, Any] = {
        "viewer": event.display_name[:40],
        "viewer_id": event.viewer_id[:40],
        "message_id": event.message_id[:64],
        "roles": sorted(r.value for r in event.roles if r.value != "bot"),
    }
    if event.kind is EventKind.GIFT:
        value = event.money.amount if event.money else 0.0
        return {
            "type": "gift",
            "gift": event.item or "gift",
            "count": max(1, event.count),
            "value": value,
            **frame,
        }
    if event.kind is EventKind.SUPER_CHAT:
        return {
            "type": "super_chat",
            "text": event.text,
            "amount": event.money.amount if event.money else 0,
            **frame,
        }
    return {"type": "chat", "text": event.text, **frame}


async def replay_over_websocket(events: Sequence[ChatEvent], url: str, rate: float) -> dict[str, float]:
    replayable = [e for e in events if e.kind in (EventKind.CHAT, EventKind.GIFT, EventKind.SUPER_CHAT)]
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(replay_url(url), headers=replay_headers()) as ws,
    ):
        welcome = await ws.receive_json(timeout=10)
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"unexpected first frame from {url}: {welcome}")

        async def send(event: ChatEvent) -> None:
            await ws.send_str(json.dumps(to_frame(event), ensure_ascii=False))

        replayer = Replayer(replayable, rate=rate)
        elapsed = await replayer.run(send)
    return {
        "events": len(replayable),
        "elapsed_s": elapsed,
        "rate": len(replayable) / elapsed if elapsed else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.simulator.replay", description=__doc__.split("\n")[0]
    )
    parser.add_argument("log", nargs="?", type=Path, help="JSON lines of normalized events")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="events per second (0 = as fast as possible)"
    )
    parser.add_argument("--url", default="ws://127.0.0.1:8080/ws/rooms/demo")
    parser.add_argument("--generate", type=int, metavar="N", help="write N generated events to --out instead")
    parser.add_argument("--out", type=Path, default=Path("var/chat.jsonl"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.generate:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        count = write_log(args.out, generate(args.generate, seed=args.seed))
        log.info("wrote %d events to %s", count, args.out)
        return 0
    if args.log is None:
        parser.error("a LOG file (or --generate N) is required")
    events = list(read_log(args.log))
    started = time.perf_counter()
    result = asyncio.run(replay_over_websocket(events, args.url, args.rate))
    log.info("replayed %d events in %.1fs (%.1f/s) to %s", result["events"], time.perf_counter() - started,
             result["rate"], args.url)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
