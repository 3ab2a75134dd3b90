"""The pacer shares the send budget among askers (security review M8): a viewer asking a stream of
questions cannot take every send while other viewers' answers go stale."""

from __future__ import annotations

from bot.outbound.pacer import PendingReply
from tests.bot.outbound.test_pacing import Clock, make_pacer, reply


async def test_one_hog_cannot_starve_the_other_askers() -> None:
    clock = Clock()
    pacer, sent, _ = make_pacer(clock, messages=6, window_s=30.0)
    for viewer in ("ann", "bo", "cy", "di", "ed"):  # five viewers asked first
        pacer.submit(reply(clock, viewer, f"answer for {viewer}"))
        clock.now += 0.1
    for i in range(10):  # then one viewer ten times: always the newest replies
        pacer.submit(reply(clock, "hog", f"answer {i} for hog"))
        clock.now += 0.1
    for _ in range(6):
        await pacer.flush_one()
    mentioned = [m.text.split()[0] for m in sent]
    # newest first would have sent hog six times; the round robin answers everyone within the budget
    assert sorted(mentioned) == ["@ann", "@bo", "@cy", "@di", "@ed", "@hog"]
    assert mentioned[0] == "@hog"  # the newest reply still goes first
    assert sent[0].text == "@hog answer 9 for hog"


async def test_the_askers_own_replies_stay_newest_first_and_the_window_forgets() -> None:
    clock = Clock()
    pacer, sent, _ = make_pacer(clock, messages=10, window_s=30.0)
    for i in range(3):
        pacer.submit(reply(clock, "ann", f"a{i}"))
        clock.now += 0.1
    await pacer.flush_one()
    clock.now += 31  # ann's answer left the budget window: she counts as not answered again
    pacer.submit(reply(clock, "bo", "b0"))
    pacer.submit(PendingReply(room="r", text="a3", mention="ann", reply_to=None, created=clock.now + 1))
    await pacer.flush_one()
    await pacer.flush_one()
    assert [m.text for m in sent][:2] == ["@ann a2", "@ann a3"]
    assert sent[2].text == "@bo b0"
