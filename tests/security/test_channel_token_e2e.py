"""Through the real stack (``python -m ops up``): Rasa's liveroom channel answers 401 to anyone without
the shared token (``LIVEROOM_RASA_TOKEN``, which the supervisor hands to Rasa and the gateway), while
the gateway's own path through it still answers viewers."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import Stack
from tests.e2e.test_price_e2e import ask
from tests.e2e.test_vision_e2e import rasa_token

pytestmark = pytest.mark.e2e

SENDER = "simulator:e2e-sec:mallory"


async def test_the_liveroom_channel_refuses_requests_without_the_token(stack: Stack) -> None:
    hook = f"{stack.rasa_url}/webhooks/liveroom"
    token = rasa_token(stack)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{hook}/") as resp:
            refused_before = (await resp.json())["refused"]
        attempts = (
            ("/slots", {"sender": SENDER, "slots": {"product": "LR-SKN-001"}}, {}),
            ("/webhook", {"sender": SENDER, "message": "how much is the serum?"}, {}),
            ("/webhook", {"sender": SENDER, "message": "hi"}, {"Authorization": "Bearer not-the-token"}),
            ("/slots", {"sender": SENDER, "slots": {"product": "x"}}, {"Authorization": f"Bearer {token}0"}),
        )
        for path, body, headers in attempts:
            async with session.post(hook + path, json=body, headers=headers) as resp:
                assert resp.status == 401, (path, headers, await resp.text())
                assert "token" in (await resp.json())["error"]
        async with session.get(f"{hook}/") as resp:
            assert (await resp.json())["refused"] - refused_before == len(attempts)
        # the refused slot never reached the conversation: with the token, the same sender has no product
        body = {"sender": SENDER, "message": "is it in stock?", "metadata": {"lang": "en"}}
        async with session.post(
            f"{hook}/webhook", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            assert resp.status == 200
            answer = await resp.json()
    assert answer["parse"]["intent"] == "ask_stock"
    assert "which product" in " ".join(m.get("text", "") for m in answer["messages"]).lower(), answer
    rasa_log = (stack.var_dir / "log" / "rasa.log").read_text(errors="replace")
    assert "liveroom channel: refused" in rasa_log
    assert token not in rasa_log and "not-the-token" not in rasa_log


async def test_the_gateway_still_talks_to_rasa_through_the_channel(stack: Stack) -> None:
    """A follow-up needs the conversation's context in Rasa (set by Rasa's turn, or by the gateway's
    fast path through the channel's slots endpoint): both channel endpoints carry the token."""
    first, _ = await ask(stack, "e2e-sec", "trent", "how much is the serum?")
    assert "serum" in first.lower(), first
    second, _ = await ask(stack, "e2e-sec", "trent", "and is it in stock?")
    assert "serum" in second.lower() and "stock" in second.lower(), second
    thanks, _ = await ask(stack, "e2e-sec", "trent", "thanks!!")
    assert "welcome" in thanks.lower(), thanks
