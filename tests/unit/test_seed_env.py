"""Seed §18 variables: accepted under their own names, or named as ignored with a reason."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.secrets import decode_master_key
from app.settings import SEED_ENV_ALIASES, Settings, ignored_seed_env, load_settings

SEED_18 = [
    "NODE_ENV",
    "PORT",
    "APP_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "QDRANT_URL",
    "QDRANT_API_KEY",
    "JWT_ACCESS_SECRET",
    "JWT_REFRESH_SECRET",
    "ENCRYPTION_KEY",
    "STORAGE_TYPE",
    "STORAGE_PATH",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASS",
    "EMAIL_FROM",
    "WA_SESSION_PATH",
    "SENTRY_DSN",
    "RATE_LIMIT_MAX",
    "RATE_LIMIT_WINDOW",
]


def test_every_seed_variable_is_mapped_or_explained() -> None:
    explained = {n.split(" ")[0] for n in ignored_seed_env(dict.fromkeys(SEED_18, "x"))}
    assert set(SEED_18) <= set(SEED_ENV_ALIASES) | explained
    assert set(SEED_ENV_ALIASES.values()) <= set(Settings.__struct_fields__)


def test_storage_and_session_paths(tmp_path: Path) -> None:
    s = load_settings({"data_dir": str(tmp_path)}, env={})
    assert (s.media_path, s.sessions_path) == (tmp_path / "media", tmp_path / "sessions")
    assert s.vectors_path == tmp_path / "vectors"
    assert load_settings({}, env={"DATA_DIR": str(tmp_path / "d")}).data_dir == tmp_path / "d"


def test_storage_path_and_wa_session_path_are_honoured(tmp_path: Path) -> None:
    env = {"STORAGE_PATH": str(tmp_path / "uploads"), "WA_SESSION_PATH": str(tmp_path / "wa")}
    s = load_settings({"data_dir": str(tmp_path / "d")}, env=env)
    assert (s.media_path, s.sessions_path) == (tmp_path / "uploads", tmp_path / "wa")
    assert ignored_seed_env(env) == []
    ours = {"AIMY_STORAGE_PATH": str(tmp_path / "ours"), **env}  # the AIMY_ name wins
    assert (
        load_settings({"data_dir": str(tmp_path / "d")}, env=ours).media_path == tmp_path / "ours"
    )


def test_encryption_key_in_seed_form_or_ours() -> None:
    ours = base64.b64encode(b"s" * 32).decode()
    assert decode_master_key(ours) == b"s" * 32
    assert decode_master_key("0123456789abcdef0123456789abcdef") == b"0123456789abcdef" * 2
    with pytest.raises(ValueError, match="32"):
        decode_master_key("too-short")
