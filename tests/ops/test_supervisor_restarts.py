"""The supervisor's restart loop for the required processes (children and the local graph DB): growing
waits between failed attempts, one line per failure, and giving up after ``MAX_RESTARTS`` (the caller
then stops everything). The waits are recorded instead of slept."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_graph.config import GraphConfig
from ops import supervisor
from ops.loopback_server import ServiceUnavailable
from ops.supervisor import StartupError, Supervisor, SupervisorConfig, backoff_s


def quick_supervisor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Supervisor, list[str], list[float]]:
    said: list[str] = []
    waits: list[float] = []
    sup = Supervisor(SupervisorConfig(var_dir=tmp_path, graph=GraphConfig.from_env({})), say=said.append)

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(sup, "_pause", record_wait)
    return sup, said, waits


def test_backoff_doubles_from_its_base_up_to_30_s() -> None:
    assert [backoff_s(n) for n in range(7)] == [0.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert [backoff_s(n, 1.0) for n in range(1, 4)] == [1.0, 2.0, 4.0]


async def test_a_process_that_keeps_failing_is_given_up_after_max_restarts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(supervisor, "MAX_RESTARTS", 3)
    sup, said, waits = quick_supervisor(monkeypatch, tmp_path)
    attempts: list[int] = []
    undone: list[int] = []

    async def start() -> None:
        attempts.append(1)
        raise StartupError("rasa exited with code 1 while starting")

    assert not await sup._restart_until_up("rasa", start, lambda: undone.append(1))
    assert (len(attempts), len(undone), waits) == (3, 3, [2.0, 4.0, 8.0])
    assert said[0] == (
        "liveroom: restart 1/3 of rasa failed: rasa exited with code 1 while starting; retrying in 2s"
    )
    assert said[-1] == "liveroom: rasa keeps failing; stopping all"


async def test_a_restart_that_succeeds_ends_the_loop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sup, said, waits = quick_supervisor(monkeypatch, tmp_path)
    failures = [StartupError("not ready")]

    async def start() -> None:
        if failures:
            raise failures.pop()

    assert await sup._restart_until_up("actions", start, lambda: None)
    assert waits == [2.0]
    assert said == ["liveroom: restart 1/5 of actions failed: not ready; retrying in 2s"]


class DeadGraphServer:
    """A local graph DB that died with SIGKILL and fails its first restart."""

    pid = 4242

    def __init__(self, log_file: Path) -> None:
        self.log_file = log_file
        self.starts = 0
        self.stops = 0

    def start(self) -> None:
        self.starts += 1
        if self.starts == 1:
            raise ServiceUnavailable("port 6380 is already taken")

    def wait_ready(self, timeout: float) -> None:
        pass

    def stop(self) -> int:
        self.stops += 1
        return -9


async def test_the_graph_db_is_restarted_with_the_same_loop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sup, said, waits = quick_supervisor(monkeypatch, tmp_path)
    server = DeadGraphServer(tmp_path / "falkordb.log")
    server.log_file.write_text("Received SIGTERM\n")
    sup.graph_server = server  # type: ignore[assignment]
    assert await sup._restart_graph_server()
    assert said[0].startswith("liveroom: FalkorDB exited with code -9; restarting it. End of ")
    assert said[1] == "liveroom: restart 1/5 of FalkorDB failed: port 6380 is already taken; retrying in 2s"
    assert said[2].startswith("FalkorDB ready in ") and said[2].endswith("s (restarted, data kept)")
    assert (server.starts, server.stops, waits) == (2, 2, [2.0])
    assert (tmp_path / "run" / "falkordb.pid").read_text() == "4242\n"
