"""Connector settings: env over the git-ignored secrets file, validation, secrets kept out of errors."""

from __future__ import annotations

import pytest

from connectors import REGISTRY, load_connector
from connectors.bilibili.config import BilibiliConfig
from connectors.bilibili.errors import ConfigError
from connectors.settings import read_secret_file
from connectors.twitch.config import TwitchConfig
from connectors.twitch.errors import TwitchConfigError


def test_secret_file_is_read_and_the_environment_wins(tmp_path) -> None:
    path = tmp_path / "twitch.secret"
    path.write_text(
        "# bot account\nTWITCH_CLIENT_ID=abc\nexport TWITCH_USER_TOKEN='oauth:tok-secret'\n"
        "TWITCH_REFRESH_TOKEN=ref-secret\nTWITCH_BOT_ID=1\nTWITCH_CHANNEL_IDS=2, 3\n"
    )
    env = {
        "TWITCH_CREDENTIALS_FILE": str(path),
        "TWITCH_CLIENT_ID": "from-env",
        "TWITCH_BOT_IS_MODERATOR": "1",
    }
    config = TwitchConfig.from_env(env)
    assert (config.client_id, config.user_token, config.channel_ids) == ("from-env", "tok-secret", ("2", "3"))
    assert config.effective_send_limit == 100
    assert "tok-secret" not in repr(config) and "ref-secret" not in repr(config)


def test_bad_lines_do_not_echo_their_value(tmp_path) -> None:
    path = tmp_path / "bilibili.secret"
    path.write_text("SESSDATA value-without-equals-secret\n")
    with pytest.raises(ValueError) as info:
        read_secret_file(path)
    assert "secret" not in str(info.value).replace(str(path), "")


def test_missing_settings_are_named() -> None:
    with pytest.raises(TwitchConfigError, match="TWITCH_CLIENT_ID"):
        TwitchConfig.from_env({"TWITCH_CREDENTIALS_FILE": "/nonexistent"})
    with pytest.raises(ConfigError, match="BILIBILI_ROOM_IDS"):
        BilibiliConfig.from_env({"BILIBILI_CREDENTIALS_FILE": "/nonexistent"})
    with pytest.raises(ConfigError, match="both"):
        BilibiliConfig(room_ids=(1,), sessdata="x")


def test_bilibili_from_env() -> None:
    config = BilibiliConfig.from_env(
        {"BILIBILI_CREDENTIALS_FILE": "/nonexistent", "BILIBILI_ROOM_IDS": "7, 8", "BILIBILI_MAX_CHARS": "30"}
    )
    assert config.room_ids == (7, 8) and config.max_chars == 30 and not config.can_send
    assert config.dead_after_s == 40


def test_every_platform_is_registered_and_loads_lazily() -> None:
    assert set(REGISTRY) == {"simulator", "twitch", "bilibili", "youtube"}
    connector = load_connector("bilibili", bot_name="liveroom", config=BilibiliConfig(room_ids=(7,)))
    assert connector.platform == "bilibili"
