"""One deployment, several platforms (issue 18, item 5): ONE gateway app runs the Twitch, Bilibili and
YouTube connectors (and the simulator) at once, each configured from the environment as in production
and pointed at its fake on loopback, each fake driven with real wire traffic:

* Twitch (EventSub WebSocket): a chat question, a cheer (bits) and a sub notification;
* Bilibili (danmaku WebSocket): a danmaku question, a SEND_GIFT, the room's watched / online counters,
  then a GUARD_BUY (captain) whose thank-you is longer than one danmaku;
* YouTube (liveChatMessages.list polling): a question and a Super Chat.

Each fake receives the bot's merged thank-you through its own send API (Helix chat/messages, Bilibili
/msg/send in parts of at most 20 characters, liveChatMessages.insert) in the room's language and no
more messages than the platform's send budget; the dashboard frame lists the three connections (rooms
connected, Bilibili's counters) and one revenue row per platform and currency; every platform's chat
reached the gateway (liveroom_events_in_total). Rasa and the graph are not running: questions are
deferred (or, where a graph answers, get degraded answers, which go through the same pacers and count
against the same budgets).

Robust on a loaded CI machine: everything is polled against deadlines, nothing sleeps for a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import twitchio.eventsub.websockets
import twitchio.http
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import CONNECTORS, GATEWAY, METRICS
from connectors.accounting import ConnState
from connectors.base import SendLimit
from connectors.twitch.config import TwitchConfig, configure_endpoints_from
from tests.conftest import WEB_USERS
from tests.connectors.fakes import twitch as fk
from tests.connectors.fakes.bilibili import FakeBilibili, danmu
from tests.connectors.fakes.deployment import deployment_env
from tests.connectors.fakes.youtube import FakeYouTube, author, message, text
from tests.connectors.test_twitch_connector import chat_event

#: CI machines are slow and shared: generous deadlines, short polls
DEADLINE_S = 30.0
BILI_ROOM = "7"  # the short id; the fake maps it to the real room 7734200
YT_ROOM = "UCroom"
CAPTAIN = "一只会唱歌的蓝色大海舰长大人"  # 14 characters: the thank-you exceeds one danmaku


async def until(check: Callable[[], Any], what: str, timeout: float = DEADLINE_S) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.05)


def platform_env(twitch: fk.FakeTwitch, bili: FakeBilibili, youtube: FakeYouTube, tmp: Any) -> dict[str, str]:
    """The deployment's settings against the fakes, with faster sends and polls for a test."""
    return {
        **deployment_env(
            twitch, bili, youtube, bili_room=BILI_ROOM, youtube_channel=YT_ROOM, secrets_dir=tmp
        ),
        "BILIBILI_SEND_INTERVAL": "0.05",
        "YOUTUBE_MIN_POLL": "0.1",
        "YOUTUBE_SEND_PER_S": "20",
    }


def twitch_thank_yous(fake: fk.FakeTwitch) -> list[str]:
    """Bot lines to the whole room (a reply carries reply_parent_message_id)."""
    return [m["message"] for m in fake.chat_sent if not m.get("reply_parent_message_id")]


def bilibili_thank_yous(fake: FakeBilibili) -> list[str]:
    """Danmaku parts without reply_mid (replies to a viewer carry their uid), joined per line: the
    connector sends one line's parts back to back, and every thank-you starts with 感谢."""
    lines: list[str] = []
    for sent in fake.sent:
        if sent.get("reply_mid") not in (None, "", "0"):
            continue
        if sent["msg"].startswith("感谢") or not lines:
            lines.append(sent["msg"])
        else:
            lines[-1] += sent["msg"]
    return lines


def most_sends(limit: SendLimit, seconds: float) -> int:
    """The most messages a sliding window of ``limit`` lets through in ``seconds``."""
    return limit.messages * (1 + int(seconds / limit.window_s))


def youtube_inserts(fake: FakeYouTube) -> list[str]:
    return [
        json.loads(r["body"])["snippet"]["textMessageDetails"]["messageText"]
        for r in fake.calls("POST", "/liveChat/messages")
    ]


@pytest.fixture(autouse=True)
def _quiet(caplog) -> None:
    caplog.set_level("ERROR")


@pytest.fixture(autouse=True)
def _twitch_endpoints():
    """TWITCH_API_BASE & co. point twitchio at the fake process-wide: put Twitch's own back after."""
    saved = (twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE, twitchio.eventsub.websockets.WSS)
    yield
    twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE, twitchio.eventsub.websockets.WSS = saved


def test_twitch_endpoint_overrides_come_from_the_environment_and_default_to_twitch(tmp_path) -> None:
    base = {
        "TWITCH_CREDENTIALS_FILE": str(tmp_path / "none.secret"),
        "TWITCH_CLIENT_ID": "c",
        "TWITCH_BOT_ID": "1",
        "TWITCH_CHANNEL_IDS": "2",
        "TWITCH_USER_TOKEN": "t",
        "TWITCH_REFRESH_TOKEN": "r",
    }
    before = (twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE, twitchio.eventsub.websockets.WSS)
    production = TwitchConfig.from_env(base)
    assert (production.api_base, production.id_base, production.eventsub_ws) == ("", "", "")
    configure_endpoints_from(production)  # nothing set: twitchio keeps its endpoints
    assert (twitchio.http.Route.BASE, twitchio.http.Route.ID_BASE, twitchio.eventsub.websockets.WSS) == before
    standin = TwitchConfig.from_env(
        {
            **base,
            "TWITCH_API_BASE": "http://127.0.0.1:1/helix",
            "TWITCH_ID_BASE": "http://127.0.0.1:1",
            "TWITCH_EVENTSUB_WS": "ws://127.0.0.1:1/ws",
        }
    )
    configure_endpoints_from(standin)
    assert twitchio.http.Route.BASE == "http://127.0.0.1:1/helix/"
    assert twitchio.http.Route.ID_BASE == "http://127.0.0.1:1/"
    assert twitchio.eventsub.websockets.WSS == "ws://127.0.0.1:1/ws"


async def test_one_gateway_serves_twitch_bilibili_and_youtube_at_once(
    fake_twitch: fk.FakeTwitch, fake_bilibili: FakeBilibili, fake_youtube: FakeYouTube, monkeypatch, tmp_path
) -> None:
    env = {
        "LIVEROOM_VAR": str(tmp_path),
        "LIVEROOM_WARM_ENCODERS": "0",
        "LIVEROOM_WEB_USERS": ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()),
        "LIVEROOM_THANKS_WINDOW_S": "1",
        "LIVEROOM_THANKS_INTERVAL_S": "0",
        "LIVEROOM_RASA_URL": "http://127.0.0.1:9",  # not running: questions are deferred
        "LIVEROOM_ACTION_ENDPOINT": "http://127.0.0.1:9/webhook",
        **platform_env(fake_twitch, fake_bilibili, fake_youtube, tmp_path),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = GatewayConfig.from_env()  # LIVEROOM_CONNECTORS, as `python -m bot serve` reads it
    assert config.connectors == ("simulator", "twitch", "bilibili", "youtube")
    app = create_app(config)
    started = time.monotonic()
    async with TestClient(TestServer(app)) as client:
        connectors = app[CONNECTORS]
        registry = app[METRICS].registry

        def connected() -> bool:
            return all(
                (states := connectors[p].stats.snapshot().states)
                and all(s is ConnState.CONNECTED for s in states.values())
                for p in ("twitch", "bilibili", "youtube")
            )

        await until(connected, "every platform connected")
        await until(lambda: len(fake_twitch.subscriptions) >= 2, "Twitch chat subscriptions")

        # -- wire traffic: questions first (the rooms learn their language), then the paid events
        fake_twitch.notify("channel.chat.message", chat_event(1, "how much is the vitamin C serum?"))
        fake_bilibili.push(
            int(BILI_ROOM),
            danmu(1, "小明", "这个口红多少钱？"),
            {
                "cmd": "WATCHED_CHANGE",
                "data": {"num": 4321, "text_small": "4321", "text_large": "4321人看过"},
            },
            {"cmd": "ONLINE_RANK_COUNT", "data": {"count": 12, "online_count": 87}},
        )
        fake_youtube.push(text("what is the price of the serum?", by=author("UCviewer1", "Ann")))

        def events_in(platform: str, kind: str) -> float:
            return (
                registry.get_sample_value("liveroom_events_in_total", {"platform": platform, "kind": kind})
                or 0
            )

        for platform in ("twitch", "bilibili", "youtube"):
            await until(lambda p=platform: events_in(p, "chat") >= 1, f"a {platform} chat question")

        fake_twitch.notify(
            "channel.chat.message", chat_event(2, "Cheer100 love this stream", cheer={"bits": 100})
        )
        fake_twitch.notify(
            "channel.chat.notification",
            {
                **chat_event(3),
                "message": {"text": "", "fragments": []},
                "notice_type": "sub",
                "system_message": "Viewer3 subscribed at Tier 1.",
                "sub": {"sub_tier": "1000", "is_prime": False, "duration_months": 1},
            },
        )
        now = int(time.time())
        fake_bilibili.push(
            int(BILI_ROOM),
            {
                "cmd": "SEND_GIFT",
                "data": {
                    "giftName": "小花花",
                    "num": 5,
                    "uname": "小红",
                    "uid": 2,
                    "coin_type": "gold",
                    "total_coin": 5000,
                    "timestamp": now,
                    "tid": f"tid-{now}-1",
                },
            },
        )
        fake_youtube.push(
            message(
                "superChatEvent",
                {
                    "amountMicros": "5000000",
                    "currency": "USD",
                    "amountDisplayString": "$5.00",
                    "userComment": "great stream, thank you so much",
                    "tier": 2,
                },
                by=author("UCviewer2", "Bea"),
            )
        )

        # -- (a) each platform's own send API carries the thank-you, in the room's language
        twitch_lines = await until(
            lambda: (
                [line for line in twitch_thank_yous(fake_twitch) if "Viewer3" in line]
                and [line for line in twitch_thank_yous(fake_twitch) if "Viewer2" in line]
                and twitch_thank_yous(fake_twitch)
            ),
            "the Twitch thank-you for the cheer and the sub",
        )
        bili_gift = await until(
            lambda: [
                line for line in bilibili_thank_yous(fake_bilibili) if "@小红" in line and line.endswith("！")
            ],
            "the Bilibili thank-you for the gift",
        )
        # then a captain with a long name: "感谢 @<14 characters> 上舰！" is 22 characters, two danmaku
        fake_bilibili.push(
            int(BILI_ROOM),
            {
                "cmd": "GUARD_BUY",
                "data": {
                    "uid": 3,
                    "username": CAPTAIN,
                    "guard_level": 3,
                    "num": 1,
                    "price": 198000,
                    "gift_id": 10003,
                    "gift_name": "舰长",
                    "start_time": now,
                    "end_time": now,
                },
            },
        )
        bili_captain = await until(
            lambda: [
                line for line in bilibili_thank_yous(fake_bilibili) if CAPTAIN in line and line.endswith("！")
            ],
            "the Bilibili thank-you for the captain (every part)",
        )
        yt_lines = await until(
            lambda: [line for line in youtube_inserts(fake_youtube) if "@Bea" in line],
            "the YouTube thank-you for the Super Chat",
        )
        assert all(line.startswith("Thank you @") for line in twitch_lines), twitch_lines
        # merged per room: every supporter is thanked exactly once
        assert " ".join(twitch_lines).count("@Viewer2") == " ".join(twitch_lines).count("@Viewer3") == 1
        assert bili_gift == ["感谢 @小红 的礼物！"]
        # the parts, joined (the split drops the space it cuts at)
        assert [line.replace(" ", "") for line in bili_captain] == [f"感谢@{CAPTAIN}上舰！"]
        assert yt_lines == ["Thank you @Bea for the Super Chat!"]
        # Bilibili takes 20 characters a danmaku: longer lines went out in parts, none refused
        assert fake_bilibili.sent and all(len(m["msg"]) <= 20 for m in fake_bilibili.sent)
        assert {m["roomid"] for m in fake_bilibili.sent} == {"7734200"}
        for platform in ("twitch", "bilibili", "youtube"):
            sends = connectors[platform].stats.snapshot().sends
            assert not [k for k in sends if k[0] == "failed"], (platform, sends)

        # -- (b) the dashboard: three connections, their rooms connected, revenue per platform/currency
        login = await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        assert login.status == 200
        want_revenue = [
            ("bilibili", "CNY", 203.0, 2),  # 5 CNY of gifts (5,000 gold coins) + a 198 CNY captain
            ("twitch", "bits", 100.0, 1),
            ("twitch", "subs", 1.0, 1),
            ("youtube", "USD", 5.0, 1),
        ]

        async def frame() -> dict[str, Any] | None:
            got = json.loads(await (await client.get("/dashboard/frame.json")).text())
            revenue = sorted(
                (r["platform"], r["currency"], r["amount"], r["events"]) for r in got["revenue"]["totals"]
            )
            status = {c["platform"]: c for c in got.get("connections", [])}.get("bilibili", {}).get("status")
            if revenue == want_revenue and (status or {}).get(BILI_ROOM, {}).get("online"):
                return got
            return None

        got = await until(frame, "the dashboard frame with every revenue row and Bilibili's counters")
        conns = {c["platform"]: c for c in got["connections"]}
        assert {"twitch", "bilibili", "youtube"} <= set(conns)
        for platform, room in (("twitch", "eventsub"), ("bilibili", BILI_ROOM), ("youtube", YT_ROOM)):
            assert conns[platform]["rooms"] == {room: "connected"}, conns[platform]
            assert conns[platform]["send_failures"] == 0
        assert conns["bilibili"]["status"][BILI_ROOM]["watched"] == 4321
        assert conns["bilibili"]["status"][BILI_ROOM]["online"] == 87
        texts = {(r["platform"], r["currency"]): r["text"] for r in got["revenue"]["totals"]}
        assert texts == {
            ("bilibili", "CNY"): "¥203.00",
            ("twitch", "bits"): "100 bits",
            ("twitch", "subs"): "1 sub",
            ("youtube", "USD"): "$5.00",
        }

        # -- (c) every platform's chat reached the gateway, and the paid events too
        for platform in ("twitch", "bilibili", "youtube"):
            assert events_in(platform, "chat") >= 1, platform
            assert events_in(platform, "super_chat") + events_in(platform, "gift") >= 1, platform

        # -- nothing beyond each platform's send budget: the fakes' own counts, once everything settled
        gateway = app[GATEWAY]
        await until(lambda: all(s.pending == 0 for s in gateway.send_views()), "every pacer drained")
        elapsed = time.monotonic() - started
        twitch_limit = most_sends(connectors["twitch"].send_limit, elapsed)
        bili_limit = most_sends(connectors["bilibili"].send_limit, elapsed)
        yt_limit = most_sends(connectors["youtube"].send_limit, elapsed)
        assert fake_twitch.limit_violations == 0 and 1 <= len(fake_twitch.chat_sent) <= twitch_limit
        assert 1 <= len(youtube_inserts(fake_youtube)) <= yt_limit
        out = {
            p: registry.get_sample_value("liveroom_messages_out_total", {"platform": p, "kind": "reply"}) or 0
            for p in ("twitch", "bilibili", "youtube")
        }
        assert out["twitch"] == len(fake_twitch.chat_sent)  # one Helix call per message (<= 500 chars)
        assert out["youtube"] == len(youtube_inserts(fake_youtube))
        assert 1 <= out["bilibili"] <= bili_limit
        assert len(fake_bilibili.sent) > out["bilibili"]  # the captain's thank-you went in two parts
