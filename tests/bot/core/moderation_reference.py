"""The moderator as it was before the per-message path was made fast (commit 55b6ec8), kept as the
reference the fast path must agree with: every text folded anew by each check, every rule run, the
toxicity model run on every message the lexicon let pass, and ``max`` over the decisions.

Only the composition is frozen here; the lexicon's own matching (``_english``, ``_chinese``), the
patterns and the shipped model are shared with the running code, which did not change them.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
import zlib
from collections import deque

from bot.core.moderation import (
    AD,
    ALLOW,
    BILIBILI_EMOTE,
    EMOJI,
    KNOWN_EMOTES,
    SEVERITY,
    TLDS,
    URL,
    Action,
    Decision,
    ModerationPolicy,
    _RoomMemory,
    _TextSenders,
    chant_shaped,
)
from bot.core.toxicity import (
    _CJK,
    _PINYIN_PATTERN,
    _WHITESPACE,
    EN_EXCLAIM,
    EN_FRIENDLY,
    FRIENDLY_WORDS,
    N_BITS,
    NGRAMS,
    _chinese,
    _english,
    load_model,
)
from connectors.base import ChatEvent, Role

_REPEATS = re.compile(r"(.)\1{2,}")
_REPEAT_ANY = re.compile(r"(.)\1+")
_DOT_WORD = re.compile(r"([a-z0-9])\s*[(\[{<]?\s*(?:dot|点|點|。)\s*[)\]}>]?\s*([a-z0-9])")
_BRACKETED_DOT = re.compile(r"\s*[(\[{<]\s*\.\s*[)\]}>]\s*")
_SPACED_DOT = re.compile(r"([a-z0-9])\s+\.\s+([a-z0-9])")


def fold_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _REPEATS.sub(r"\1\1", folded)


def lexicon_toxicity(text: str) -> tuple[int, str]:
    folded = fold_text(text)
    worst = _english(folded)
    if worst[0] < 3 and (not folded.isascii() or _PINYIN_PATTERN.search(folded)):
        worst = max(worst, _chinese(folded))
    return worst


def model_text(text: str) -> str:
    return "\x02" + _WHITESPACE.sub(" ", fold_text(text)).strip() + "\x03"


def features(text: str, n_bits: int = N_BITS) -> list[int]:
    framed = model_text(text)
    raw = framed.encode("utf-32-le")
    mask = (1 << n_bits) - 1
    size = len(framed)
    out: set[int] = set()
    for n in NGRAMS:
        width = 4 * n
        for start in range(0, 4 * (size - n + 1), 4):
            out.add(zlib.crc32(raw[start : start + width]) & mask)
    return list(out)


def model_input(text: str, lang: str) -> str:
    if lang == "en":
        return EN_EXCLAIM.sub(" ", EN_FRIENDLY.sub(" ", fold_text(text)))
    return text


def language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def probability(text: str) -> float:
    model = load_model()
    assert model is not None
    lang = language(text)
    ids = features(model_input(text, lang), model.n_bits)
    if not ids:
        return 0.0
    w = model.weights[lang]
    z = model.bias[lang] + sum(w[i] for i in ids) / math.sqrt(len(ids))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def model_severity(text: str) -> int:
    model = load_model()
    assert model is not None
    lang = language(text)
    p = probability(text)
    if p >= model.delete[lang]:
        return 2
    if p >= model.warn[lang]:
        return 1
    return 0


def _friendly_only(text: str) -> bool:
    folded = fold_text(text)
    return bool(FRIENDLY_WORDS.search(folded)) and not re.search(r"\b(?:you|u|ur|your)\b", folded)


def toxicity(text: str) -> tuple[int, str]:
    severity, term = lexicon_toxicity(text)
    if severity:
        return severity, term
    if load_model() is None:
        return 0, ""
    severity = model_severity(text)
    if severity and _friendly_only(text):
        severity = 0
    return severity, "model" if severity else ""


def link_text(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _BRACKETED_DOT.sub(".", folded)
    folded = _DOT_WORD.sub(r"\1.\2", folded)
    return _SPACED_DOT.sub(r"\1.\2", folded)


def offending_domains(text: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for match in URL.finditer(link_text(text)):
        scheme_host, www_host, ip, domain, tld = match.groups()
        host = (scheme_host or www_host or ip or domain or "").strip(".")
        if domain and tld not in TLDS:
            continue
        if host and not any(host == ok or host.endswith("." + ok) for ok in allowed):
            bad.append(host)
    return bad


def emote_count(event: ChatEvent) -> int:
    spans = event.extra.get("emotes")
    if isinstance(spans, list) and spans:
        return len(spans)
    words = event.text.split()
    named = sum(1 for w in words if w.casefold() in KNOWN_EMOTES)
    return named + len(BILIBILI_EMOTE.findall(event.text)) + len(EMOJI.findall(event.text))


class ReferenceModerator:
    """``Moderator.check`` as it was (its own room memory)."""

    EXEMPT = frozenset({Role.BROADCASTER, Role.MODERATOR})

    def __init__(self, policy: ModerationPolicy | None = None) -> None:
        self.policy = policy or ModerationPolicy()
        self._rooms: dict[tuple[str, str], _RoomMemory] = {}

    def check(self, event: ChatEvent, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        if event.roles & self.EXEMPT:
            return ALLOW
        memory = self._rooms.setdefault((event.platform, event.room), _RoomMemory())
        folded = fold_text(event.text).strip()
        senders = self._senders(memory, event.viewer_id, folded, now)
        decisions = [
            self._toxic(event.text),
            self._flood_and_repeat(
                memory, event.viewer_id, folded, now, chant=senders >= self.policy.chant_viewers
            ),
            self._links(event),
            self._ad_wave(folded, senders),
            self._emotes(event),
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
        while True:
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
        if not folded:
            return 0
        senders = memory.by_text.get(folded)
        if senders is None:
            senders = memory.by_text[folded] = _TextSenders()
        distinct = senders.add(now, viewer, self.policy.copypasta_window_s)
        if len(memory.by_text) > 5000:
            for key in list(memory.by_text)[:1000]:
                del memory.by_text[key]
        return distinct

    def _ad_wave(self, folded: str, senders: int) -> Decision:
        found = AD.search(folded)
        if found is None:
            return ALLOW
        if senders >= self.policy.copypasta_viewers:
            return Decision(Action.DELETE, "copypasta", f"{senders} viewers sent the same ad")
        return Decision(Action.DELETE, "ad", found.group(0))

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
