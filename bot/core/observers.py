"""Read-only taps on the pipeline (dashboard, session recorder, room moods)."""

from __future__ import annotations

from typing import Protocol

from bot.core.triage import TriageResult
from connectors.base import ChatEvent


class GatewayObserver(Protocol):
    """Read-only taps for the dashboard and the session recorder: called inline, so they must be O(1)."""

    def on_message(self, event: ChatEvent, triage: TriageResult, lang: str, sentiment: float) -> None: ...

    def on_reply(
        self, event: ChatEvent, text: str, path: str, intent: str | None, waited_s: float
    ) -> None: ...
