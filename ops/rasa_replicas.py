"""Several Rasa servers behind the gateway: shared stores, their settings, and the replicas' ports.

One Rasa process completes ~10 custom-action turns/s on 2 cores, so more questions need more Rasa
processes. They can share the load only if any of them can continue any conversation: the trackers
live in a SQL tracker store (PostgreSQL, ``LIVEROOM_TRACKER_STORE_URL``) and a Redis lock store
(``LIVEROOM_LOCK_STORE_URL``) serializes each conversation's turns across replicas. ``endpoints-scaleout.yml``
reads both from ``LIVEROOM_TRACKER_*`` / ``LIVEROOM_LOCK_*`` variables, which ``store_env`` derives
from the two URLs (Rasa cannot take a URL there, and the password must not go into a file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

ENDPOINTS_SINGLE = "endpoints.yml"
ENDPOINTS_SHARED = "endpoints-scaleout.yml"


@dataclass(frozen=True)
class RasaStores:
    """Where the replicas keep conversations (empty URLs: Rasa's in-memory stores, one replica only)."""

    tracker_store_url: str = field(default="", repr=False)  # may carry a password
    lock_store_url: str = field(default="", repr=False)
    lock_prefix: str = "liveroom"

    def __post_init__(self) -> None:
        if bool(self.tracker_store_url) != bool(self.lock_store_url):
            raise ValueError("set both LIVEROOM_TRACKER_STORE_URL and LIVEROOM_LOCK_STORE_URL, or neither")
        if self.tracker_store_url and not urlsplit(self.tracker_store_url).scheme.startswith("postgres"):
            raise ValueError(
                "LIVEROOM_TRACKER_STORE_URL must be a postgresql://user[:password]@host:port/db URL"
            )
        if self.lock_store_url and urlsplit(self.lock_store_url).scheme != "redis":
            raise ValueError("LIVEROOM_LOCK_STORE_URL must be a redis://[:password@]host:port/db URL")
        if not re.fullmatch(r"[A-Za-z0-9]+", self.lock_prefix):
            raise ValueError("LIVEROOM_LOCK_PREFIX must be alphanumeric (Rasa's lock store requires it)")

    @property
    def shared(self) -> bool:
        return bool(self.tracker_store_url)

    @property
    def endpoints_file(self) -> str:
        return ENDPOINTS_SHARED if self.shared else ENDPOINTS_SINGLE

    def env(self) -> dict[str, str]:
        """The variables ``endpoints-scaleout.yml`` expands (nothing when the stores are in memory)."""
        if not self.shared:
            return {}
        pg, rd = urlsplit(self.tracker_store_url), urlsplit(self.lock_store_url)
        return {
            "LIVEROOM_TRACKER_DIALECT": "postgresql",
            "LIVEROOM_TRACKER_HOST": pg.hostname or "127.0.0.1",
            "LIVEROOM_TRACKER_PORT": str(pg.port or 5432),
            "LIVEROOM_TRACKER_DB": pg.path.lstrip("/") or "rasa",
            "LIVEROOM_TRACKER_USER": unquote(pg.username or "postgres"),
            "LIVEROOM_TRACKER_PASSWORD": unquote(pg.password or ""),
            "LIVEROOM_LOCK_HOST": rd.hostname or "127.0.0.1",
            "LIVEROOM_LOCK_PORT": str(rd.port or 6379),
            "LIVEROOM_LOCK_DB": rd.path.lstrip("/") or "1",
            "LIVEROOM_LOCK_PASSWORD": unquote(rd.password or ""),
            "LIVEROOM_LOCK_PREFIX": self.lock_prefix,
        }


def replica_names(count: int) -> list[str]:
    """``rasa`` for the first replica (its log and pid file keep their names), ``rasa-1``... after it."""
    return ["rasa" if i == 0 else f"rasa-{i}" for i in range(count)]


def replica_ports(first_port: int, count: int) -> list[int]:
    """Replicas listen on consecutive ports from ``LIVEROOM_RASA_PORT``."""
    return [first_port + i for i in range(count)]
