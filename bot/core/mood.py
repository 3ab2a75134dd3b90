"""The room's settled mood: a change counts only once it has held for a while (bot/mood.py acts on it)."""

from __future__ import annotations

from dataclasses import dataclass

#: the external intent Rasa runs when a room's mood settles on one of these
INTENTS = {"bored": "EXTERNAL_room_bored", "upset": "EXTERNAL_room_upset"}
ACTION_MODES = ("vision", "always", "off")


@dataclass
class SustainedMood:
    """The room's settled mood: a new mood replaces it only after holding for ``sustain_s``."""

    sustain_s: float
    stable: str = "neutral"
    candidate: str | None = None
    since: float = 0.0

    def update(self, mood: str, now: float) -> str | None:
        """Feed the current mood; return the new settled mood when a change just became sustained."""
        if mood == self.stable:
            self.candidate = None
            return None
        if mood != self.candidate:
            self.candidate, self.since = mood, now
        if now - self.since >= self.sustain_s:
            self.stable, self.candidate = mood, None
            return mood
        return None


def room_conversation_id(platform: str, room: str) -> str:
    """The room's own Rasa conversation (viewers are platform:room:viewer); ``@`` is no viewer name."""
    return f"{platform}:{room}:@room"
