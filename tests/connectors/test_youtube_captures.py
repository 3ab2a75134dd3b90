"""Real YouTube chat captures (``../shared/data/protocol/youtube``: pytchat's test data and
chat-downloader's actions, both YouTube's web-client "innertube" format) against our Data API parser.

The web client and the Data API describe the same chat in two formats. This test walks every action in
the captures, maps each renderer to the Data API message type that carries the same event
(:data:`RENDERER_TO_API`, or :data:`NOT_IN_DATA_API` with the reason the API has no such message),
fails on any renderer kind without a mapping, and converts the chat items into Data API resources to
check that what they carry - amounts and currencies, author roles, timestamps, ids - lands in a
ChatEvent field through :func:`connectors.youtube.payloads.to_event`. The ``compatible/API_*.json``
files are real Data API answers and go through the parser as they are.

The captures are read from ../shared at test time (never copied here); without them the test skips.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import EventKind, Role
from connectors.youtube.payloads import KNOWN_TYPES, Skip, parse_page, to_event

CAPTURES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "protocol" / "youtube"

#: web-client renderer / action -> the Data API snippet.type of the same event
RENDERER_TO_API = {
    "liveChatTextMessageRenderer": "textMessageEvent",
    "liveChatPaidMessageRenderer": "superChatEvent",
    "liveChatPaidStickerRenderer": "superStickerEvent",
    # a membership item with a header ("Member for 6 months") and the member's comment is a milestone
    # chat; without one it is a new member (see membership_type)
    "liveChatMembershipItemRenderer": "newSponsorEvent",
    # the web client's pre-2020 "new member" item
    "liveChatLegacyPaidMessageRenderer": "newSponsorEvent",
    "liveChatSponsorshipsGiftPurchaseAnnouncementRenderer": "membershipGiftingEvent",
    "liveChatSponsorshipsGiftRedemptionAnnouncementRenderer": "giftMembershipReceivedEvent",
    "markChatItemAsDeletedAction": "messageDeletedEvent",
    # a ban or timeout hides every message of the author
    "markChatItemsByAuthorAsDeletedAction": "userBannedEvent",
    "updateLiveChatPollAction": "pollEvent",
    "showLiveChatActionPanelAction": "pollEvent",
    "closeLiveChatActionPanelAction": "pollEvent",
}

#: renderers / actions whose event the Data API does not deliver at all, and why
NOT_IN_DATA_API = {
    "liveChatViewerEngagementMessageRenderer": "YouTube's own notice to viewers (guard your privacy)",
    "liveChatPlaceholderItemRenderer": "a placeholder the web client fills in later (replaceChatItemAction)",
    "liveChatModeChangeMessageRenderer": "slow mode and similar: the API reports members-only mode only",
    "liveChatDonationAnnouncementRenderer": "YouTube Giving (charity) donations: not a chat message type",
    "liveChatTickerPaidMessageItemRenderer": "the ticker's copy of a Super Chat (the chat item is the event)",
    "liveChatTickerPaidStickerItemRenderer": "the ticker's copy of a Super Sticker",
    "liveChatTickerSponsorItemRenderer": "the ticker's copy of a new member",
    "liveChatBannerRenderer": "a pinned message: the pinned chat item arrived as a message before",
    "addBannerToLiveChatCommand": "pinning (see liveChatBannerRenderer)",
    "removeBannerForLiveChatCommand": "unpinning",
    "showLiveChatTooltipCommand": "web-client user interface",
}

#: action wrappers: which key holds the renderer
WRAPPERS = {
    "addChatItemAction": "item",
    "addLiveChatTickerItemAction": "item",
    "replaceChatItemAction": "replacementItem",
}

#: currency symbols in the captures' purchaseAmountText -> ISO 4217 (what Money.currency holds)
SYMBOLS = {"￥": "JPY", "¥": "JPY", "$": "USD", "€": "EUR", "£": "GBP", "₩": "KRW"}


def capture_files() -> list[Path]:
    if not CAPTURES.is_dir():
        pytest.skip(f"no captures at {CAPTURES} (../shared/data is not mounted)")
    return sorted(p for p in CAPTURES.rglob("*.json"))


def actions(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every web-client action anywhere in a capture (also inside replayChatItemAction)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "actions" and isinstance(value, list):
                for action in value:
                    if isinstance(action, dict):
                        for name, body in action.items():
                            if name == "replayChatItemAction":
                                yield from actions(body)
                            elif isinstance(body, dict):
                                yield name, body
            else:
                yield from actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from actions(value)


def events_of(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(renderer or action name, its body) for every action of one capture file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = list(actions(data))
    if path.name == "youtube_actions.json":  # chat-downloader's list is the actions themselves
        found = [(name, body) for action in data for name, body in action.items()]
    for name, body in found:
        if name in WRAPPERS:
            yield from (body.get(WRAPPERS[name]) or {}).items()
        else:
            yield name, body


def all_events() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path.name, name, body) for path in capture_files() for name, body in events_of(path)]


def test_every_renderer_in_the_captures_has_a_mapping() -> None:
    seen = Counter(name for _, name, _ in all_events())
    assert seen, "the captures contain no chat actions"
    unmapped = {name for name in seen if name not in RENDERER_TO_API and name not in NOT_IN_DATA_API}
    assert not unmapped, f"renderer kinds without a Data API mapping: {sorted(unmapped)}"
    assert set(RENDERER_TO_API.values()) <= KNOWN_TYPES
    # the kinds the brief cares about are really in the captures
    for kind in (
        "liveChatTextMessageRenderer",
        "liveChatPaidMessageRenderer",
        "liveChatPaidStickerRenderer",
        "liveChatMembershipItemRenderer",
        "markChatItemAsDeletedAction",
        "markChatItemsByAuthorAsDeletedAction",
    ):
        assert seen[kind], kind


def runs_text(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    if "simpleText" in node:
        return str(node["simpleText"])
    return "".join(str(run.get("text", "")) for run in node.get("runs", []) if isinstance(run, dict))


def amount(display: str) -> tuple[int, str] | None:
    """ "￥6,000" -> (6000000000 micros, "JPY"); "CZK 20.00" -> ISO code prefix; None if unknown."""
    display = display.replace("\xa0", " ").strip()
    match = re.fullmatch(r"([A-Z]{3}) ?([\d.,]+)", display)
    if match:
        currency, number = match.group(1), match.group(2)
    else:
        symbol = next((s for s in SYMBOLS if display.startswith(s)), None)
        if symbol is None:
            return None
        currency, number = SYMBOLS[symbol], display[len(symbol) :]
    return round(float(number.replace(",", "")) * 1_000_000), currency


def author_details(renderer: dict[str, Any]) -> dict[str, Any]:
    badges = [b.get("liveChatAuthorBadgeRenderer", {}) for b in renderer.get("authorBadges", [])]
    icons = {b.get("icon", {}).get("iconType") for b in badges}
    return {
        "channelId": renderer["authorExternalChannelId"],
        "displayName": runs_text(renderer.get("authorName")),
        "isChatOwner": "OWNER" in icons,
        "isChatModerator": "MODERATOR" in icons,
        "isVerified": "VERIFIED" in icons,
        # member badges are custom images (no icon) with a "Member (n months)" tooltip
        "isChatSponsor": any("customThumbnail" in b for b in badges),
    }


def membership_type(renderer: dict[str, Any]) -> str:
    return "memberMilestoneChatEvent" if "headerPrimaryText" in renderer else "newSponsorEvent"


def to_data_api(name: str, renderer: dict[str, Any]) -> dict[str, Any] | None:
    """The Data API resource of one chat item, as YouTube would serve the same event."""
    kind = RENDERER_TO_API.get(name)
    if kind is None or "authorExternalChannelId" not in renderer:
        return None
    if name == "liveChatMembershipItemRenderer":
        kind = membership_type(renderer)
    usec = int(renderer["timestampUsec"])
    snippet: dict[str, Any] = {"type": kind, "publishedAt": iso_usec(usec)}
    if kind == "textMessageEvent":
        snippet["textMessageDetails"] = {"messageText": runs_text(renderer.get("message"))}
    elif kind in ("superChatEvent", "superStickerEvent"):
        parsed = amount(runs_text(renderer["purchaseAmountText"]))
        if parsed is None:
            return {"unparsed_amount": runs_text(renderer["purchaseAmountText"])}
        details: dict[str, Any] = {"amountMicros": str(parsed[0]), "currency": parsed[1]}
        if kind == "superChatEvent":
            details["userComment"] = runs_text(renderer.get("message"))
            snippet["superChatDetails"] = details
        else:
            label = renderer.get("sticker", {}).get("accessibility", {}).get("accessibilityData", {})
            details["superStickerMetadata"] = {"altText": label.get("label", ""), "stickerId": ""}
            snippet["superStickerDetails"] = details
    elif kind == "newSponsorEvent":
        snippet["newSponsorDetails"] = {"memberLevelName": runs_text(renderer.get("headerSubtext"))}
    elif kind == "memberMilestoneChatEvent":
        months = re.search(r"\d+", runs_text(renderer["headerPrimaryText"]))
        snippet["memberMilestoneChatDetails"] = {
            "memberMonth": int(months.group()) if months else 0,
            "userComment": runs_text(renderer.get("message")),
        }
    return {"id": renderer["id"], "snippet": snippet, "authorDetails": author_details(renderer)}


def iso_usec(usec: int) -> str:
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(usec / 1_000_000, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_the_fields_the_captures_carry_land_in_chat_events() -> None:
    kinds: Counter[EventKind] = Counter()
    unparsed: list[str] = []
    for file, name, renderer in all_events():
        resource = to_data_api(name, renderer)
        if resource is None:
            continue
        if "unparsed_amount" in resource:
            unparsed.append(f"{file}: {resource['unparsed_amount']}")
            continue
        event = to_event(resource, "room")
        kinds[event.kind] += 1
        assert event.message_id == renderer["id"] and event.viewer_id == renderer["authorExternalChannelId"]
        assert event.display_name == runs_text(renderer.get("authorName"))
        assert event.timestamp == pytest.approx(int(renderer["timestampUsec"]) / 1_000_000, abs=1e-3)
        details = resource["authorDetails"]
        assert (Role.BROADCASTER in event.roles) == details["isChatOwner"]
        assert (Role.MODERATOR in event.roles) == details["isChatModerator"]
        assert (Role.SUBSCRIBER in event.roles) == details["isChatSponsor"]
        if event.kind is EventKind.SUPER_CHAT:
            assert event.money is not None and event.money.amount > 0 and len(event.money.currency) == 3
            assert event.count == 1
        if name == "liveChatPaidStickerRenderer":
            assert event.item  # the sticker's alt text
    assert (
        kinds[EventKind.CHAT] > 100
        and kinds[EventKind.SUPER_CHAT] >= 10
        and kinds[EventKind.SUBSCRIPTION] >= 3
    )
    # pytchat's "unregistered currency" capture is the only amount without a known currency
    assert all("[UNREGISTERD]" in entry for entry in unparsed), unparsed


def test_deletions_and_bans_in_the_captures_have_their_notice_fields() -> None:
    for _, name, body in all_events():
        if name == "markChatItemAsDeletedAction":
            resource = {
                "id": "del-1",
                "snippet": {
                    "type": "messageDeletedEvent",
                    "messageDeletedDetails": {"deletedMessageId": body["targetItemId"]},
                },
            }
            event = to_event(resource, "room")
            assert event.notice.action == "delete" and event.notice.target_message_id == body["targetItemId"]
        elif name == "markChatItemsByAuthorAsDeletedAction":
            resource = {
                "id": "ban-1",
                "snippet": {
                    "type": "userBannedEvent",
                    "userBannedDetails": {
                        "bannedUserDetails": {"channelId": body["externalChannelId"]},
                        "banType": "permanent",
                    },
                },
            }
            event = to_event(resource, "room")
            assert event.notice.action == "ban" and event.notice.target_id == body["externalChannelId"]


def test_the_real_data_api_answers_in_the_captures_parse() -> None:
    files = [p for p in capture_files() if p.name.startswith("API_")]
    assert files
    for path in files:
        page = parse_page(json.loads(path.read_text(encoding="utf-8")))
        assert page.next_page_token and page.polling_interval_s > 0
        for item in page.items:
            try:
                event = to_event(item, "room")
            except Skip:
                continue
            assert event.viewer_id and event.display_name and event.timestamp > 0
            if item["snippet"]["type"] == "superChatEvent":
                assert (
                    event.money is not None and event.money.currency == "JPY" and event.money.amount == 200.0
                )
