"""The reply pacer on a fake clock: never over budget, merges when short, fresh first, no verbatim repeats."""

from __future__ import annotations

import pytest

from bot.outbound.pacer import PendingReply, ReplyPacer, RollingBudget, SendLimit
from connectors.base import OutboundMessage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_pacer(clock: Clock, messages: int = 3, window_s: float = 30.0, **kw: object):
    sent: list[OutboundMessage] = []
    events: list[tuple[str, int]] = []

    async def send(message: OutboundMessage) -> None:
        sent.append(message)

    pacer = ReplyPacer(
        send,
        "twitch",
        SendLimit(messages, window_s),
        clock=clock,
        on_event=lambda outcome, n: events.append((outcome, n)),
        **kw,
    )  # type: ignore[arg-type]
    return pacer, sent, events


def reply(clock: Clock, viewer: str, text: str, room: str = "r", lang: str = "en") -> PendingReply:
    return PendingReply(
        room=room, text=text, mention=viewer, reply_to=f"id-{viewer}", lang=lang, created=clock.now
    )


def test_rolling_budget(clock: Clock) -> None:
    budget = RollingBudget(SendLimit(2, 30), clock)
    budget.spend()
    budget.spend()
    assert budget.remaining() == 0
    assert budget.wait_time() == 30
    with pytest.raises(RuntimeError):
        budget.spend()
    clock.now += 30
    assert budget.remaining() == 2


async def test_never_exceeds_the_budget_under_a_burst_of_500(clock: Clock) -> None:
    pacer, sent, _ = make_pacer(clock, messages=20, window_s=30, stale_after_s=10_000)
    for i in range(500):
        pacer.submit(reply(clock, f"v{i}", f"answer {i}"))
    send_times = []
    for _ in range(2000):
        if await pacer.flush_one():
            send_times.append(clock.now)
        elif not pacer.pending:
            break
        else:
            clock.now += 0.5
    assert len(sent) == 500
    for t in send_times:  # any 30 s window holds at most 20 sends
        assert sum(1 for u in send_times if t - 30 < u <= t) <= 20


async def test_same_answers_are_merged_when_the_budget_is_short(clock: Clock) -> None:
    pacer, sent, events = make_pacer(clock, messages=2)
    for viewer in ("ann", "bo", "cy"):
        pacer.submit(reply(clock, viewer, "the serum is ¥129"))
    pacer.submit(reply(clock, "dee", "the lipstick is ¥89"))
    await pacer.flush_one()
    await pacer.flush_one()
    assert sorted(m.text for m in sent) == ["@ann @bo @cy the serum is ¥129", "@dee the lipstick is ¥89"]
    assert ("merged", 3) in events
    assert pacer.pending == 0


async def test_fresh_questions_first_and_stale_ones_dropped(clock: Clock) -> None:
    pacer, sent, events = make_pacer(clock, messages=1, stale_after_s=45)
    pacer.submit(reply(clock, "old", "old answer"))
    clock.now += 50
    pacer.submit(reply(clock, "new", "new answer"))
    await pacer.flush_one()
    assert [m.text for m in sent] == ["@new new answer"]
    assert ("stale", 1) in events
    assert pacer.pending == 0


async def test_identical_text_within_the_duplicate_window_is_varied(clock: Clock) -> None:
    pacer, sent, events = make_pacer(clock, messages=10)
    pacer.submit(reply(clock, "ann", "the serum is ¥129"))
    await pacer.flush_one()
    clock.now += 5
    pacer.submit(reply(clock, "ann", "the serum is ¥129"))
    await pacer.flush_one()
    clock.now += 5
    pacer.submit(reply(clock, "ann", "精华 ¥129", lang="zh"))
    pacer.submit(reply(clock, "ann", "精华 ¥129", lang="zh"))
    await pacer.flush_one()
    await pacer.flush_one()
    assert len({m.text for m in sent}) == len(sent) == 4
    assert sent[1].text == "@ann the serum is ¥129 (again)"
    assert sent[3].text.endswith("（再说一遍）")
    assert events.count(("varied", 1)) == 2
    clock.now += 31
    pacer.submit(reply(clock, "ann", "the serum is ¥129"))
    await pacer.flush_one()
    assert sent[-1].text == "@ann the serum is ¥129"  # outside the window: verbatim again


async def test_merged_messages_respect_the_length_limit(clock: Clock) -> None:
    sent: list[OutboundMessage] = []

    async def send(message: OutboundMessage) -> None:
        sent.append(message)

    pacer = ReplyPacer(send, "bilibili", SendLimit(1, 30, max_chars=40), clock=clock)
    for i in range(10):
        pacer.submit(reply(clock, f"viewer{i}", "¥129"))
    await pacer.flush_one()
    assert len(sent[0].text) <= 40
    assert pacer.pending > 0


async def test_a_reply_longer_than_a_message_takes_one_send_per_part(clock: Clock) -> None:
    sent: list[OutboundMessage] = []

    async def send(message: OutboundMessage) -> None:
        sent.append(message)

    pacer = ReplyPacer(send, "bilibili", SendLimit(5, 30, max_chars=20), clock=clock)
    pacer.submit(reply(clock, "ann", "the serum is on sale today at the price of 129"))
    await pacer.flush_one()
    assert all(len(m.text) <= 20 for m in sent) and len(sent) == 3
    assert " ".join(m.text for m in sent) == "@ann the serum is on sale today at the price of 129"
    assert [m.reply_to for m in sent] == ["id-ann", None, None]  # the platform's reply: the first part
    assert pacer.budget.remaining() == 2  # the pacer's window is the only one, and it counts parts
