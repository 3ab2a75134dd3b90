"""Bearer-token authentication for the admin API.

Tokens come from ``LIVEROOM_ADMIN_TOKENS`` ("alice:s3cret,bob:other") or, to keep them
out of the environment, from the git-ignored file named by ``LIVEROOM_ADMIN_TOKENS_FILE``
(one ``name:token`` per line, ``#`` comments). A third part ``:read`` makes a token
read-only (writes answer 403). The token's *name* is the actor in the audit trail; the
token itself is never logged or echoed, and ``repr`` hides it.

Comparison is the gateway's one bearer check (bot/http/bearer.py): constant-time, against
*every* configured token.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.http.bearer import matching, token_digest
from connectors.settings import list_entries, list_sources, merge_lists

__all__ = ["AdminToken", "TokenSet", "load_tokens"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_TOKEN_LEN = 16


@dataclass(frozen=True)
class AdminToken:
    name: str
    digest: bytes = field(repr=False)
    read_only: bool = False


class TokenSet:
    """The configured tokens; ``match`` returns the token a request presented, or None."""

    def __init__(self, tokens: list[AdminToken]) -> None:
        self._tokens = tokens

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return f"<TokenSet names={[t.name for t in self._tokens]}>"

    def match(self, presented: str | None) -> AdminToken | None:
        return matching(presented, ((token.digest, token) for token in self._tokens))


def parse_tokens(text: str, source: str) -> list[AdminToken]:
    """Parse ``name:token[:read]`` entries separated by commas or newlines.

    Errors name the entry by position and name only -- never the token.
    """
    tokens: list[AdminToken] = []
    names: set[str] = set()
    for position, entry in enumerate(list_entries(text), start=1):
        parts = entry.split(":")
        read_only = len(parts) == 3 and parts[2] == "read"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not read_only):
            raise ValueError(f"{source}: entry {position} must be name:token or name:token:read")
        name, secret = parts[0], parts[1]
        if not _NAME.fullmatch(name):
            raise ValueError(f"{source}: entry {position}: bad token name {name!r}")
        if len(secret) < MIN_TOKEN_LEN:
            raise ValueError(f"{source}: token of {name!r} is shorter than {MIN_TOKEN_LEN} characters")
        if name in names:
            raise ValueError(f"{source}: token name {name!r} appears twice")
        names.add(name)
        tokens.append(AdminToken(name, token_digest(secret), read_only))
    return tokens


def load_tokens(env: Mapping[str, str] = os.environ) -> TokenSet:
    """Tokens from ``LIVEROOM_ADMIN_TOKENS`` plus ``LIVEROOM_ADMIN_TOKENS_FILE`` (both optional)."""
    groups = [
        parse_tokens(text, source)
        for text, source in list_sources(env, "LIVEROOM_ADMIN_TOKENS", "LIVEROOM_ADMIN_TOKENS_FILE")
    ]
    return TokenSet(merge_lists(groups, lambda token: token.name, "token name"))
