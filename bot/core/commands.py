"""Streamer features viewers know from Nightbot/StreamElements: commands, timers, polls, giveaways.

- Commands: ``!price <product>``, ``!schedule``, ``!socials`` and custom ``!name -> text`` commands from a
  JSON file (``LIVEROOM_COMMANDS_FILE``) — answered by the gateway without Rasa, from the graph.
- Timed announcements: posted every ``interval`` only while chat is active (enough messages since the
  last one), so the bot never talks to an empty room or spams a quiet one.
- Polls: a moderator runs ``!poll Question? | option 1 | option 2 [| option 3]``; viewers vote by
  typing 1/2/3 (one vote each, the last counts); ``!endpoll`` posts the results.
- Giveaways: ``!giveaway <keyword>`` opens entries; viewers type the keyword (one entry each);
  ``!draw`` picks a winner with the operating system's CSPRNG, so every entrant has the same chance.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors.base import ChatEvent, Role

MANAGERS = frozenset({Role.BROADCASTER, Role.MODERATOR})
COMMAND = re.compile(r"^!(\w+)\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Timer:
    text: str
    interval_s: float = 600.0
    min_messages: int = 10


@dataclass(frozen=True)
class CommandConfig:
    """Custom commands and timers; ``LIVEROOM_COMMANDS_FILE`` is JSON:
    ``{"commands": {"socials": "twitter: ...", ...}, "timers": [{"text": ..., "interval_s": 600,
    "min_messages": 10}]}``."""

    commands: Mapping[str, str] = field(default_factory=dict)
    timers: tuple[Timer, ...] = ()

    @classmethod
    def from_file(cls, path: Path) -> CommandConfig:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: cannot read commands: {err}") from err
        commands = data.get("commands", {})
        if not isinstance(commands, dict) or not all(
            isinstance(k, str) and re.fullmatch(r"\w{1,30}", k) and isinstance(v, str) and 0 < len(v) <= 400
            for k, v in commands.items()
        ):
            raise ValueError(
                f"{path}: 'commands' must map names (letters/digits) to texts of 1-400 characters"
            )
        timers = []
        for i, raw in enumerate(data.get("timers", [])):
            try:
                timers.append(
                    Timer(
                        str(raw["text"]), float(raw.get("interval_s", 600)), int(raw.get("min_messages", 10))
                    )
                )
            except (KeyError, TypeError, ValueError) as err:
                raise ValueError(f"{path}: timers[{i}]: {err}") from err
            if timers[-1].interval_s < 60:
                raise ValueError(f"{path}: timers[{i}].interval_s must be >= 60 (platform spam rules)")
        return cls({k.lower(): v for k, v in commands.items()}, tuple(timers))

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CommandConfig:
        path = env.get("LIVEROOM_COMMANDS_FILE")
        return cls.from_file(Path(path)) if path else cls()


@dataclass
class Poll:
    question: str
    options: list[str]
    votes: dict[str, int] = field(default_factory=dict)

    def results(self) -> list[tuple[str, int]]:
        counts = [0] * len(self.options)
        for choice in self.votes.values():
            counts[choice] += 1
        return list(zip(self.options, counts, strict=True))


@dataclass
class Giveaway:
    keyword: str
    entrants: dict[str, str] = field(default_factory=dict)  # viewer id -> display name


@dataclass
class _TimerState:
    last_post: float
    messages_since: int = 0


Reply = str | None
GraphCommand = Callable[[str, str], Awaitable[str]]
"""(argument, lang) -> reply text: commands answered from the knowledge graph."""


class RoomFeatures:
    """Commands, polls, giveaways and timers of one room. ``handle`` returns the bot's reply or None."""

    def __init__(
        self,
        config: CommandConfig,
        graph_commands: Mapping[str, GraphCommand],
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.graph_commands = dict(graph_commands)
        self._clock = clock
        self._rng = rng or secrets.SystemRandom()
        self.poll: Poll | None = None
        self.giveaway: Giveaway | None = None
        self._timers = [_TimerState(clock()) for _ in config.timers]

    def absorb(self, event: ChatEvent) -> bool:
        """Count the message for timers; take it if it is a poll vote or a giveaway entry (those are
        silent: the bot does not answer each vote)."""
        self._count_for_timers()
        taken = self.takes(event)
        if taken == "vote" and self.poll:
            self.poll.votes[event.viewer_id] = int(event.text.strip()) - 1
        elif taken == "entry" and self.giveaway:
            self.giveaway.entrants.setdefault(event.viewer_id, event.display_name)
        return taken is not None

    def takes(self, event: ChatEvent) -> str | None:
        """What ``absorb`` would take the message as ("vote", "entry") or None; changes nothing (the
        gateway asks before deciding whether a message's toxicity check can wait)."""
        text = event.text.strip()
        if self.poll and text in {str(i + 1) for i in range(len(self.poll.options))}:
            return "vote"
        if self.giveaway and text.casefold() == self.giveaway.keyword:
            return "entry"
        return None

    async def command(self, event: ChatEvent, lang: str) -> Reply:
        """A ``!command``'s reply, or None if it is not one this room knows (or may run)."""
        match = COMMAND.match(event.text.strip())
        if not match:
            return None
        name, arg = match.group(1).lower(), match.group(2).strip()
        if name in {"poll", "endpoll", "giveaway", "draw"}:
            if not event.roles & MANAGERS:
                return None  # viewers cannot run room-management commands; stay silent, no spam
            return self._manage(name, arg, lang)
        if name in self.config.commands:
            return self.config.commands[name]
        if name in self.graph_commands:
            return await self.graph_commands[name](arg, lang)
        return None

    async def handle(self, event: ChatEvent, lang: str) -> Reply:
        """Both steps for one message: absorbed votes/entries are silent, commands answered."""
        if self.absorb(event):
            return None
        return await self.command(event, lang)

    def _manage(self, name: str, arg: str, lang: str) -> str:
        zh = lang == "zh"
        if name == "poll":
            parts = [p.strip() for p in arg.split("|") if p.strip()]
            if len(parts) < 3 or len(parts) > 10:
                return (
                    "用法：!poll 问题 | 选项1 | 选项2"
                    if zh
                    else "usage: !poll question | option 1 | option 2"
                )
            self.poll = Poll(parts[0], parts[1:])
            listing = "  ".join(f"{i + 1}) {o}" for i, o in enumerate(self.poll.options))
            return (
                f"投票：{parts[0]} 回复数字投票 {listing}"
                if zh
                else f"Poll: {parts[0]} Type a number: {listing}"
            )
        if name == "endpoll":
            if not self.poll:
                return "现在没有投票" if zh else "No poll is running."
            poll, self.poll = self.poll, None
            total = len(poll.votes)
            ranked = sorted(poll.results(), key=lambda r: -r[1])
            summary = ", ".join(f"{option} {count}" for option, count in ranked)
            return f"投票结束（{total} 票）：{summary}" if zh else f"Poll closed ({total} votes): {summary}"
        if name == "giveaway":
            keyword = arg.split()[0].casefold() if arg.split() else ""
            if not keyword:
                return "用法：!giveaway 口令" if zh else "usage: !giveaway <keyword>"
            self.giveaway = Giveaway(keyword)
            return f"抽奖开始！发送「{keyword}」参与" if zh else f"Giveaway open! Type {keyword} to enter."
        # draw
        if not self.giveaway or not self.giveaway.entrants:
            return "还没有人参与抽奖" if zh else "Nobody has entered the giveaway."
        giveaway, self.giveaway = self.giveaway, None
        winner_id = self._rng.choice(sorted(giveaway.entrants))
        count = len(giveaway.entrants)
        winner = giveaway.entrants[winner_id]
        return (
            f"恭喜 @{winner} 中奖！（共 {count} 人参与）"
            if zh
            else f"Congratulations @{winner}, you won! ({count} entrants)"
        )

    def _count_for_timers(self) -> None:
        for state in self._timers:
            state.messages_since += 1

    def due_announcements(self) -> list[str]:
        """Timer texts due now: interval elapsed AND chat active since the last post."""
        now, due = self._clock(), []
        for timer, state in zip(self.config.timers, self._timers, strict=True):
            if now - state.last_post >= timer.interval_s and state.messages_since >= timer.min_messages:
                due.append(timer.text)
                state.last_post, state.messages_since = now, 0
        return due
