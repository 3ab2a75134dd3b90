"""Security review M5: Rasa's built-in REST channel has no authentication and bypassed the liveroom
channel's token, so it is off unless a benchmark asks for it (LIVEROOM_RASA_REST=1)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
import yaml

from ops.supervisor import Supervisor, SupervisorConfig
from tests.conftest import Stack

REPO = Path(__file__).resolve().parents[2]


def _channels(name: str) -> set[str]:
    return set(yaml.safe_load((REPO / name).read_text()) or {})


def test_the_shipped_credentials_open_only_the_token_checked_channel() -> None:
    assert _channels("credentials.yml") == {"nlu.rasa.channel.LiveroomInput"}
    assert "credentials-rest.yml" not in (REPO / "Dockerfile.rasa").read_text()
    assert "rest" in _channels("credentials-rest.yml")


@pytest.mark.parametrize(("flag", "credentials"), [("", "credentials.yml"), ("1", "credentials-rest.yml")])
def test_rasa_gets_the_rest_channel_only_when_asked(tmp_path: Path, flag: str, credentials: str) -> None:
    config = SupervisorConfig.from_env({"LIVEROOM_VAR": str(tmp_path), "LIVEROOM_RASA_REST": flag})
    argv = Supervisor(config, say=lambda _line: None)._rasa_child("rasa", 5005, tmp_path / "m.tar.gz").argv
    assert argv[argv.index("--credentials") + 1] == credentials


@pytest.mark.e2e
async def test_the_running_rasa_has_no_rest_webhook(stack: Stack) -> None:
    body = {"sender": "simulator:demo:alice", "message": "/complain"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body) as resp:
            assert resp.status == 404
        async with session.post(f"{stack.rasa_url}/webhooks/liveroom/webhook", json=body) as resp:
            assert resp.status == 401
