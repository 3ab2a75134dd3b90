"""YouTube connector configuration: OAuth client and refresh token, which live chat, quota and pacing.

Credentials come from the environment or the git-ignored ``YOUTUBE_CREDENTIALS_FILE`` (default
``youtube.secret``). The refresh token must carry :data:`SCOPES` (README "Platforms": YouTube). Which
chat is read, first match wins: ``YOUTUBE_LIVE_CHAT_ID`` (used as is), ``YOUTUBE_VIDEO_ID``
(videos.list ``liveStreamingDetails.activeLiveChatId``, works for any public live video, so a bot
account that is only a moderator can use it), else the active broadcast of the token's own channel
(liveBroadcasts.list ``broadcastStatus=active``, only for the broadcaster's own account).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.base import SendLimit
from connectors.settings import layered, load, setting
from connectors.youtube.errors import YouTubeConfigError

#: force-ssl covers reading chat, sending, deleting messages and banning (the "youtube" scope would too,
#: but it also grants managing the channel's videos, which the bot never needs)
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)
#: liveChatMessages.insert: "snippet.textMessageDetails.messageText" is limited to 200 characters
MAX_CHARS = 200
#: liveChatBans.insert: a temporary ban's banDurationSeconds (YouTube's moderator UI offers 5 min up to
#: 24 h; the API documents no maximum, so liveroom caps a timeout at one day)
MAX_TIMEOUT_S = 86_400
DEFAULT_API_BASE = "https://www.googleapis.com/youtube/v3"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"


@dataclass(frozen=True)
class YouTubeConfig:
    """Settings of one bot account reading one live chat. Secrets are excluded from ``repr``. Every
    setting has an env var ``YOUTUBE_<FIELD>`` unless it names another."""

    client_id: str
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    #: the room name in ChatEvent.room (the channel id; default: the video id, else "live" - not the
    #: live chat id, which is ~100 characters, longer than the gateway accepts for a room name)
    channel_id: str = ""
    video_id: str = ""
    live_chat_id: str = ""
    #: the bot's own channel id: its echoed messages are dropped (also learnt from its first insert)
    bot_channel_id: str = ""
    api_base: str = setting(parse=lambda raw: raw.rstrip("/"), default=DEFAULT_API_BASE)
    token_url: str = DEFAULT_TOKEN_URL
    max_chars: int = MAX_CHARS
    #: messages per second the bot may send: the send limit the gateway's pacer keeps to. Every message
    #: costs 20 of the day's quota units (quota.py), so the quota, not a rate limit, sets it: one per
    #: 10 s (liveChatMessages.insert has no documented rate; YouTube's own chat throttles humans at about
    #: one message per second)
    send_per_s: float = 0.1
    #: the day's quota (the Data API default is 10,000 units per project, reset at midnight Pacific)
    daily_quota: int = 10_000
    #: units already used today by other programs of the same Google Cloud project
    quota_used_at_start: int = setting("YOUTUBE_QUOTA_USED", default=0)
    #: overrides of quota.COSTS ("liveChatMessages.insert=50,..."), if Google changes a price
    quota_costs: tuple[tuple[str, int], ...] = setting(parse=lambda raw: parse_costs(raw), default=())
    #: how long polling must last (from start): the pacer keeps enough quota for it
    stream_hours: float = 8.0
    #: the slowest polling the pacer accepts: sends are refused before polling would have to go slower
    max_poll_s: float = setting("YOUTUBE_MAX_POLL", default=30.0)
    #: the fastest polling, whatever pollingIntervalMillis says (tests set it low)
    min_poll_s: float = setting("YOUTUBE_MIN_POLL", default=1.0)
    #: liveChatMessages.list maxResults (the API accepts 200-2000)
    max_results: int = setting(None, default=2000)
    #: no active broadcast / chat not found: look again after this long (costs a discovery call)
    discover_every_s: float = setting(None, default=60.0)
    backoff_base_s: float = setting(None, default=1.0)
    backoff_cap_s: float = setting(None, default=60.0)
    #: refresh the access token this long before it expires
    refresh_margin_s: float = setting(None, default=60.0)
    request_timeout_s: float = setting(None, default=15.0)

    def __post_init__(self) -> None:
        if not self.client_id or not self.client_secret or not self.refresh_token:
            raise YouTubeConfigError(
                "YOUTUBE_CLIENT_ID, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN are required"
            )
        if not 1 <= self.max_chars <= MAX_CHARS:
            raise YouTubeConfigError(f"YOUTUBE_MAX_CHARS must be 1-{MAX_CHARS}")
        if self.send_per_s <= 0 or self.daily_quota < 1 or self.stream_hours <= 0:
            raise YouTubeConfigError(
                "YOUTUBE_SEND_PER_S, YOUTUBE_DAILY_QUOTA, YOUTUBE_STREAM_HOURS must be > 0"
            )
        if not 0 < self.min_poll_s <= self.max_poll_s:
            raise YouTubeConfigError("need 0 < YOUTUBE_MIN_POLL <= YOUTUBE_MAX_POLL")
        if not 200 <= self.max_results <= 2000:
            raise YouTubeConfigError("max_results must be 200-2000 (the API's range)")

    @property
    def send_limit(self) -> SendLimit:
        return SendLimit(1, 1.0 / self.send_per_s, self.max_chars)

    @property
    def room(self) -> str:
        return self.channel_id or self.video_id or "live"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> YouTubeConfig:
        return load(cls, layered(env, "YOUTUBE_CREDENTIALS_FILE", "youtube.secret"), "YOUTUBE_")


def parse_costs(raw: str) -> tuple[tuple[str, int], ...]:
    """``method=units`` pairs, comma-separated (``liveChatMessages.insert=50``)."""
    pairs = []
    for part in raw.split(","):
        if not part.strip():
            continue
        method, sep, units = part.partition("=")
        if not sep or not (units.strip().isascii() and units.strip().isdigit()):
            raise YouTubeConfigError(f"YOUTUBE_QUOTA_COSTS: expected method=units, got {part.strip()!r}")
        pairs.append((method.strip(), int(units)))
    return tuple(pairs)
