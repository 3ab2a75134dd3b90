"""Other moderators' actions, AutoMod holds and room status on the moderators' dashboard, without a
browser: the NoticeBoard event handler itself, then the real gateway app (in-process, simulator
connector) whose dashboard feed shows a human ban next to the bot's own decision."""

from __future__ import annotations

import json
import re

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.core.config import GatewayConfig
from bot.services import GATEWAY, NOTICES
from bot.web.dashboard_notices import NoticeBoard
from connectors.base import ChatEvent, EventKind, ModerationNotice, RoomStatus
from connectors.simulator.replay import replay_headers, replay_url
from tests.conftest import WEB_USERS

MARKUP = '<img src=x onerror="alert(1)">&amp;'


def notice_event(
    notice: ModerationNotice, message_id: str, platform: str = "twitch", room: str = "2000", **extra: object
) -> ChatEvent:
    return ChatEvent(
        platform,
        room,
        message_id,
        notice.target_id,
        notice.target_name,
        text=notice.text,
        kind=EventKind.MODERATION,
        notice=notice,
        extra=dict(extra),
    )


def status_event(status: RoomStatus, message_id: str, **extra: object) -> ChatEvent:
    return ChatEvent(
        "bilibili", "7", message_id, "", "", kind=EventKind.ROOM_STATUS, status=status, extra=dict(extra)
    )


HUMAN_BAN = ModerationNotice(
    "ban", moderator="modname", moderator_id="77", target_id="5", target_name="troll", reason="spam"
)


def test_human_actions_are_listed_and_the_bots_own_are_counted_once() -> None:
    board = NoticeBoard()
    board(notice_event(HUMAN_BAN, "a"))
    board(notice_event(ModerationNotice("timeout", moderator="liveroom", by_bot=True, target_id="6"), "b"))
    board(notice_event(ModerationNotice("delete", target_id="7", text=MARKUP, target_message_id="m1"), "c"))
    rows = board.notice_rows(10)
    assert [(r["action"], r["source"], r["by"]) for r in rows] == [
        ("delete", "platform", ""),
        ("ban", "moderator", "modname"),
    ]
    assert rows[0]["text"] == MARKUP  # kept as sent: the page renders it as text
    assert all(r["why_not_undo"] == "by_moderator" for r in rows)
    assert board.own_actions == 1


def test_held_messages_pending_then_resolved_and_memory_is_bounded() -> None:
    board = NoticeBoard(notices=3, held=2)
    held = ModerationNotice(
        "held", target_id="5", target_name="ann", target_message_id="h1", text="bad word", reason="automod"
    )
    board(notice_event(held, "held:h1"))
    assert [(h["status"], h["text"]) for h in board.held_rows(10)] == [("pending", "bad word")]
    board(
        notice_event(
            ModerationNotice("held_resolved", moderator="uint128", target_message_id="h1", reason="approved"),
            "held:h1:approved",
        )
    )
    (row,) = board.held_rows(10)
    assert (row["status"], row["moderator"]) == ("approved", "uint128") and row["resolved_at"]
    # a resolution of a hold from before we listened is listed as resolved
    board(notice_event(ModerationNotice("held_resolved", target_message_id="h0", reason="expired"), "x"))
    for i in range(2, 6):
        board(notice_event(ModerationNotice("held", target_message_id=f"h{i}"), f"held:h{i}"))
    assert len(board.held) == 2 and [h["status"] for h in board.held_rows(10)] == ["pending", "pending"]
    for i in range(10):
        board(notice_event(HUMAN_BAN, f"ban{i}"))
    assert len(board.notices) == 3


def test_room_status_merges_the_latest_of_each_field() -> None:
    board = NoticeBoard()
    board(status_event(RoomStatus(watched=1127), "w"))
    board(status_event(RoomStatus(online=1822), "o"))
    board(
        status_event(RoomStatus(silenced=True, silence_kind="level", silence_until=0.0), "s", silence_level=5)
    )
    room = board.room_status("bilibili")["7"]
    assert (
        room["watched"],
        room["online"],
        room["silenced"],
        room["silence_kind"],
        room["silence_level"],
    ) == (
        1127,
        1822,
        True,
        "level",
        5,
    )
    board(status_event(RoomStatus(silenced=False), "s2"))
    assert board.room_status("bilibili")["7"]["silenced"] is False
    assert board.room_status("twitch") == {}


async def test_the_dashboard_feed_shows_a_human_ban_next_to_the_bots_decision(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LIVEROOM_VAR", str(tmp_path))
    monkeypatch.setenv("LIVEROOM_WEB_USERS", ",".join(f"{n}:{r}:{p}" for n, (r, p) in WEB_USERS.items()))
    app = create_app(GatewayConfig(rasa_url="http://127.0.0.1:9"), ("simulator",))
    async with TestClient(TestServer(app)) as client:
        login = await client.post("/login", data={"user": "bob", "password": WEB_USERS["bob"][1]})
        assert login.status == 200
        page = await (await client.get("/dashboard")).text()
        assert 'id="held"' in page
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match is not None
        gateway = app[GATEWAY]
        assert app[NOTICES] in gateway.event_handlers  # wired by the dashboard's setup
        # the bot's own decision: a flood in a simulated room (dry run by default: "would time out")
        room = await client.ws_connect(replay_url("/ws/rooms/modroom"), headers=replay_headers())
        await room.receive_json()  # welcome
        for i in range(18):
            await room.send_json(
                {"type": "chat", "viewer": "spammer", "viewer_id": "sp1", "text": f"buy {i}"}
            )
        # a human moderator's ban, AutoMod's hold, the bot's own action coming back, a room status
        ban = ModerationNotice(
            "ban", moderator="modname", moderator_id="77", target_id="5", target_name="troll", text=MARKUP
        )
        await gateway.ingest(notice_event(ban, "mod:1", platform="simulator", room="modroom"))
        await gateway.ingest(notice_event(ban, "mod:1", platform="simulator", room="modroom"))  # redelivered
        own = ModerationNotice("timeout", moderator="liveroom", target_id="sp1", by_bot=True)
        await gateway.ingest(notice_event(own, "mod:2", platform="simulator", room="modroom"))
        hold = ModerationNotice("held", target_id="9", target_name="ann", target_message_id="h1", text="x")
        await gateway.ingest(notice_event(hold, "held:h1", platform="simulator", room="modroom"))
        await gateway.ingest(
            ChatEvent(
                "simulator",
                "modroom",
                "st:1",
                "",
                "",
                kind=EventKind.ROOM_STATUS,
                status=RoomStatus(silenced=True, silence_kind="member", watched=173),
            )
        )
        stream = await client.ws_connect(
            "/dashboard/stream", headers={"Origin": f"http://{client.host}:{client.port}"}
        )
        frame: dict = {}
        for _ in range(100):
            message = json.loads((await stream.receive()).data)
            if message.get("type") != "frame":
                continue
            frame = message
            sources = {m["source"] for m in frame["moderation"]}
            if {"bot", "moderator"} <= sources and frame["held"]:
                break
        await stream.close()
        await room.close()
        human = [m for m in frame["moderation"] if m["source"] == "moderator"]
        assert len(human) == 1  # once, although delivered twice
        assert (human[0]["action"], human[0]["by"], human[0]["viewer"], human[0]["text"]) == (
            "ban",
            "modname",
            "troll",
            MARKUP,
        )
        assert human[0]["why_not_undo"] == "by_moderator"
        bot_rows = [m for m in frame["moderation"] if m["source"] == "bot"]
        assert bot_rows and all(m["viewer"] == "spammer" for m in bot_rows)
        assert not [m for m in frame["moderation"] if m["source"] == "moderator" and m["viewer"] == "sp1"]
        assert app[NOTICES].own_actions == 1
        assert [(h["viewer"], h["status"]) for h in frame["held"]] == [("ann", "pending")]
        simulator = next(c for c in frame["connections"] if c["platform"] == "simulator")
        assert simulator["status"]["modroom"]["silenced"] is True
        assert simulator["status"]["modroom"]["watched"] == 173
        # a notice cannot be undone from the dashboard
        refused = await client.post(
            f"/dashboard/api/moderation/{human[0]['id']}/undo", headers={"X-CSRF-Token": match.group(1)}
        )
        assert refused.status == 409 and (await refused.json())["reason"] == "by_moderator"
