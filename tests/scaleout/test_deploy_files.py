"""Static checks of the production deployment files (docker-compose.yml, Dockerfile.app, Dockerfile.rasa,
ops/deploy/prometheus.yml, Grafana provisioning). This machine has no Docker engine, so the images are
never built or run here: these tests catch what can be caught without one — YAML that does not parse,
environment names no code reads (a typo there silently falls back to a default), ports and hostnames
that do not line up between services, files that are mounted or copied but do not exist, and
configurations the code's own ``from_env`` validation would refuse at start-up.
"""

from __future__ import annotations

import ast
import re
import shlex
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.core.config import GatewayConfig
from bot.outbound.shards import ShardConfig
from knowledge_graph.config import GraphConfig
from ops.rasa_replicas import RasaStores
from tests.conftest import REPO

CODE_DIRS = ("bot", "connectors", "knowledge_graph", "actions", "nlu", "vision")
OUR_DOCKERFILES = {"Dockerfile.app", "Dockerfile.rasa"}


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def interpolate(value: object) -> str:
    """Compose's ``${VAR:?msg}`` / ``${VAR:-default}`` with test values, as ``docker compose`` would."""
    text = str(value)
    text = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), text)
    return re.sub(r"\$\{(\w+)(:\?[^}]*)?\}", lambda m: f"test-{m.group(1).lower()}-0123456789abcdef", text)


def env_of(service: dict[str, Any]) -> dict[str, str]:
    return {k: interpolate(v) for k, v in (service.get("environment") or {}).items()}


def our_services() -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose()["services"].items()
        if isinstance(svc.get("build"), dict) and svc["build"].get("dockerfile") in OUR_DOCKERFILES
    }


def names_the_code_reads() -> set[str]:
    """Every upper-case string literal in liveroom's code, every name the settings loader derives from a
    dataclass field (``load(cls, env, "PREFIX_")`` reads PREFIX_ + FIELD), and every ${VAR} in the Rasa
    endpoint files."""
    names: set[str] = set()
    for folder in CODE_DIRS:
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(errors="replace")
            names.update(re.findall(r"""["']([A-Z][A-Z0-9_]{2,})["']""", text))
            names.update(derived_names(ast.parse(text)))
    for path in REPO.glob("endpoints*.yml"):
        names.update(endpoint_variables(path))
    return names


def derived_names(tree: ast.Module) -> set[str]:
    """The env names ``load(cls, env, prefix)`` derives for the fields of the class it is called in."""
    names: set[str] = set()
    for klass in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        fields = [
            item.target.id
            for item in klass.body
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
        ]
        for call in ast.walk(klass):
            if not (
                isinstance(call, ast.Call)
                and getattr(call.func, "id", None) == "load"
                and call.args
                and getattr(call.args[0], "id", None) == "cls"
            ):
                continue
            prefix = (
                call.args[2].value if len(call.args) > 2 and isinstance(call.args[2], ast.Constant) else ""
            )
            names.update(f"{prefix}{field.upper()}" for field in fields)
    return names


def endpoint_variables(path: object) -> set[str]:
    """The ${VAR}s Rasa expands in an endpoints file (comments skipped)."""
    lines = [line.split("#", 1)[0] for line in REPO.joinpath(str(path)).read_text().splitlines()]
    return set(re.findall(r"\$\{(\w+)\}", "\n".join(lines)))


def test_compose_has_every_production_process() -> None:
    services = compose()["services"]
    for name in ("neo4j", "redis", "postgres", "prometheus", "grafana", "actions", "graph-migrate", "vision"):
        assert name in services, name
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert len([s for s in services if s.startswith("gateway-")]) >= 2
    assert len([s for s in services if s.startswith("rasa-")]) >= 2
    assert services["vision"].get("profiles") == ["vision"]  # optional


def test_every_env_name_of_a_liveroom_service_is_read_by_the_code() -> None:
    known = names_the_code_reads()
    prefixes = tuple(n for n in known if n.endswith("_"))
    unknown = {
        f"{service}: {name}"
        for service, svc in our_services().items()
        for name in env_of(svc)
        if name not in known and not name.startswith(prefixes)
    }
    assert not unknown, sorted(unknown)


def test_gateway_shards_validate_and_split_rooms_without_overlap() -> None:
    services = compose()["services"]
    gateways = {name: env_of(svc) for name, svc in services.items() if name.startswith("gateway-")}
    shards = [ShardConfig.from_env(env) for env in gateways.values()]
    assert sorted(s.index for s in shards) == list(range(len(shards)))
    assert {s.count for s in shards} == {len(shards)}
    for name, env in gateways.items():
        config = GatewayConfig.from_env(env)
        GraphConfig.from_env(env)
        assert config.host == "0.0.0.0"
        container_ports = {str(p).rsplit(":", 1)[-1] for p in services[name].get("ports", [])}
        assert str(config.port) in container_ports, (name, container_ports)
        assert len(config.rasa_replicas) >= 2
        for url in config.rasa_replicas:
            target = urlsplit(url)
            assert target.hostname in services and target.hostname.startswith("rasa-"), url
            assert str(target.port) in services[target.hostname]["expose"], url
        action = urlsplit(config.action_endpoint)
        assert action.hostname == "actions"
        assert f"--port {action.port}" in " ".join(services["actions"]["command"])
        assert urlsplit(env["LIVEROOM_REDIS_URL"]).hostname == "redis"
        assert env["LIVEROOM_RASA_TOKEN"], "the gateway must carry the Rasa API token"


def test_rasa_replicas_share_the_compose_stores_and_listen_where_the_gateways_call() -> None:
    services = compose()["services"]
    dockerfile = (REPO / "Dockerfile.rasa").read_text()
    cmd = re.search(r"^CMD (\[.*?\])\s*$", dockerfile, re.S | re.M)
    assert cmd is not None
    argv = yaml.safe_load(cmd.group(1).replace("\\\n", " "))
    assert argv[:3] == ["python", "-m", "nlu.rasa.launch"]
    assert argv[argv.index("--port") + 1] == "5005"
    assert argv[argv.index("--endpoints") + 1] == "endpoints-scaleout.yml"
    assert "--auth-token" not in argv  # the launcher adds it from the environment
    endpoint_vars = endpoint_variables(REPO / "endpoints-scaleout.yml")
    for name in (s for s in services if s.startswith("rasa-")):
        env = env_of(services[name])
        missing = endpoint_vars - set(env)
        assert not missing, f"{name} lacks {sorted(missing)} (Rasa refuses to start on unset ${{VAR}})"
        assert env["LIVEROOM_TRACKER_HOST"] in services and env["LIVEROOM_LOCK_HOST"] in services
        assert env["LIVEROOM_TRACKER_DB"] == services["postgres"]["environment"]["POSTGRES_DB"]
        assert env["LIVEROOM_TRACKER_USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
        assert urlsplit(env["LIVEROOM_ACTION_ENDPOINT"]).hostname == "actions"
        assert env["LIVEROOM_RASA_TOKEN"]
        RasaStores(lock_prefix=env["LIVEROOM_LOCK_PREFIX"])  # alphanumeric, as Rasa's lock store needs


def test_prometheus_scrapes_every_gateway_and_grafana_reads_prometheus() -> None:
    services = compose()["services"]
    prometheus = yaml.safe_load((REPO / "ops" / "deploy" / "prometheus.yml").read_text())
    targets = {t for job in prometheus["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    gateways = {
        f"{name}:{env_of(svc)['LIVEROOM_GATEWAY_PORT']}"
        for name, svc in services.items()
        if name.startswith("gateway-")
    }
    assert targets == gateways
    datasources = yaml.safe_load((REPO / "ops/grafana/provisioning/datasources/prometheus.yml").read_text())
    url = urlsplit(datasources["datasources"][0]["url"])
    assert url.hostname == "prometheus" and url.port == 9090
    providers = yaml.safe_load((REPO / "ops/grafana/provisioning/dashboards/liveroom.yml").read_text())
    dashboards_dir = providers["providers"][0]["options"]["path"]
    mounts = [v.split(":") for v in services["grafana"]["volumes"] if v.startswith("./")]
    assert any(
        dst.startswith(dashboards_dir) and src.endswith("liveroom-gateway.json") for src, dst, *_ in mounts
    )


def test_mounted_files_and_dockerfile_copies_exist() -> None:
    for name, svc in compose()["services"].items():
        for volume in svc.get("volumes", []):
            if volume.startswith("./"):
                assert (REPO / volume.split(":")[0]).exists(), f"{name}: {volume}"
    for dockerfile in OUR_DOCKERFILES:
        for line in (REPO / dockerfile).read_text().splitlines():
            if line.startswith("COPY "):
                for source in shlex.split(line)[1:-1]:
                    assert (REPO / source).exists(), f"{dockerfile}: {line}"


@pytest.mark.parametrize(("dockerfile", "python"), [("Dockerfile.app", "3.11"), ("Dockerfile.rasa", "3.10")])
def test_dockerfiles_use_the_runtimes_python(dockerfile: str, python: str) -> None:
    assert f"FROM python:{python}-" in (REPO / dockerfile).read_text()
