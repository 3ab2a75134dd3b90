"""The ingest benchmark's building blocks (bench/bench_ingest.py), quickly and without timing assertions:
the logs, the shard split and its workers, the stage table's recording, the json.loads-only server's
count, the flame graph's collapsed stacks, and (e2e) a small blast into the whole stack accounted with
nothing lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bench.bench_ingest import (
    FULL,
    QUICK,
    STAGE_NAMES,
    RecordingMetrics,
    frames_by_room,
    full_stack,
    physical_limit,
    ratios,
    read_collapsed,
    real_style_log,
    renamed,
    rooted,
    run_workers,
    split_by_shard,
    spread_over_rooms,
    stage_table,
)
from bench.chat_ingest import chat_log
from bench.stack import RunningStack
from bot.metrics import GatewayMetrics
from bot.outbound.shards import shard_of
from tests.conftest import Stack


def test_the_real_style_log_cycles_the_room_texts_over_its_viewers() -> None:
    events = real_style_log(3000, viewers=50)
    assert len(events) == 3000
    assert len({e.message_id for e in events}) == 3000
    assert len({e.viewer_id for e in events}) <= 50
    assert len({e.text for e in events}) > 100  # several logs' worth of distinct texts, not one line


def test_the_shard_split_covers_every_event_exactly_once_and_keeps_rooms_whole() -> None:
    events = spread_over_rooms(chat_log(2000), 64)
    assert len({e.room for e in events}) == 64
    shards = split_by_shard(events, 2)
    ids = [e.message_id for shard in shards for e in shard]
    assert sorted(ids) == sorted(e.message_id for e in events)  # every event, none twice
    assert all(shards)  # 64 rooms do not all land on one shard
    for index, shard in enumerate(shards):
        assert {shard_of(e.platform, e.room, 2) for e in shard} == {index}
    assert not {e.room for e in shards[0]} & {e.room for e in shards[1]}


def test_shard_workers_together_ingest_the_whole_log() -> None:
    reports = run_workers(600, 16, 2, [0])  # both on one core is enough for the accounting
    assert [shard for shard, *_ in reports] == [0, 1]
    assert sum(events for _, events, _, _ in reports) == 600
    assert all(wall > 0 and cpu > 0 for _, _, wall, cpu in reports)


def test_the_stage_table_times_every_stage_and_records_the_gateways_metrics_calls() -> None:
    table = asyncio.run(stage_table(chat_log(300), repeats=1))
    assert set(STAGE_NAMES) <= set(table)
    assert all(table[k] >= 0 for k in STAGE_NAMES if k != "rest")
    assert table["toxicity"] > 0  # the model scored the checks the rules left open
    # event in, sentiment scored, triaged, and an outcome (or a queue) per message at least
    assert table["metrics_calls_per_msg"] >= 3


def test_recording_metrics_passes_calls_through_and_keeps_them() -> None:
    real = GatewayMetrics()
    recorder = RecordingMetrics(real)
    recorder.event_in("simulator", "chat")
    assert recorder.registry is real.registry
    assert recorder.calls == [("event_in", ("simulator", "chat"), {})]


def test_frames_are_the_simulator_pages_json_per_room_in_log_order() -> None:
    events = spread_over_rooms(chat_log(200), 4)
    frames = frames_by_room(events)
    assert sum(len(f) for f in frames.values()) == 200
    first = next(e for e in events if e.room == "r0")
    assert f'"message_id": "{first.message_id}"' in frames["r0"][0]
    assert all('"type": "chat"' in f for room in frames.values() for f in room)


def test_the_json_loads_server_counts_every_frame_it_was_sent() -> None:
    events = spread_over_rooms(chat_log(500), 3)
    result = physical_limit(events, repeat=2)
    assert result["sent"] == 1000
    assert result["counted"] == 1000
    assert result["connections"] == 3


def test_collapsed_stacks_are_read_and_rooted_at_the_ingest_loop(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "<module> (x.py:1);run (a.py:2);ingest_times (b.py:3);Gateway.ingest (g.py:4) 7\n"
        "<module> (x.py:1);run (a.py:2);ingest_times (b.py:3) 2\n"
        "<module> (x.py:1);_find_and_load (<frozen>:5) 4\n"
        "<module> (x.py:1);run (a.py:2);ingest_times (b.py:3);Gateway.ingest (g.py:4) 1\n",
        encoding="utf-8",
    )
    stacks = read_collapsed(raw)
    assert sum(stacks.values()) == 14
    assert rooted(stacks, "ingest_times ") == Counter(
        {("ingest_times (b.py:3)", "Gateway.ingest (g.py:4)"): 8, ("ingest_times (b.py:3)",): 2}
    )


def test_ratios_leave_out_what_was_not_measured() -> None:
    result = {
        "in_process": {"generated": {"msgs_per_cpu_s": 7000.0}},
        "full_stack": {"msgs_per_gateway_cpu_s": None},
        "physical_limit": {"msgs_per_server_cpu_s": 70000.0},
        "plain_rasa_rest_msgs_per_s": 35.0,
    }
    out = ratios(result)
    assert out["in_process_per_cpu_s / physical_limit"] == 0.1
    assert out["in_process_per_cpu_s / plain_rasa_rest"] == 200.0
    assert out["full_stack_per_cpu_s / physical_limit"] is None


def test_quick_is_smaller_than_the_full_run() -> None:
    assert QUICK.messages < FULL.messages and QUICK.blast_messages < FULL.blast_messages


@pytest.mark.e2e
def test_a_small_blast_into_the_stack_is_taken_in_with_nothing_lost(stack: Stack) -> None:
    pids = {p.stem: int(p.read_text()) for p in (stack.var_dir / "run").glob("*.pid")}
    running = RunningStack(stack.gateway_url, stack.rasa_url, stack.falkordb_port, stack.var_dir, pids)
    events = spread_over_rooms(chat_log(400, seed=21), 3, prefix="ingestbench")
    result = full_stack(running, events, settle_s=20)
    assert result["sent"] == 400
    assert result["events_in"] == 400
    assert result["lost"] == 0
    assert result["gateway_cpu_s"] > 0
    # feeder sockets get the bot's replies but none of their own 400 messages back
    assert result["loader_frames_received"] < 400
    echoed = full_stack(running, renamed(events, "e"), settle_s=20, echo=True)
    assert (echoed["events_in"], echoed["lost"]) == (400, 0)
    assert echoed["loader_frames_received"] >= 400  # the room echoes every message back
