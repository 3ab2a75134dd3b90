"""Admin token configuration: parsing, files, constant-time matching, secrets never in messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.admin.auth import load_tokens, parse_tokens

SECRET = "very-secret-token-123"


def test_tokens_from_env_and_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.secret"
    path.write_text(f"# editors\nbob:{SECRET}b\ncarol:{SECRET}c:read\n", encoding="utf-8")
    tokens = load_tokens(
        {"LIVEROOM_ADMIN_TOKENS": f"alice:{SECRET}a", "LIVEROOM_ADMIN_TOKENS_FILE": str(path)}
    )
    assert len(tokens) == 3
    assert tokens.match(f"{SECRET}a").name == "alice"  # type: ignore[union-attr]
    carol = tokens.match(f"{SECRET}c")
    assert carol is not None and carol.read_only
    assert tokens.match(SECRET) is None
    assert tokens.match("") is None
    assert SECRET not in repr(tokens) and SECRET not in repr(carol)


@pytest.mark.parametrize(
    "text",
    ["alice", f"alice:{SECRET}:write", f"bad name:{SECRET}", "alice:short", f"a:{SECRET},a:{SECRET}x"],
)
def test_bad_token_config_is_refused_without_echoing_secrets(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_tokens(text, "LIVEROOM_ADMIN_TOKENS")
    assert SECRET not in str(info.value)


def test_no_tokens_configured_is_empty() -> None:
    assert len(load_tokens({})) == 0


def test_a_comment_line_with_commas_is_skipped_whole() -> None:
    """The same entry reader as the web logins (connectors/settings.py): "# a, b" is one comment, not
    entries " b" that would be refused as malformed."""
    tokens = parse_tokens("# alice, the streamer, rotated monthly\nalice:0123456789abcdef0123", "file")
    assert [t.name for t in tokens] == ["alice"]
