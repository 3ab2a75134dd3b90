"""Connector figures: Bilibili decode throughput, Twitch notification rate, reconnect gaps.

Run from the repository root::

    .venv/bin/python bench/bench_connectors.py            # writes bench/results/connectors.json

1. Bilibili decode throughput on one core: realistic frames (brotli and zlib, ~10 danmaku/gift/
   interact messages per packet, like a busy room) through the full receive path minus the socket
   (decode_frame -> json -> ChatEvent). Baseline in the same run: ``json.loads`` of the same message
   bodies already decompressed; the ratio says what framing + decompression + normalization cost.
2. Twitch notification handling rate: notifications through the fake EventSub server and our socket
   into a sink (end to end over loopback, the fake on the same core), and in process (parsed JSON ->
   dedup -> ChatEvent -> sink) to separate our cost from the fake's.
3. Reconnect gaps against the fakes with default backoff: Twitch session_reconnect hand-over (events
   keep flowing on the old socket: max gap between deliveries while streaming) and keepalive death;
   Bilibili server kill (close) and open-but-silent (heartbeat reply deadline).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiohttp.test_utils import TestServer  # noqa: E402

from connectors.base import ChatEvent  # noqa: E402
from connectors.bilibili.client import BilibiliConnector  # noqa: E402
from connectors.bilibili.framing import Op, Packet, Ver, decode_frame, encode_compressed  # noqa: E402
from connectors.bilibili.payloads import Skip, parse_body, to_event  # noqa: E402
from connectors.bilibili.proto import encode_fields  # noqa: E402
from connectors.twitch.connector import TwitchConnector  # noqa: E402
from connectors.twitch.payloads import to_event as twitch_to_event  # noqa: E402
from tests.connectors.fakes.bilibili import FakeBilibili, danmu  # noqa: E402
from tests.connectors.fakes.twitch import FakeTwitch  # noqa: E402
from tests.connectors.test_bilibili_client import config_for as bili_config  # noqa: E402
from tests.connectors.test_twitch_connector import chat_event  # noqa: E402
from tests.connectors.test_twitch_connector import config_for as twitch_config  # noqa: E402

RESULTS = REPO / "bench" / "results"
REPEAT = 7


def _bilibili_messages(n: int) -> list[dict[str, Any]]:
    texts = ["这个口红多少钱", "主播好", "哈哈哈哈哈", "how much is the serum?", "666", "第一次来直播间"]
    messages: list[dict[str, Any]] = []
    for i in range(n):
        if i % 20 == 19:
            gift = {"giftName": "小心心", "num": 1, "uname": f"u{i}", "uid": i, "coin_type": "silver"}
            messages.append({"cmd": "SEND_GIFT", "data": {**gift, "total_coin": 0, "timestamp": 1700000000}})
        elif i % 20 == 7:
            pb = base64.b64encode(encode_fields([(1, i), (2, f"观众{i}"), (5, 1), (7, 1700000000)])).decode()
            messages.append({"cmd": "INTERACT_WORD_V2", "data": {"pb": pb}})
        else:
            messages.append(
                danmu(i, f"观众{i}", texts[i % len(texts)], medal=[i % 30, "粉丝团", "主播", 7734200])
            )
    return messages


def bench_bilibili_decode(n: int = 20_000, per_packet: int = 10) -> dict[str, Any]:
    messages = _bilibili_messages(n)
    bodies = [json.dumps(m, ensure_ascii=False).encode() for m in messages]
    out: dict[str, Any] = {"messages": n, "messages_per_packet": per_packet}
    for ver in (Ver.BROTLI, Ver.ZLIB):
        frames = [
            encode_compressed([Packet(Op.MESSAGE, b) for b in bodies[i : i + per_packet]], ver)
            for i in range(0, n, per_packet)
        ]
        rates = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            count = 0
            for frame in frames:
                for packet in decode_frame(frame):
                    try:
                        to_event(parse_body(packet.body), "7", "7734200")
                    except Skip:
                        pass
                    count += 1
            rates.append(count / (time.perf_counter() - started))
        out[ver.name.lower() + "_msgs_per_s"] = round(statistics.median(rates))
        out[ver.name.lower() + "_best_msgs_per_s"] = round(max(rates))
        out[ver.name.lower() + "_bytes_per_msg"] = round(sum(map(len, frames)) / n, 1)
    base = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        for body in bodies:
            json.loads(body)
        base.append(n / (time.perf_counter() - started))
    out["baseline_json_loads_msgs_per_s"] = round(statistics.median(base))
    out["baseline_json_loads_best_msgs_per_s"] = round(max(base))
    out["ratio_brotli_vs_json_loads"] = round(
        out["brotli_msgs_per_s"] / out["baseline_json_loads_msgs_per_s"], 3
    )
    out["ratio_zlib_vs_json_loads"] = round(out["zlib_msgs_per_s"] / out["baseline_json_loads_msgs_per_s"], 3)
    return out


class _Sink:
    def __init__(self) -> None:
        self.events: list[ChatEvent] = []
        self.times: list[float] = []

    async def __call__(self, event: ChatEvent) -> None:
        self.events.append(event)
        self.times.append(time.perf_counter())


async def _until(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("bench condition not reached")
        await asyncio.sleep(0.001)


async def _fake(fake: Any) -> TestServer:
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    return server


async def bench_twitch(n: int = 5_000) -> dict[str, Any]:
    from connectors.accounting import ConnectorStats
    from connectors.limits import Backoff
    from connectors.twitch.eventsub import EventSubSocket

    out: dict[str, Any] = {"notifications": n}
    # in process: parsed envelope -> dedup -> ChatEvent -> sink
    envelopes = [
        {"metadata": {"message_id": f"id-{i}", "message_type": "notification",
                      "message_timestamp": "2026-11-23T20:00:00.123456789Z",
                      "subscription_type": "channel.chat.message", "subscription_version": "1"},
         "payload": {"subscription": {"type": "channel.chat.message"}, "event": chat_event(i)}}
        for i in range(n)
    ]  # fmt: skip
    sink = _Sink()
    socket = EventSubSocket(url="ws://unused", keepalive_s=10, grace_s=5, subscribe=None, sink=sink,  # type: ignore[arg-type]
                            stats=ConnectorStats("twitch"), session=None, backoff=Backoff())  # type: ignore[arg-type]  # fmt: skip
    raw = [json.dumps(e) for e in envelopes]
    started = time.perf_counter()
    for text in raw:
        await socket._process_notification(json.loads(text))
    out["in_process_per_s"] = round(n / (time.perf_counter() - started))
    started = time.perf_counter()
    for envelope in envelopes:
        twitch_to_event(envelope)  # type: ignore[arg-type]
    out["adapter_only_per_s"] = round(n / (time.perf_counter() - started))

    # end to end through the fake EventSub server over loopback
    fake = FakeTwitch()
    server = await _fake(fake)
    sink = _Sink()
    connector = TwitchConnector(config=twitch_config(fake, keepalive_s=10, keepalive_grace_s=5))
    try:
        await connector.start(sink)
        async with asyncio.timeout(10):
            await connector.eventsub.ready.wait()
        started = time.perf_counter()
        for i in range(n):
            fake.notify("channel.chat.message", chat_event(i))
        await _until(lambda: len(sink.events) >= n)
        out["end_to_end_via_fake_per_s"] = round(n / (time.perf_counter() - started))
    finally:
        await connector.stop()
        await fake.close_all()
        await server.close()
    return out


async def _stream(notify: Callable[[int], object], sink: _Sink, count: int, rate: float, during) -> float:
    """Produce ``count`` events at ``rate``/s, run ``during()`` halfway; max gap between deliveries (ms)."""
    for i in range(count):
        notify(i)
        if i == count // 2:
            await during()
        await asyncio.sleep(1 / rate)
    await _until(lambda: len(sink.events) >= count)
    gaps = [b - a for a, b in zip(sink.times, sink.times[1:], strict=False)]
    return round(max(gaps) * 1000, 1)


async def _nothing() -> None:
    return None


async def _twitch_handover(trial: int) -> tuple[float, float, float]:
    """(hand-over ms, max delivery gap ms across session_reconnect, same without reconnect)."""
    fake = FakeTwitch()
    server = await _fake(fake)
    sink = _Sink()
    connector = TwitchConnector(config=twitch_config(fake, keepalive_s=10, keepalive_grace_s=5))
    try:
        await connector.start(sink)
        async with asyncio.timeout(10):
            await connector.eventsub.ready.wait()
        base = trial * 1000

        def notify(i: int) -> None:
            fake.notify("channel.chat.message", chat_event(base + i))

        gap = await _stream(notify, sink, 200, 100, fake.send_reconnect)
        await asyncio.sleep(0.2)
        if [e.message_id for e in sink.events] != [f"m-{base + i}" for i in range(200)]:
            raise AssertionError("twitch: events lost, duplicated or reordered across session_reconnect")
        handover = connector.eventsub.last_handover_s * 1000
        sink.events.clear()
        sink.times.clear()
        calm = await _stream(lambda i: notify(500 + i), sink, 200, 100, _nothing)
        return handover, gap, calm
    finally:
        await connector.stop()
        await fake.close_all()
        await server.close()


async def _twitch_keepalive_death() -> float:
    """Silent server with K=1 s + 0.5 s grace (production: 10 s + 5 s), default backoff."""
    fake = FakeTwitch()
    server = await _fake(fake)
    config = twitch_config(fake, keepalive_s=1, keepalive_grace_s=0.5, backoff_base_s=1.0, backoff_cap_s=60)
    connector = TwitchConnector(config=config)
    try:
        await connector.start(_Sink())
        async with asyncio.timeout(10):
            await connector.eventsub.ready.wait()
        fake.silent = True
        await _until(lambda: fake.connects >= 2)
        fake.silent = False
        await _until(lambda: connector.stats.last_reconnect_gap_s is not None)
        return connector.stats.last_reconnect_gap_s * 1000
    finally:
        await connector.stop()
        await fake.close_all()
        await server.close()


async def _bilibili_kill() -> tuple[float, float]:
    """(dead -> connected ms, max delivery gap ms) when the server closes mid-stream; defaults otherwise."""
    fake = FakeBilibili()
    server = await _fake(fake)
    sink = _Sink()
    connector = BilibiliConnector(
        config=bili_config(fake, heartbeat_s=30, backoff_base_s=1.0, backoff_cap_s=60)
    )
    try:
        await connector.start(sink)
        async with asyncio.timeout(10):
            await connector.rooms["7"].authenticated.wait()
        gap = await _stream(lambda i: fake.push(7, danmu(1000 + i, "v", f"m{i}")), sink, 200, 100, fake.kill)
        await asyncio.sleep(0.2)
        if [e.text for e in sink.events] != [f"m{i}" for i in range(200)]:
            raise AssertionError("bilibili: events lost, duplicated or reordered across the reconnect")
        return connector.stats.last_reconnect_gap_s * 1000, gap
    finally:
        await connector.stop()
        await server.close()


async def _bilibili_silent() -> float:
    """Open but silent server: heartbeat 1 s + 0.5 s reply timeout (production: 30 s + 10 s)."""
    fake = FakeBilibili()
    server = await _fake(fake)
    config = bili_config(
        fake, heartbeat_s=1.0, heartbeat_reply_timeout_s=0.5, backoff_base_s=1.0, backoff_cap_s=60
    )
    connector = BilibiliConnector(config=config)
    try:
        await connector.start(_Sink())
        async with asyncio.timeout(10):
            await connector.rooms["7"].authenticated.wait()
        fake.silent = True
        await _until(lambda: fake.connects >= 2)
        fake.silent = False
        await _until(lambda: connector.stats.last_reconnect_gap_s is not None)
        return connector.stats.last_reconnect_gap_s * 1000
    finally:
        await connector.stop()
        await server.close()


async def bench_reconnects(trials: int = 5) -> dict[str, Any]:
    handovers = [await _twitch_handover(t) for t in range(trials)]
    kills = [await _bilibili_kill() for _ in range(trials)]
    return {
        "trials": trials,
        "stream_rate_per_s": 100,
        "lost_or_duplicated_events": 0,  # checked per trial (the run aborts otherwise)
        "twitch_session_reconnect_handover_ms": _summary([h[0] for h in handovers]),
        "twitch_session_reconnect_max_delivery_gap_ms": _summary([h[1] for h in handovers]),
        "twitch_no_reconnect_max_delivery_gap_ms": _summary([h[2] for h in handovers]),
        "twitch_keepalive_death_dead_to_connected_ms": _summary(
            [await _twitch_keepalive_death() for _ in range(trials)]
        ),
        "bilibili_kill_dead_to_connected_ms": _summary([k[0] for k in kills]),
        "bilibili_kill_max_delivery_gap_ms": _summary([k[1] for k in kills]),
        "bilibili_silent_dead_to_connected_ms": _summary([await _bilibili_silent() for _ in range(trials)]),
        "note": (
            "dead_to_connected = from leaving CONNECTED to CONNECTED again: backoff (full jitter 0-1 s on "
            "the first retry) + room init + auth; the detection time before it (keepalive+grace or "
            "heartbeat+reply timeout) is configuration"
        ),
    }


def _summary(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "max": round(ordered[-1], 1),
        "min": round(ordered[0], 1),
    }


async def main() -> None:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the figure says
    decode = bench_bilibili_decode()
    print("bilibili decode:", json.dumps(decode))
    twitch = await bench_twitch()
    print("twitch notifications:", json.dumps(twitch))
    reconnects = await bench_reconnects()
    print("reconnects:", json.dumps(reconnects))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "connectors.json"
    result = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "bilibili_decode": decode,
        "twitch_notifications": twitch,
        "reconnect_gaps": reconnects,
    }
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote", path.relative_to(REPO))


if __name__ == "__main__":
    asyncio.run(main())
