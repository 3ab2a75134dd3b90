"""Which events the pipeline reads at all: text from viewers (not the bot, not other bots), once each."""

from __future__ import annotations

from collections import OrderedDict

from connectors.base import ChatEvent, EventKind, Role

SEEN_IDS = 20_000
OTHER_BOTS = frozenset(
    {"nightbot", "streamelements", "moobot", "fossabot", "streamlabs", "wizebot", "sery_bot"}
)
# Super chats / cheers carry text the viewer paid to show: they are read (and answered) like chat.
TEXT_KINDS = frozenset({EventKind.CHAT, EventKind.SUPER_CHAT})


class Ingress:
    def __init__(self, bot_name: str) -> None:
        self.bot_name = bot_name
        self._seen: OrderedDict[str, None] = OrderedDict()

    def reason_to_skip(self, event: ChatEvent, seen: bool = False) -> str | None:
        """Why the pipeline ignores ``event``; ``seen`` when its id was already checked for duplicates."""
        if event.kind not in TEXT_KINDS:
            return "not_chat"
        name = event.display_name.casefold()
        if name == self.bot_name.casefold():
            return "own_message"
        if Role.BOT in event.roles or name in OTHER_BOTS:
            return "other_bot"
        if not event.text.strip():
            return "empty"
        if not seen and not self.first_sighting(event):
            return "duplicate"
        return None

    def first_sighting(self, event: ChatEvent) -> bool:
        """True the first time a message id is seen (platforms redeliver after reconnects)."""
        key = f"{event.platform}:{event.message_id}"
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > SEEN_IDS:
            self._seen.popitem(last=False)
        return True
