"""Tests of the Rasa components (nlu/rasa/), run by the Rasa runtime: `.venv-rasa/bin/python -m pytest
tests/rasa_runtime` (`make test` does). The app runtime (Python 3.11, no rasa) skips this directory."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

if importlib.util.find_spec("rasa") is None:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def agent() -> Any:
    """This repo's trained model (the machine's model cache, as ``ops up`` trains it), loaded as
    ``rasa run`` does. No action server: a turn's custom actions fail (logged), but the message and
    its parse are in the tracker, and that parse is what the channel reports."""
    from rasa.core.agent import Agent

    from ops.bootstrap import cache_dir
    from ops.rasa_model import model_hash

    name = f"{model_hash(REPO)}.tar.gz"
    for model in (cache_dir() / "models" / name, REPO / "models" / name):
        if model.exists():
            return Agent.load(str(model))
    pytest.fail(f"no trained model {name} for these inputs: run `make train` first")
