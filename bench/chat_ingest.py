"""The in-process ingest measurement the gateway and ingest benchmarks share: a generated live-chat log
and ``Gateway.ingest`` timed over it on one thread, plus plain Rasa REST handling the same log.

One place for each fact: bench/bench_gateway.py, bench/bench_load.py and bench/bench_ingest.py import
these, so "ingest on one core" means the same gateway, the same log and the same stages in each.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.stack import RunningStack
from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.core.gateway import Gateway
from bot.core.rooms import RoomLimits
from bot.core.triage import Triage
from bot.metrics import GatewayMetrics
from connectors.base import ChatEvent
from connectors.simulator.chatlog import CHATTER
from connectors.simulator.connector import SimulatorConnector
from knowledge_graph.store.server import free_port

PRICE_EN = [
    "how much is the matte lipstick?",
    "price of the serum?",
    "how much is the sunscreen",
    "lipstick price??",
]
PRICE_ZH = ["这个口红多少钱", "精华多少钱啊", "防晒霜什么价", "口红价格"]
OTHER = [
    "is the serum in stock?",
    "when is the next stream?",
    "do you ship to shanghai?",
    "精华还有货吗",
    "下次直播什么时候",
    "any discount on the lipstick?",
]
PRODUCT_NAMES = ["matte lipstick", "lipstick", "serum", "sunscreen", "口红", "精华", "防晒霜"]


def chat_log(n: int, seed: int = 1, viewers: int = 2000) -> list[ChatEvent]:
    """``n`` simulator messages in room ``bench``: 90 % chatter (sometimes two phrases), 10 % questions
    (prices, stock, schedule; English and Chinese), from ``viewers`` viewers."""
    rng = random.Random(seed)
    events = []
    for i in range(n):
        viewer = f"v{rng.randrange(viewers)}"
        if rng.random() < 0.1:
            text = rng.choice(PRICE_EN + PRICE_ZH + OTHER)
        else:
            text = (
                f"{rng.choice(CHATTER)} {rng.choice(CHATTER)}" if rng.random() < 0.3 else rng.choice(CHATTER)
            )
        events.append(
            ChatEvent(
                platform="simulator",
                room="bench",
                message_id=f"m{i}",
                viewer_id=viewer,
                display_name=viewer,
                text=text,
                timestamp=time.time(),
            )
        )
    return events


def bench_gateway(session: aiohttp.ClientSession, queue_size: int, metrics: Any = None) -> Gateway:
    """The gateway every in-process ingest figure measures: triage, moderation, language and sentiment on,
    chatter never queued for Rasa (``chatter_per_second=0``), queues large enough that nothing is
    dropped for room, room for every room of a log (``max_rooms`` 1,024: the default 64 would turn
    the rest into cheap drops), and a Rasa URL nobody listens on (workers are not started: ingest only).
    ``metrics`` defaults to a fresh ``GatewayMetrics`` (a recording wrapper may stand in)."""
    config = GatewayConfig(
        rasa_url=f"http://127.0.0.1:{free_port()}", chatter_per_second=0, queue_size=queue_size
    )
    return build_gateway(
        config,
        RasaClient(session, config.rasa_url),
        {"simulator": SimulatorConnector()},
        metrics if metrics is not None else GatewayMetrics(),
        triage=Triage("liveroom", PRODUCT_NAMES),
        room_limits=RoomLimits(max_rooms=1024),
    )


@dataclass(frozen=True)
class IngestTimes:
    """Wall and CPU seconds of one pass; on a busy machine the CPU seconds are the steadier figure."""

    messages: int
    wall_s: float
    cpu_s: float

    @property
    def per_s(self) -> float:
        return self.messages / self.wall_s if self.wall_s else 0.0

    @property
    def per_cpu_s(self) -> float:
        return self.messages / self.cpu_s if self.cpu_s else 0.0


async def ingest_times(events: list[ChatEvent], metrics: Any = None) -> IngestTimes:
    """``Gateway.ingest`` over ``events`` on this one thread (workers never get the loop meanwhile:
    ``ingest`` does not await anything that yields), timed by the wall clock and this thread's CPU. The
    toxicity-model checks still waiting for the end of the tick are scored inside the timing."""
    async with aiohttp.ClientSession() as session:
        gateway = bench_gateway(session, len(events), metrics)
        wall, cpu = time.perf_counter(), time.thread_time()
        for event in events:
            await gateway.ingest(event)
        gateway.model_checks.flush()
        times = IngestTimes(len(events), time.perf_counter() - wall, time.thread_time() - cpu)
        await gateway.stop()
    return times


async def ingest_rate(events: list[ChatEvent]) -> float:
    """Messages/s through Gateway.ingest on this one thread."""
    return (await ingest_times(events)).per_s


async def rasa_rest_rate(stack: RunningStack, events: list[ChatEvent], seconds: float = 15.0) -> float:
    """Plain Rasa REST handling every message, 8 in flight, for ``seconds``."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    done = 0
    queue = iter(events)
    deadline = time.monotonic() + seconds
    started = time.perf_counter()

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            event = next(queue, None)
            if event is None:
                return
            body = {"sender": f"rest-{event.viewer_id}", "message": event.text}
            async with session.post(url, json=body) as resp:
                await resp.read()
            done += 1

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(worker(session) for _ in range(8)))
    return done / (time.perf_counter() - started)
