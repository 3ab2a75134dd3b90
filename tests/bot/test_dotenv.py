from __future__ import annotations

from pathlib import Path

import pytest

from connectors.settings import load_dotenv


def test_values_fill_only_unset_variables(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# secrets\nexport A=1\nB='two words'\nC=\"x=y\"\n\n")
    env = {"A": "from-shell"}
    assert load_dotenv(env_file, env) == ["B", "C"]
    assert env == {"A": "from-shell", "B": "two words", "C": "x=y"}


def test_missing_file_is_a_no_op(tmp_path: Path) -> None:
    assert load_dotenv(tmp_path / "absent", {}) == []


def test_a_malformed_line_names_the_line(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("A=1\nnot a pair\n")
    with pytest.raises(ValueError, match=r"\.env:2"):
        load_dotenv(env_file, {})
