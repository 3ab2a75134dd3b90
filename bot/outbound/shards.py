"""Gateway shards: rooms split across gateway processes, one send budget per bot account in Redis.

One gateway core ingests thousands of messages a second (docs/performance.md, "Ingest per gateway
core"), so a single process carries many rooms; past that (or to survive the loss of one machine) rooms
are split over N gateways. ``LIVEROOM_SHARD="i/N"`` makes a
gateway the owner of the rooms with ``crc32("platform:room") % N == i``; events of other rooms are
dropped with the reason ``other_shard`` (counted in ``liveroom_events_dropped_total``), so a
mis-routed connection or a channel joined by two shards never produces two answers. A load balancer
or the connector settings (e.g. each shard's ``TWITCH_CHANNEL_IDS``) should send each room to its shard:
``python -m bot.outbound.shards N platform room...`` prints the owner of each room.

Platforms limit sends per bot account across all channels, so the shards share the account's budget
in Redis (``LIVEROOM_REDIS_URL``; bot/outbound/pacer.py ``RedisSendBudget``).
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.outbound.budget import SendBudget, shared_budgets
from connectors.base import SendLimit
from connectors.settings import load, setting


def shard_of(platform: str, room: str, count: int) -> int:
    """The shard that owns a room (stable across processes and Python versions, unlike ``hash``)."""
    return zlib.crc32(f"{platform}:{room}".encode()) % count


@dataclass(frozen=True)
class ShardConfig:
    """``LIVEROOM_SHARD=index/count``, ``LIVEROOM_REDIS_URL``, ``LIVEROOM_REDIS_PREFIX``; the account is
    ``LIVEROOM_BOT_NAME``."""

    index: int = setting(None, default=0)
    count: int = setting(None, default=1)
    redis_url: str = ""
    redis_prefix: str = "liveroom"
    account: str = setting("LIVEROOM_BOT_NAME", default="liveroom")

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"LIVEROOM_SHARD must be i/N with 0 <= i < N, got {self.index}/{self.count}")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("LIVEROOM_REDIS_URL must be a redis://, rediss:// or unix:// URL")
        if self.count > 1 and not self.redis_url:
            raise ValueError(
                "LIVEROOM_SHARD splits rooms over several gateways: set LIVEROOM_REDIS_URL so they share "
                "the bot account's send budget (platforms count sends per account, not per room)"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ShardConfig:
        raw = env.get("LIVEROOM_SHARD", "0/1").strip() or "0/1"
        try:
            index, count = (int(part) for part in raw.split("/"))
        except ValueError:
            raise ValueError(f"LIVEROOM_SHARD must look like 0/2, got {raw!r}") from None
        return load(cls, env, "LIVEROOM_", index=index, count=count)

    @property
    def sharded(self) -> bool:
        return self.count > 1

    def owns(self, platform: str, room: str) -> bool:
        return self.count == 1 or shard_of(platform, room, self.count) == self.index

    def budget_factory(self) -> Callable[[str, SendLimit], SendBudget] | None:
        """Shared per-account budgets when Redis is configured, else None (each pacer keeps its own)."""
        if not self.redis_url:
            return None
        return shared_budgets(self.redis_url, self.account, shards=self.count, prefix=self.redis_prefix)


def main(argv: list[str]) -> int:
    """``python -m bot.outbound.shards N platform room...``: which shard owns each room."""
    if len(argv) < 3:
        sys.stderr.write("usage: python -m bot.outbound.shards N platform room...\n")
        return 2
    count, platform = int(argv[0]), argv[1]
    for room in argv[2:]:
        sys.stdout.write(f"{platform}:{room} -> shard {shard_of(platform, room, count)}/{count}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
