"""Supervisor pre-flight: a taken port or a missing runtime is one clear line with the fix."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot import supervisor
from bot.supervisor import StartupError, SupervisorConfig, check_port_free
from knowledge_graph.config import GraphConfig
from tests.conftest import free_port


def test_a_taken_port_names_the_process_kind_and_the_fix() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StartupError) as err:
            check_port_free(port, "gateway", "LIVEROOM_GATEWAY_PORT")
    message = str(err.value)
    assert f"port {port} (gateway) is already in use" in message
    assert "LIVEROOM_GATEWAY_PORT" in message
    assert "\n" not in message


def test_a_free_port_passes() -> None:
    check_port_free(free_port(), "gateway", "LIVEROOM_GATEWAY_PORT")


def test_preflight_checks_every_port(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        config = SupervisorConfig(
            var_dir=tmp_path,
            graph=GraphConfig.from_env({"FALKORDB_PORT": str(free_port())}),
            actions_port=free_port(),
            rasa_port=taken,
            gateway_port=free_port(),
        )
        with pytest.raises(StartupError, match=f"port {taken} \\(Rasa server\\)"):
            supervisor.Supervisor(config, say=lambda _: None).preflight()


def test_a_missing_runtime_says_run_make_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(supervisor, "REPO", tmp_path)
    with pytest.raises(StartupError, match="run `make setup`"):
        supervisor.check_runtimes()


def test_config_from_env_reads_ports(tmp_path: Path) -> None:
    config = SupervisorConfig.from_env(
        {"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_GATEWAY_PORT": "9999", "FALKORDB_PORT": "7000"}
    )
    assert (config.gateway_port, config.graph.falkordb_port, config.var_dir) == (9999, 7000, tmp_path)
    env = config.child_env()
    assert env["LIVEROOM_ACTION_ENDPOINT"] == "http://127.0.0.1:5055/webhook"
    assert env["FALKORDB_PORT"] == "7000"
    assert env["HF_HUB_OFFLINE"] == "1"


def test_bad_port_config_is_rejected() -> None:
    with pytest.raises(ValueError, match="LIVEROOM_RASA_PORT must be an integer"):
        SupervisorConfig.from_env({"LIVEROOM_RASA_PORT": "abc"})
