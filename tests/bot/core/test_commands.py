"""Commands, polls, giveaways and timers of a room."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from bot.core.commands import CommandConfig, RoomFeatures, Timer
from connectors.base import ChatEvent, Role

MOD = frozenset({Role.MODERATOR})


def chat(text: str, viewer: str = "v", roles: frozenset[Role] = frozenset()) -> ChatEvent:
    return ChatEvent(
        platform="simulator",
        room="r",
        message_id=f"{viewer}:{text}",
        viewer_id=viewer,
        display_name=viewer.upper(),
        text=text,
        roles=roles,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def price(arg: str, lang: str) -> str:
    return f"{arg} is ¥129" if lang == "en" else f"{arg} ¥129"


@pytest.fixture
def room() -> RoomFeatures:
    return RoomFeatures(CommandConfig({"socials": "follow us on bilibili"}), {"price": price})


async def test_custom_and_graph_commands(room: RoomFeatures) -> None:
    assert await room.handle(chat("!socials"), "en") == "follow us on bilibili"
    assert await room.handle(chat("!price serum"), "en") == "serum is ¥129"
    assert await room.handle(chat("!PRICE 精华"), "zh") == "精华 ¥129"
    assert await room.handle(chat("!unknown"), "en") is None
    assert await room.handle(chat("just chatting"), "en") is None


async def test_poll_counts_one_vote_per_viewer_and_only_mods_run_it(room: RoomFeatures) -> None:
    assert await room.handle(chat("!poll best colour? | red | nude | pink"), "en") is None  # viewer: ignored
    opened = await room.handle(chat("!poll best colour? | red | nude | pink", roles=MOD), "en")
    assert opened is not None and "1) red" in opened
    for viewer, vote in [("a", "1"), ("b", "2"), ("c", "2"), ("a", "3"), ("d", "9")]:
        assert await room.handle(chat(vote, viewer), "en") is None
    result = await room.handle(chat("!endpoll", roles=MOD), "en")
    assert result == "Poll closed (3 votes): nude 2, pink 1, red 0"
    assert room.poll is None


async def test_giveaway_draw_is_fair_and_single_entry(room: RoomFeatures) -> None:
    wins: Counter[str] = Counter()
    for seed in range(600):
        features = RoomFeatures(CommandConfig(), {}, rng=random.Random(seed))
        await features.handle(chat("!giveaway lipstick", roles=MOD), "en")
        for viewer in ("a", "b", "c"):
            for _ in range(3 if viewer == "a" else 1):  # "a" enters three times: still one entry
                await features.handle(chat("LIPSTICK", viewer), "en")
        result = await features.handle(chat("!draw", roles=MOD), "en")
        assert result is not None and "(3 entrants)" in result
        wins[result.split("@")[1].split(",")[0]] += 1
    assert set(wins) == {"A", "B", "C"}
    assert all(150 <= n <= 250 for n in wins.values()), wins  # ~200 each


async def test_draw_without_entrants(room: RoomFeatures) -> None:
    assert await room.handle(chat("!draw", roles=MOD), "zh") == "还没有人参与抽奖"


async def test_timers_only_while_chat_is_active() -> None:
    clock = Clock()
    room = RoomFeatures(CommandConfig({}, (Timer("follow for drops!", 600, 5),)), {}, clock=clock)
    clock.now = 700
    assert room.due_announcements() == []  # quiet room: nothing
    for i in range(5):
        await room.handle(chat(f"msg {i}", f"v{i}"), "en")
    assert room.due_announcements() == ["follow for drops!"]
    assert room.due_announcements() == []  # not again right away
    for i in range(5):
        await room.handle(chat(f"msg {i}", f"v{i}"), "en")
    clock.now += 300
    assert room.due_announcements() == []
    clock.now += 300
    assert room.due_announcements() == ["follow for drops!"]


def test_config_file_validation(tmp_path: Path) -> None:
    good = tmp_path / "commands.json"
    good.write_text(json.dumps({"commands": {"Socials": "x"}, "timers": [{"text": "hi", "interval_s": 120}]}))
    config = CommandConfig.from_file(good)
    assert config.commands == {"socials": "x"} and config.timers[0].interval_s == 120
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"timers": [{"text": "spam", "interval_s": 5}]}))
    with pytest.raises(ValueError, match=r"timers\[0\].interval_s must be >= 60"):
        CommandConfig.from_file(bad)
    bad.write_text(json.dumps({"commands": {"bad name!": "x"}}))
    with pytest.raises(ValueError, match="'commands'"):
        CommandConfig.from_file(bad)
