"""Gateway configuration, read once from the environment (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.settings import load, parse_csv, setting


def _url(raw: str) -> str:
    return raw.strip().rstrip("/")


@dataclass(frozen=True)
class GatewayConfig:
    """Every field has an env var ``LIVEROOM_<FIELD>`` unless it names another."""

    host: str = setting("LIVEROOM_GATEWAY_HOST", default="127.0.0.1")
    port: int = setting("LIVEROOM_GATEWAY_PORT", default=8080)
    rasa_url: str = setting(parse=_url, default="http://127.0.0.1:5005")
    rasa_timeout_s: float = setting("LIVEROOM_RASA_TIMEOUT", default=10.0)
    bot_name: str = "liveroom"
    queue_size: int = 1000
    workers_per_room: int = 4
    rasa_concurrency: int = 4
    chatter_per_second: float = 10.0
    deferred_stale_s: float = 120.0
    rasa_channel: str = "liveroom"
    action_endpoint: str = "http://127.0.0.1:5055/webhook"
    qa_lane: bool = True
    coalesce_s: float = 10.0
    connectors: tuple[str, ...] = ("simulator",)
    #: Rasa replicas sharing tracker + lock stores (LIVEROOM_RASA_URLS); empty = just rasa_url
    rasa_urls: tuple[str, ...] = setting(parse=lambda raw: tuple(_url(u) for u in parse_csv(raw)), default=())
    rasa_token: str = field(default="", repr=False)  # Rasa API token (LIVEROOM_RASA_TOKEN), never logged

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"LIVEROOM_GATEWAY_PORT must be 1-65535, got {self.port}")
        if self.rasa_timeout_s <= 0:
            raise ValueError("LIVEROOM_RASA_TIMEOUT must be positive")
        if self.queue_size < 1 or self.workers_per_room < 1 or self.rasa_concurrency < 1:
            raise ValueError(
                "LIVEROOM_QUEUE_SIZE, LIVEROOM_WORKERS_PER_ROOM, LIVEROOM_RASA_CONCURRENCY must be >= 1"
            )
        if self.chatter_per_second < 0 or self.deferred_stale_s <= 0:
            raise ValueError("LIVEROOM_CHATTER_PER_SECOND must be >= 0 and LIVEROOM_DEFERRED_STALE_S > 0")
        if not self.connectors:
            raise ValueError("LIVEROOM_CONNECTORS must name at least one connector (e.g. simulator,twitch)")
        if self.rasa_channel not in {"liveroom", "rest"}:
            raise ValueError("LIVEROOM_RASA_CHANNEL must be 'liveroom' or 'rest'")
        if not self.rasa_url.startswith(("http://", "https://")):
            raise ValueError(f"LIVEROOM_RASA_URL must be an http(s) URL, got {self.rasa_url!r}")
        for url in self.rasa_urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"LIVEROOM_RASA_URLS must list http(s) URLs, got {url!r}")

    @property
    def rasa_replicas(self) -> tuple[str, ...]:
        """Every Rasa server the gateway may use (one unless LIVEROOM_RASA_URLS lists several)."""
        return self.rasa_urls or (self.rasa_url,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> GatewayConfig:
        return load(cls, env, "LIVEROOM_")

    @property
    def action_health_url(self) -> str:
        """rasa_sdk serves /health beside /webhook."""
        base = self.action_endpoint.rsplit("/webhook", 1)[0]
        return f"{base}/health"
