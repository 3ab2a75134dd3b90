"""GraphConfig: backend choice from the environment, validation, no secrets in repr."""

from __future__ import annotations

import pytest

from knowledge_graph.config import GraphConfig
from knowledge_graph.errors import KnowledgeGraphError, ValidationError


def test_defaults_to_local_falkordb() -> None:
    config = GraphConfig.from_env({})
    assert config.backend == "falkordb"
    assert (config.falkordb_host, config.falkordb_port, config.graph_name) == ("127.0.0.1", 6479, "liveroom")
    assert config.describe() == "FalkorDB at 127.0.0.1:6479 (graph 'liveroom')"


def test_falkordb_settings_from_env() -> None:
    config = GraphConfig.from_env(
        {"FALKORDB_HOST": "db.local", "FALKORDB_PORT": " 7000 ", "LIVEROOM_GRAPH_NAME": "stream-42"}
    )
    assert (config.falkordb_host, config.falkordb_port, config.graph_name) == ("db.local", 7000, "stream-42")


def test_empty_variables_count_as_unset() -> None:
    config = GraphConfig.from_env({"NEO4J_URI": "", "FALKORDB_PORT": "", "LIVEROOM_GRAPH_NAME": " "})
    assert config.backend == "falkordb"
    assert config.falkordb_port == 6479
    assert config.graph_name == "liveroom"


def test_neo4j_uri_selects_neo4j() -> None:
    config = GraphConfig.from_env(
        {"NEO4J_URI": "bolt://graph:7687", "NEO4J_PASSWORD": "s3cret-pw", "FALKORDB_PORT": "1"}
    )
    assert config.backend == "neo4j"
    assert (config.neo4j_uri, config.neo4j_user, config.neo4j_database) == (
        "bolt://graph:7687",
        "neo4j",
        "neo4j",
    )
    assert config.neo4j_password == "s3cret-pw"


def test_neo4j_user_and_database_from_env() -> None:
    config = GraphConfig.from_env(
        {"NEO4J_URI": "neo4j+s://x.example", "NEO4J_USER": "bot", "NEO4J_DATABASE": "live"}
    )
    assert (config.neo4j_user, config.neo4j_database) == ("bot", "live")


def test_password_never_in_repr_or_description() -> None:
    config = GraphConfig.from_env({"NEO4J_URI": "bolt://graph:7687", "NEO4J_PASSWORD": "s3cret-pw"})
    assert "s3cret-pw" not in repr(config)
    assert "s3cret-pw" not in str(config)
    assert "s3cret-pw" not in config.describe()


@pytest.mark.parametrize(
    ("env", "field", "words"),
    [
        ({"FALKORDB_PORT": "sixty"}, "falkordb_port (FALKORDB_PORT)", "integer"),
        ({"FALKORDB_PORT": "70000"}, "falkordb_port (FALKORDB_PORT)", "65535"),
        ({"FALKORDB_PORT": "0"}, "falkordb_port (FALKORDB_PORT)", "65535"),
        ({"LIVEROOM_GRAPH_NAME": "my graph"}, "graph_name (LIVEROOM_GRAPH_NAME)", "A-Z"),
        ({"NEO4J_URI": "http://graph:7474"}, "neo4j_uri (NEO4J_URI)", "scheme"),
        ({"NEO4J_URI": "bolt://"}, "neo4j_uri (NEO4J_URI)", "host"),
        ({"NEO4J_URI": "bolt://neo4j:pw@graph:7687"}, "neo4j_uri (NEO4J_URI)", "credentials"),
    ],
)
def test_invalid_environment_names_the_field(env: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        GraphConfig.from_env(env)
    assert info.value.field == field
    assert words in str(info.value)
    assert isinstance(info.value, KnowledgeGraphError)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValidationError, match="backend"):
        GraphConfig(backend="sqlite")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="neo4j_uri"):
        GraphConfig(backend="neo4j")
    with pytest.raises(ValidationError, match="query_timeout"):
        GraphConfig(query_timeout=0)


def test_config_is_frozen() -> None:
    config = GraphConfig()
    with pytest.raises(AttributeError):
        config.falkordb_port = 1  # type: ignore[misc]
