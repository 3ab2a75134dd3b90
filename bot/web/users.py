"""Web logins: the configured users, their roles and their scrypt-hashed passwords.

Users come from ``LIVEROOM_WEB_USERS`` ("alice:streamer:pw,bob:moderator:pw2") and/or the git-ignored
file named by ``LIVEROOM_WEB_USERS_FILE`` (one ``name:role:password`` per line, ``#`` comments). The
password is hashed with scrypt and a random salt at load and the plain text dropped; comparison is
constant-time and an unknown user costs the same scrypt as a known one, so timing does not tell which
names exist. Nothing secret is logged. Roles nest: streamer ⊃ moderator ⊃ viewer.

No web framework here: the supervisor creates the demo users' file with it before the gateway runs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors.settings import list_entries, list_sources, merge_lists

__all__ = [
    "DEMO_USERS",
    "ROLE_MODERATOR",
    "ROLE_RANK",
    "ROLE_STREAMER",
    "ROLE_VIEWER",
    "UserDirectory",
    "WebUser",
    "ensure_demo_users_file",
    "has_role",
    "load_users",
    "parse_users",
]

ROLE_STREAMER = "streamer"
ROLE_MODERATOR = "moderator"
ROLE_VIEWER = "viewer"
ROLE_RANK = {ROLE_VIEWER: 0, ROLE_MODERATOR: 1, ROLE_STREAMER: 2}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD_LEN = 8
# scrypt cost: ~50 ms per check on this class of machine, memory 16 MiB (n * r * 128 bytes).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


def has_role(role: str, needed: str) -> bool:
    """True when ``role`` includes ``needed`` (streamer ⊃ moderator ⊃ viewer)."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


@dataclass(frozen=True)
class WebUser:
    name: str
    role: str
    lang: str = "en"


@dataclass(frozen=True)
class _Account:
    name: str
    role: str
    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, **_SCRYPT)


class UserDirectory:
    """The configured accounts; ``verify`` returns the account for a correct name + password."""

    def __init__(self, accounts: list[_Account]) -> None:
        self._accounts = {a.name: a for a in accounts}
        self._dummy = _Account("", ROLE_VIEWER, secrets.token_bytes(16), secrets.token_bytes(32))

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return f"<UserDirectory {[(a.name, a.role) for a in self._accounts.values()]}>"

    def role_of(self, name: str) -> str | None:
        account = self._accounts.get(name)
        return account.role if account else None

    def verify(self, name: str, password: str) -> WebUser | None:
        account = self._accounts.get(name)
        probe = account or self._dummy  # same scrypt cost for unknown names
        ok = hmac.compare_digest(_hash(password, probe.salt), probe.digest)
        if account is None or not ok:
            return None
        return WebUser(account.name, account.role)


def parse_users(text: str, source: str) -> list[_Account]:
    """Parse ``name:role:password`` entries (commas or newlines). Errors never echo a password."""
    accounts: list[_Account] = []
    for position, entry in enumerate(list_entries(text), start=1):
        name, sep1, rest = entry.partition(":")
        role, sep2, password = rest.partition(":")
        if not (sep1 and sep2):
            raise ValueError(f"{source}: entry {position} must be name:role:password")
        if not _NAME.fullmatch(name):
            raise ValueError(f"{source}: entry {position}: bad user name {name!r}")
        if role not in ROLE_RANK:
            raise ValueError(f"{source}: user {name!r}: role must be one of {', '.join(ROLE_RANK)}")
        if len(password) < MIN_PASSWORD_LEN:
            raise ValueError(f"{source}: password of {name!r} is shorter than {MIN_PASSWORD_LEN} characters")
        if any(a.name == name for a in accounts):
            raise ValueError(f"{source}: user {name!r} appears twice")
        salt = secrets.token_bytes(16)
        accounts.append(_Account(name, role, salt, _hash(password, salt)))
    return accounts


def load_users(env: Mapping[str, str] = os.environ) -> UserDirectory:
    """Accounts from ``LIVEROOM_WEB_USERS`` plus ``LIVEROOM_WEB_USERS_FILE`` (both optional)."""
    groups = [
        parse_users(text, source)
        for text, source in list_sources(env, "LIVEROOM_WEB_USERS", "LIVEROOM_WEB_USERS_FILE")
    ]
    return UserDirectory(merge_lists(groups, lambda account: account.name, "web user"))


DEMO_USERS = (("streamer", ROLE_STREAMER), ("moderator", ROLE_MODERATOR))


def ensure_demo_users_file(path: Path) -> list[str]:
    """Create ``path`` once with a streamer and a moderator login and random passwords; the user names.

    For ``make demo`` when no web users are configured: a newcomer reads the passwords from the file
    (mode 0600, under the git-ignored var/), never from a log. An existing file is kept as it is (its
    passwords stay valid across runs); only its permissions are tightened."""
    if path.exists():
        path.chmod(0o600)
        return [entry.partition(":")[0] for entry in list_entries(path.read_text(encoding="utf-8"))]
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# liveroom web logins for the demo (name:role:password), made by `python -m ops up`."]
    lines += ["# Set LIVEROOM_WEB_USERS or LIVEROOM_WEB_USERS_FILE to use your own instead."]
    lines += [f"{name}:{role}:{secrets.token_urlsafe(12)}" for name, role in DEMO_USERS]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return [name for name, _ in DEMO_USERS]
