"""Security review M10, checked on docker-compose.yml itself (no Docker engine here): loopback-only
gateways, no simulator by default, no shared .env in any container, a password on Redis."""

from __future__ import annotations

from typing import Any

from tests.scaleout.test_deploy_files import compose, env_of, our_services

SECRETS = (
    "LIVEROOM_ADMIN_TOKENS",
    "LIVEROOM_WEB_USERS",
    "LIVEROOM_RASA_TOKEN",
    "LIVEROOM_METRICS_TOKEN",
    "NEO4J_PASSWORD",
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
)


def _raw_env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def test_no_container_gets_the_whole_env_file() -> None:
    for name, svc in compose()["services"].items():
        files = [f["path"] if isinstance(f, dict) else f for f in svc.get("env_file") or []]
        assert ".env" not in files, name
        if not name.startswith("gateway-"):
            assert not files, name  # only the gateways read gateway.env (their own settings)


def test_the_vision_sidecar_sees_only_its_own_variables() -> None:
    vision = compose()["services"]["vision"]
    assert "env_file" not in vision
    assert set(_raw_env(vision)) == {
        "LIVEROOM_VISION_SOURCE",
        "LIVEROOM_VISION_ROOM",
        "LIVEROOM_VISION_TOKEN",
    }
    for value in _raw_env(vision).values():
        assert not any(secret in value for secret in SECRETS), value


def test_actions_and_the_migration_get_only_the_graph() -> None:
    services = compose()["services"]
    for name in ("actions", "graph-migrate"):
        assert set(_raw_env(services[name])) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"}, name


def test_gateways_are_published_on_loopback_with_secure_cookies_and_no_default_connector() -> None:
    gateways = {n: s for n, s in our_services().items() if n.startswith("gateway-")}
    assert len(gateways) >= 2
    for name, svc in gateways.items():
        ports = [str(p) for p in svc["ports"]]
        assert ports and all(p.startswith("127.0.0.1:") for p in ports), (name, ports)
        raw = _raw_env(svc)
        assert raw["LIVEROOM_CONNECTORS"].startswith("${LIVEROOM_CONNECTORS:?"), raw["LIVEROOM_CONNECTORS"]
        assert "simulator" not in raw["LIVEROOM_CONNECTORS"].split(":?")[0]
        assert env_of(svc)["LIVEROOM_WEB_SECURE_COOKIES"] == "1"
    for name, svc in compose()["services"].items():
        for port in svc.get("ports") or []:
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_redis_requires_a_password_and_its_clients_send_it() -> None:
    services = compose()["services"]
    command = [str(part) for part in services["redis"]["command"]]
    assert "--requirepass" in command
    password = command[command.index("--requirepass") + 1]
    assert password.startswith("${REDIS_PASSWORD:?"), password
    assert _raw_env(services["redis"])["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD:?")  # healthcheck
    for name, svc in our_services().items():
        raw = _raw_env(svc)
        if name.startswith("rasa-"):
            assert raw["LIVEROOM_LOCK_PASSWORD"].startswith("${REDIS_PASSWORD:?"), name
        if name.startswith("gateway-"):
            assert raw["LIVEROOM_REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?"), name
            assert env_of(svc)["LIVEROOM_REDIS_URL"].endswith("@redis:6379/2")
