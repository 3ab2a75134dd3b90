"""Moderation decisions in English and Chinese chat."""

from __future__ import annotations

import pytest

from bot.core.moderation import Action, ModerationPolicy, Moderator, toxicity
from connectors.base import ChatEvent, Role


def chat(text: str, viewer: str = "v1", roles: frozenset[Role] = frozenset(), **extra: object) -> ChatEvent:
    return ChatEvent(
        platform="simulator",
        room="r",
        message_id=text + viewer,
        viewer_id=viewer,
        display_name=viewer,
        text=text,
        roles=roles,
        extra=dict(extra),
    )


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("you are an idiot", 2),
        ("y o u  i d i o t", 2),
        ("ur such an 1d10t lol", 2),
        ("kys", 3),
        ("KILL YOURSELF", 3),
        ("主播是傻逼", 3),
        ("这个主播 脑残吧", 2),
        ("ｓｔｕｐｉｄ bot", 2),  # full-width
        ("what a classy lipstick", 0),  # "ass" inside a word is not an insult
        ("how much is the serum?", 0),
        ("这个口红多少钱", 0),
        ("skill issue lol", 0),
    ],
)
def test_toxicity_in_both_languages(text: str, severity: int) -> None:
    assert toxicity(text)[0] == severity


def test_clean_questions_pass() -> None:
    mod = Moderator()
    for i, text in enumerate(["how much is the serum?", "主播这个有M码吗", "lol 666 PogChamp", "link pls"]):
        assert mod.check(chat(text, viewer=f"v{i}"), now=100.0 + i).action is Action.NONE


def test_flood_deletes_then_times_out_the_viewer() -> None:
    mod = Moderator(ModerationPolicy(flood_messages=4, flood_timeout_messages=6, flood_window_s=10))
    actions = [mod.check(chat(f"msg {i}"), now=100 + i * 0.5).action for i in range(8)]
    assert actions[:4] == [Action.NONE] * 4
    assert actions[4:6] == [Action.DELETE] * 2
    assert actions[6] is Action.TIMEOUT


def test_the_same_message_repeated_is_deleted_and_other_viewers_are_unaffected() -> None:
    mod = Moderator()
    results = [mod.check(chat("look at my mixtape"), now=100 + i).action for i in range(4)]
    assert results == [Action.NONE, Action.NONE, Action.NONE, Action.DELETE]
    assert mod.check(chat("look at my mixtape", viewer="other"), now=104).action is Action.NONE


def test_short_reactions_repeated_are_not_spam() -> None:
    """ "哈哈哈", "666" or "LUL" typed again and again is how viewers react."""
    mod = Moderator()
    for text in ("哈哈哈", "666", "LUL", "？？？"):
        for i in range(6):
            assert mod.check(chat(text, viewer=f"fan-{text}"), now=100 + i * 4).action is Action.NONE, text


def test_a_chant_typed_by_many_viewers_is_not_spam() -> None:
    """A fan chant: hundreds of viewers type it, many of them more than once."""
    mod = Moderator()
    chant = "小鹿小鹿我爱你 永远支持你"
    actions = [mod.check(chat(chant, viewer=f"fan{i % 20}"), now=100 + i * 0.3).action for i in range(120)]
    assert set(actions) == {Action.NONE}
    hype = "LETSGO MY STREAMER LETSGO"
    actions = [mod.check(chat(hype, viewer=f"fan{i % 10}"), now=200 + i * 0.5).action for i in range(40)]
    assert set(actions) == {Action.NONE}


def test_one_fan_repeating_a_chant_is_not_spam() -> None:
    mod = Moderator()
    for i in range(8):
        assert (
            mod.check(chat("\\斧子爹/\\斧子爹/\\斧子爹/\\斧子爹/", "fan"), now=100 + i * 3).action
            is Action.NONE
        )
        assert (
            mod.check(chat("\\嘉然/\\嘉然/\\嘉然/\\艾瑞思/", "fan3"), now=100 + i * 3).action is Action.NONE
        )
    results = [mod.check(chat("主播看看我的评论吧", "needy"), now=200 + i).action for i in range(4)]
    assert results[-1] is Action.DELETE  # a sentence pasted again and again still is


def test_the_same_ad_from_many_accounts_is_deleted() -> None:
    mod = Moderator(ModerationPolicy(copypasta_viewers=3))
    text = "cheap viewers and followers, dm me for prices"
    actions = [mod.check(chat(text, viewer=f"bot{i}"), now=100 + i).action for i in range(3)]
    assert set(actions) == {Action.DELETE}
    assert mod.check(chat(text, viewer="bot9"), now=104).rule == "copypasta"
    assert Moderator().check(chat("加我微信领优惠券"), now=1).rule == "ad"


def test_many_viewers_asking_the_same_question_is_not_spam() -> None:
    mod = Moderator()
    for i in range(30):
        decision = mod.check(chat("how much is the serum?", viewer=f"v{i}"), now=100 + i * 0.1)
        assert decision.action is Action.NONE


def test_capitals_never_trigger_and_only_real_emote_walls_do() -> None:
    mod = Moderator()
    assert mod.check(chat("WHY IS NOBODY ANSWERING MY QUESTION"), now=1).action is Action.NONE
    assert mod.check(chat("LETSGO MY STREAMER LETS GOOOOO", viewer="v2"), now=1).action is Action.NONE
    assert mod.check(chat(" ".join(["PogChamp"] * 12), viewer="v3"), now=1).action is Action.NONE
    decision = Moderator().check(chat(" ".join(["PogChamp"] * 30)), now=1)
    assert (decision.action, decision.rule) == (Action.DELETE, "emote_wall")
    assert Moderator().check(chat("[doge]" * 26), now=1).rule == "emote_wall"


def test_links_outside_the_allow_list() -> None:
    mod = Moderator()
    assert mod.check(chat("cheap followers at spam-site.xyz/buy"), now=1).rule == "link"
    assert mod.check(chat("clip: https://clips.twitch.tv/abc", viewer="v2"), now=1).action is Action.NONE
    assert mod.check(chat("see www.bilibili.com/video/BV1", viewer="v3"), now=1).action is Action.NONE
    vip = chat("my shop is at myshop.com", viewer="v4", roles=frozenset({Role.VIP}))
    assert mod.check(vip, now=1).action is Action.NONE


def test_moderators_and_the_broadcaster_are_exempt() -> None:
    mod = Moderator()
    for role in (Role.MODERATOR, Role.BROADCASTER):
        assert mod.check(chat("you idiot", roles=frozenset({role})), now=1).action is Action.NONE


def test_policy_from_env() -> None:
    policy = ModerationPolicy.from_env(
        {"LIVEROOM_MOD_DRY_RUN": "false", "LIVEROOM_MOD_ALLOWED_DOMAINS": "example.com, shop.cn"}
    )
    assert policy.dry_run is False
    assert policy.allowed_domains == ("example.com", "shop.cn")
    assert ModerationPolicy.from_env({}).dry_run is True
    with pytest.raises(ValueError):
        ModerationPolicy(flood_messages=1)


def test_viewers_who_went_quiet_are_forgotten_but_floods_are_still_seen() -> None:
    """A busy stream has tens of thousands of one-message viewers: the per-viewer flood memory keeps only
    those who wrote within the window (the soak found it growing without bound before)."""
    policy = ModerationPolicy(flood_messages=4, flood_timeout_messages=4, flood_window_s=10)
    mod = Moderator(policy)
    for i in range(5000):
        mod.check(chat(f"hello there {i}", viewer=f"once{i}"), now=i * 0.1)  # 10 new viewers per second
    memory = mod._rooms[("simulator", "r")]
    window_s = max(policy.flood_window_s, policy.repeat_window_s)
    assert len(memory.by_viewer) <= window_s * 10 + 1
    now = 5000 * 0.1
    actions = [mod.check(chat(f"spam {k}", viewer="once4999"), now=now + k * 0.1).action for k in range(5)]
    assert actions[-1] is Action.TIMEOUT
