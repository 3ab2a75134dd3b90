"""Two gateway shards (real ``python -m bot serve`` processes) split the rooms and share one bot
account's send budget in the machine's Redis; the budget survives Redis being unreachable.

The gateways answer a custom ``!command`` (no Rasa or graph needed), so the test measures only
sharding and pacing. The simulator's send budget is set to 5 per 30 s: twenty commands spread over
both shards must yield exactly five messages in total — ten if each shard kept its own budget.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import redis

from bot.outbound.pacer import PendingReply, RedisSendBudget, ReplyPacer, SendLimit, shared_budgets
from bot.outbound.shards import ShardConfig, shard_of
from connectors.base import OutboundMessage
from connectors.simulator.replay import replay_headers, replay_url
from ops.metrics_text import parse_samples, total
from tests.conftest import free_port
from tests.scaleout.conftest import Proc, base_env

LIMIT = 5


def rooms_of(shard: int, count: int = 2, n: int = 2) -> list[str]:
    return [r for r in (f"room{i}" for i in range(100)) if shard_of("simulator", r, count) == shard][:n]


@pytest.fixture(scope="module")
def shards(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], str]]:
    """Two gateway shards on free ports; yields their URLs and the Redis key prefix they share."""
    prefix = f"lrtest{secrets.token_hex(4)}"
    var_dir: Path = tmp_path_factory.mktemp("shards")
    commands = var_dir / "commands.json"
    commands.write_text(json.dumps({"commands": {"hello": "hello from liveroom"}}))
    procs, urls = [], []
    for index in (0, 1):
        port = free_port()
        env = base_env(
            var_dir / f"shard{index}",
            LIVEROOM_GATEWAY_PORT=str(port),
            LIVEROOM_SHARD=f"{index}/2",
            LIVEROOM_REDIS_URL=redis_url,
            LIVEROOM_REDIS_PREFIX=prefix,
            LIVEROOM_SEND_LIMIT_SIMULATOR=f"{LIMIT}/30",
            LIVEROOM_COMMANDS_FILE=str(commands),
            LIVEROOM_CONNECTORS="simulator",
            LIVEROOM_RASA_URL=f"http://127.0.0.1:{free_port()}",  # nothing there: commands need no Rasa
            LIVEROOM_ACTION_ENDPOINT=f"http://127.0.0.1:{free_port()}/webhook",
            FALKORDB_PORT=str(free_port()),
        )
        procs.append(Proc([sys.executable, "-m", "bot", "serve"], env, f"shard{index}"))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for proc in procs:
            proc.wait_for("gateway up with connectors", 60)
        yield urls, prefix
    finally:
        for proc in procs:
            proc.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


async def collect_bot_messages(
    ws: aiohttp.ClientWebSocketResponse, into: list[str], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            msg = await ws.receive_json(timeout=0.2)
        except (TimeoutError, asyncio.TimeoutError):
            continue
        if msg.get("type") == "chat" and msg.get("bot"):
            into.append(msg["text"])


async def metric(session: aiohttp.ClientSession, url: str, name: str, **labels: str) -> float:
    async with session.get(f"{url}/metrics") as resp:
        return total(parse_samples(await resp.text()), name, **labels)


async def test_two_shards_share_one_send_budget(shards: tuple[list[str], str], redis_url: str) -> None:
    urls, prefix = shards
    sent: list[str] = []
    stop = asyncio.Event()
    async with aiohttp.ClientSession() as session:
        sockets = []
        for index, url in enumerate(urls):
            for room in rooms_of(index, n=6):  # one reply per room even when a room's greetings merge
                ws = await session.ws_connect(
                    replay_url(f"{url.replace('http', 'ws')}/ws/rooms/{room}"), headers=replay_headers()
                )
                assert (await ws.receive_json(timeout=5))["type"] == "welcome"
                sockets.append(ws)
        readers = [asyncio.create_task(collect_bot_messages(ws, sent, stop)) for ws in sockets]
        for i in range(24):  # 2 viewers per room, 12 rooms on 2 shards: 12 replies wanted, 6 per shard
            ws = sockets[i % len(sockets)]
            await ws.send_str(json.dumps({"type": "chat", "viewer": f"viewer{i}", "text": "!hello"}))
        await asyncio.sleep(6)
        stop.set()
        await asyncio.gather(*readers)
        per_shard = [await metric(session, url, "liveroom_pacer_total", outcome="sent") for url in urls]
        for ws in sockets:
            await ws.close()
    assert len(sent) == LIMIT, sent  # 10 if each shard had its own budget
    assert sum(per_shard) == LIMIT, per_shard
    key = f"{prefix}:send-budget:simulator:liveroom"
    assert redis.Redis.from_url(redis_url).zcard(key) == LIMIT


async def test_a_shard_drops_rooms_of_the_other_shard_with_a_counted_reason(
    shards: tuple[list[str], str],
) -> None:
    urls, _ = shards
    foreign = rooms_of(1)[0]  # owned by shard 1, sent to shard 0
    async with aiohttp.ClientSession() as session:
        before = await metric(session, urls[0], "liveroom_events_dropped_total", reason="other_shard")
        async with session.ws_connect(f"{urls[0].replace('http', 'ws')}/ws/rooms/{foreign}") as ws:
            await ws.receive_json(timeout=5)
            await ws.send_str(json.dumps({"type": "chat", "viewer": "lost", "text": "!hello"}))
            await asyncio.sleep(1.5)
        after = await metric(session, urls[0], "liveroom_events_dropped_total", reason="other_shard")
    assert after == before + 1


def test_shard_config_splits_rooms_evenly_and_validates() -> None:
    owners = [shard_of("twitch", f"channel{i}", 2) for i in range(1000)]
    assert 400 < owners.count(0) < 600
    assert ShardConfig(1, 2, redis_url="redis://x").owns(
        "twitch", next(f"c{i}" for i in range(99) if shard_of("twitch", f"c{i}", 2) == 1)
    )
    with pytest.raises(ValueError, match="LIVEROOM_REDIS_URL"):
        ShardConfig.from_env({"LIVEROOM_SHARD": "0/2"})
    with pytest.raises(ValueError, match="0/2"):
        ShardConfig.from_env({"LIVEROOM_SHARD": "two"})
    with pytest.raises(ValueError, match="i/N"):
        ShardConfig.from_env({"LIVEROOM_SHARD": "2/2", "LIVEROOM_REDIS_URL": "redis://127.0.0.1"})


async def test_concurrent_budgets_in_redis_never_exceed_the_limit(redis_url: str) -> None:
    """Four budgets (as four shards) race for one account's 7 sends: exactly 7 are granted."""
    prefix = f"lrtest{secrets.token_hex(4)}"
    make = shared_budgets(redis_url, "acct", shards=4, prefix=prefix)
    budgets = [make("twitch", SendLimit(7, 30)) for _ in range(4)]
    granted = [b.try_spend() for _ in range(10) for b in budgets]
    assert sum(granted) == 7
    assert all(b.remaining() == 0 for b in budgets)
    assert 29 < budgets[0].wait_time() <= 30
    redis.Redis.from_url(redis_url).delete(f"{prefix}:send-budget:twitch:acct")


async def test_redis_down_falls_back_to_a_conservative_local_budget() -> None:
    """Nothing listens on the port: sends continue within limit/shards, counted and logged, no crash."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    budget = shared_budgets(dead, "acct", shards=2)("twitch", SendLimit(20, 30))
    assert isinstance(budget, RedisSendBudget)
    sent: list[OutboundMessage] = []
    events: list[tuple[str, int]] = []

    async def send(message: OutboundMessage) -> None:
        sent.append(message)

    pacer = ReplyPacer(
        send, "twitch", budget.limit, budget=budget, on_event=lambda o, n: events.append((o, n))
    )
    for i in range(30):
        pacer.submit(PendingReply(room="r", text=f"answer {i}", mention=f"v{i}", reply_to=None))
    while await pacer.flush_one() is not None:
        pass
    assert len(sent) == 10  # 20 per 30 s shared by 2 shards -> 10 each without Redis
    assert budget.degraded
    assert ("budget_fallback", 1) in events
    assert re.fullmatch(r"@v\d+ answer \d+", sent[0].text)
