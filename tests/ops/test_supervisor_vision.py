"""The supervisor and the camera sidecar: a sidecar that exits at once (a bad setting) is restarted with
growing delays, each restart logged with the reason, and after ``MAX_RESTARTS`` failed starts it is left
stopped, while the real gateway process (``python -m bot serve``, started by the same supervisor) keeps
running and answering. No Rasa or graph DB here: the gateway runs degraded, which is all this needs."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import aiohttp
import pytest

from knowledge_graph.config import GraphConfig
from ops import supervisor
from ops.supervisor import Child, Supervisor, SupervisorConfig, http_ok
from tests.conftest import free_port

REPO = Path(__file__).resolve().parent.parent.parent


async def test_a_crashing_sidecar_is_restarted_with_growing_delays_and_the_gateway_keeps_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEROOM_VISION_INTERVAL_S", "0.01")  # out of range: the sidecar exits with 2
    monkeypatch.setattr(supervisor, "MAX_RESTARTS", 3)
    config = SupervisorConfig(
        var_dir=tmp_path,
        graph=GraphConfig.from_env({"FALKORDB_PORT": str(free_port())}),
        actions_port=free_port(),
        rasa_port=free_port(),
        gateway_port=free_port(),
        vision_source=str(tmp_path / "camera.avi"),
    )
    config.log_dir.mkdir(parents=True)
    said: list[tuple[float, str]] = []
    sup = Supervisor(config, say=lambda line: said.append((time.monotonic(), line)))
    gateway_url = f"http://127.0.0.1:{config.gateway_port}"
    venv_python = str(REPO / ".venv" / "bin" / "python")
    await sup._start(
        Child("gateway", [venv_python, "-m", "bot", "serve"], lambda: http_ok(f"{gateway_url}/healthz"))
    )
    gateway_pid = sup.children[0].proc.pid  # type: ignore[union-attr]
    vision = sup._vision_child()
    vision.backoff_base_s = 1.0
    sup._start_optional(vision)
    watch = asyncio.create_task(sup._watch())
    try:
        deadline = time.monotonic() + 120
        while not any("leaving vision stopped" in line for _, line in said):
            assert time.monotonic() < deadline, "\n".join(line for _, line in said)
            assert not watch.done(), "the supervisor gave up on everything"
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # a few more watch rounds: nothing else restarts or stops
        assert not watch.done()
        gateway = sup.children[0].proc
        assert gateway is not None and gateway.pid == gateway_pid and gateway.poll() is None
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{gateway_url}/healthz") as resp:
                assert resp.status == 200
    finally:
        sup._stopping.set()
        await watch
        await sup.stop_all()

    lines = [(at, line) for at, line in said if "vision" in line]
    starts = [at for at, line in lines if line.startswith("starting vision")]
    exits = [(at, line) for at, line in lines if "vision exited with code 2" in line]
    assert len(starts) == 4 and len(exits) == 4, "\n".join(line for _, line in lines)
    announced = [
        float(m.group(1)) for _, line in exits if (m := re.search(r"restarting it in ([\d.]+)s", line))
    ]
    assert announced == [1.0, 2.0, 4.0]
    for i, (_, line) in enumerate(exits[:3], start=1):
        assert f"failed start {i}/3" in line
        assert "bad configuration: --interval must be between" in line  # the sidecar's own reason
    assert "4 times in a row" in exits[3][1] and "the rest of liveroom keeps running" in exits[3][1]
    # the pauses really happened: exit noticed -> next start, growing like the announced delays
    pauses = [start - exit_at for (exit_at, _), start in zip(exits, starts[1:], strict=False)]
    for pause, delay in zip(pauses, announced, strict=True):
        assert delay - 0.05 <= pause <= delay + 1.5, pauses
    assert pauses[0] < pauses[1] < pauses[2], pauses
