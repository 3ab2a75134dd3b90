"""Twitch connector configuration, and the one place that points twitchio at other servers.

Credentials come from the environment or the git-ignored ``TWITCH_CREDENTIALS_FILE`` (default
``twitch.secret``): the app's client id/secret and the bot account's user token + refresh token, which
must carry the scopes in :data:`BOT_SCOPES` (see README "Platforms").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import twitchio.eventsub.websockets
import twitchio.http

from connectors.settings import layered, load, setting
from connectors.twitch.errors import TwitchConfigError

BOT_SCOPES = ("user:read:chat", "user:write:chat", "user:bot")
#: what the broadcaster grants (once) so follows/subs/cheers/raids arrive; optional
#: add this one to the bot's token to receive follows (the bot must be a moderator of the channel)
FOLLOW_SCOPE = "moderator:read:followers"
#: add these to the bot's token for live moderation (delete messages, time viewers out); the bot must
#: be a moderator of the channel, otherwise Twitch answers 403 and the action is logged as declined
MODERATION_SCOPES = ("moderator:manage:chat_messages", "moderator:manage:banned_users")
#: add these to the bot's token so moderators' actions (channel.moderate v2) reach the dashboard; Twitch
#: requires every one of them (a read scope or its manage variant: moderator:manage:banned_users and
#: moderator:manage:chat_messages above satisfy their read scopes) and the bot must be a moderator
MODERATE_READ_SCOPES = (
    "moderator:read:banned_users",
    "moderator:read:blocked_terms",
    "moderator:read:chat_messages",
    "moderator:read:chat_settings",
    "moderator:read:unban_requests",
    "moderator:read:warnings",
    "moderator:read:moderators",
    "moderator:read:vips",
)
#: AutoMod holds and their resolution (automod.message.hold / .update v2)
AUTOMOD_SCOPE = "moderator:manage:automod"
#: Helix Ban User accepts timeouts of 1 s to 2 weeks
MAX_TIMEOUT_S = 1_209_600
MAX_CHARS = 500


def configure_endpoints(*, helix: str, id_base: str, eventsub_ws: str) -> None:
    """Point twitchio (process-wide) at other servers, e.g. the fake Twitch in tests and benchmarks.

    twitchio 3 has no constructor option or env var for its endpoints; these three module attributes
    are what it reads (``Route.BASE`` for Helix, ``Route.ID_BASE`` for OAuth, ``WSS`` for EventSub).
    Call before the connector starts. Production never calls this.
    """
    twitchio.http.Route.BASE = helix.rstrip("/") + "/"
    twitchio.http.Route.ID_BASE = id_base.rstrip("/") + "/"
    twitchio.eventsub.websockets.WSS = eventsub_ws


def configure_endpoints_from(config: TwitchConfig) -> None:
    """Apply ``TWITCH_API_BASE`` / ``TWITCH_ID_BASE`` / ``TWITCH_EVENTSUB_WS`` (the config's
    ``api_base``, ``id_base``, ``eventsub_ws``) when set; unset ones leave twitchio's endpoints as they
    are. For tests and local stand-ins only (bench/platform_standins.py): a real deployment sets none.
    """
    if config.api_base:
        twitchio.http.Route.BASE = config.api_base.rstrip("/") + "/"
    if config.id_base:
        twitchio.http.Route.ID_BASE = config.id_base.rstrip("/") + "/"
    if config.eventsub_ws:
        twitchio.eventsub.websockets.WSS = config.eventsub_ws


def eventsub_url() -> str:
    """The EventSub WebSocket URL twitchio is configured with (ours reads the same setting)."""
    return twitchio.eventsub.websockets.WSS


@dataclass(frozen=True)
class TwitchConfig:
    """Settings of one bot account in one or more channels. Tokens are excluded from ``repr``.

    Every setting has an env var ``TWITCH_<FIELD>`` unless it names another."""

    client_id: str
    bot_id: str
    channel_ids: tuple[str, ...]
    client_secret: str = field(default="", repr=False)
    user_token: str = setting(parse=lambda raw: raw.removeprefix("oauth:"), default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    #: the bot is a moderator in its channels (Twitch then allows 100 messages / 30 s instead of 20)
    is_moderator: bool = setting("TWITCH_BOT_IS_MODERATOR", default=False)
    send_limit: int = 0  # 0 = 20, or 100 as moderator
    send_window_s: float = setting("TWITCH_SEND_WINDOW", default=30.0)
    max_chars: int = setting(None, default=MAX_CHARS)
    #: EventSub accepts 10-600 s; smaller values only make sense against the fake server in tests
    keepalive_s: float = setting("TWITCH_KEEPALIVE", default=10)
    #: how long after the keepalive deadline the socket is declared dead (Twitch allows some jitter)
    keepalive_grace_s: float = setting(None, default=5.0)
    #: pause after a 429 whose response has no usable Ratelimit-Reset header
    retry_after_429_s: float = setting(None, default=5.0)
    backoff_base_s: float = setting(None, default=1.0)
    backoff_cap_s: float = setting(None, default=60.0)
    #: other servers than Twitch's (``TWITCH_API_BASE``: Helix, e.g. ``http://127.0.0.1:8400/helix/``;
    #: ``TWITCH_ID_BASE``: OAuth, ``http://127.0.0.1:8400/``; ``TWITCH_EVENTSUB_WS``: the EventSub
    #: WebSocket), applied process-wide when the connector starts (:func:`configure_endpoints_from`).
    #: For tests and local stand-ins only (bench/platform_standins.py); empty = Twitch's own.
    api_base: str = setting(parse=str.strip, default="")
    id_base: str = setting(parse=str.strip, default="")
    eventsub_ws: str = setting(parse=str.strip, default="")
    #: chat.message carries cheers; chat.notification carries subs, gifted subs and raids; both need
    #: only the bot's user:read:chat. channel.follow v2 needs moderator:read:followers and a mod bot;
    #: channel.moderate v2 the MODERATE_READ_SCOPES, automod.message.* the AUTOMOD_SCOPE (optional:
    #: a channel that did not grant them is logged and skipped, chat goes on).
    events: tuple[str, ...] = setting(
        None,
        default=(
            "channel.chat.message",
            "channel.chat.notification",
            "channel.follow",
            "channel.moderate",
            "automod.message.hold",
            "automod.message.update",
        ),
    )

    def __post_init__(self) -> None:
        if not self.client_id or not self.bot_id:
            raise TwitchConfigError("TWITCH_CLIENT_ID and TWITCH_BOT_ID are required")
        if not self.channel_ids:
            raise TwitchConfigError("TWITCH_CHANNEL_IDS names no channel")
        if not self.user_token or not self.refresh_token:
            raise TwitchConfigError("TWITCH_USER_TOKEN and TWITCH_REFRESH_TOKEN are required (bot account)")
        if not 0 < self.keepalive_s <= 600:
            raise TwitchConfigError("TWITCH_KEEPALIVE must be 10-600 seconds (EventSub's range)")
        if not 1 <= self.max_chars <= MAX_CHARS or self.send_window_s <= 0 or self.send_limit < 0:
            raise TwitchConfigError("invalid send limits")

    @property
    def effective_send_limit(self) -> int:
        return self.send_limit or (100 if self.is_moderator else 20)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TwitchConfig:
        return load(cls, layered(env, "TWITCH_CREDENTIALS_FILE", "twitch.secret"), "TWITCH_")
