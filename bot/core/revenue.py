"""What paid events are worth, and the running totals the dashboard shows.

Each platform pays in its own unit: Bilibili gifts, super chats and captains in CNY (gold coins / 1000),
Twitch cheers in bits, Twitch subs and gift subs in subscriptions (weighted as tier-1 equivalents: a
tier 2 sub counts 2, tier 3 counts 5, by their list prices), YouTube Super Chats, Super Stickers and
memberships in the currency the viewer paid. Amounts are never converted between currencies: a total is
per platform and currency. Free items (Bilibili silver gifts) are not revenue.

:func:`paid_value` is the one place that decides what an event is worth; the dashboard's live ledger
(:class:`RevenueLedger`) and the session recorder's ``paid`` table both use it, so the live card and the
stream report agree.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field

from connectors.base import PAID_KINDS, ChatEvent, EventKind, Money

#: Units that are not money: never counted as revenue.
FREE_CURRENCIES = frozenset({"silver"})
#: Twitch sub tiers as tier-1 equivalents (US list prices 4.99 / 9.99 / 24.99).
SUB_TIER_WEIGHT = {"1000": 1, "2000": 2, "3000": 5, "prime": 1}
#: Supporters remembered per platform and currency before the smallest are forgotten (bounded memory).
MAX_SUPPORTERS = 5000


def paid_value(event: ChatEvent) -> Money | None:
    """What ``event`` is worth, or None when it is not revenue (not paid, free, or counted elsewhere)."""
    if event.kind not in PAID_KINDS:
        return None
    if event.extra.get("community_gift_id"):
        return None  # one sub of a Twitch community gift: the community gift event carries the total
    money = event.money
    if money is None and event.platform == "twitch" and event.kind is not EventKind.SUPER_CHAT:
        weight = SUB_TIER_WEIGHT.get(event.item.lower(), 1)
        gifted = event.count if event.kind is EventKind.GIFT else 1
        money = Money(float(max(gifted, 1) * weight), "subs")
    if money is None or money.currency in FREE_CURRENCIES or money.amount <= 0:
        return None
    return money


def money_text(amount: float, currency: str) -> str:
    """ "¥12.50", "$5.00", "1,500 bits", "3 subs": how the report and the dashboard write an amount."""
    symbols = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
    if currency in symbols:
        digits = 0 if currency == "JPY" else 2
        suffix = " JPY" if currency == "JPY" else ""
        return f"{symbols[currency]}{amount:,.{digits}f}{suffix}"
    shown = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    if currency == "subs" and amount == 1:
        return "1 sub"
    return f"{shown} {currency}"


@dataclass(frozen=True)
class PaidRecord:
    """One paid event as the dashboard lists it and the recorder stores it."""

    t: float
    platform: str
    room: str
    viewer_id: str
    name: str
    kind: str
    item: str
    count: int
    amount: float
    currency: str

    @classmethod
    def of(cls, event: ChatEvent, value: Money, t: float) -> PaidRecord:
        return cls(
            t=t,
            platform=event.platform,
            room=event.room,
            viewer_id=event.viewer_id,
            name=event.display_name,
            kind=event.kind.value,
            item=event.item,
            count=event.count,
            amount=round(value.amount, 6),
            currency=value.currency,
        )


@dataclass
class _Pot:
    """One platform and currency: the total, the number of events and each supporter's sum."""

    amount: float = 0.0
    events: int = 0
    supporters: dict[str, tuple[float, str]] = field(default_factory=dict)  # viewer_id -> (sum, name)


class RevenueLedger:
    """Running totals per platform and currency, top supporters and the latest paid events.

    ``add`` is O(1) amortized (it runs inline on the gateway's ingest path); when a pot remembers more
    than :data:`MAX_SUPPORTERS` supporters, the smaller half is forgotten (their money stays in the
    total, and the count of forgotten supporters is kept).
    """

    def __init__(self, recent: int = 20) -> None:
        self._pots: dict[tuple[str, str], _Pot] = {}
        self.recent: deque[PaidRecord] = deque(maxlen=recent)
        self.forgotten_supporters = 0

    def add(self, record: PaidRecord) -> None:
        pot = self._pots.setdefault((record.platform, record.currency), _Pot())
        pot.amount += record.amount
        pot.events += 1
        before, _ = pot.supporters.get(record.viewer_id, (0.0, ""))
        pot.supporters[record.viewer_id] = (before + record.amount, record.name)
        if len(pot.supporters) > MAX_SUPPORTERS:
            keep = heapq.nlargest(MAX_SUPPORTERS // 2, pot.supporters.items(), key=lambda kv: kv[1][0])
            self.forgotten_supporters += len(pot.supporters) - len(keep)
            pot.supporters = dict(keep)
        self.recent.append(record)

    def totals(self) -> list[dict[str, object]]:
        """Per platform and currency, largest first."""
        rows = [
            {
                "platform": platform,
                "currency": currency,
                "amount": round(pot.amount, 2),
                "text": money_text(pot.amount, currency),
                "events": pot.events,
            }
            for (platform, currency), pot in self._pots.items()
        ]
        return sorted(rows, key=lambda row: (str(row["platform"]), -float(row["amount"])))  # type: ignore[arg-type]

    def top_supporters(self, n: int = 10) -> list[dict[str, object]]:
        """The ``n`` largest supporters of every platform and currency (ranked within their currency)."""
        rows: list[dict[str, object]] = []
        for (platform, currency), pot in self._pots.items():
            best = heapq.nlargest(n, pot.supporters.items(), key=lambda kv: kv[1][0])
            for viewer_id, (amount, name) in best:
                rows.append(
                    {
                        "platform": platform,
                        "currency": currency,
                        "viewer_id": viewer_id,
                        "name": name,
                        "amount": round(amount, 2),
                        "text": money_text(amount, currency),
                        "share": round(amount / pot.amount, 4) if pot.amount else 0.0,
                    }
                )
        rows.sort(key=lambda row: -float(row["share"]))  # type: ignore[arg-type]
        return rows[:n]
