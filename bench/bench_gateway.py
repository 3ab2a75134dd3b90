"""Gateway ingest throughput and reply latency, against plain Rasa REST in the same run.

1. Ingest: a generated live-chat log (90 % chatter, 10 % questions, English and Chinese, 2,000 viewers)
   through ``Gateway.ingest`` with triage, moderation, language and sentiment on, on one core
   (messages/s). Baseline: plain ``rasa run`` with the REST channel handling every message of the same
   log (closed loop, 8 in flight), messages/s. Target: >= 1,000 msgs/s per core.
2. Reply latency at 100 bot-directed questions/s for 15 s through the simulator WebSocket (open loop;
   80 % price questions naming a product, 20 % other questions: stock, discounts, colours, schedule,
   shipping, returns): p50/p95/p99 from send to the bot's reply. The platform is excluded (the
   simulator's send budget is lifted). Baseline: the same questions POSTed to plain Rasa REST at the
   same rate. Target: p95 < 250 ms. The answer paths are printed too: in live chat many viewers ask
   the same few questions, so most answers come from the fast lane and shared Rasa turns.

Run: .venv/bin/python bench/bench_gateway.py   (~2-3 minutes: starts the whole stack)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.chat_ingest import OTHER, PRICE_EN, PRICE_ZH, chat_log, ingest_rate, rasa_rest_rate
from bench.common import percentile, write_result
from bench.stack import RunningStack, machine, running_stack
from connectors.simulator.replay import replay_headers, replay_url
from ops.metrics_text import by_label, parse_samples


def question(i: int, rng: random.Random) -> str:
    return rng.choice(PRICE_EN + PRICE_ZH) if rng.random() < 0.8 else rng.choice(OTHER)


async def gateway_latency(stack: RunningStack, rate: float, seconds: float) -> dict[str, float]:
    """Open-loop questions over the simulator WebSocket; latency from send to the bot's reply."""
    rng = random.Random(3)
    n = int(rate * seconds)
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    all_answered = asyncio.Event()
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            replay_url(f"{stack.ws_url}/ws/rooms/bench-latency"), headers=replay_headers(), max_msg_size=0
        ) as ws:
            await ws.receive_json()

            async def read() -> None:
                async for msg in ws:
                    payload = json.loads(msg.data)
                    if not payload.get("bot"):
                        continue
                    now = time.perf_counter()
                    for word in payload["text"].split():
                        if word.startswith("@q") and word[1:] in sent_at:
                            latencies.append(now - sent_at.pop(word[1:]))
                    if len(latencies) == n:
                        all_answered.set()

            reader = asyncio.create_task(read())
            start = time.perf_counter()
            for i in range(n):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                viewer = f"q{i}"
                sent_at[viewer] = time.perf_counter()
                await ws.send_str(json.dumps({"type": "chat", "viewer": viewer, "text": question(i, rng)}))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(60):
                    await all_answered.wait()
            reader.cancel()
    return stats(latencies, n)


async def rasa_rest_latency(stack: RunningStack, rate: float, seconds: float) -> dict[str, float]:
    """The same questions POSTed to plain Rasa REST at the same open-loop rate."""
    rng = random.Random(3)
    n = int(rate * seconds)
    latencies: list[float] = []
    url = f"{stack.rasa_url}/webhooks/rest/webhook"

    async def one(session: aiohttp.ClientSession, i: int, text: str) -> None:
        sent = time.perf_counter()
        try:
            async with session.post(url, json={"sender": f"rest-q{i}", "message": text}) as resp:
                await resp.read()
                if resp.status == 200:
                    latencies.append(time.perf_counter() - sent)
        except (aiohttp.ClientError, TimeoutError):
            pass

    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=0)
    ) as session:
        tasks = []
        start = time.perf_counter()
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, i, question(i, rng))))
        await asyncio.gather(*tasks)
    return stats(latencies, n)


async def answer_paths(stack: RunningStack) -> dict[str, float]:
    """How the gateway answered (fast lane, Rasa turns, shared Rasa turns...), from its /metrics."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.gateway_url}/metrics") as resp:
            return by_label(parse_samples(await resp.text()), {}, "liveroom_answers_total", "path")


def stats(latencies: list[float], n: int) -> dict[str, float]:
    ms = [x * 1000 for x in latencies]
    return {
        "questions": n,
        "answered": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
    }


async def main() -> None:
    events = chat_log(20_000)
    # the platform send budget and the room reply quota (300/min) lifted: the figures are the bot's own
    env = {
        "LIVEROOM_SEND_LIMIT_SIMULATOR": "1000000/1",
        "LIVEROOM_WORKERS_PER_ROOM": "16",
        "LIVEROOM_REPLY_ROOM_REPLIES": "1000000",
    }
    env["LIVEROOM_RASA_REST"] = "1"  # the plain-Rasa baseline speaks to the REST channel
    with running_stack(env) as stack:
        ingest = await ingest_rate(events)
        print(f"gateway ingest (triage, moderation, language, sentiment): {ingest:,.0f} msgs/s on one core")
        rest = await rasa_rest_rate(stack, events)
        print(f"plain Rasa REST handling every message: {rest:,.1f} msgs/s  -> ratio {ingest / rest:,.0f}x")
        ours = await gateway_latency(stack, rate=100, seconds=15)
        print(f"liveroom at 100 questions/s: {ours}")
        paths = await answer_paths(stack)
        print(f"  answered by path (whole run): {paths}")
        theirs = await rasa_rest_latency(stack, rate=100, seconds=15)
        print(f"plain Rasa REST at 100 questions/s: {theirs}")
    ratio = theirs["p95_ms"] / ours["p95_ms"] if ours["p95_ms"] else float("nan")
    print(
        f"p95 ratio (plain Rasa / liveroom): {ratio:,.1f}x; target liveroom p95 < 250 ms, ingest >= 1,000/s"
    )
    path = write_result(
        "gateway",
        {
            "machine": machine(),
            "ingest_msgs_per_s_one_core": round(ingest, 1),
            "rasa_rest_msgs_per_s": round(rest, 2),
            "ingest_ratio": round(ingest / rest, 1),
            "latency_at_100_qps": {"liveroom": ours, "plain_rasa_rest": theirs, "p95_ratio": round(ratio, 1)},
            "liveroom_answer_paths": paths,
            "cpu_count": os.cpu_count(),
        },
    )
    print(f"written to {path}")


if __name__ == "__main__":
    asyncio.run(main())
