"""Gateway configuration, read once from the environment (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 10.0
    bot_name: str = "liveroom"
    queue_size: int = 1000
    workers_per_room: int = 4

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"LIVEROOM_GATEWAY_PORT must be 1-65535, got {self.port}")
        if self.rasa_timeout_s <= 0:
            raise ValueError("LIVEROOM_RASA_TIMEOUT must be positive")
        if self.queue_size < 1 or self.workers_per_room < 1:
            raise ValueError("LIVEROOM_QUEUE_SIZE and LIVEROOM_WORKERS_PER_ROOM must be >= 1")
        if not self.rasa_url.startswith(("http://", "https://")):
            raise ValueError(f"LIVEROOM_RASA_URL must be an http(s) URL, got {self.rasa_url!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> GatewayConfig:
        return cls(
            host=env.get("LIVEROOM_GATEWAY_HOST", cls.host),
            port=env_int(env, "LIVEROOM_GATEWAY_PORT", cls.port),
            rasa_url=env.get("LIVEROOM_RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_timeout_s=env_float(env, "LIVEROOM_RASA_TIMEOUT", cls.rasa_timeout_s),
            bot_name=env.get("LIVEROOM_BOT_NAME", cls.bot_name),
            queue_size=env_int(env, "LIVEROOM_QUEUE_SIZE", cls.queue_size),
            workers_per_room=env_int(env, "LIVEROOM_WORKERS_PER_ROOM", cls.workers_per_room),
        )
