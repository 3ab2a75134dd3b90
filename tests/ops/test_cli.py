"""``python -m ops``: the operator commands, importable before any venv exists (``make setup`` runs
``python3 -m ops setup`` under the system interpreter), and ``python -m bot`` pointing at it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from ops.__main__ import parser

REPO = Path(__file__).resolve().parents[2]
LIVEROOM_AND_THIRD_PARTY = ("bot", "knowledge_graph", "connectors", "nlu", "actions", "vision", "aiohttp")


def test_importing_the_command_line_loads_only_the_standard_library() -> None:
    probe = (
        "import sys; import ops.__main__; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {LIVEROOM_AND_THIRD_PARTY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_operator_command_is_there() -> None:
    help_text = parser().format_help()
    for command in ("up", "train", "setup", "audit", "hash-lock"):
        assert command in help_text


@pytest.mark.parametrize("command", ["up", "train"])
def test_the_gateway_cli_points_to_ops(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert bot_main([command]) == 2
    assert f"python -m ops {command}" in capsys.readouterr().err
