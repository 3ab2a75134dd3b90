"""Security review M9: the link filter reads folded text (NFKC, hidden dots undone) and knows every TLD,
without flagging the friendly chat of the room evaluation's dev logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.moderation import TLDS, Action, Moderator, offending_domains
from connectors.base import ChatEvent

REPO = Path(__file__).resolve().parents[3]
ALLOWED = ("twitch.tv", "bilibili.com")


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("claim it at https://free-gifts.shop/x", "free-gifts.shop"),
        ("new drop on glow.online", "glow.online"),
        ("see skin.dev or skin.ai", "skin.dev"),
        ("go to ｅｖｉｌ．ｃｏｍ now", "evil.com"),
        ("evil[.]com", "evil.com"),
        ("evil(.)com", "evil.com"),
        ("evil dot com", "evil.com"),
        ("evil [dot] com", "evil.com"),
        ("evil点com", "evil.com"),
        ("free-gifts . shop", "free-gifts.shop"),
        ("http://192.168.1.1/admin", "192.168.1.1"),
        ("visit 10.0.0.1 today", "10.0.0.1"),
        ("https://localhost:8080/x", "localhost"),
        ("www.anything-here", "www.anything-here"),
        ("xn--80ak6aa92e.xn--p1ai", "xn--80ak6aa92e.xn--p1ai"),
    ],
)
def test_hidden_and_uncommon_links_are_found(text: str, domain: str) -> None:
    assert domain in offending_domains(text, ALLOWED)


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this one",
        "1.5x faster shipping",
        "v1.2.3 of the app",
        "great stream. love it",  # a sentence end, not "stream.love"
        "polka dot dress please",
        "ok...sure",
        "watch at twitch.tv/liveroom",
        "https://www.bilibili.com/video/x",
        "价格是9.9元",
    ],
)
def test_ordinary_text_and_allowed_domains_are_not_links(text: str) -> None:
    assert offending_domains(text, ALLOWED) == []


def test_friendly_dev_chat_has_no_links() -> None:
    """Every dev line the room evaluation expects to stay unmoderated passes the link rule."""
    moderator = Moderator()
    checked = 0
    for name in ("en_dev.jsonl", "zh_dev.jsonl"):
        for i, raw in enumerate((REPO / "bench" / "rooms" / name).read_text(encoding="utf-8").splitlines()):
            line = json.loads(raw)
            if line["expect"] == "moderate":
                continue
            event = ChatEvent(
                platform=line["platform"], room="r", message_id=f"{name}-{i}", viewer_id=line["viewer"],
                display_name=line["viewer"], text=line["text"],
            )  # fmt: skip
            decision = moderator._links(event)
            assert decision.action is Action.NONE, (line["text"], decision)
            checked += 1
    assert checked > 700


def test_the_tld_list_is_the_full_iana_list() -> None:
    """bot/core/tlds.txt is IANA's root zone list (refresh: the copy hypothesis vendors, lower-cased)."""
    hypothesis = pytest.importorskip("hypothesis")
    vendored = Path(hypothesis.__file__).parent / "vendor" / "tlds-alpha-by-domain.txt"
    iana = {line.strip().lower() for line in vendored.read_text().splitlines() if not line.startswith("#")}
    assert len(TLDS) > 1400
    assert {"shop", "top", "online", "live", "app", "dev", "ai", "de", "uk", "xn--p1ai"} <= TLDS
    assert iana <= TLDS
