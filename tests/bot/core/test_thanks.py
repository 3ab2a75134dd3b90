"""Thank-yous for paid events (bot/core/thanks.py): merged per room and language, paced, within the platform's
message length, never for what is not revenue, configurable per room.

The merger is driven with a hand-moved clock; what it posts is collected where the gateway's pacer would
take it. The path through the real gateway, pacer and simulator is in tests/web/test_paid_events.py.
"""

from __future__ import annotations

import pytest

from bot.core.thanks import RoomThanks, Thanks, ThanksConfig, mention_name
from connectors.base import ChatEvent, EventKind, Money

TEN_CNY = Money(10.0, "CNY")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def paid(
    name: str,
    kind: EventKind = EventKind.GIFT,
    platform: str = "bilibili",
    money: Money | None = TEN_CNY,
    text: str = "",
    room: str = "r1",
    **extra: object,
) -> ChatEvent:
    return ChatEvent(
        platform=platform,
        room=room,
        message_id=f"{name}-{kind.value}",
        viewer_id=f"id-{name}",
        display_name=name,
        text=text,
        kind=kind,
        item="Rocket",
        count=1,
        money=money,
        extra=dict(extra),
    )


def merger(
    config: ThanksConfig | None = None,
    backlog: int = 0,
    viewer_langs: dict[str, str] | None = None,
    max_chars: int = 500,
) -> tuple[Thanks, list[tuple[str, str, str, str]], Clock]:
    posts: list[tuple[str, str, str, str]] = []
    clock = Clock()
    thanks = Thanks(
        config or ThanksConfig(),
        lambda platform, room, text, lang: posts.append((platform, room, text, lang)),
        backlog=lambda platform: backlog,
        # the gateway's Gateway.language_of: the viewer's latest line, else the room's language ("en")
        viewer_lang=lambda platform, room, viewer_id: (viewer_langs or {}).get(viewer_id, "en"),
        max_chars=lambda platform: max_chars,
        clock=clock,
    )
    return thanks, posts, clock


def test_gifts_within_the_window_are_thanked_in_one_line_once_the_window_has_passed() -> None:
    thanks, posts, clock = merger()
    for name in ("ann", "bo", "cy"):
        thanks.on_event(paid(name))
    thanks.on_event(paid("ann"))  # a second gift of ann's: named once
    thanks.tick()
    assert posts == [], "nothing before the window (8 s) has passed"
    clock.now += 8
    thanks.tick()
    assert posts == [("bilibili", "r1", "Thank you @ann @bo @cy for the gifts!", "en")]
    clock.now += 30
    thanks.tick()
    assert len(posts) == 1, "a batch is posted once"


def test_the_thank_you_speaks_the_supporters_language() -> None:
    thanks, posts, clock = merger(viewer_langs={"id-mei": "zh", "id-li": "en"})
    thanks.on_event(paid("mei"))  # no text: mei's last chat line was Chinese
    thanks.on_event(paid("li", EventKind.SUPER_CHAT, text="主播的口红是什么色号"))  # the super chat's own
    thanks.on_event(paid("sam"))  # unknown viewer: the room's language
    clock.now += 8
    thanks.tick()
    clock.now += 10  # one line per room every 10 s, whatever its language
    thanks.tick()
    assert sorted(posts) == [
        ("bilibili", "r1", "Thank you @sam for the gifts!", "en"),
        ("bilibili", "r1", "感谢 @mei @li 的支持！", "zh"),
    ]


@pytest.mark.parametrize(
    ("event", "line"),
    [
        (paid("kay", EventKind.SUPER_CHAT, "twitch", Money(500, "bits")), "Thank you @kay for the bits!"),
        (paid("kay", EventKind.SUBSCRIPTION, "twitch", None), "Thank you @kay for subscribing!"),
        (
            paid("kay", EventKind.SUBSCRIPTION, "youtube", Money(4.99, "USD")),
            "Thank you @kay for becoming a member!",
        ),
        (
            paid("kay", EventKind.SUBSCRIPTION, "bilibili", Money(198, "CNY")),
            "Thank you @kay for boarding as captain!",
        ),
        (
            paid("kay", EventKind.SUPER_CHAT, "youtube", Money(20, "JPY")),
            "Thank you @kay for the Super Chat!",
        ),
    ],
)
def test_each_kind_of_support_has_its_own_words(event: ChatEvent, line: str) -> None:
    thanks, posts, clock = merger()
    thanks.on_event(event)
    clock.now += 8
    thanks.tick()
    assert [p[2] for p in posts] == [line]


def test_what_is_not_revenue_is_not_thanked() -> None:
    thanks, posts, clock = merger()
    thanks.on_event(paid("free", money=Money(100, "silver")))  # a free Bilibili gift
    part = paid("gifter", EventKind.GIFT, "twitch", None, community_gift_id="abc")  # one sub of 5
    thanks.on_event(part)
    thanks.on_event(paid("follower", EventKind.FOLLOW, money=None))
    clock.now += 60
    thanks.tick()
    assert posts == []


def test_many_supporters_fit_one_line_with_the_rest_counted() -> None:
    thanks, posts, clock = merger()
    for i in range(8):
        thanks.on_event(paid(f"v{i}"))
    thanks.tick()  # a full line goes before the window ends
    assert [p[2] for p in posts] == ["Thank you @v0 @v1 @v2 @v3 @v4 and 3 more for the gifts!"]
    short, posts, clock = merger(max_chars=20)  # Bilibili: 20 characters per danmaku
    for name in ("anna", "bobby", "cyril"):
        short.on_event(paid(name, text="谢谢"))
    clock.now += 8
    short.tick()
    assert [p[2] for p in posts] == ["感谢 @anna 等 2 位 的礼物！"]
    assert len(posts[0][2]) <= 20


def test_one_line_per_interval_per_room_and_thanks_wait_for_a_busy_pacer() -> None:
    thanks, posts, clock = merger()
    thanks.on_event(paid("ann"))
    clock.now += 8
    thanks.tick()
    thanks.on_event(paid("bo"))
    clock.now += 8  # bo's window has passed, but the room had a thank-you 8 s ago (interval 10 s)
    thanks.tick()
    assert len(posts) == 1
    clock.now += 2
    thanks.tick()
    assert [p[2] for p in posts] == ["Thank you @ann for the gifts!", "Thank you @bo for the gifts!"]

    busy, posts, clock = merger(backlog=10)
    busy.on_event(paid("cy"))
    clock.now += 30
    busy.tick()
    assert posts == [], "answers first while the pacer is backed up"
    busy.on_event(paid("dee"))
    clock.now += 31  # cy has waited 61 s: longer than max_hold_s
    busy.tick()
    assert [p[2] for p in posts] == ["Thank you @cy @dee for the gifts!"]


def test_rooms_have_their_own_settings() -> None:
    config = ThanksConfig(
        rooms={
            "bilibili:quiet": RoomThanks(enabled=False),
            "bilibili:big": RoomThanks(window_s=0, minimum={"CNY": 50}),
        }
    )
    thanks, posts, _ = merger(config)
    thanks.on_event(paid("ann", room="quiet"))
    thanks.on_event(paid("bo", room="big", money=Money(10, "CNY")))
    thanks.on_event(paid("cy", room="big", money=Money(99, "CNY")))
    thanks.tick()
    assert posts == [("bilibili", "big", "Thank you @cy for the gifts!", "en")]


def test_settings_come_from_the_environment_and_bad_ones_are_errors() -> None:
    config = ThanksConfig.from_env(
        {
            "LIVEROOM_THANKS_WINDOW_S": "3",
            "LIVEROOM_THANKS_MIN": "bits=100,CNY=1",
            "LIVEROOM_THANKS_ROOMS": '{"twitch:chan": {"enabled": false}, "bilibili:1": {"max_names": 2}}',
        }
    )
    assert config.enabled and config.default.window_s == 3.0
    assert config.default.minimum == {"bits": 100.0, "CNY": 1.0}
    assert config.for_room("twitch", "chan").enabled is False
    assert config.for_room("bilibili", "1").max_names == 2
    assert config.for_room("bilibili", "2") is config.default
    assert ThanksConfig.from_env({"LIVEROOM_THANKS": "off"}).enabled is False
    for bad in (
        {"LIVEROOM_THANKS_MIN": "bits"},
        {"LIVEROOM_THANKS_ROOMS": "[1]"},
        {"LIVEROOM_THANKS_ROOMS": '{"chan": {}}'},
        {"LIVEROOM_THANKS_ROOMS": '{"twitch:chan": {"colour": "red"}}'},
        {"LIVEROOM_THANKS_MAX_NAMES": "0"},
    ):
        with pytest.raises(ValueError, match=r"LIVEROOM_THANKS|max_names"):
            ThanksConfig.from_env(bad)


def test_names_cannot_ping_others_or_carry_control_characters() -> None:
    assert mention_name("@alice @bob") == "alicebob"
    assert mention_name("ev\u202eil\u200b\nname") == "evilname"
    assert mention_name("x" * 40) == "x" * 25
    thanks, posts, clock = merger()
    thanks.on_event(paid("\u200b@@"))  # nothing left to name: counted, not posted
    clock.now += 8
    thanks.tick()
    assert posts == []
