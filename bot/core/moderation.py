"""Keeping the room clean: per-viewer flood limits and repeats, ads pasted by many accounts, emote walls,
links outside an allow-list, and bilingual toxic text.

Calibrated on real chat: a fan chant or a copy-pasta typed by hundreds of viewers is how a live room
cheers, not spam, so repeats are judged per viewer and a text many viewers send is left alone unless it
carries a link or an ad. Capitals are how Twitch hypes ("LETSGO MY STREAMER"): they never trigger
anything on their own.

The moderator only *decides*; the gateway carries the decision out (log it, warn, or ask the platform to
delete / time out when the bot is a moderator and dry-run is off). Decisions are pure functions of the
message and a small per-room memory, so they are cheap enough to run on every message and easy to test.
Broadcaster and moderators are never moderated.

Cost: the text is folded once per message (``TextForms``) for every check; the link filter runs only
when a dot or "://" could make a link; the toxicity model, the dearest check, is left open by
``Moderator.screen`` only where its verdict can change the decision, so the gateway can score the
checks of chatter nobody answers in one batch per loop tick (bot/core/model_checks.py).
``Moderator.check`` is the whole decision in one call, exactly as before.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NamedTuple

# fold_text and toxicity are re-exported: callers have always found the detector's entry points here
from bot.core.toxicity import (
    LinearModel,
    TextForms,
    friendly_only,
    language,
    lexicon_of,
    load_model,
    nfkc_casefold,
    text_forms,
)
from bot.core.toxicity import fold_text as fold_text
from bot.core.toxicity import toxicity as toxicity
from bot.core.toxicity_batch import BatchScorer
from connectors.base import ChatEvent, Role
from connectors.settings import load, parse_csv, setting


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


def _lower_csv(raw: str) -> tuple[str, ...]:
    return tuple(item.lower() for item in parse_csv(raw))


@dataclass(frozen=True)
class ModerationPolicy:
    """Thresholds and switches; every field has an env var ``LIVEROOM_MOD_<FIELD>``."""

    flood_messages: int = 8  # more than this many messages of one viewer in the window -> delete
    flood_window_s: float = 10.0
    flood_timeout_messages: int = 15  # ... more than this many: a script, not a fan -> timeout
    repeat_count: int = 4
    repeat_window_s: float = 30.0
    repeat_min_chars: int = 6  # "哈哈哈", "666", "LUL" three times is a reaction, not spam
    chant_viewers: int = 3  # a text this many viewers sent in the window is a chant: no repeat rule
    copypasta_viewers: int = 5  # the same ad from this many accounts -> delete (a spam wave)
    copypasta_window_s: float = 20.0
    emote_wall_count: int = 25
    allowed_domains: tuple[str, ...] = setting(
        parse=_lower_csv, default=("twitch.tv", "bilibili.com", "b23.tv")
    )
    timeout_s: int = 60
    dry_run: bool = True

    def __post_init__(self) -> None:
        counts = (self.flood_messages, self.repeat_count, self.copypasta_viewers, self.emote_wall_count)
        if min(counts) < 2 or self.chant_viewers < 2:
            raise ValueError("moderation counts must be >= 2")
        if self.flood_timeout_messages < self.flood_messages:
            raise ValueError("LIVEROOM_MOD_FLOOD_TIMEOUT_MESSAGES must be >= LIVEROOM_MOD_FLOOD_MESSAGES")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ModerationPolicy:
        return load(cls, env, "LIVEROOM_MOD_")


# --- toxic text -------------------------------------------------------------------------------------
# The detector (lexicon, context rules, small model) lives in bot/core/toxicity.py
# (`toxicity` imported above).


# --- other signals ------------------------------------------------------------------------------------
#: every top-level domain of the root zone (IANA's list, shipped in bot/core/tlds.txt), read once
TLDS = frozenset(
    line.strip()
    for line in (Path(__file__).with_name("tlds.txt")).read_text(encoding="ascii").splitlines()
    if line.strip() and not line.startswith("#")
)
# Links are looked for in text folded by :func:`link_text` (NFKC, lower case, "dot"/"点"/"(.)" made '.',
# spaces around dots removed). Any host after a scheme or "www." counts, IP addresses count, and a bare
# "label.label" counts when its last label is a real TLD (so "1.5x" or "e.g" do not).
URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]{1,15}://(?:[^\s/@]*@)?([^\s/?#:]+)"  # scheme://host (any host)
    r"|(?<![\w.-])(www\.[^\s/?#:]+)"  # www.anything
    r"|(?<![\w.-])((?:\d{1,3}\.){3}\d{1,3})(?![\w.])"  # an IPv4 address
    r"|(?<![\w.@-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}|xn--[a-z0-9-]{1,59}))(?![\w-]))"
)
_DOT_WORD = re.compile(r"([a-z0-9])\s*[(\[{<]?\s*(?:dot|点|點|。)\s*[)\]}>]?\s*([a-z0-9])")
_BRACKETED_DOT = re.compile(r"\s*[(\[{<]\s*\.\s*[)\]}>]\s*")
_SPACED_DOT = re.compile(r"([a-z0-9])\s+\.\s+([a-z0-9])")  # "evil . com" (not "the end. next")


def link_text(text: str) -> str:
    """``text`` as the link filter reads it: full-width folded (NFKC), lower case, and the usual ways of
    hiding a dot undone: "evil dot com", "evil点com", "evil(.)com", "evil [dot] com", "evil . com"."""
    return _undo_hidden_dots(nfkc_casefold(text))


def _undo_hidden_dots(nfkc: str) -> str:
    folded = _BRACKETED_DOT.sub(".", nfkc)
    folded = _DOT_WORD.sub(r"\1.\2", folded)
    return _SPACED_DOT.sub(r"\1.\2", folded)


#: what a text must hold (after NFKC and case folding) for ``URL`` to find anything in its ``link_text``:
#: every branch of ``URL`` needs a '.' or "://", and ``link_text`` only writes a '.' where one of these
#: dot spellings was (tests/bot/core/test_moderation_fast.py checks the claim against the full path)
_LINK_MARKS = (".", "://", "dot", "点", "點", "。")


def may_hold_link(nfkc: str) -> bool:
    """False when ``nfkc`` (``nfkc_casefold`` of a message) cannot hold a link: most chat, whose link
    filter then costs one scan instead of three substitutions and the URL pattern."""
    return any(mark in nfkc for mark in _LINK_MARKS)


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
    return _text_emotes(event.text)


def _text_emotes(text: str) -> int:
    """Emotes typed as text: never more than the text has characters (a named emote is a word of 3+
    letters, a Bilibili one 3+ characters, an emoji one), which lets short messages skip the count."""
    words = text.split()
    named = sum(1 for w in words if w.casefold() in KNOWN_EMOTES)
    return named + len(BILIBILI_EMOTE.findall(text)) + len(EMOJI.findall(text))


# A text made of one short unit said three times or more ("\嘉然/\嘉然/\嘉然/", "加油加油加油"): a chant,
# however often one fan types it.
CHANT_SHAPE = re.compile(r"(.{1,12}?)\1{2,}")


def chant_shaped(compact: str) -> bool:
    """The text opens with a unit said three times or more, and that is most of it
    ("\\嘉然/\\嘉然/\\嘉然/\\艾瑞思/" cheers one member, then another)."""
    found = CHANT_SHAPE.match(compact)
    return found is not None and found.end() >= 0.6 * len(compact)


# Ads without a link: the contact or the offer is the payload ("add me on discord", "加微信").
AD = re.compile(
    r"\b(?:follow me|sub to me|check my (?:channel|profile|bio)|add me on|dm me for|"
    r"(?:cheap|buy) (?:viewers|followers)|free (?:gift card|v-?bucks|robux|nitro)|"
    r"promo(?:te|tion) your stream)\b"
    r"|加(?:我)?(?:微信|vx|v信|qq|扣扣)|(?:微信|vx|qq)(?:号|群)|代刷|刷粉|刷礼物|兼职日结|私聊领|免费领",
    re.IGNORECASE,
)


def offending_domains(text: str, allowed: tuple[str, ...]) -> list[str]:
    return _offending(nfkc_casefold(text), allowed)


def _offending(nfkc: str, allowed: tuple[str, ...]) -> list[str]:
    """``offending_domains`` of a text already NFKC-casefolded."""
    if not may_hold_link(nfkc):
        return []
    bad = []
    for match in URL.finditer(_undo_hidden_dots(nfkc)):
        scheme_host, www_host, ip, domain, tld = match.groups()
        host = (scheme_host or www_host or ip or domain or "").strip(".")
        if domain and tld not in TLDS:
            continue
        if host and not any(host == ok or host.endswith("." + ok) for ok in allowed):
            bad.append(host)
    return bad


class _TextSenders:
    """Who sent one text within the window: the sends in time order and how many each viewer made, so
    the number of distinct senders is read in O(1) however big a chant gets."""

    def __init__(self) -> None:
        self.sends: deque[tuple[float, str]] = deque()
        self.per_viewer: Counter[str] = Counter()

    def add(self, now: float, viewer: str, window_s: float) -> int:
        """Record a send and return the distinct senders within ``window_s``, this one included."""
        while self.sends and self.sends[0][0] < now - window_s:
            _, gone = self.sends.popleft()
            self.per_viewer[gone] -= 1
            if not self.per_viewer[gone]:
                del self.per_viewer[gone]
        self.sends.append((now, viewer))
        self.per_viewer[viewer] += 1
        return len(self.per_viewer)


@dataclass
class _RoomMemory:
    # ordered by each viewer's latest message (re-inserted on every message), so viewers who went quiet
    # are forgotten from the front: a stream with 50,000 one-message viewers must not keep 50,000 entries
    by_viewer: dict[str, deque[tuple[float, str]]] = field(default_factory=dict)
    #: who sent each text recently (a chant or a spam wave is one text from many viewers)
    by_text: dict[str, _TextSenders] = field(default_factory=lambda: defaultdict(_TextSenders))


class ModelCheck(NamedTuple):
    """A toxicity-model verdict the rules left open: the lexicon was silent, the text is not friendly
    slang, and the model's strongest verdict in ``lang`` could still change ``rules`` (what every
    other rule decided). :meth:`Moderator.conclude` turns the model's severity into the decision."""

    forms: TextForms
    lang: str
    rules: Decision


class Screening(NamedTuple):
    """The decision without the model, and the model check still open (None: the decision is final)."""

    decision: Decision
    pending: ModelCheck | None


_MODEL_DECISIONS = {1: Action.WARN, 2: Action.DELETE}


class Moderator:
    """Decides, per message, whether and how to moderate; remembers a short window per room."""

    EXEMPT = frozenset({Role.BROADCASTER, Role.MODERATOR})

    def __init__(self, policy: ModerationPolicy | None = None) -> None:
        self.policy = policy or ModerationPolicy()
        self._rooms: dict[tuple[str, str], _RoomMemory] = defaultdict(_RoomMemory)
        self._batch: tuple[LinearModel, BatchScorer] | None = None

    def forget_room(self, platform: str, room: str) -> None:
        """The gateway closed the room (bot/core/rooms.py): its windows go with it."""
        self._rooms.pop((platform, room), None)

    def check(self, event: ChatEvent, now: float | None = None) -> Decision:
        """The whole decision, the model included when it can change it (scored here, one message)."""
        decision, pending = self.screen(event, now)
        if pending is None:
            return decision
        return self.conclude(pending, self.model_severity(pending))

    def screen(self, event: ChatEvent, now: float | None = None) -> Screening:
        """Every rule but the toxicity model, which is left open (``pending``) only where its verdict
        could change the decision: the gateway scores those checks in batches (bot/core/model_checks.py)
        or at once (:meth:`model_severity`) before the message may be answered. The room memory is
        updated here, exactly once per message."""
        now = time.time() if now is None else now
        if event.roles & self.EXEMPT:
            return Screening(ALLOW, None)
        memory = self._rooms[(event.platform, event.room)]
        forms = text_forms(event.text)
        folded = forms.folded.strip()
        senders = self._senders(memory, event.viewer_id, folded, now)
        # The rules in their old order; the first of the most severe wins (as max() did), and none
        # after flood can do more than delete, so a delete or a timeout ends the list.
        rules = self._flood_and_repeat(
            memory, event.viewer_id, folded, now, chant=senders >= self.policy.chant_viewers
        )
        if _below_delete(rules):
            rules = _worse(rules, self._links(event, forms.nfkc))
        if _below_delete(rules):
            rules = _worse(rules, self._ad_wave(folded, senders))
        if _below_delete(rules):
            rules = _worse(rules, self._emotes(event))
        severity, term = lexicon_of(forms.folded)
        if severity:  # the toxicity verdict comes first in a tie (it did in the old max())
            return Screening(_worse(_toxic_decision(severity, term), rules), None)
        return Screening(rules, self._model_check(forms, rules))

    def _model_check(self, forms: TextForms, rules: Decision) -> ModelCheck | None:
        """The model check, when its strongest verdict could still decide (ties go to it)."""
        model = load_model()
        if model is None:
            return None
        lang = language(forms.text)
        strongest = _MODEL_DECISIONS.get(model.most_severe(lang))
        if strongest is None or SEVERITY[strongest] < SEVERITY[rules.action]:
            return None
        if friendly_only(forms.folded):  # the model is silenced on praise slang anyway
            return None
        return ModelCheck(forms, lang, rules)

    @staticmethod
    def model_severity(check: ModelCheck) -> int:
        """The model's severity for one pending check (the batched scorer gives the same)."""
        model = load_model()
        return 0 if model is None else model.severity_of(check.forms, check.lang)[0]

    def model_severities(self, checks: Sequence[ModelCheck]) -> list[int]:
        """``model_severity`` of many checks in one vectorised pass (bot/core/toxicity_batch.py)."""
        model = load_model()
        if model is None:
            return [0] * len(checks)
        if self._batch is None or self._batch[0] is not model:
            self._batch = (model, BatchScorer(model))
        return self._batch[1].severities([c.forms for c in checks], [c.lang for c in checks])

    @staticmethod
    def conclude(check: ModelCheck, severity: int) -> Decision:
        """The decision once the model has spoken: its warn/delete, unless the rules did more."""
        if not severity:
            return check.rules
        return _worse(_toxic_decision(severity, "model"), check.rules)

    def _flood_and_repeat(
        self, memory: _RoomMemory, viewer: str, folded: str, now: float, *, chant: bool
    ) -> Decision:
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
        if recent > p.flood_timeout_messages:
            return Decision(Action.TIMEOUT, "flood", f"{recent} messages in {p.flood_window_s:.0f}s")
        if recent > p.flood_messages:
            return Decision(Action.DELETE, "flood", f"{recent} messages in {p.flood_window_s:.0f}s")
        compact = "".join(folded.split())
        if chant or len(compact) < p.repeat_min_chars or chant_shaped(compact):
            return ALLOW
        repeats = sum(1 for t, text in history if text == folded and t >= now - p.repeat_window_s)
        if repeats >= p.repeat_count:
            return Decision(Action.DELETE, "repeat", f"same message {repeats} times")
        return ALLOW

    def _senders(self, memory: _RoomMemory, viewer: str, folded: str, now: float) -> int:
        """How many distinct viewers sent this text within the copy-pasta window (this one included)."""
        if not folded:
            return 0
        distinct = memory.by_text[folded].add(now, viewer, self.policy.copypasta_window_s)
        if len(memory.by_text) > 5000:  # forget the oldest texts: bounded memory under raids
            for key in list(memory.by_text)[:1000]:
                del memory.by_text[key]
        return distinct

    def _ad_wave(self, folded: str, senders: int) -> Decision:
        """An ad is deleted, and the same ad from many accounts is a spam wave (the same cheer from many
        viewers is a chant, left alone)."""
        found = AD.search(folded)
        if found is None:
            return ALLOW
        if senders >= self.policy.copypasta_viewers:
            return Decision(Action.DELETE, "copypasta", f"{senders} viewers sent the same ad")
        return Decision(Action.DELETE, "ad", found.group(0))

    def _emotes(self, event: ChatEvent) -> Decision:
        spans = event.extra.get("emotes")
        if not (isinstance(spans, list) and spans) and len(event.text) < self.policy.emote_wall_count:
            return ALLOW  # fewer characters than a wall has emotes (see _text_emotes)
        count = emote_count(event)
        if count >= self.policy.emote_wall_count:
            return Decision(Action.DELETE, "emote_wall", f"{count} emotes")
        return ALLOW

    def _links(self, event: ChatEvent, nfkc: str | None = None) -> Decision:
        """``nfkc``: ``nfkc_casefold(event.text)`` when the caller has it already."""
        if Role.VIP in event.roles:
            return ALLOW
        if nfkc is None:
            nfkc = nfkc_casefold(event.text)
        bad = _offending(nfkc, self.policy.allowed_domains)
        if bad:
            return Decision(Action.DELETE, "link", ", ".join(sorted(set(bad))))
        return ALLOW


def _toxic_decision(severity: int, term: str) -> Decision:
    if severity >= 3:
        return Decision(Action.TIMEOUT, "toxic", term)
    if severity == 2:
        return Decision(Action.DELETE, "toxic", term)
    if severity == 1:
        return Decision(Action.WARN, "toxic", term)
    return ALLOW


def _below_delete(decision: Decision) -> bool:
    """Links, ads and emote walls can do no more than delete: after a delete or a timeout they cannot
    change the decision (the first of equally severe decisions wins), so they are not run."""
    return SEVERITY[decision.action] < SEVERITY[Action.DELETE]


def _worse(current: Decision, candidate: Decision) -> Decision:
    """The more severe of two decisions; ``current`` (the earlier rule, or the toxicity verdict, which
    came first in the old ``max()``) on a tie."""
    return candidate if SEVERITY[candidate.action] > SEVERITY[current.action] else current
