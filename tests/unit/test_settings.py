"""Settings precedence: defaults < config.toml < env (AIMY_* and seed names) < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import load_settings


def test_layers_in_order(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('port = 9000\nhost = "0.0.0.0"\nlog_level = "DEBUG"\n')
    s = load_settings({"data_dir": str(tmp_path)}, env={})
    assert (s.port, s.host, s.log_level) == (9000, "0.0.0.0", "DEBUG")
    s = load_settings({"data_dir": str(tmp_path)}, env={"AIMY_PORT": "9100", "PORT": "1"})
    assert s.port == 9100  # AIMY_ wins over the seed name
    s = load_settings({"data_dir": str(tmp_path), "port": 9200}, env={"AIMY_PORT": "9100"})
    assert s.port == 9200
    assert s.host == "0.0.0.0" and s.rate_limit_auth_per_min == 5  # untouched defaults remain


def test_seed_env_names_and_lists(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgresql://u:p@db:5432/wabot",
        "SMTP_HOST": "smtp.example.com",
        "AIMY_CORS_ORIGINS": "https://a.example, https://b.example",
        "AIMY_HEADLESS": "true",
    }
    s = load_settings({"data_dir": str(tmp_path)}, env=env)
    assert s.db_url == "postgresql://u:p@db:5432/wabot"
    assert s.smtp_host == "smtp.example.com"
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert s.headless is True


def test_data_dir_from_env_and_sqlite_default(tmp_path: Path) -> None:
    s = load_settings({}, env={"AIMY_DATA_DIR": str(tmp_path / "d")})
    assert s.data_dir == (tmp_path / "d").resolve()
    assert s.db_url == f"sqlite:///{(tmp_path / 'd').resolve()}/aimywhatsapp.db"


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="port"):
        load_settings({"data_dir": str(tmp_path)}, env={"AIMY_PORT": "eighty"})
    (tmp_path / "config.toml").write_text("prot = 1\n")
    with pytest.raises(ValueError, match="prot"):
        load_settings({"data_dir": str(tmp_path)}, env={})


def test_reset_link_lifetime_in_words() -> None:
    from app.services.password_reset import _duration

    assert [_duration(s) for s in (3600, 7200, 1800, 60, 90)] == [
        "one hour", "2 hours", "30 minutes", "one minute", "2 minutes",
    ]  # fmt: skip


def test_egress_allow_adds_loopback_only_on_the_desktop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The SSRF guard's allow-list: on a server only what the operator listed; the desktop app
    (one user, who is the operator) also reaches its own loopback — Ollama, LM Studio."""
    from app.settings import load_settings

    server = load_settings({"data_dir": str(tmp_path), "headless": True}, env={
        "AIMY_SSRF_ALLOW": "ollama.lan, 10.0.0.0/8"})  # fmt: skip
    assert server.egress_allow == ("ollama.lan", "10.0.0.0/8")
    desktop = load_settings({"data_dir": str(tmp_path)}, env={})
    assert set(desktop.egress_allow) == {"localhost", "127.0.0.0/8", "::1"}
