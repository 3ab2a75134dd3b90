"""Chat logs: normalized events as JSON lines, and a generator of realistic ones for benchmarks.

One line per :class:`ChatEvent` (``kind``/``roles`` as strings, ``money`` as ``{amount, currency}``),
so a log recorded from any platform can be replayed into the simulator or straight into a sink.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from connectors.base import Badge, ChatEvent, EmoteSpan, EventKind, Money, Role


def event_to_json(event: ChatEvent) -> dict[str, Any]:
    data = asdict(event)
    data["kind"] = event.kind.value
    data["roles"] = sorted(r.value for r in event.roles)
    return data


def event_from_json(data: dict[str, Any]) -> ChatEvent:
    """The inverse of :func:`event_to_json`; unknown keys are ignored (logs may carry more)."""
    money = data.get("money")
    return ChatEvent(
        platform=str(data.get("platform", "simulator")),
        room=str(data["room"]),
        message_id=str(data["message_id"]),
        viewer_id=str(data["viewer_id"]),
        display_name=str(data.get("display_name") or data["viewer_id"]),
        text=str(data.get("text", "")),
        kind=EventKind(data.get("kind", "chat")),
        roles=frozenset(Role(r) for r in data.get("roles", [])),
        reply_to=data.get("reply_to"),
        timestamp=float(data.get("timestamp", 0.0)),
        badges=tuple(Badge(**b) for b in data.get("badges", [])),
        emotes=tuple(EmoteSpan(**e) for e in data.get("emotes", [])),
        medal_level=int(data.get("medal_level", 0)),
        item=str(data.get("item", "")),
        count=int(data.get("count", 0)),
        money=Money(float(money["amount"]), str(money["currency"])) if money else None,
        extra=dict(data.get("extra") or {}),
    )


def write_log(path: Path, events: Iterable[ChatEvent]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event_to_json(event), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_log(path: Path) -> Iterator[ChatEvent]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield event_from_json(json.loads(line))
                except (ValueError, KeyError, TypeError) as err:
                    raise ValueError(f"{path}:{number}: not a normalized event: {err}") from None


_CHATTER_EN = [
    "lol",
    "hi everyone",
    "this song slaps",
    "first time here!",
    "gg",
    "wow",
    "so pretty",
    "where are you streaming from?",
    "hahaha",
    "love the lighting",
    "hello from Brazil",
    "😂😂",
]
_CHATTER_ZH = [
    "哈哈哈",
    "主播好",
    "来了来了",
    "好看",
    "666",
    "第一次来",
    "晚上好",
    "太可爱了",
    "支持主播",
    "冲冲冲",
]
CHATTER: tuple[str, ...] = (*_CHATTER_EN, *_CHATTER_ZH)
"""Everyday chatter in both languages (the benchmarks and load tests mix it with questions)."""

_QUESTIONS_EN = [
    "how much is the matte lipstick?",
    "is the serum in stock?",
    "what's the price of the hoodie?",
    "do you ship to Canada?",
    "any discount today?",
    "which shade is best for dark skin?",
]
_QUESTIONS_ZH = ["这个口红多少钱", "精华还有货吗", "卫衣多少钱", "包邮吗", "今天有优惠吗", "哪个色号适合黄皮"]
_GIFTS = [("Rose", 0.1), ("Heart", 1.0), ("Rocket", 50.0), ("小心心", 0.1), ("辣条", 0.1)]


def generate(
    n: int,
    *,
    seed: int = 7,
    room: str = "bench",
    viewers: int = 300,
    zh_share: float = 0.5,
    question_share: float = 0.07,
    gift_share: float = 0.02,
    super_chat_share: float = 0.005,
    base_rate: float = 5.0,
    start: float = 1_700_000_000.0,
) -> list[ChatEvent]:
    """``n`` simulator events: mostly chatter, ~7 % questions to the bot, some gifts and super chats.

    Arrival times alternate calm stretches (``base_rate`` events/s) and bursts of 10x, like a room
    reacting to something on stream; deterministic for a given seed.
    """
    rng = random.Random(seed)
    names = [f"viewer{i}" if i % 2 else f"观众{i}" for i in range(viewers)]
    events, now = [], start
    burst_left = 0
    for i in range(n):
        if burst_left == 0 and rng.random() < 0.01:
            burst_left = rng.randint(20, 120)
        rate = base_rate * (10 if burst_left else 1)
        burst_left = max(0, burst_left - 1)
        now += rng.expovariate(rate)
        viewer = names[min(int(rng.paretovariate(1.2)) - 1, viewers - 1)]  # a few viewers talk a lot
        zh = rng.random() < zh_share
        roll = rng.random()
        kind, text, item, count, money = EventKind.CHAT, "", "", 0, None
        if roll < super_chat_share:
            kind, text, money, count = (
                EventKind.SUPER_CHAT,
                rng.choice(_QUESTIONS_ZH if zh else _QUESTIONS_EN),
                Money(30.0, "CNY"),
                1,
            )
        elif roll < super_chat_share + gift_share:
            item, price = rng.choice(_GIFTS)
            count = rng.choice([1, 1, 1, 5, 10])
            kind, money = EventKind.GIFT, Money(round(price * count, 2), "CNY")
        elif roll < super_chat_share + gift_share + question_share:
            text = rng.choice(_QUESTIONS_ZH if zh else _QUESTIONS_EN)
        else:
            text = rng.choice(_CHATTER_ZH if zh else _CHATTER_EN)
        events.append(
            ChatEvent(
                platform="simulator",
                room=room,
                message_id=f"{seed}-{i}",
                viewer_id=viewer,
                display_name=viewer,
                text=text,
                kind=kind,
                timestamp=now,
                item=item,
                count=count,
                money=money,
            )
        )
    return events
