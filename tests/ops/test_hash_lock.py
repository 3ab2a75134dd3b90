"""The hashed lock files must pin exactly what the plain lock files pin: a dependency bump that forgets
``python -m ops hash-lock`` would otherwise leave ``--require-hashes`` installs on stale versions."""

from __future__ import annotations

import pytest

from ops.hash_lock import LOCKS, REPO


def pins(text: str) -> set[str]:
    """name==version per line, normalized; a local version label (torch's ``+cpu``) names the same pin."""
    return {
        line.split()[0].lower().replace("_", "-").split("+")[0]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    }


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_hashed_lock_pins_the_same_versions(lock: str) -> None:
    hashed_name = LOCKS[lock][1]
    plain = pins((REPO / lock).read_text())
    hashed_text = (REPO / hashed_name).read_text()
    assert pins(hashed_text) == plain, f"{hashed_name} is stale: run `python -m ops hash-lock`"
    body = [line for line in hashed_text.splitlines() if line.strip() and not line.startswith("#")]
    assert all("--hash=sha256:" in line for line in body)
