"""The dashboard sampler stops whenever it is told to, whatever its open-questions poll is doing.

Python 3.11's ``asyncio.wait_for`` drops a cancellation that lands in the loop turn where the awaited
query has just finished; the poll then slept and polled on, and ``stop()`` (the app's cleanup) waited
for it forever. Here the poll runs back to back on a real FalkorDB graph and is stopped after every
number of loop turns up to three polls' worth, so the stop lands in each phase of a poll, that turn included.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bot.adapters.rasa import RasaClient
from bot.assembly import build_gateway
from bot.core.config import GatewayConfig
from bot.metrics import GatewayMetrics
from bot.web.dashboard_hub import FrameHub
from bot.web.dashboard_sampler import LiveSampler
from bot.web.dashboard_tap import ChatTap
from connectors.simulator.connector import SimulatorConnector
from knowledge_graph.editing.open_questions import record_open_question
from knowledge_graph.store import open_store
from knowledge_graph.store.server import FalkorDBServer
from tests.conftest import free_port


async def test_the_sampler_stops_in_every_phase_of_its_open_questions_poll(falkordb: FalkorDBServer) -> None:
    store = open_store(falkordb.graph_config(f"sampler-stop-{time.time_ns()}"))
    await record_open_question(store, "simulator", "shop", "v1", "do you ship to Canada?", "en")
    config = GatewayConfig(rasa_url=f"http://127.0.0.1:{free_port()}", rasa_channel="rest")
    async with aiohttp.ClientSession() as session:
        rasa = RasaClient(session, config.rasa_url)
        gateway = build_gateway(config, rasa, {"simulator": SimulatorConnector()}, GatewayMetrics())

        def sampler() -> LiveSampler:
            return LiveSampler(gateway, ChatTap(), FrameHub(), lambda: store, open_questions_every_s=0.0)

        first = sampler()  # how many loop turns one poll takes here, now
        first.start()
        poll_turns = 0
        while not first.open_questions:
            await asyncio.sleep(0)
            poll_turns += 1
        await first.stop()
        stuck = []
        polled = 0
        for attempt in range(200):
            sampling = sampler()
            sampling.start()
            polls = list(sampling._tasks)
            for _ in range(attempt % (3 * poll_turns + 3)):
                await asyncio.sleep(0)
            stopping = asyncio.create_task(sampling.stop())
            await asyncio.wait({stopping}, timeout=5.0)  # waits, cancels nothing
            if not stopping.done():
                stuck.append(attempt)
                while not all(task.done() for task in polls):  # end it, so the next test has a clean loop
                    for task in polls:
                        task.cancel()
                    await asyncio.sleep(0.01)
            await stopping
            polled += bool(sampling.open_questions)
        await gateway.stop()
    await store.drop_graph()
    await store.close()
    assert polled > 50  # the polls did finish (the stop was not always before the first answer)
    assert stuck == [], (len(stuck), stuck)
