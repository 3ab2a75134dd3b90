"""A platform drops the connection mid-stream: the production Bilibili connector, inside a real gateway
process (``python -m bot serve``) wired to the session stack's Rasa, action server and FalkorDB, reads
danmaku from the fake Bilibili (tests/connectors/fakes/) while the fake closes every socket twice.

Every danmaku must reach the gateway exactly once (no loss, no redelivery), every event is accounted for,
every question gets exactly one reply on the platform, and the reconnects are logged and counted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from aiohttp.test_utils import TestServer

from tests.conftest import REPO, Stack, free_port, record_figure
from tests.connectors.fakes.bilibili import FakeBilibili, danmu
from tests.e2e.test_vision_e2e import rasa_token
from tests.faults.common import (
    QUESTIONS,
    LogCursor,
    delta,
    scrape,
    total,
    wait_for,
    wait_settled,
)

pytestmark = pytest.mark.e2e

ROOM = 7  # the fake maps short room 7 to real room 7734200, like Bilibili's short ids
MESSAGES = 240
QUESTION_EVERY = 8
DROPS_AT = (80, 160)


@dataclass
class BilibiliGateway:
    fake: FakeBilibili
    url: str
    log_path: Path


def listening_port(pid: int) -> int:
    """The TCP port a process of the stack listens on (the fixture does not export the action port)."""
    for conn in psutil.Process(pid).net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN:
            return conn.laddr.port
    raise AssertionError(f"process {pid} listens on no TCP port")


@pytest.fixture(scope="module")
async def bilibili_gateway(stack: Stack) -> AsyncIterator[BilibiliGateway]:
    fake = FakeBilibili()
    server = TestServer(fake.app())
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    actions_port = listening_port(int((stack.var_dir / "run" / "actions.pid").read_text()))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    env.update(
        PYTHONUNBUFFERED="1",
        LIVEROOM_VAR=str(stack.var_dir),
        LIVEROOM_GATEWAY_PORT=str(port),
        LIVEROOM_CONNECTORS="bilibili",
        LIVEROOM_RASA_URL=stack.rasa_url,
        LIVEROOM_RASA_TOKEN=rasa_token(stack),  # the stack's Rasa refuses the liveroom channel without it
        LIVEROOM_ACTION_ENDPOINT=f"http://127.0.0.1:{actions_port}/webhook",
        FALKORDB_HOST="127.0.0.1",
        FALKORDB_PORT=str(stack.falkordb_port),
        BILIBILI_CREDENTIALS_FILE=str(stack.var_dir / "no-bilibili.secret"),
        BILIBILI_ROOM_IDS=str(ROOM),
        BILIBILI_SESSDATA=fake.sessdata,
        BILIBILI_BILI_JCT=fake.bili_jct,
        BILIBILI_API_BASE=fake.base_url,
        BILIBILI_LIVE_API_BASE=fake.base_url,
        BILIBILI_WWW_BASE=fake.base_url,
        BILIBILI_WS_URL=fake.base_url.replace("http://", "ws://") + "/sub",
        BILIBILI_SEND_INTERVAL="0",  # the platform's send limit is not what is tested here
    )
    log_path = stack.var_dir / "log" / "gateway-bilibili.log"
    with log_path.open("ab") as log_file:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_for(lambda: fake.conns, 60, "the gateway's Bilibili connector connects to the fake")
        yield BilibiliGateway(fake, url, log_path)
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        await server.close()


async def test_bilibili_connection_dropped_mid_stream(bilibili_gateway: BilibiliGateway) -> None:
    fake, url = bilibili_gateway.fake, bilibili_gateway.url
    logs = LogCursor(bilibili_gateway.log_path.parent)
    before = await scrape(url)
    askers: dict[str, str] = {}
    for i in range(MESSAGES):
        if i % QUESTION_EVERY == 0:
            name = f"ask{i}"
            text = QUESTIONS[(i // QUESTION_EVERY) % len(QUESTIONS)]
            askers[name] = text
        else:
            name, text = f"fan{i % 50}", f"主播好 {i}" if i % 2 else f"hello {i}"
        fake.push(ROOM, danmu(10_000 + i, name, text))
        if i in DROPS_AT:
            await fake.kill()  # every socket closed abruptly, unsent danmaku stay queued server-side
        await asyncio.sleep(0.05)
    after = await wait_settled(url, before, MESSAGES, timeout_s=120)

    assert delta(after, before, "liveroom_events_in_total") == MESSAGES, "each danmaku arrives once"
    assert delta(after, before, "liveroom_events_dropped_total", reason="duplicate") == 0
    assert (
        delta(after, before, "liveroom_event_outcomes_total") + total(after, "liveroom_deferred_questions")
        == MESSAGES
    )
    assert total(after, "liveroom_connector_reconnects_total", platform="bilibili") >= len(DROPS_AT)

    async def all_replied() -> bool:
        said = "\n".join(part["msg"] for part in fake.sent)
        return all(f"@{name}" in said for name in askers)

    await wait_for(all_replied, 60, "every question answered on Bilibili")
    said = [part["msg"] for part in fake.sent]
    twice = {name: n for name in askers if (n := sum(f"@{name} " in m or m == f"@{name}" for m in said)) > 1}
    assert not twice, f"answered more than once: {twice}"
    gateway_log = logs.new_text(bilibili_gateway.log_path.name)
    assert gateway_log.count(f"bilibili room {ROOM}: connection replaced") >= len(DROPS_AT), gateway_log[
        -2000:
    ]
    record_figure(
        f"fault: Bilibili dropped every socket {len(DROPS_AT)}x mid-stream -> {MESSAGES}/{MESSAGES} "
        f"danmaku received once, {len(askers)}/{len(askers)} questions answered once, "
        f"{len(fake.auth_packets)} logins"
    )
