"""The settings loader: env names derived from typed fields, overrides, parsing, secret and .env files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors.settings import env_name, get_bool, get_float, get_int, layered, load, load_dotenv, setting


@dataclass(frozen=True)
class Example:
    name: str
    count: int = 3
    ratio: float = 0.5
    enabled: bool = True
    where: Path = Path("var")
    tags: tuple[str, ...] = ("a",)
    ids: tuple[int, ...] = ()
    limit: int | None = None
    renamed: float = setting("OTHER_SECONDS", default=1.0)
    lowered: str = setting(parse=str.lower, default="x")
    internal: int = setting(None, default=7)
    secret: str = field(default="", repr=False)


def test_names_are_derived_from_fields_with_the_prefix() -> None:
    assert env_name(Example, "count", "APP_") == "APP_COUNT"
    assert env_name(Example, "renamed", "APP_") == "OTHER_SECONDS"
    assert env_name(Example, "internal", "APP_") is None
    env = {
        "APP_NAME": "bot",
        "APP_COUNT": "5",
        "APP_RATIO": "2.5",
        "APP_ENABLED": "off",
        "APP_WHERE": "/tmp/x",
        "APP_TAGS": " b, ,c ",
        "APP_IDS": "1,2",
        "APP_LIMIT": "9",
        "OTHER_SECONDS": "4",
        "APP_LOWERED": "LOUD",
        "APP_INTERNAL": "99",
        "APP_SECRET": "s3cret",
    }
    got = load(Example, env, "APP_")
    assert got == Example(
        "bot", 5, 2.5, False, Path("/tmp/x"), ("b", "c"), (1, 2), 9, 4.0, "loud", 7, "s3cret"
    )


def test_unset_and_empty_values() -> None:
    got = load(
        Example, {"APP_NAME": "", "APP_COUNT": "", "APP_ENABLED": "", "APP_TAGS": "", "APP_LIMIT": ""}, "APP_"
    )
    assert (got.name, got.count, got.enabled, got.tags, got.limit) == ("", 3, True, (), None)
    assert load(Example, {}, "APP_").name == ""  # a required text field unset: "" for the class to check
    spaces = load(Example, {"APP_NAME": " ", "APP_COUNT": "  ", "APP_RATIO": " ", "APP_ENABLED": " "}, "APP_")
    assert (spaces.name, spaces.count, spaces.ratio, spaces.enabled) == (" ", 3, 0.5, True)


def test_the_single_value_readers_treat_blank_as_unset_like_the_loader() -> None:
    env = {"N": " ", "F": "", "B": "  ", "N2": " 4 ", "B2": "off"}
    assert (get_int(env, "N", 7), get_float(env, "F", 1.5), get_bool(env, "B", True)) == (7, 1.5, True)
    assert (get_int(env, "N2", 7), get_bool(env, "B2", True), get_int(env, "missing", 2)) == (4, False, 2)
    with pytest.raises(ValueError, match="N must be an integer"):
        get_int({"N": "x"}, "N", 1)


def test_given_values_win_over_the_environment() -> None:
    assert load(Example, {"APP_NAME": "env", "APP_COUNT": "5"}, "APP_", name="arg").name == "arg"


@pytest.mark.parametrize(
    ("var", "raw", "message"),
    [
        ("APP_COUNT", "many", "APP_COUNT must be an integer, got 'many'"),
        ("APP_RATIO", "half", "APP_RATIO must be a number"),
        ("APP_ENABLED", "maybe", "APP_ENABLED must be 1/0"),
        ("APP_IDS", "1,x", "APP_IDS must be an integer"),
        ("OTHER_SECONDS", "soon", "OTHER_SECONDS must be a number"),
    ],
)
def test_a_bad_value_names_its_variable(var: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(Example, {"APP_NAME": "x", var: raw}, "APP_")


def test_secret_file_under_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "app.secret"
    secret.write_text("APP_NAME=from-file\nexport APP_COUNT='8'\nAPP_SECRET=\"x=y\"\n")
    env = {"APP_FILE": str(secret), "APP_COUNT": "2", "APP_SECRET": ""}
    got = load(Example, layered(env, "APP_FILE", "absent.secret"), "APP_")
    # the environment wins; an empty environment value does not hide the file's
    assert (got.name, got.count, got.secret) == ("from-file", 2, "x=y")


def test_dotenv_fills_only_unset_variables(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("APP_NAME=file\nAPP_COUNT=4\n")
    env = {"APP_NAME": "shell"}
    assert load_dotenv(env_file, env) == ["APP_COUNT"]
    assert (load(Example, env, "APP_").name, load(Example, env, "APP_").count) == ("shell", 4)
