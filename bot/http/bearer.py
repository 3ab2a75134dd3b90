"""The one bearer-token check of the gateway's HTTP surfaces: the admin API's tokens (bot/admin/auth.py),
``/metrics`` (``LIVEROOM_METRICS_TOKEN``) and the camera sidecar's reports (``LIVEROOM_VISION_TOKEN``).

A request presents ``Authorization: Bearer <token>`` (the scheme in any case). The presented token is
compared with *every* configured token, as SHA-256 digests with ``hmac.compare_digest`` and without
stopping at the first match, so neither the token's length nor which one matched shows in the timing.
Header bytes that are not UTF-8 arrive as surrogates: they are encoded back, never matched, never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import TypeVar

__all__ = ["bearer_token", "matching", "presents", "token_digest"]

T = TypeVar("T")


def token_digest(token: str) -> bytes:
    """What a configured token is kept as (and a presented one compared as)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None without header, scheme or token."""
    scheme, _, presented = (authorization or "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        return None
    return presented


def matching(presented: str | None, tokens: Iterable[tuple[bytes, T]]) -> T | None:
    """The value of the ``(digest, value)`` pair whose digest is the presented token's, else None.

    Constant time in the tokens: every digest is compared, even after a match."""
    if presented is None:
        return None
    digest = token_digest(presented)
    found: T | None = None
    for expected, value in tokens:
        if hmac.compare_digest(digest, expected) and found is None:
            found = value
    return found


def presents(authorization: str | None, token: str) -> bool:
    """Does the ``Authorization`` header carry ``token`` (a surface with one configured token)?"""
    return matching(bearer_token(authorization), [(token_digest(token), True)]) is not None
