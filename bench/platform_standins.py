"""Stand-ins for Twitch, Bilibili and YouTube on loopback: the multi-platform demo without any account.

Starts the three fake platform servers of the tests (tests/connectors/fakes: they speak each platform's
wire protocol - EventSub WebSocket + Helix, the danmaku WebSocket + HTTP API, Data API v3 polling + OAuth)
on free loopback ports, prints the environment a gateway needs to use them (and writes it to
``--env-file``), then feeds each one a slow, realistic stream of chat and paid events until interrupted:
English chat, cheers and subs on Twitch; Chinese danmaku, gifts, captains, super chats and the room's
watched / online counters on Bilibili; English chat and Super Chats on YouTube. Each feed starts once the
gateway has connected to that platform, so a gateway started later does not get a burst.

Two ways to use it (docs/platforms.md, "One gateway, several platforms"):

    # one command: the stand-ins, then `python -m ops up` (the `make demo` stack) with their environment
    make demo-platforms
    # or by hand, in two terminals
    .venv/bin/python bench/platform_standins.py --env-file var/platform-standins.env
    set -a; . var/platform-standins.env; set +a; make demo

With a command after ``--`` the stand-ins run it with their environment, stop it (SIGTERM) when they
are interrupted and exit when it does. Every 30 s (and at exit) a status line says what was fed and what
the bot sent back on each platform (thank-yous, replies, anything over the platform's send limit).

Only for local demos and tests: the TWITCH_API_BASE / TWITCH_ID_BASE / TWITCH_EVENTSUB_WS and
BILIBILI_*_BASE / YOUTUBE_API_BASE overrides it prints are never set in a real deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from aiohttp import web  # noqa: E402

from tests.connectors.fakes import twitch as fk  # noqa: E402
from tests.connectors.fakes.bilibili import FakeBilibili, danmu  # noqa: E402
from tests.connectors.fakes.deployment import deployment_env  # noqa: E402
from tests.connectors.fakes.youtube import FakeYouTube, author, message, text  # noqa: E402

BILIBILI_ROOM = 7  # the fake's short room id (real id 7734200)
YOUTUBE_ROOM = "UCstandin"

# --- what viewers say -----------------------------------------------------------------------------------
EN_CHAT = (
    "how much is the matte lipstick?",
    "is the hydrating serum good for oily skin?",
    "does the sunscreen leave a white cast?",
    "what shade are you wearing today?",
    "love this stream!",
    "hi from Toronto 👋",
    "is the cushion foundation ok for dry skin",
    "when is the next giveaway?",
    "lol",
    "can you show the lip gloss again please",
    "how long does shipping to the UK take?",
    "that eyeshadow palette is gorgeous",
    "is there a discount code today?",
    "first time here, what do you sell?",
    "the toner is sold out?",
    "GG",
)
ZH_CHAT = (
    "这个口红多少钱？",
    "主播今天用的什么色号",
    "补水精华油皮能用吗",
    "防晒霜会不会搓泥",
    "来了来了",
    "哈哈哈哈",
    "气垫粉底干皮适合吗？",
    "什么时候抽奖",
    "主播好漂亮",
    "有优惠券吗",
    "眼影盘再展示一下",
    "发货要几天？",
    "666",
    "晚霜和眼霜一起买有折扣吗",
    "第一次来，关注了",
    "这个面膜一盒几片",
)
EN_NAMES = (
    "Ann",
    "Bo",
    "Cyrus",
    "Dee",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "June",
    "Kai",
    "Lola",
    "Max",
    "Nia",
)
ZH_NAMES = ("小明", "小红", "小蓝", "阿杰", "糖糖", "大橘", "一只猫", "柚子", "桃桃", "木木", "小鹿", "阿宝")
CHEER_TEXT = ("love the stream", "for the serum", "you're the best", "hype!")
SUPER_CHAT_EN = ("great stream, thank you!", "which serum for dry skin?", "keep it up!", "love the lipstick")
SUPER_CHAT_ZH = ("主播加油！", "这个口红适合黄皮吗", "支持一下", "谢谢主播推荐")
GIFTS = (("小心心", 5, 500), ("粉丝团灯牌", 1, 1000), ("小花花", 10, 1000), ("告白花束", 1, 22000))


@dataclass
class Fed:
    """What one platform was fed and what the bot sent back."""

    counts: Counter[str] = field(default_factory=Counter)


# --- the fakes ------------------------------------------------------------------------------------------
class Standins:
    def __init__(self, host: str, seed: int | None, pace: float) -> None:
        self.host = host
        self.rng = random.Random(seed)
        self.pace = pace  # multiplies every pause (2 = half as busy)
        self.twitch = fk.FakeTwitch()
        self.bilibili = FakeBilibili(min_send_interval_s=1.0)  # Bilibili answers 10031 when faster
        self.youtube = FakeYouTube(polling_interval_ms=1000)
        self.fed = {"twitch": Fed(), "bilibili": Fed(), "youtube": Fed()}
        self._runners: list[web.AppRunner] = []
        self._seq = 0

    async def start(self) -> None:
        for fake in (self.twitch, self.bilibili, self.youtube):
            runner = web.AppRunner(fake.app(), handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, self.host, 0)
            await site.start()
            self._runners.append(runner)
            port = runner.addresses[0][1]
            fake.base_url = f"http://{self.host}:{port}"

    async def stop(self) -> None:
        await self.twitch.close_all()
        for runner in reversed(self._runners):
            await runner.cleanup()

    def env(self) -> dict[str, str]:
        """The gateway's environment for the stand-ins (the same settings as the multi-platform test)."""
        return deployment_env(
            self.twitch,
            self.bilibili,
            self.youtube,
            bili_room=str(BILIBILI_ROOM),
            youtube_channel=YOUTUBE_ROOM,
            secrets_dir=REPO / "var",
        )

    # -- feeding ---------------------------------------------------------------------------------------
    def _id(self) -> int:
        self._seq += 1
        return self._seq

    async def _pause(self, mean_s: float) -> None:
        await asyncio.sleep(self.rng.expovariate(1.0 / (mean_s * self.pace)))

    @staticmethod
    async def _until(ready: Callable[[], bool]) -> None:
        while not ready():  # noqa: ASYNC110 - the fakes keep plain fields, no events to wait on
            await asyncio.sleep(0.2)

    def _twitch_chat(self, name: str, line: str, **extra: Any) -> dict[str, Any]:
        i = self._id()
        uid = str(5000 + EN_NAMES.index(name)) if name in EN_NAMES else str(5000 + i)
        return fk.chat_message(
            uid, name, line, str(uuid.uuid4()), broadcaster="Standin", color="#9146FF", **extra
        )

    async def feed_twitch(self) -> None:
        fake, fed = self.twitch, self.fed["twitch"].counts
        await self._until(lambda: fake.active is not None and bool(fake.active.subscribed))
        while True:
            await self._pause(5.0)
            name = self.rng.choice(EN_NAMES)
            roll = self.rng.random()
            if roll < 0.08:
                bits = self.rng.choice((100, 100, 200, 500))
                line = f"Cheer{bits} {self.rng.choice(CHEER_TEXT)}"
                fake.notify("channel.chat.message", self._twitch_chat(name, line, cheer={"bits": bits}))
                fed["cheer"] += 1
                fed["bits"] += bits
            elif roll < 0.13:
                tier = self.rng.choice(("1000", "1000", "1000", "2000"))
                event = self._twitch_chat(name, "")
                event.update(
                    message={"text": "", "fragments": []},
                    notice_type="sub",
                    system_message=f"{name} subscribed at Tier {tier[0]}.",
                    sub={"sub_tier": tier, "is_prime": False, "duration_months": 1},
                )
                fake.notify("channel.chat.notification", event)
                fed["sub"] += 1
            else:
                fake.notify("channel.chat.message", self._twitch_chat(name, self.rng.choice(EN_CHAT)))
                fed["chat"] += 1

    async def feed_bilibili(self) -> None:
        fake, fed = self.bilibili, self.fed["bilibili"].counts
        await self._until(lambda: bool(fake.conns))
        watched, online = self.rng.randint(3000, 6000), self.rng.randint(40, 120)
        last_counters = 0.0
        while True:
            await self._pause(4.0)
            uid_of = {name: 100 + i for i, name in enumerate(ZH_NAMES)}
            name = self.rng.choice(ZH_NAMES)
            now = int(time.time())
            roll = self.rng.random()
            if roll < 0.10:
                gift, num, coins = self.rng.choice(GIFTS)
                data = {
                    "giftName": gift,
                    "num": num,
                    "uname": name,
                    "uid": uid_of[name],
                    "coin_type": "gold",
                    "total_coin": num * coins,
                    "timestamp": now,
                    "tid": f"{now}{self._id():06d}",
                }
                fake.push(BILIBILI_ROOM, {"cmd": "SEND_GIFT", "data": data})
                fed["gift"] += 1
                fed["CNY"] += num * coins / 1000
            elif roll < 0.13:
                months = 1
                guard = {
                    "uid": uid_of[name],
                    "username": name,
                    "guard_level": 3,
                    "num": months,
                    "price": 198000,
                    "gift_id": 10003,
                    "gift_name": "舰长",
                    "start_time": now,
                    "end_time": now,
                }
                fake.push(BILIBILI_ROOM, {"cmd": "GUARD_BUY", "data": guard})
                fed["captain"] += 1
                fed["CNY"] += 198 * months
            elif roll < 0.16:
                price = self.rng.choice((30, 50, 100))
                sc = {
                    "id": self._id(),
                    "uid": uid_of[name],
                    "price": price,
                    "message": self.rng.choice(SUPER_CHAT_ZH),
                    "user_info": {"uname": name},
                    "start_time": now,
                }
                fake.push(BILIBILI_ROOM, {"cmd": "SUPER_CHAT_MESSAGE", "data": sc})
                fed["super_chat"] += 1
                fed["CNY"] += price
            else:
                fake.push(BILIBILI_ROOM, danmu(uid_of[name], name, self.rng.choice(ZH_CHAT)))
                fed["chat"] += 1
            if time.monotonic() - last_counters > 10:
                last_counters = time.monotonic()
                watched += self.rng.randint(5, 40)
                online = max(10, online + self.rng.randint(-8, 10))
                fake.push(
                    BILIBILI_ROOM,
                    {"cmd": "WATCHED_CHANGE", "data": {"num": watched, "text_large": f"{watched}人看过"}},
                    {"cmd": "ONLINE_RANK_COUNT", "data": {"count": min(online, 50), "online_count": online}},
                )

    async def feed_youtube(self) -> None:
        fake, fed = self.youtube, self.fed["youtube"].counts
        await self._until(lambda: fake.token_grants > 0)
        while True:
            await self._pause(6.0)
            name = self.rng.choice(EN_NAMES)
            by = author(f"UCviewer{EN_NAMES.index(name):016d}", name)
            if self.rng.random() < 0.10:
                dollars = self.rng.choice((2, 5, 10, 20))
                details = {
                    "amountMicros": str(dollars * 1_000_000),
                    "currency": "USD",
                    "amountDisplayString": f"${dollars}.00",
                    "userComment": self.rng.choice(SUPER_CHAT_EN),
                    "tier": 2,
                }
                fake.push(message("superChatEvent", details, by=by, display=details["userComment"]))
                fed["super_chat"] += 1
                fed["USD"] += dollars
            else:
                fake.push(text(self.rng.choice(EN_CHAT), by=by))
                fed["chat"] += 1

    # -- what came back ----------------------------------------------------------------------------------
    def sent(self) -> dict[str, dict[str, int]]:
        """What the bot posted on each stand-in: thank-yous (to the whole room) and replies."""
        tw = self.twitch.chat_sent
        bili = self.bilibili.sent
        yt = [
            json.loads(r["body"])["snippet"]["textMessageDetails"]["messageText"]
            for r in self.youtube.calls("POST", "/liveChat/messages")
        ]
        return {
            "twitch": {
                "thanks": sum(1 for m in tw if m["message"].startswith("Thank you")),
                "messages": len(tw),
                "over_limit": self.twitch.limit_violations,
            },
            "bilibili": {
                "thanks": sum(1 for m in bili if m["msg"].startswith("感谢")),
                "danmaku": len(bili),
            },
            "youtube": {"thanks": sum(1 for t in yt if t.startswith("Thank you")), "messages": len(yt)},
        }

    def status(self) -> str:
        sent = self.sent()
        parts = []
        for platform in ("twitch", "bilibili", "youtube"):
            fed = ", ".join(f"{k} {v:g}" for k, v in sorted(self.fed[platform].counts.items()))
            out = ", ".join(f"{k} {v}" for k, v in sent[platform].items())
            parts.append(f"{platform}: fed {fed or 'nothing yet'} | bot sent {out}")
        return "\n  ".join(["stand-ins:", *parts])


# --- running --------------------------------------------------------------------------------------------
def write_env(path: Path, env: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    lines = ["# bench/platform_standins.py: stand-ins on loopback (local demo only, not real platforms)"]
    tmp.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in env.items())]) + "\n", encoding="utf-8")
    tmp.replace(path)  # whole or not at all: a reader polling for the file never sees half of it


async def run(args: argparse.Namespace) -> int:
    standins = Standins(args.host, args.seed, args.pace)
    await standins.start()
    env = standins.env()
    print("# the gateway's environment for the stand-ins:", flush=True)
    for key, value in env.items():
        print(f"{key}={value}", flush=True)
    if args.env_file:
        write_env(Path(args.env_file), env)
        print(f"# written to {args.env_file}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    child: asyncio.subprocess.Process | None = None
    if args.command:
        child = await asyncio.create_subprocess_exec(*args.command, env={**os.environ, **env})
        print(f"# started {' '.join(args.command)} (pid {child.pid})", flush=True)

    async def report() -> None:
        while True:
            await asyncio.sleep(args.status_every)
            print(standins.status(), flush=True)

    tasks = [
        asyncio.create_task(standins.feed_twitch(), name="feed-twitch"),
        asyncio.create_task(standins.feed_bilibili(), name="feed-bilibili"),
        asyncio.create_task(standins.feed_youtube(), name="feed-youtube"),
        asyncio.create_task(report(), name="status"),
    ]

    def failed(task: asyncio.Task[None]) -> None:  # a feed that crashed stops everything, loudly
        if not task.cancelled() and task.exception() is not None:
            print(f"# {task.get_name()} failed: {task.exception()!r}", file=sys.stderr, flush=True)
            stop.set()

    for task in tasks:
        task.add_done_callback(failed)
    waits = [asyncio.create_task(stop.wait())]
    if child is not None:
        waits.append(asyncio.create_task(child.wait()))
    if args.duration:
        waits.append(asyncio.create_task(asyncio.sleep(args.duration)))
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks + waits:
        task.cancel()
    code = 0
    if child is not None:
        if child.returncode is None:  # interrupted: the supervisor stops its children on SIGTERM
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
            try:
                async with asyncio.timeout(args.stop_timeout):
                    await child.wait()
            except TimeoutError:
                print(f"# {child.pid} did not stop within {args.stop_timeout:.0f} s: killing it", flush=True)
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
        code = child.returncode or 0
    print(standins.status(), flush=True)
    await standins.stop()
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, command = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(
        description="Twitch, Bilibili and YouTube stand-ins on loopback for a local multi-platform demo",
        epilog="Anything after -- is run with the stand-ins' environment, e.g. -- .venv/bin/python -m ops up",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--env-file", help="also write the environment to this file (KEY=VALUE lines)")
    parser.add_argument("--seed", type=int, help="random seed of the event streams (default: random)")
    parser.add_argument("--pace", type=float, default=1.0, help="pause multiplier: 2 = half as busy")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds (0: never)")
    parser.add_argument("--status-every", type=float, default=30.0, help="seconds between status lines")
    parser.add_argument("--stop-timeout", type=float, default=60.0, help="seconds the command gets to stop")
    args = parser.parse_args(argv)
    args.command = command
    if args.pace <= 0:
        parser.error("--pace must be positive")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
