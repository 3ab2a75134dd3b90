"""Two Rasa replicas behind the gateway, sharing a PostgreSQL tracker store and a Redis lock store
(``python -m ops up`` with ``LIVEROOM_RASA_REPLICAS=2``): when the replica that serves a conversation
dies mid-conversation, the next turn is answered by the other replica, which knows the product the
viewer asked about before (the ``product`` slot lives in PostgreSQL, not in the dead process).

One stack for the module: each Rasa replica costs ~1 GB and 15-90 s to start on this machine.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.postgres_server import PostgresServer
from tests.conftest import Stack, free_port
from tests.e2e.test_price_e2e import ask
from tests.scaleout.conftest import Proc, base_env, free_port_pair

pytestmark = pytest.mark.e2e

ROOM = "scaleout"


@pytest.fixture(scope="module")
def replicated_stack(
    pg_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, list[str]]]:
    var_dir: Path = tmp_path_factory.mktemp("replicas")
    rasa_port = free_port_pair()
    gateway_port = free_port()
    env = base_env(
        var_dir,
        FALKORDB_PORT=str(free_port()),
        LIVEROOM_ACTIONS_PORT=str(free_port()),
        LIVEROOM_RASA_PORT=str(rasa_port),
        LIVEROOM_GATEWAY_PORT=str(gateway_port),
        LIVEROOM_RASA_REPLICAS="2",
        LIVEROOM_TRACKER_STORE_URL=pg_database,
        LIVEROOM_LOCK_STORE_URL=redis_url,
        LIVEROOM_LOCK_PREFIX=f"lrtest{secrets.token_hex(4)}",
        LIVEROOM_QA_LANE="0",  # every turn goes through Rasa (the slot is set by Rasa itself)
    )
    proc = Proc([sys.executable, "-m", "ops", "up"], env, "replicas")
    try:
        proc.wait_for("liveroom is ready", float(os.environ.get("LIVEROOM_TEST_STACK_TIMEOUT", "900")))
        gateway = f"http://127.0.0.1:{gateway_port}"
        stack = Stack(
            gateway_url=gateway,
            ws_url=gateway.replace("http://", "ws://"),
            falkordb_port=int(env["FALKORDB_PORT"]),
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            var_dir=var_dir,
            output=proc.output,
        )
        yield stack, [f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{rasa_port + 1}"]
    finally:
        proc.stop()


def owner_index(conversation_id: str, replicas: int = 2) -> int:
    """The replica the gateway routes a conversation to (bot/adapters/rasa.py ``replica_for``)."""
    return zlib.crc32(conversation_id.encode("utf-8")) % replicas


async def test_conversation_continues_on_the_other_replica_after_its_replica_dies(
    replicated_stack: tuple[Stack, list[str]], pg_database: str, postgres_server: PostgresServer
) -> None:
    stack, _ = replicated_stack
    viewer = next(v for v in (f"hana{i}" for i in range(100)) if owner_index(f"simulator:{ROOM}:{v}") == 1)
    first, _ = await ask(stack, ROOM, viewer, "how much is the serum?")
    assert "serum" in first.lower(), first
    db = pg_database.rsplit("/", 1)[1]
    sender = f"simulator:{ROOM}:{viewer}"
    assert int(postgres_server.psql(f"SELECT count(*) FROM events WHERE sender_id = '{sender}'", db)) > 0

    pid_file = stack.var_dir / "run" / "rasa-1.pid"
    pid = int(pid_file.read_text())
    os.killpg(pid, signal.SIGKILL)  # the replica that served the first turn dies
    await asyncio.sleep(0.5)

    second, _ = await ask(stack, ROOM, viewer, "and is it in stock?", timeout_s=60)
    assert "serum" in second.lower() and "stock" in second.lower(), second
    gateway_log = (stack.var_dir / "log" / "gateway.log").read_text(errors="replace")
    assert f"conversation {sender} continued on replica" in gateway_log
    for _ in range(40):  # the supervisor notices the death within its 1 s watch interval and restarts it
        if any("rasa-1 exited" in line for line in stack.output):
            break
        await asyncio.sleep(0.5)
    assert any("rasa-1 exited" in line for line in stack.output), stack.output[-20:]


async def test_replicas_share_conversations_both_ways(replicated_stack: tuple[Stack, list[str]]) -> None:
    """A viewer owned by replica 0 is answered normally while replica 1 restarts (no cross-talk)."""
    stack, _ = replicated_stack
    viewer = next(v for v in (f"ivo{i}" for i in range(100)) if owner_index(f"simulator:{ROOM}:{v}") == 0)
    first, _ = await ask(stack, ROOM, viewer, "how much is the mascara?")
    assert "mascara" in first.lower(), first
    second, _ = await ask(stack, ROOM, viewer, "is it in stock?")
    assert "mascara" in second.lower(), second
