"""The room evaluation's log readers, the addressed-to-the-bot ground truth and the dev/held-out overlap
check (bench/room_logs.py), and the judging of a replay without a stack (bench/room_report.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.room_logs import (
    EXPECTS,
    RoomLine,
    addresses_bot,
    ci_logs,
    detect_format,
    normalize,
    overlap,
    read_log,
    schedule,
)
from bench.room_replay import BotMessage, RoomRun, attribute
from bench.room_report import check_targets, figures, judge

TWITCH = """\
[2025-01-01 13:08:38 UTC] StreamElements: dorozea is now live! Streaming Just Chatting
[2025-01-01 13:08:45 UTC] elluiti: agahi
[2025-01-01 13:09:12 UTC] TelegaMX: @dorozea privet hi
[2025-01-01 13:10:31 UTC] vAN__________: vAN__________ subscribed with Prime. They've subscribed for 5 months!
[2025-01-01 13:11:56 UTC] qKny: NotLikeThis
not a chat line at all
plain_user: no timestamp works too
"""

DANMAKU = """<?xml version="1.0" encoding="UTF-8"?>
<i>
    <chatserver>chat.bilibili.com</chatserver>
    <d p="12.5,1,25,16777215,1607687400,0,5480844,2">来了来了</d>
    <d p="-3.2,1,25,16777215,1607687300,0,8924933,1">前排</d>
    <d p="20.0,1,25,16777215,1607687500,0,123,3" user="观众甲">口红多少钱</d>
    <d p="21.0,1,25,16777215,1607687501,0,124,4">   </d>
</i>
"""


def test_twitch_text_logs_keep_viewers_and_skip_bots_and_notices(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(TWITCH, encoding="utf-8")
    assert detect_format(path) == "twitch-txt"
    lines = read_log(path)
    assert [(line.viewer, line.text) for line in lines] == [
        ("elluiti", "agahi"),
        ("TelegaMX", "@dorozea privet hi"),
        ("qKny", "NotLikeThis"),
        ("plain_user", "no timestamp works too"),
    ]
    assert all(line.platform == "twitch" and line.expect is None for line in lines)


def test_danmaku_xml_is_read_in_send_order_with_the_sender(tmp_path: Path) -> None:
    path = tmp_path / "live.xml"
    path.write_text(DANMAKU, encoding="utf-8")
    assert detect_format(path) == "danmaku-xml"
    lines = read_log(path)
    assert [line.text for line in lines] == ["前排", "来了来了", "口红多少钱"]
    assert [line.viewer for line in lines] == ["8924933", "5480844", "观众甲"]
    assert {line.platform for line in lines} == {"bilibili"}


def test_labelled_jsonl_is_read_and_bad_labels_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "room.jsonl"
    row = {"platform": "twitch", "viewer": "ann", "text": "KEKW", "expect": "silent", "kind": "emote"}
    path.write_text(
        json.dumps(row) + "\n\n" + json.dumps({**row, "expect": "reply"}) + "\n", encoding="utf-8"
    )
    assert detect_format(path) == "jsonl"
    with pytest.raises(ValueError, match=r"room.jsonl:3: expect must be one of"):
        read_log(path)
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert read_log(path) == [RoomLine("twitch", "ann", "KEKW", "silent", "emote", "room.jsonl:1")]
    assert read_log(path, "jsonl") == read_log(path)


def test_messages_addressed_to_the_bot() -> None:
    for text in (
        "@liveroom how much?",
        "@liveroom_bot hi",
        "hey liveroom bot",
        "小助手 口红多少钱",
        "机器人你好",
    ):
        assert addresses_bot(text, "liveroom"), text
    for text in ("how much is the lipstick?", "LIVEROOMS are cool", "口红多少钱", "robotic dance", "KEKW"):
        assert not addresses_bot(text, "liveroom"), text


def test_normalize_folds_case_width_punctuation_and_stretched_letters() -> None:
    assert normalize("LETS GOOOOO!!!") == normalize("lets goo") == "letsgoo"
    assert normalize("哈哈哈哈哈") == normalize("哈哈") == "哈哈"
    assert normalize("ＫＥＫＷ") == "kekw"


def test_overlap_finds_identical_and_nearly_identical_messages() -> None:
    dev = [RoomLine("twitch", "a", t) for t in ("LETS GOOOOO", "how much is the matte lipstick?", "KEKW")]
    held = [
        RoomLine("twitch", "b", t)
        for t in ("lets goo!!", "how much is the matte lipstick ??", "how much is the serum?", "LUL")
    ]
    assert overlap(dev, held) == [
        ("LETS GOOOOO", "lets goo!!"),
        ("how much is the matte lipstick?", "how much is the matte lipstick ??"),
    ]


def test_our_dev_and_heldout_logs_share_no_message_and_are_labelled() -> None:
    dev = [line for path in ci_logs("dev") for line in read_log(path)]
    heldout = [line for path in ci_logs("heldout") for line in read_log(path)]
    assert overlap(dev, heldout) == []
    for lang in ("en", "zh"):
        count = sum(1 for path in ci_logs("dev") + ci_logs("heldout") if path.name.startswith(lang))
        assert count == 2
    lines = dev + heldout
    assert all(line.expect in EXPECTS and line.kind for line in lines)
    assert {line.expect for line in lines} == set(EXPECTS)


def _run() -> RoomRun:
    lines = [
        RoomLine("twitch", "ann", "KEKW", "silent", "emote"),
        RoomLine("twitch", "bo", "@liveroom how much is the lipstick?", "answer", "question_to_bot"),
        RoomLine("twitch", "cy", "W stream", "silent", "hype"),
        RoomLine("twitch", "dee", "you idiot", "moderate", "abuse"),
        RoomLine("twitch", "ed", "@liveroom my order never came", "handoff", "complaint"),
        RoomLine("twitch", "fay", "lol", "silent", "meme"),
    ]
    run = RoomRun("r", lines, [f"m{i}" for i in range(len(lines))])
    run.accepted = {"m0", "m1", "m2", "m3", "m4"}  # m5 was refused by the connector
    awaiting = {"ann": ["m0"], "bo": ["m1"], "cy": ["m2"], "dee": ["m3"], "ed": ["m4"]}
    attribute(run, awaiting, BotMessage("@bo the lipstick is ¥129", "m1", 0.0))
    attribute(run, awaiting, BotMessage("@ann @cy thanks!", None, 0.0))  # merged: named viewers
    attribute(run, awaiting, BotMessage("@dee please keep the chat friendly 🙏", "m3", 0.0))
    attribute(run, awaiting, BotMessage("@ed I've passed it on", "m4", 0.0))
    attribute(run, awaiting, BotMessage("Welcome everyone!", None, 0.0))
    run.metrics = {"events_in": 5.0, "outcomes": {"answered": 4.0, "moderated": 1.0}, "deferred": 0.0}
    return run


def test_judging_accounts_for_every_line() -> None:
    run = _run()
    assert [m.text for m in run.unprompted] == ["Welcome everyone!"]
    results = judge(
        [run],
        bot_name="liveroom",
        moderation_rows=[
            {"room": "r", "viewer": "dee", "text": "you idiot", "rule": "toxicity", "action": "warn"}
        ],
        handoffs=[{"room": "r", "viewer_id": "ed", "text": "@liveroom my order never came", "at": 1}],
        answer_paths={"m1": ("qa", None)},
        warnings=["please keep the chat friendly 🙏"],
    )
    assert [r.outcome for r in results] == ["answer", "answer", "answer", "moderate", "handoff", "dropped"]
    assert results[1].path == "qa" and results[0].path == "rasa*"
    assert results[3].moderation == "toxicity/warn"
    fig = check_targets(figures(results, [run]))
    acc = fig["accounting"]
    assert acc["balanced"] and acc["gateway_balanced"]
    assert (acc["replies"], acc["silent"], acc["moderated"], acc["dropped"]) == (4, 0, 1, 1)
    assert fig["not_addressed"] == 4 and fig["not_addressed_replied"] == 2
    assert fig["replies_per_200_not_addressed"] == 100.0
    assert (fig["chat_not_addressed"], fig["chat_replied"], fig["replies_per_200_chat"]) == (4, 2, 100.0)
    assert fig["confusion"]["silent"] == {"answer": 2, "dropped": 1}
    assert fig["false_handoffs"] == 0 and fig["handoffs"] == 1
    assert fig["reply_ok_pct"] == 50.0  # bo and ed: right; ann and cy: chatter answered
    assert fig["targets"]["replies_per_200_chat"]["pass"] is False
    assert fig["targets"]["false_handoff_pct"]["pass"] is True


def test_real_logs_keep_their_timing_for_replays_at_their_own_pace(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(TWITCH, encoding="utf-8")
    lines = read_log(path)
    assert lines[0].at == 1735736925.0  # 2025-01-01 13:08:45 UTC
    assert lines[-1].at is None  # no timestamp on that line
    assert schedule(lines, rate=2.0, own_pace=True) == [0.0, 0.5, 1.0, 1.5]  # not every line has a time
    timed = lines[:3]
    assert schedule(timed, rate=2.0, own_pace=True) == [0.0, 5.0, 10.0]  # 27 s and 164 s gaps cut to 5 s
    assert schedule(timed, rate=2.0) == [0.0, 0.5, 1.0]
    xml = tmp_path / "live.xml"
    xml.write_text(DANMAKU, encoding="utf-8")
    assert schedule(read_log(xml), rate=1.0, own_pace=True) == [0.0, 5.0, 10.0]  # 100 s gaps
