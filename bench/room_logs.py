"""Chat logs for the room evaluation: our own labelled JSONL, Twitch text logs and Bilibili danmaku XML.

Every format is read into :class:`RoomLine` (platform, viewer, text, and the outcome the line should get),
so the replay never cares where a log came from. Real logs carry no labels: their lines expect ``None``
(unknown) and count as addressed to the bot only when they mention it (:func:`addresses_bot`), which is
the ground truth we measure the reply policy against, deliberately independent of the gateway's triage.

The held-out logs must stay unseen by whoever tunes the bot, so :func:`overlap` checks that no dev line
is the same message as a held-out line after normalisation (case, width, punctuation, repeated letters),
or nearly so (difflib ratio >= 0.9).
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

EXPECTS = ("silent", "answer", "handoff", "moderate")
FORMATS = ("jsonl", "twitch-txt", "danmaku-xml")
ROOMS_DIR = Path(__file__).resolve().parent / "rooms"
NEAR_DUPLICATE_RATIO = 0.9

# "[2025-01-01 13:08:45 UTC] name: text" (Chatterino / justlog exports) or "name: text"
_TWITCH_LINE = re.compile(r"^(?:\[(?P<time>[^\]]+)\]\s*)?(?P<viewer>[A-Za-z0-9_]{2,25}):\s(?P<text>.+)$")
# messages the platform or its bots post, not viewers (they would only add noise to the reply rate)
_TWITCH_SYSTEM = re.compile(r"\b(subscribed (?:at|with)|is now live|gifted a|has raided)\b", re.IGNORECASE)
_KNOWN_BOTS = frozenset({"nightbot", "streamelements", "moobot", "fossabot", "streamlabs", "wizebot"})


@dataclass(frozen=True)
class RoomLine:
    """One viewer message and, for our own logs, what the bot should do with it."""

    platform: str
    viewer: str
    text: str
    expect: str | None = None  # silent | answer | handoff | moderate; None = unknown (real logs)
    kind: str = ""
    source: str = ""  # file:line, for the review table
    at: float | None = None  # when it was sent (epoch seconds), for replays at the log's own pace


def addresses_bot(text: str, bot_name: str) -> bool:
    """Is the message written to the bot: ``@bot_name`` (also ``@bot_name_bot``), the bot's name as a word,
    "bot", or the Chinese 机器人 / 小助手."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    name = re.escape(bot_name.casefold())
    return bool(re.search(rf"@\s*{name}|(?<![a-z0-9_]){name}(?![a-z0-9])|\bbot\b|机器人|小助手", folded))


def normalize(text: str) -> str:
    """Same message for the overlap check: NFKC, casefold, letters/digits/CJK only, runs of one character cut
    to two ("hahahaha" == "hahaha", "哈哈哈哈" == "哈哈")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if ch.isalnum())
    return re.sub(r"(.)\1{2,}", r"\1\1", kept)


def overlap(dev: Iterable[RoomLine], heldout: Iterable[RoomLine]) -> list[tuple[str, str]]:
    """(dev text, held-out text) pairs that are the same or nearly the same message (:func:`normalize`)."""
    dev_norm: dict[str, str] = {}
    for line in dev:
        dev_norm.setdefault(normalize(line.text), line.text)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for line in heldout:
        key = normalize(line.text)
        if key in seen or not key:
            continue
        seen.add(key)
        if key in dev_norm:
            found.append((dev_norm[key], line.text))
            continue
        matcher = difflib.SequenceMatcher(None, key, autojunk=False)
        for other, original in dev_norm.items():
            if abs(len(other) - len(key)) > max(len(other), len(key)) * (1 - NEAR_DUPLICATE_RATIO):
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO and matcher.ratio() >= NEAR_DUPLICATE_RATIO:
                found.append((original, line.text))
                break
    return found


def detect_format(path: Path) -> str:
    """``jsonl`` (JSON object per line), ``danmaku-xml`` (``<d p=...>``) or ``twitch-txt`` (anything else)."""
    head = path.read_text(encoding="utf-8", errors="replace")[:4096].lstrip("\ufeff").lstrip()
    if head.startswith("<"):
        return "danmaku-xml"
    if head.startswith("{"):
        return "jsonl"
    return "twitch-txt"


def read_log(path: Path, fmt: str | None = None) -> list[RoomLine]:
    """Every viewer message of ``path`` in order; ``fmt`` one of :data:`FORMATS` (auto-detected when None)."""
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "twitch-txt":
        return read_twitch_txt(path)
    if fmt == "danmaku-xml":
        return read_danmaku_xml(path)
    raise ValueError(f"unknown log format {fmt!r}; expected one of {', '.join(FORMATS)}")


def read_jsonl(path: Path) -> list[RoomLine]:
    """Our labelled logs: ``{"platform", "viewer", "text", "expect", "kind"}`` per line."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            expect = data.get("expect")
            if expect is not None and expect not in EXPECTS:
                raise ValueError(f"expect must be one of {', '.join(EXPECTS)}, got {expect!r}")
            lines.append(
                RoomLine(
                    platform=str(data.get("platform", "simulator")),
                    viewer=str(data["viewer"]),
                    text=str(data["text"]),
                    expect=expect,
                    kind=str(data.get("kind", "")),
                    source=f"{path.name}:{number}",
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: {err}") from None
    return lines


def read_twitch_txt(path: Path) -> list[RoomLine]:
    """Twitch chat as text, one ``[time] viewer: message`` per line; chat bots and system notices skipped."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        match = _TWITCH_LINE.match(raw.strip())
        if not match:
            continue
        viewer, text = match["viewer"], match["text"].strip()
        if viewer.casefold() in _KNOWN_BOTS or _TWITCH_SYSTEM.search(text) or not text:
            continue
        at = _epoch(match["time"])
        lines.append(RoomLine("twitch", viewer, text, source=f"{path.name}:{number}", at=at))
    return lines


def read_danmaku_xml(path: Path) -> list[RoomLine]:
    """Bilibili danmaku XML (video dumps and live recorders): ``<d p="time,mode,size,colour,ts,pool,user,id"
    user="name">text</d>``, in the order of the send time (``p[4]``) when it is there."""
    root = ET.parse(path).getroot()
    rows: list[tuple[float, int, RoomLine]] = []
    for order, element in enumerate(root.iter("d")):
        text = (element.text or "").strip()
        if not text:
            continue
        parts = (element.get("p") or "").split(",")
        sent = float(parts[4]) if len(parts) > 4 and _is_number(parts[4]) else 0.0
        viewer = element.get("user") or (parts[6] if len(parts) > 6 else "") or f"viewer{order}"
        line = RoomLine("bilibili", viewer[:40], text, source=f"{path.name}:d{order}", at=sent or None)
        rows.append((sent, order, line))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [line for _, _, line in rows]


def _epoch(stamp: str | None) -> float | None:
    """``2025-01-01 13:08:45 UTC`` (or ISO 8601) as epoch seconds; None when absent or unreadable."""
    if not stamp:
        return None
    cleaned = stamp.strip().removesuffix("UTC").strip().replace(" ", "T")
    try:
        when = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def schedule(
    lines: list[RoomLine], rate: float, own_pace: bool = False, max_gap_s: float = 5.0
) -> list[float]:
    """Send offsets (s): ``i / rate``, or with ``own_pace`` the log's own timing (gaps longer than
    ``max_gap_s`` cut to it, so a quiet hour does not stall the run) when every line has a time. A log
    squeezed to a faster rate makes each viewer write faster too, which per-viewer flood rules notice."""
    if own_pace and lines and all(line.at is not None for line in lines):
        offsets, now = [0.0], 0.0
        for before, after in itertools.pairwise(lines):
            now += min(max_gap_s, max(0.0, float(after.at) - float(before.at)))  # type: ignore[arg-type]
            offsets.append(now)
        return offsets
    return [i / rate for i in range(len(lines))]


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def ci_logs(split: str = "dev") -> list[Path]:
    """Our own logs of one split (``dev`` or ``heldout``), every language."""
    return sorted(ROOMS_DIR.glob(f"*_{split}.jsonl"))
