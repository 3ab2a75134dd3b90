"""Thank-yous for paid events: gifts, super chats, cheers, subs, memberships and captains.

Streamers thank supporters by name, and chat expects it; but a thank-you per gift floods a busy room and
eats the send budget the answers need. So paid events are collected per room and language and merged:
after ``window_s`` (or sooner when one message is already full), one line thanks everybody collected
("Thanks @a @b for the gifts!"), at most one line per ``min_interval_s`` per room. The line goes through
the gateway's pacer (:meth:`bot.core.gateway.Gateway.post_to_room`), so it never exceeds the platform's send
budget; while the pacer is backed up with answers, thanks wait (merging more names) up to ``max_hold_s``.

The language is the supporter's (their super chat's text, else their last chat line), else the room's
most used one. Names are display names with anything that could ping or format removed. What is not
revenue (:func:`bot.core.revenue.paid_value`: free Bilibili silver gifts, the single subs of a Twitch
community gift) is not thanked; amounts below a room's minimum are counted and not thanked.
"""

from __future__ import annotations

import json
import logging
import os
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.revenue import paid_value
from connectors.base import ChatEvent, EventKind
from connectors.settings import get_bool, get_float, get_int
from nlu.text.language import detect_language


class LabelledCounter(Protocol):
    """A counter by (platform, outcome): bot/metrics.py's ``liveroom_thanks_total``."""

    def labels(self, *values: str) -> _Increment: ...


class _Increment(Protocol):
    def inc(self, amount: float = 1) -> None: ...


log = logging.getLogger(__name__)

#: Longest name shown (platform display names are at most 25-30 characters anyway).
MAX_NAME = 25
#: Pending supporters kept per room and language before the oldest are summarised as "and N more".
MAX_PENDING = 200

# --- wording ------------------------------------------------------------------------------------------
#: What the supporters did, per language: ``{names}`` is the list of mentions.
WORDING: dict[str, dict[str, str]] = {
    "en": {
        "gift": "Thank you {names} for the gifts!",
        "super_chat": "Thank you {names} for the Super Chat!",
        "cheer": "Thank you {names} for the bits!",
        "sub": "Thank you {names} for subscribing!",
        "member": "Thank you {names} for becoming a member!",
        "captain": "Thank you {names} for boarding as captain!",
        "mixed": "Thank you {names} for the support!",
        "more": "{names} and {more} more",
    },
    "zh": {
        "gift": "感谢 {names} 的礼物！",
        "super_chat": "感谢 {names} 的醒目留言！",
        "cheer": "感谢 {names} 的 bits！",
        "sub": "感谢 {names} 的订阅！",
        "member": "感谢 {names} 加入会员！",
        "captain": "感谢 {names} 上舰！",
        "mixed": "感谢 {names} 的支持！",
        "more": "{names} 等 {more} 位",
    },
}


def support_kind(event: ChatEvent) -> str:
    """Which thank-you fits the event (a key of :data:`WORDING`)."""
    if event.kind is EventKind.SUPER_CHAT:
        return "cheer" if event.money is not None and event.money.currency == "bits" else "super_chat"
    if event.kind is EventKind.SUBSCRIPTION:
        return {"bilibili": "captain", "youtube": "member"}.get(event.platform, "sub")
    return "gift"


def mention_name(display_name: str) -> str:
    """A display name safe to put after "@": no @, whitespace, control, format or bidi characters."""
    kept = [
        ch
        for ch in display_name
        if ch not in "@＠" and not ch.isspace() and unicodedata.category(ch)[0] not in {"C", "Z"}
    ]
    return "".join(kept)[:MAX_NAME]


# --- policy ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoomThanks:
    """One room's settings (``LIVEROOM_THANKS_ROOMS`` overrides the defaults per ``platform:room``)."""

    enabled: bool = True
    window_s: float = 8.0
    min_interval_s: float = 10.0
    max_names: int = 5
    #: smallest amount thanked per currency (e.g. {"bits": 100}); other currencies: anything above 0
    minimum: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window_s < 0 or self.min_interval_s < 0:
            raise ValueError("thanks window_s and min_interval_s must be >= 0")
        if not 1 <= self.max_names <= 20:
            raise ValueError("thanks max_names must be 1-20")


@dataclass(frozen=True)
class ThanksConfig:
    enabled: bool = True
    default: RoomThanks = field(default_factory=RoomThanks)
    rooms: Mapping[str, RoomThanks] = field(default_factory=dict)
    #: how long thanks may wait for a backed-up pacer before they are posted anyway
    max_hold_s: float = 60.0
    #: the pacer backlog (replies waiting) above which thanks wait
    busy_backlog: int = 3

    def for_room(self, platform: str, room: str) -> RoomThanks:
        return self.rooms.get(f"{platform}:{room}", self.default)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ThanksConfig:
        """``LIVEROOM_THANKS`` (1/0), ``LIVEROOM_THANKS_WINDOW_S``, ``LIVEROOM_THANKS_INTERVAL_S``,
        ``LIVEROOM_THANKS_MAX_NAMES``, ``LIVEROOM_THANKS_MIN`` (``bits=100,CNY=1``) and
        ``LIVEROOM_THANKS_ROOMS``: JSON ``{"twitch:channel": {"enabled": false}, "bilibili:123":
        {"window_s": 20, "minimum": {"CNY": 5}}}``; unknown keys are an error, not ignored."""
        default = RoomThanks(
            window_s=get_float(env, "LIVEROOM_THANKS_WINDOW_S", 8.0),
            min_interval_s=get_float(env, "LIVEROOM_THANKS_INTERVAL_S", 10.0),
            max_names=get_int(env, "LIVEROOM_THANKS_MAX_NAMES", 5),
            minimum=_minimums(env.get("LIVEROOM_THANKS_MIN", "")),
        )
        rooms: dict[str, RoomThanks] = {}
        raw = env.get("LIVEROOM_THANKS_ROOMS", "").strip()
        if raw:
            try:
                spec = json.loads(raw)
            except ValueError as exc:
                raise ValueError(f"LIVEROOM_THANKS_ROOMS must be a JSON object: {exc}") from None
            if not isinstance(spec, dict):
                raise ValueError("LIVEROOM_THANKS_ROOMS must be a JSON object of platform:room -> settings")
            for key, settings in spec.items():
                rooms[str(key)] = _room_settings(str(key), settings, default)
        return cls(
            enabled=get_bool(env, "LIVEROOM_THANKS", True),
            default=default,
            rooms=rooms,
        )


def _minimums(raw: str) -> dict[str, float]:
    minimum: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        currency, sep, amount = part.partition("=")
        try:
            minimum[currency.strip()] = float(amount)
        except ValueError:
            sep = ""
        if not sep or not currency.strip():
            raise ValueError(f"LIVEROOM_THANKS_MIN must look like 'bits=100,CNY=1', got {part!r}")
    return minimum


def _room_settings(key: str, settings: object, default: RoomThanks) -> RoomThanks:
    allowed = {"enabled", "window_s", "min_interval_s", "max_names", "minimum"}
    if ":" not in key or not isinstance(settings, dict) or not set(settings) <= allowed:
        raise ValueError(
            f"LIVEROOM_THANKS_ROOMS[{key!r}]: keys are platform:room, settings one of {sorted(allowed)}"
        )
    try:
        return RoomThanks(
            enabled=bool(settings.get("enabled", default.enabled)),
            window_s=float(settings.get("window_s", default.window_s)),
            min_interval_s=float(settings.get("min_interval_s", default.min_interval_s)),
            max_names=int(settings.get("max_names", default.max_names)),
            minimum={str(k): float(v) for k, v in dict(settings.get("minimum", default.minimum)).items()},
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"LIVEROOM_THANKS_ROOMS[{key!r}]: {exc}") from None


# --- collecting and posting ---------------------------------------------------------------------------
@dataclass
class _Batch:
    """Supporters waiting for one room's thank-you in one language (names in arrival order, once each)."""

    first_at: float
    names: OrderedDict[str, None] = field(default_factory=OrderedDict)
    kinds: set[str] = field(default_factory=set)
    overflow: int = 0


class Thanks:
    """Collects paid events (a gateway event handler) and posts merged thank-yous on :meth:`tick`.

    ``post(platform, room, text, lang)`` sends to the room through the pacer; ``backlog(platform)`` is
    how many replies wait there; ``viewer_lang(platform, room, viewer_id)`` the language the viewer
    last wrote in, else the room's; ``max_chars(platform)`` the platform's message length.
    """

    def __init__(
        self,
        config: ThanksConfig,
        post: Callable[[str, str, str, str], None],
        *,
        backlog: Callable[[str], int] = lambda platform: 0,
        viewer_lang: Callable[[str, str, str], str] = lambda platform, room, viewer_id: "en",
        max_chars: Callable[[str], int] = lambda platform: 500,
        outcomes: LabelledCounter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._post = post
        self._backlog = backlog
        self._viewer_lang = viewer_lang
        self._max_chars = max_chars
        self._outcomes = outcomes
        self._clock = clock
        self._batches: dict[tuple[str, str, str], _Batch] = {}
        self._last_post: dict[tuple[str, str], float] = {}

    def _count(self, outcome: str, platform: str) -> None:
        if self._outcomes is not None:
            self._outcomes.labels(platform, outcome).inc()

    def on_event(self, event: ChatEvent) -> None:
        """The gateway's event handler: keep a paid event's supporter for the next thank-you."""
        value = paid_value(event)
        if value is None:  # not paid, free (Bilibili silver), or counted by another event
            return
        room = self.config.for_room(event.platform, event.room)
        if not self.config.enabled or not room.enabled:
            self._count("disabled", event.platform)
            return
        if value.amount < room.minimum.get(value.currency, 0.0):
            self._count("below_minimum", event.platform)
            return
        name = mention_name(event.display_name)
        if not name:
            self._count("no_name", event.platform)
            return
        lang = self._language(event)
        key = (event.platform, event.room, lang)
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = _Batch(first_at=self._clock())
        batch.kinds.add(support_kind(event))
        if name in batch.names:
            self._count("merged", event.platform)
        elif len(batch.names) >= MAX_PENDING:
            batch.overflow += 1
        else:
            batch.names[name] = None
        self._count("collected", event.platform)

    def _language(self, event: ChatEvent) -> str:
        if event.text.strip():
            detected = detect_language(event.text)
            if detected in WORDING:
                return detected
        lang = self._viewer_lang(event.platform, event.room, event.viewer_id)
        return lang if lang in WORDING else "en"

    def tick(self) -> None:
        """Post what is due: a batch whose window has passed (or that fills a message), when the room's
        interval allows and the pacer is not backed up (or the batch has waited ``max_hold_s``)."""
        now = self._clock()
        for key in list(self._batches):
            platform, room_name, lang = key
            batch = self._batches[key]
            room = self.config.for_room(platform, room_name)
            full = len(batch.names) + batch.overflow >= room.max_names
            if now - batch.first_at < room.window_s and not full:
                continue
            if now - self._last_post.get((platform, room_name), -1e18) < room.min_interval_s:
                continue
            waited = now - batch.first_at
            if self._backlog(platform) > self.config.busy_backlog and waited < self.config.max_hold_s:
                self._count("waiting_for_pacer", platform)
                continue
            text = compose(batch, lang, room.max_names, self._max_chars(platform))
            self._post(platform, room_name, text, lang)
            self._count("posted", platform)
            self._last_post[(platform, room_name)] = now
            del self._batches[key]


def compose(batch: _Batch, lang: str, max_names: int, max_chars: int) -> str:
    """One thank-you line: up to ``max_names`` mentions (fewer when the platform's message length cannot
    hold them, but at least one: the connector splits a longer line), the rest as "and N more"."""
    words = WORDING[lang]
    template = words[next(iter(batch.kinds))] if len(batch.kinds) == 1 else words["mixed"]
    names = list(batch.names)
    shown = names[:max_names]
    while True:
        more = len(names) - len(shown) + batch.overflow
        listed = " ".join(f"@{name}" for name in shown)
        if more:
            listed = words["more"].format(names=listed, more=more)
        text = template.format(names=listed)
        if len(text) <= max_chars or len(shown) == 1:
            return text
        shown = shown[:-1]
