"""Keeping the room clean: per-viewer flood limits, repeats and copy-pasta, caps and emote walls, links
outside an allow-list, and bilingual toxic text.

The moderator only *decides*; the gateway carries the decision out (log it, warn, or ask the platform to
delete / time out when the bot is a moderator and dry-run is off). Decisions are pure functions of the
message and a small per-room memory, so they are cheap enough to run on every message and easy to test.
Broadcaster and moderators are never moderated.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.config import env_float, env_int
from bot.toxicity import fold_text, toxicity
from connectors.base import ChatEvent, Role


class Action(str, Enum):
    """What to do with a message, in increasing severity."""

    NONE = "none"
    IGNORE = "ignore"  # not answered by the bot, nothing shown to the viewer
    WARN = "warn"  # the bot asks the viewer to stop
    DELETE = "delete"  # the platform removes the message (bot must be a moderator)
    TIMEOUT = "timeout"  # the platform mutes the viewer for a while


SEVERITY = {a: i for i, a in enumerate(Action)}


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str = ""
    detail: str = ""

    @property
    def blocks_answer(self) -> bool:
        """The bot does not answer a message it moderated."""
        return self.action is not Action.NONE


ALLOW = Decision(Action.NONE)


def _csv(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None:
        return default
    return tuple(item.strip().lower() for item in raw.split(",") if item.strip())


@dataclass(frozen=True)
class ModerationPolicy:
    """Thresholds and switches; every field has an env var ``LIVEROOM_MOD_<FIELD>``."""

    flood_messages: int = 6
    flood_window_s: float = 10.0
    repeat_count: int = 3
    repeat_window_s: float = 30.0
    copypasta_viewers: int = 5
    copypasta_window_s: float = 20.0
    copypasta_min_chars: int = 40  # many viewers asking the same short question is not spam
    caps_min_letters: int = 15
    caps_ratio: float = 0.7
    emote_wall_count: int = 10
    allowed_domains: tuple[str, ...] = ("twitch.tv", "bilibili.com", "b23.tv")
    timeout_s: int = 60
    dry_run: bool = True

    def __post_init__(self) -> None:
        if min(self.flood_messages, self.repeat_count, self.copypasta_viewers, self.emote_wall_count) < 2:
            raise ValueError("moderation counts must be >= 2")
        if not 0 < self.caps_ratio <= 1:
            raise ValueError("LIVEROOM_MOD_CAPS_RATIO must be in (0, 1]")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ModerationPolicy:
        return cls(
            flood_messages=env_int(env, "LIVEROOM_MOD_FLOOD_MESSAGES", cls.flood_messages),
            flood_window_s=env_float(env, "LIVEROOM_MOD_FLOOD_WINDOW_S", cls.flood_window_s),
            repeat_count=env_int(env, "LIVEROOM_MOD_REPEAT_COUNT", cls.repeat_count),
            repeat_window_s=env_float(env, "LIVEROOM_MOD_REPEAT_WINDOW_S", cls.repeat_window_s),
            copypasta_viewers=env_int(env, "LIVEROOM_MOD_COPYPASTA_VIEWERS", cls.copypasta_viewers),
            copypasta_window_s=env_float(env, "LIVEROOM_MOD_COPYPASTA_WINDOW_S", cls.copypasta_window_s),
            caps_ratio=env_float(env, "LIVEROOM_MOD_CAPS_RATIO", cls.caps_ratio),
            emote_wall_count=env_int(env, "LIVEROOM_MOD_EMOTE_WALL_COUNT", cls.emote_wall_count),
            allowed_domains=_csv(env.get("LIVEROOM_MOD_ALLOWED_DOMAINS"), cls.allowed_domains),
            timeout_s=env_int(env, "LIVEROOM_MOD_TIMEOUT_S", cls.timeout_s),
            dry_run=env.get("LIVEROOM_MOD_DRY_RUN", "1").lower() not in {"0", "false", "no", "off"},
        )


# --- toxic text -------------------------------------------------------------------------------------
# The detector (lexicon, context rules, small model) lives in bot/toxicity.py (`toxicity` imported above).


# --- other signals ------------------------------------------------------------------------------------
URL = re.compile(
    r"(?:https?://|www\.)?((?:[a-z0-9-]+\.)+(?:com|net|org|tv|cn|io|gg|ly|me|co|xyz|ru|info))\b(?:/\S*)?",
    re.IGNORECASE,
)
KNOWN_EMOTES = frozenset(
    {
        "kappa",
        "pogchamp",
        "pog",
        "lul",
        "kekw",
        "omegalul",
        "pepehands",
        "monkas",
        "residentsleeper",
        "biblethump",
        "4head",
        "trihard",
        "wutface",
        "notlikethis",
        "seemsgood",
        "heyguys",
        "coolstorybob",
        "catjam",
        "pepega",
    }
)
BILIBILI_EMOTE = re.compile(r"\[[^\[\]\s]{1,8}\]")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def emote_count(event: ChatEvent) -> int:
    spans = event.extra.get("emotes")
    if isinstance(spans, list) and spans:
        return len(spans)
    words = event.text.split()
    named = sum(1 for w in words if w.casefold() in KNOWN_EMOTES)
    return named + len(BILIBILI_EMOTE.findall(event.text)) + len(EMOJI.findall(event.text))


def caps_share(text: str) -> tuple[int, float]:
    letters = [ch for ch in text if ch.isascii() and ch.isalpha()]
    if not letters:
        return 0, 0.0
    return len(letters), sum(ch.isupper() for ch in letters) / len(letters)


def offending_domains(text: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for match in URL.finditer(text):
        domain = match.group(1).lower()
        if not any(domain == ok or domain.endswith("." + ok) for ok in allowed):
            bad.append(domain)
    return bad


@dataclass
class _RoomMemory:
    # ordered by each viewer's latest message (re-inserted on every message), so viewers who went quiet
    # are forgotten from the front: a stream with 50,000 one-message viewers must not keep 50,000 entries
    by_viewer: dict[str, deque[tuple[float, str]]] = field(default_factory=dict)
    by_text: dict[str, deque[tuple[float, str]]] = field(default_factory=lambda: defaultdict(deque))


class Moderator:
    """Decides, per message, whether and how to moderate; remembers a short window per room."""

    EXEMPT = frozenset({Role.BROADCASTER, Role.MODERATOR})

    def __init__(self, policy: ModerationPolicy | None = None) -> None:
        self.policy = policy or ModerationPolicy()
        self._rooms: dict[tuple[str, str], _RoomMemory] = defaultdict(_RoomMemory)

    def check(self, event: ChatEvent, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        if event.roles & self.EXEMPT:
            return ALLOW
        memory = self._rooms[(event.platform, event.room)]
        folded = fold_text(event.text).strip()
        decisions = [
            self._toxic(event.text),
            self._flood_and_repeat(memory, event.viewer_id, folded, now),
            self._copypasta(memory, event.viewer_id, folded, now),
            self._caps(event.text),
            self._emotes(event),
            self._links(event),
        ]
        return max(decisions, key=lambda d: SEVERITY[d.action])

    def _toxic(self, text: str) -> Decision:
        severity, term = toxicity(text)
        if severity >= 3:
            return Decision(Action.TIMEOUT, "toxic", term)
        if severity == 2:
            return Decision(Action.DELETE, "toxic", term)
        if severity == 1:
            return Decision(Action.WARN, "toxic", term)
        return ALLOW

    def _flood_and_repeat(self, memory: _RoomMemory, viewer: str, folded: str, now: float) -> Decision:
        p = self.policy
        horizon = now - max(p.flood_window_s, p.repeat_window_s)
        history = memory.by_viewer.pop(viewer, None) or deque()
        while history and history[0][0] < horizon:
            history.popleft()
        history.append((now, folded))
        memory.by_viewer[viewer] = history
        while True:  # forget viewers whose latest message left the window (oldest first)
            oldest = next(iter(memory.by_viewer))
            if memory.by_viewer[oldest][-1][0] >= horizon:
                break
            del memory.by_viewer[oldest]
        recent = sum(1 for t, _ in history if t >= now - p.flood_window_s)
        if recent > p.flood_messages:
            return Decision(Action.TIMEOUT, "flood", f"{recent} messages in {p.flood_window_s:.0f}s")
        repeats = sum(1 for t, text in history if text == folded and t >= now - p.repeat_window_s)
        if folded and repeats >= p.repeat_count:
            return Decision(Action.DELETE, "repeat", f"same message {repeats} times")
        return ALLOW

    def _copypasta(self, memory: _RoomMemory, viewer: str, folded: str, now: float) -> Decision:
        p = self.policy
        if len(folded) < p.copypasta_min_chars:
            return ALLOW
        senders = memory.by_text[folded]
        while senders and senders[0][0] < now - p.copypasta_window_s:
            senders.popleft()
        senders.append((now, viewer))
        if len(memory.by_text) > 5000:  # forget the oldest texts: bounded memory under raids
            for key in list(memory.by_text)[:1000]:
                del memory.by_text[key]
        distinct = len({v for _, v in senders})
        if distinct >= p.copypasta_viewers:
            return Decision(Action.DELETE, "copypasta", f"{distinct} viewers sent the same text")
        return ALLOW

    def _caps(self, text: str) -> Decision:
        letters, share = caps_share(text)
        if letters >= self.policy.caps_min_letters and share >= self.policy.caps_ratio:
            return Decision(Action.WARN, "caps", f"{share:.0%} capitals")
        return ALLOW

    def _emotes(self, event: ChatEvent) -> Decision:
        count = emote_count(event)
        if count >= self.policy.emote_wall_count:
            return Decision(Action.DELETE, "emote_wall", f"{count} emotes")
        return ALLOW

    def _links(self, event: ChatEvent) -> Decision:
        if Role.VIP in event.roles:
            return ALLOW
        bad = offending_domains(event.text, self.policy.allowed_domains)
        if bad:
            return Decision(Action.DELETE, "link", ", ".join(sorted(set(bad))))
        return ALLOW
