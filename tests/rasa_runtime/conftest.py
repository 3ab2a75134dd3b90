"""Tests of the Rasa components (nlu/), run by the Rasa runtime: `.venv-rasa/bin/python -m pytest
tests/rasa_runtime` (`make test` does). The app runtime (Python 3.11, no rasa) skips this directory."""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("rasa") is None:
    collect_ignore_glob = ["test_*.py"]
