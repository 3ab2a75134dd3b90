"""The liveroom channel's webhooks refuse requests without the shared token (Rasa runtime only).

Rasa's own server app (``rasa.core.run.configure_app``, as ``rasa run`` builds it, with an agent that
has no model) is served on a free port and called over HTTP. Sanic can start only one app per process
(its code touch-ups run once), so one server carries three copies of the channel: one given the token,
one built as Rasa builds it from credentials.yml with ``LIVEROOM_RASA_TOKEN`` set, one without a token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.run import configure_app

from nlu.rasa.channel import TOKEN_ENV, LiveroomInput

TOKEN = "channel-test-token-5b1f0e"
WRONG = "wrong-token-a8c3"
MESSAGE = {"sender": "simulator:room:小李", "message": "how much is the serum?"}
SLOTS = {"sender": "simulator:room:小李", "slots": {"product": "LR-SKN-001"}}


class EnvTokenInput(LiveroomInput):
    @classmethod
    def name(cls) -> str:
        return "liveroom_env"


class OpenInput(LiveroomInput):
    @classmethod
    def name(cls) -> str:
        return "liveroom_open"


@dataclass
class Served:
    base: str
    given: LiveroomInput
    from_env: LiveroomInput
    open: LiveroomInput
    startup_log: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    startup = _Records()
    logging.getLogger("nlu.rasa.channel").addHandler(startup)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(TOKEN_ENV, TOKEN)
        from_env = EnvTokenInput.from_credentials(None)  # how Rasa builds channels from credentials.yml
        env.delenv(TOKEN_ENV)
        open_channel = OpenInput.from_credentials(None)
    logging.getLogger("nlu.rasa.channel").removeHandler(startup)
    given = LiveroomInput(token=TOKEN)
    app = configure_app([given, from_env, open_channel], enable_api=True, auth_token=TOKEN, use_uvloop=False)
    app.ctx.agent = Agent()  # no model: messages are ignored, slots answer 503 (after the token check)
    port = free_port()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="rasa-test-server", daemon=True)
    thread.start()

    async def start() -> Any:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    async def stop(server: Any) -> None:
        await server.before_stop()
        await server.close()
        await server.after_stop()

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=60)
    try:
        yield Served(f"http://127.0.0.1:{port}/webhooks", given, from_env, open_channel, startup.messages)
    finally:
        asyncio.run_coroutine_threadsafe(stop(server), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def call(url: str, body: object = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_webhooks_answer_401_without_the_right_token_and_count_it(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    hook = f"{served.base}/liveroom"
    refused_headers = (
        {},
        {"Authorization": f"Bearer {WRONG}"},
        {"Authorization": TOKEN},  # no scheme
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"X-Token": TOKEN},
    )
    before = served.given.refused
    with caplog.at_level(logging.INFO, logger="nlu.rasa.channel"):
        for headers in refused_headers:
            for path, body in (("/webhook", MESSAGE), ("/slots", SLOTS)):
                status, answer = call(hook + path, body, headers)
                assert status == 401, (path, headers, answer)
                assert "token" in answer["error"]
    assert served.given.refused - before == 2 * len(refused_headers)
    assert call(hook + "/")[1]["refused"] == served.given.refused
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1, refusals  # the first refusal is logged, then one line per interval
    assert "POST /webhooks/liveroom/webhook from 127.0.0.1" in refusals[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in logged and WRONG not in logged


def test_the_right_token_passes_the_check(served: Served) -> None:
    hook = f"{served.base}/liveroom"
    good = {"Authorization": f"Bearer {TOKEN}"}
    before = served.given.refused
    # the agent has no model: it handles nothing, and the slots endpoint says why
    assert call(hook + "/webhook", MESSAGE, good) == (200, {"messages": [], "parse": None})
    assert call(hook + "/slots", SLOTS, good) == (503, {"error": "no model loaded"})
    assert call(hook + "/webhook", ["not", "an", "object"], good)[0] == 400
    assert call(hook + "/webhook", MESSAGE, {"Authorization": f"bearer  {TOKEN}"})[0] == 200
    assert served.given.refused == before


def test_the_token_comes_from_rasas_environment(served: Served) -> None:
    hook = f"{served.base}/liveroom_env"
    assert call(hook + "/webhook", MESSAGE)[0] == 401
    assert call(hook + "/webhook", MESSAGE, {"Authorization": f"Bearer {TOKEN}"})[0] == 200


def test_without_a_configured_token_the_channel_is_open_and_says_so(served: Served) -> None:
    assert any("accept requests from anyone" in m for m in served.startup_log), served.startup_log
    assert sum("accept requests from anyone" in m for m in served.startup_log) == 1  # only the open one
    assert call(f"{served.base}/liveroom_open/webhook", MESSAGE)[0] == 200
