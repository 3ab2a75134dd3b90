"""Supervisor pre-flight: a taken port or a missing runtime is one clear line with the fix."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from knowledge_graph.config import GraphConfig
from ops import supervisor
from ops.supervisor import StartupError, SupervisorConfig, check_port_free
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


def test_graph_backend_neo4j_starts_a_local_neo4j_and_tells_the_children(tmp_path: Path) -> None:
    config = SupervisorConfig.from_env(
        {
            "LIVEROOM_VAR": str(tmp_path),
            "LIVEROOM_GRAPH_BACKEND": "neo4j",
            "NEO4J_PORT": "7999",
            "NEO4J_PASSWORD": "not-for-a-local-server",
        }
    )
    assert config.local_neo4j and config.neo4j_port == 7999
    assert (config.graph.backend, config.graph.neo4j_uri) == ("neo4j", "bolt://127.0.0.1:7999")
    env = config.child_env()
    assert env["NEO4J_URI"] == "bolt://127.0.0.1:7999"
    assert "NEO4J_PASSWORD" not in env and "FALKORDB_PORT" not in env
    with socket.socket() as sock:  # the Neo4j port is checked before anything starts
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        busy = SupervisorConfig.from_env(
            {"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_GRAPH_BACKEND": "neo4j", "NEO4J_PORT": str(taken)}
        )
        with pytest.raises(StartupError, match=f"port {taken} \\(Neo4j\\).*NEO4J_PORT"):
            supervisor.Supervisor(busy, say=lambda _: None).preflight()


def test_an_external_neo4j_is_used_and_none_is_started(tmp_path: Path) -> None:
    config = SupervisorConfig.from_env(
        {"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_GRAPH_BACKEND": "neo4j", "NEO4J_URI": "bolt://graph:7687"}
    )
    assert not config.local_neo4j and config.graph.neo4j_uri == "bolt://graph:7687"


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"LIVEROOM_GRAPH_BACKEND": "mysql"}, "must be falkordb or neo4j"),
        ({"LIVEROOM_GRAPH_BACKEND": "falkordb", "NEO4J_URI": "bolt://graph:7687"}, "contradicts NEO4J_URI"),
    ],
)
def test_contradictory_graph_settings_are_refused(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        SupervisorConfig.from_env(env)
