"""Web users from config, role nesting, session expiry, redirects, the import preview's diff (no stack)."""

from __future__ import annotations

import time

import pytest

from bot.admin.preview import diff_sections
from bot.web.auth import SessionStore, WebAuthConfig
from bot.web.i18n import messages
from bot.web.pages import _safe_next
from bot.web.users import ROLE_MODERATOR, ROLE_STREAMER, ROLE_VIEWER, has_role, load_users, parse_users


def test_users_are_hashed_and_verified() -> None:
    users = load_users({"LIVEROOM_WEB_USERS": "alice:streamer:s3cret-pass, bob:moderator:other-pass"})
    assert len(users) == 2
    assert users.verify("alice", "s3cret-pass").role == ROLE_STREAMER
    assert users.verify("alice", "other-pass") is None
    assert users.verify("nobody", "s3cret-pass") is None
    assert "s3cret" not in repr(users)


def test_users_file_and_clash(tmp_path) -> None:
    path = tmp_path / "users"
    path.write_text("# team\ncat:viewer:cat-password\n", encoding="utf-8")
    users = load_users({"LIVEROOM_WEB_USERS_FILE": str(path)})
    assert users.role_of("cat") == ROLE_VIEWER
    with pytest.raises(ValueError, match="defined twice"):
        load_users({"LIVEROOM_WEB_USERS": "cat:viewer:cat-password", "LIVEROOM_WEB_USERS_FILE": str(path)})


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("alice:streamer", "name:role:password"),
        ("alice:admin:long-enough", "role must be"),
        ("alice:streamer:short", "shorter than 8"),
        ("bad name:streamer:long-enough", "bad user name"),
        ("a:viewer:long-enough,a:viewer:long-enough", "twice"),
    ],
)
def test_bad_user_entries_name_the_problem_not_the_password(entry: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as err:
        parse_users(entry, "LIVEROOM_WEB_USERS")
    assert "long-enough" not in str(err.value) and ":short" not in str(err.value)


def test_roles_nest() -> None:
    assert has_role(ROLE_STREAMER, ROLE_MODERATOR) and has_role(ROLE_MODERATOR, ROLE_VIEWER)
    assert not has_role(ROLE_MODERATOR, ROLE_STREAMER) and not has_role(ROLE_VIEWER, ROLE_MODERATOR)
    assert not has_role("intruder", ROLE_VIEWER)


def test_sessions_expire_and_remember_the_language(tmp_path) -> None:
    users = load_users({"LIVEROOM_WEB_USERS": "alice:streamer:s3cret-pass"})
    prefs = tmp_path / "prefs.json"
    store = SessionStore(users, WebAuthConfig(session_ttl_s=0.05), prefs_path=prefs)
    session = store.create(users.verify("alice", "s3cret-pass"))
    assert store.get(session.id) is session and session.csrf and session.csrf != session.id
    store.set_lang(session, "zh")
    time.sleep(0.06)
    assert store.get(session.id) is None
    restarted = SessionStore(users, WebAuthConfig(), prefs_path=prefs)
    again = restarted.create(users.verify("alice", "s3cret-pass"))
    assert again.user.lang == "zh"


def test_login_redirects_stay_on_site() -> None:
    assert _safe_next("/editor?x=1") == "/editor?x=1"
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example", "", None):
        assert _safe_next(evil) == "/"


def test_both_languages_have_the_same_keys() -> None:
    assert set(messages("en")) <= set(messages("zh"))
    assert messages("zh")["nav.editor"] != messages("en")["nav.editor"]


def test_import_preview_diff() -> None:
    current = {"products": [{"sku": "A", "price": "1.00"}, {"sku": "B", "price": "2.00"}], "faqs": []}
    incoming = {"products": [{"sku": "A", "price": "1.50"}, {"sku": "C", "price": "3.00"}]}
    products = diff_sections(current, incoming)["products"]
    assert products["added"] == ["C"] and products["missing"] == ["B"]
    assert products["changed"] == [{"key": "A", "fields": {"price": ["1.00", "1.50"]}}]
    assert products["counts"] == {"added": 1, "changed": 1, "unchanged": 0, "missing": 1}


def test_demo_web_users_are_created_once_private_and_never_printed(tmp_path) -> None:
    from ops.supervisor import Supervisor, SupervisorConfig

    said: list[str] = []
    config = SupervisorConfig.from_env({"LIVEROOM_VAR": str(tmp_path)})
    path = tmp_path / "web-users"
    assert config.demo_web_users == path
    Supervisor(config, say=said.append).ensure_web_users()
    assert path.stat().st_mode & 0o777 == 0o600
    entries = [line.split(":") for line in path.read_text().splitlines() if not line.startswith("#")]
    assert [tuple(e[:2]) for e in entries] == [("streamer", "streamer"), ("moderator", "moderator")]
    passwords = [pw for _, _, pw in entries]
    assert len(set(passwords)) == 2 and all(len(pw) >= 12 for pw in passwords)
    users = load_users({"LIVEROOM_WEB_USERS_FILE": str(path)})
    assert users.verify("streamer", passwords[0]).role == ROLE_STREAMER
    assert users.verify("moderator", passwords[1]).role == ROLE_MODERATOR
    assert config.child_env()["LIVEROOM_WEB_USERS_FILE"] == str(path)
    assert len(said) == 1 and str(path) in said[0] and "streamer" in said[0] and "moderator" in said[0]
    assert not any(pw in said[0] for pw in passwords)
    # the next run keeps the file (the passwords a newcomer already knows stay valid)
    path.chmod(0o644)
    Supervisor(SupervisorConfig.from_env({"LIVEROOM_VAR": str(tmp_path)}), say=said.append).ensure_web_users()
    kept = [line.split(":")[2] for line in path.read_text().splitlines() if not line.startswith("#")]
    assert kept == passwords
    assert path.stat().st_mode & 0o777 == 0o600 and not any(pw in said[1] for pw in passwords)


@pytest.mark.parametrize("key", ["LIVEROOM_WEB_USERS", "LIVEROOM_WEB_USERS_FILE"])
def test_configured_web_users_get_no_demo_file(tmp_path, key: str) -> None:
    from ops.supervisor import Supervisor, SupervisorConfig

    said: list[str] = []
    env = {"LIVEROOM_VAR": str(tmp_path), key: "x:viewer:long-enough" if key == "LIVEROOM_WEB_USERS" else "u"}
    config = SupervisorConfig.from_env(env)
    assert config.demo_web_users is None
    Supervisor(config, say=said.append).ensure_web_users()
    assert not (tmp_path / "web-users").exists() and not said
