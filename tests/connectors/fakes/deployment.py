"""The environment of one gateway serving all three platforms, pointed at the fakes: what a deployment
sets (tokens, cookies, rooms) plus the endpoint overrides that exist for tests and local stand-ins only.
Used by tests/connectors/test_multi_platform.py and bench/platform_standins.py."""

from __future__ import annotations

from pathlib import Path

from tests.connectors.fakes import twitch as fk
from tests.connectors.fakes.bilibili import FakeBilibili
from tests.connectors.fakes.youtube import FakeYouTube


def deployment_env(
    twitch: fk.FakeTwitch,
    bili: FakeBilibili,
    youtube: FakeYouTube,
    *,
    bili_room: str,
    youtube_channel: str,
    secrets_dir: Path,
) -> dict[str, str]:
    """``LIVEROOM_CONNECTORS`` and every ``TWITCH_*``/``BILIBILI_*``/``YOUTUBE_*`` setting; credential
    files point at ``secrets_dir`` (none there), so a developer's real *.secret is never mixed in."""
    none = str(secrets_dir / "none.secret")
    return {
        "LIVEROOM_CONNECTORS": "simulator,twitch,bilibili,youtube",
        # Twitch: the bot account's tokens and its channel
        "TWITCH_CREDENTIALS_FILE": none,
        "TWITCH_CLIENT_ID": fk.CLIENT_ID,
        "TWITCH_CLIENT_SECRET": fk.CLIENT_SECRET,
        "TWITCH_BOT_ID": fk.BOT_ID,
        "TWITCH_CHANNEL_IDS": fk.CHANNEL_ID,
        "TWITCH_USER_TOKEN": fk.USER_TOKEN,
        "TWITCH_REFRESH_TOKEN": fk.REFRESH_TOKEN,
        "TWITCH_API_BASE": twitch.base_url + "/helix/",
        "TWITCH_ID_BASE": twitch.base_url + "/",
        "TWITCH_EVENTSUB_WS": twitch.ws_url,
        # Bilibili: the room, the bot account's cookies
        "BILIBILI_CREDENTIALS_FILE": none,
        "BILIBILI_ROOM_IDS": bili_room,
        "BILIBILI_SESSDATA": bili.sessdata,
        "BILIBILI_BILI_JCT": bili.bili_jct,
        "BILIBILI_UID": str(bili.uid),
        "BILIBILI_API_BASE": bili.base_url,
        "BILIBILI_LIVE_API_BASE": bili.base_url,
        "BILIBILI_WWW_BASE": bili.base_url,
        "BILIBILI_WS_URL": bili.base_url.replace("http://", "ws://") + "/sub",
        # YouTube: OAuth client + refresh token, the broadcaster's own active broadcast
        "YOUTUBE_CREDENTIALS_FILE": none,
        "YOUTUBE_CLIENT_ID": youtube.client_id,
        "YOUTUBE_CLIENT_SECRET": youtube.client_secret,
        "YOUTUBE_REFRESH_TOKEN": youtube.refresh_token,
        "YOUTUBE_CHANNEL_ID": youtube_channel,
        "YOUTUBE_API_BASE": youtube.base_url + "/youtube/v3",
        "YOUTUBE_TOKEN_URL": youtube.base_url + "/token",
        # the fake does not count quota; with the real 10,000 units the pacer would poll every ~15 s
        "YOUTUBE_DAILY_QUOTA": "1000000",
    }
