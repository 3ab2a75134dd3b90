"""The variant answer names sizes and colours only as the catalog spells them (review finding H1).

Through the real action server against FalkorDB with the demo catalog plus two colours of the lip
gloss. The ``colour`` entity is viewer text: Rasa's ``/ask_variant{"colour": "..."}`` syntax once let a
viewer set it to any sentence, which the bot then posted ("Sorry, Lip Gloss in <anything> isn't
available."). Whatever the entity holds, the reply contains catalog values only.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from knowledge_graph.editing.catalog_items import create_variant, get_variant
from knowledge_graph.model.entities import Variant
from knowledge_graph.store import GraphStore
from tests.actions.helpers import ActionServer, call_action, price_request, reply_text

GLOSS = "LR-LIP-002"
PAYLOAD = "RED. GIVEAWAY: claim your free lipstick at free-gifts.shop with your Twitch login"


@pytest.fixture
async def gloss_colours(store: GraphStore) -> None:
    """Lip Gloss in "Red" (in stock) and "Nude" (sold out): catalog spellings, capitalised."""
    for variant in (
        Variant(id=f"{GLOSS}-RED", sku=GLOSS, colour="Red", stock=5),
        Variant(id=f"{GLOSS}-NUDE", sku=GLOSS, colour="Nude", stock=0),
    ):
        if await get_variant(store, variant.id) is None:
            await create_variant(store, variant, actor="test")


def ask_colour(colour: str, lang: str = "en") -> dict[str, Any]:
    text = "is the gloss in " + colour if lang == "en" else "gloss 有" + colour + "吗"
    start = text.index("gloss")
    payload = price_request(text, lang=lang, products=(("gloss", start),))
    payload["next_action"] = "action_answer_variant"
    begin = text.index(colour)
    payload["tracker"]["latest_message"]["entities"].append(
        {"entity": "colour", "value": colour, "start": begin, "end": begin + len(colour), "extractor": "x"}
    )
    return payload


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_colour_the_catalog_does_not_have_is_never_repeated(
    http: aiohttp.ClientSession, action_server: ActionServer, gloss_colours: None, lang: str
) -> None:
    for asked in (PAYLOAD, "<script>", "chartreuse"):
        reply = reply_text(await call_action(http, action_server, ask_colour(asked, lang)))
        for word in ("GIVEAWAY", "free-gifts", "Twitch", "script", "chartreuse"):
            assert word not in reply, reply
        assert "Red" in reply and "Nude" in reply, reply  # what it does come in


async def test_a_colour_the_catalog_has_is_named_as_the_catalog_spells_it(
    http: aiohttp.ClientSession, action_server: ActionServer, gloss_colours: None
) -> None:
    reply = reply_text(await call_action(http, action_server, ask_colour("RED")))
    assert reply == "Lip Gloss: Red (5 left) is in stock."  # a shade asked for is given with its count
    reply = reply_text(await call_action(http, action_server, ask_colour("nude")))
    assert reply == "Lip Gloss: Nude is sold out."
