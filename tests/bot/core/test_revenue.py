"""What paid events are worth (bot/core/revenue.py) and the live ledger the dashboard shows."""

from __future__ import annotations

from bot.core import revenue
from bot.core.revenue import PaidRecord, RevenueLedger, money_text, paid_value
from connectors.base import ChatEvent, EventKind, Money


def event(
    platform: str, kind: EventKind, money: Money | None, item: str = "", count: int = 1, **extra: object
) -> ChatEvent:
    return ChatEvent(
        platform=platform,
        room="r",
        message_id="m",
        viewer_id="v",
        display_name="V",
        kind=kind,
        item=item,
        count=count,
        money=money,
        extra=dict(extra),
    )


def test_each_platform_pays_in_its_own_unit() -> None:
    assert paid_value(event("bilibili", EventKind.GIFT, Money(5.2, "CNY"))) == Money(5.2, "CNY")
    assert paid_value(event("bilibili", EventKind.GIFT, Money(100, "silver"))) is None  # free
    assert paid_value(event("twitch", EventKind.SUPER_CHAT, Money(300, "bits"))) == Money(300, "bits")
    assert paid_value(event("twitch", EventKind.SUBSCRIPTION, None, item="1000")) == Money(1, "subs")
    assert paid_value(event("twitch", EventKind.SUBSCRIPTION, None, item="3000")) == Money(5, "subs")
    community = event("twitch", EventKind.GIFT, None, item="2000", count=5)
    assert paid_value(community) == Money(10, "subs")
    part = event("twitch", EventKind.GIFT, None, item="2000", community_gift_id="g1")
    assert paid_value(part) is None, "the community gift already counted it"
    assert paid_value(event("youtube", EventKind.SUPER_CHAT, Money(1000, "JPY"))) == Money(1000, "JPY")
    assert paid_value(event("twitch", EventKind.CHAT, None)) is None
    assert paid_value(event("bilibili", EventKind.FOLLOW, None)) is None
    assert paid_value(event("simulator", EventKind.GIFT, None)) is None  # a gift of no value


def test_amounts_are_written_in_their_currency() -> None:
    assert money_text(12.5, "CNY") == "¥12.50"
    assert money_text(5, "USD") == "$5.00"
    assert money_text(1000, "JPY") == "¥1,000 JPY"
    assert money_text(1500, "bits") == "1,500 bits"
    assert money_text(2.5, "subs") == "2.50 subs"
    assert money_text(1, "subs") == "1 sub"


def record(viewer: str, amount: float, currency: str = "CNY", platform: str = "bilibili") -> PaidRecord:
    return PaidRecord(0.0, platform, "r", viewer, viewer.upper(), "gift", "Rocket", 1, amount, currency)


def test_the_ledger_totals_per_platform_and_currency_and_ranks_supporters_by_share() -> None:
    ledger = RevenueLedger(recent=3)
    for viewer, amount in (("a", 10), ("b", 30), ("a", 5)):
        ledger.add(record(viewer, amount))
    ledger.add(record("c", 100, "bits", "twitch"))
    ledger.add(record("d", 300, "bits", "twitch"))
    totals = {(r["platform"], r["currency"]): (r["amount"], r["events"], r["text"]) for r in ledger.totals()}
    assert totals == {("bilibili", "CNY"): (45.0, 3, "¥45.00"), ("twitch", "bits"): (400.0, 2, "400 bits")}
    top = [(r["name"], r["share"]) for r in ledger.top_supporters(3)]
    assert top == [("D", 0.75), ("B", 0.6667), ("A", 0.3333)]
    assert [r.viewer_id for r in ledger.recent] == ["a", "c", "d"]


def test_the_ledger_forgets_its_smallest_supporters_but_not_their_money(monkeypatch) -> None:
    monkeypatch.setattr(revenue, "MAX_SUPPORTERS", 10)
    ledger = RevenueLedger()
    for i in range(25):
        ledger.add(record(f"v{i}", float(i + 1)))
    assert ledger.totals()[0]["amount"] == sum(range(1, 26))
    assert ledger.forgotten_supporters > 0
    assert ledger.top_supporters(1)[0]["name"] == "V24"
