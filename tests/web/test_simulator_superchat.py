"""Super chats in the simulator connector (no browser): a paid message reaches the gateway's sink as a
SUPER_CHAT event with its money, every client in the room gets it with the amount (to pin it), late
joiners get it in the history, and a bad amount is refused with a reason."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors.base import ChatEvent, EventKind
from connectors.simulator.connector import SimulatorConnector


async def _start() -> tuple[TestClient, SimulatorConnector, list[ChatEvent]]:
    connector = SimulatorConnector()
    events: list[ChatEvent] = []

    async def sink(event: ChatEvent) -> None:
        events.append(event)

    await connector.start(sink)
    app = web.Application()
    app.add_routes(connector.web_routes())
    client = TestClient(TestServer(app))
    await client.start_server()
    return client, connector, events


async def test_super_chat_reaches_the_gateway_and_every_client_with_its_amount() -> None:
    client, connector, events = await _start()
    try:
        sender = await client.ws_connect("/ws/rooms/sc")
        other = await client.ws_connect("/ws/rooms/sc")
        for ws in (sender, other):
            assert (await ws.receive_json())["type"] == "welcome"
        await sender.send_json(
            {"type": "super_chat", "viewer": "lin", "text": "how much is it?", "amount": 50}
        )
        for ws in (sender, other):
            frame = await ws.receive_json(timeout=5)
            assert frame["type"] == "super_chat" and frame["text"] == "how much is it?"
            assert (frame["amount"], frame["currency"], frame["viewer"]) == (50.0, "CNY", "lin")
        [event] = events
        assert event.kind is EventKind.SUPER_CHAT and event.text == "how much is it?"
        assert event.money is not None and (event.money.amount, event.money.currency) == (50.0, "CNY")
        late = await client.ws_connect("/ws/rooms/sc")
        history = (await late.receive_json())["history"]
        assert [(p["type"], p["amount"]) for p in history] == [("super_chat", 50.0)]
        # chat frames carry no amount; a super chat without a valid amount is refused, not delivered
        await sender.send_json({"type": "chat", "viewer": "lin", "text": "hi"})
        assert "amount" not in await sender.receive_json(timeout=5)
        await sender.send_json({"type": "super_chat", "viewer": "lin", "text": "free?", "amount": -5})
        error = await sender.receive_json(timeout=5)
        assert error["type"] == "error" and "amount" in error["reason"]
        assert len(events) == 2
    finally:
        await connector.stop()
        await client.close()
