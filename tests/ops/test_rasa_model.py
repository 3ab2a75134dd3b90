"""The Rasa model is keyed by its inputs: reused when they are unchanged, retrained when not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ops import rasa_model


@pytest.fixture
def project(tmp_path: Path) -> Path:
    repo = Path(rasa_model.REPO)
    for name in ("config.yml", "domain.yml", "requirements-rasa.txt"):
        shutil.copy(repo / name, tmp_path / name)
    shutil.copytree(repo / "data", tmp_path / "data")
    shutil.copytree(repo / "nlu", tmp_path / "nlu", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_hash_is_stable_and_follows_every_input(project: Path) -> None:
    first = rasa_model.model_hash(project)
    assert rasa_model.model_hash(project) == first
    training_data = sorted((project / "data").glob("*.yml"))[0]
    inputs = (
        project / "config.yml",
        training_data,
        project / "nlu" / "text" / "language.py",  # a helper the Rasa components import
        project / "nlu" / "rasa" / "chat_signals.py",
    )
    for path in inputs:
        original = path.read_text()
        path.write_text(original + "\n# changed\n")
        assert rasa_model.model_hash(project) != first, f"{path.name} must be part of the model hash"
        path.write_text(original)
    assert rasa_model.model_hash(project) == first


def test_the_serve_time_channel_is_not_a_training_input(project: Path) -> None:
    first = rasa_model.model_hash(project)
    for name in ("channel.py", "launch.py"):
        served = project / "nlu" / "rasa" / name
        served.write_text(served.read_text() + "\n# changed\n")
        assert rasa_model.model_hash(project) == first


def test_an_existing_model_is_reused_without_training(project: Path) -> None:
    key = rasa_model.model_hash(project)
    (project / "models").mkdir()
    model = project / "models" / f"{key}.tar.gz"
    model.write_bytes(b"model")
    said: list[str] = []
    # no .venv-rasa in this project: training would fail, so success proves reuse
    assert rasa_model.ensure_model(project, log_file=project / "train.log", progress=said.append) == model
    assert "up to date" in said[0]


def test_the_machine_cache_serves_a_fresh_clone(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEROOM_CACHE", str(project / "cache"))
    key = rasa_model.model_hash(project)
    cached = project / "cache" / "models" / f"{key}.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"cached model")
    model = rasa_model.ensure_model(project, log_file=project / "train.log", progress=lambda _: None)
    assert model.read_bytes() == b"cached model"


def test_training_without_the_runtime_fails_clearly(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEROOM_CACHE", str(project / "cache"))
    with pytest.raises(rasa_model.TrainingFailed, match="make setup"):
        rasa_model.ensure_model(project, log_file=project / "train.log", progress=lambda _: None)
