"""The whole demo with the knowledge graph on a real Neo4j 5.

``LIVEROOM_GRAPH_BACKEND=neo4j python -m ops up`` starts its own Neo4j (ops/neo4j_server.py), seeds the
demo catalog into it, and every part that reads or edits the graph works on it: price answers from the
graph, semantic FAQ answers (vector indexes), recommendations, and an edit through the admin API (the
editor's back end) that the bot's next answer follows.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from knowledge_graph.answers.replies import format_price
from knowledge_graph.catalog.mentions import find_product
from knowledge_graph.config import GraphConfig
from knowledge_graph.store import GraphStore, open_store
from tests.conftest import Stack, free_port, record_figure
from tests.e2e.test_price_e2e import ask
from tests.scaleout.conftest import Proc, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.neo4j]

ADMIN_TOKEN = f"neo4j-e2e-{secrets.token_hex(8)}"
ROOM = "neo4j-demo"


@pytest.fixture(scope="module")
def neo4j_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, int, Proc]]:
    var_dir: Path = tmp_path_factory.mktemp("neo4j-stack")
    gateway_port, rasa_port, neo4j_port = free_port(), free_port(), free_port()
    env = base_env(
        var_dir,
        LIVEROOM_GRAPH_BACKEND="neo4j",
        NEO4J_PORT=str(neo4j_port),
        LIVEROOM_ACTIONS_PORT=str(free_port()),
        LIVEROOM_RASA_PORT=str(rasa_port),
        LIVEROOM_GATEWAY_PORT=str(gateway_port),
        LIVEROOM_ADMIN_TOKENS=f"editor:{ADMIN_TOKEN}",
        LIVEROOM_WEB_USERS="alice:streamer:alice-streams-42",
    )
    proc = Proc([sys.executable, "-m", "ops", "up"], env, "neo4j-stack")
    try:
        proc.wait_for("liveroom is ready", float(os.environ.get("LIVEROOM_TEST_STACK_TIMEOUT", "900")))
        record_figure("neo4j stack: " + "; ".join(line for line in proc.output if "Neo4j ready in" in line))
        gateway = f"http://127.0.0.1:{gateway_port}"
        stack = Stack(
            gateway_url=gateway,
            ws_url=gateway.replace("http://", "ws://"),
            falkordb_port=0,
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            var_dir=var_dir,
            output=proc.output,
        )
        yield stack, neo4j_port, proc
    finally:
        proc.stop()


@pytest.fixture
async def graph(neo4j_stack: tuple[Stack, int, Proc]) -> AsyncIterator[GraphStore]:
    store = open_store(GraphConfig(backend="neo4j", neo4j_uri=f"bolt://127.0.0.1:{neo4j_stack[1]}"))
    yield store
    await store.close()


async def test_the_demo_catalog_is_seeded_into_neo4j(
    neo4j_stack: tuple[Stack, int, Proc], graph: GraphStore
) -> None:
    stack, port, proc = neo4j_stack
    assert any(f"starting Neo4j 5 on 127.0.0.1:{port}" in line for line in proc.output)
    assert any("demo products loaded" in line for line in proc.output), proc.output[-20:]
    assert not (stack.var_dir / "falkordb").exists(), "no FalkorDB runs when the graph is on Neo4j"
    rows = await graph.read("MATCH (p:Product) RETURN count(p) AS n")
    assert rows[0]["n"] >= 20
    indexes = await graph.read("SHOW INDEXES YIELD type WHERE type = 'VECTOR' RETURN count(*) AS n")
    assert indexes[0]["n"] >= 3, "the semantic FAQ's vector indexes exist on Neo4j"


async def test_price_answers_come_from_neo4j(neo4j_stack: tuple[Stack, int, Proc], graph: GraphStore) -> None:
    stack = neo4j_stack[0]
    serum = await find_product(graph, "serum")
    assert serum is not None
    reply, _ = await ask(stack, ROOM, "nina", "how much is the serum?")
    assert serum.name("en") in reply and format_price(serum.price, serum.currency) in reply, reply


async def test_semantic_faq_answers_come_from_neo4j_vectors(neo4j_stack: tuple[Stack, int, Proc]) -> None:
    stack = neo4j_stack[0]
    reply, _ = await ask(stack, ROOM, "omar", "are your products genuine?")
    assert "official invoices" in reply, reply
    zh, _ = await ask(stack, ROOM, "小陈", "什么时候发货呀")
    assert "48小时" in zh, zh


async def test_recommendations_name_catalog_products(
    neo4j_stack: tuple[Stack, int, Proc], graph: GraphStore
) -> None:
    stack = neo4j_stack[0]
    names = [row["name"] for row in await graph.read("MATCH (p:Product) RETURN p.name_en AS name")]
    reply, _ = await ask(stack, ROOM, "pia", "what do you recommend?")
    assert any(name in reply for name in names), reply


async def test_an_edit_through_the_admin_api_reaches_the_next_answer(
    neo4j_stack: tuple[Stack, int, Proc], graph: GraphStore
) -> None:
    stack = neo4j_stack[0]
    mascara = await find_product(graph, "mascara")
    assert mascara is not None
    new_price = mascara.price + Decimal("7.00")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as session:
        async with session.patch(
            f"{stack.gateway_url}/api/v1/products/{mascara.sku}",
            json={"version": mascara.version, "price": str(new_price)},
        ) as resp:
            assert resp.status == 200, await resp.text()
            assert (await resp.json())["version"] == mascara.version + 1
        async with session.patch(
            f"{stack.gateway_url}/api/v1/products/{mascara.sku}",
            json={"version": mascara.version, "stock": 0},
        ) as stale:
            assert stale.status == 409, "a stale version is refused on Neo4j as on FalkorDB"
    reply, _ = await ask(stack, ROOM, "quinn", "how much is the mascara?")
    assert format_price(new_price, mascara.currency) in reply, reply
