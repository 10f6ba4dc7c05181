"""Password-reset email over real SMTP when configured; in the log when not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.services.mailer import Mailer
from tests.conftest import make_settings
from tests.fakes.smtp_server import SmtpSink


async def test_sends_through_smtp_with_login(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        settings = make_settings(
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_starttls=False,
            smtp_user="bot",
            smtp_pass="pw",
            email_from="bot@example.com",
        )
        await Mailer(settings).send("ann@example.com", "Reset", "Link: https://x/reset?token=t")
    assert len(sink.messages) == 1
    msg = sink.messages[0]
    assert (msg["To"], msg["From"], msg["Subject"]) == (
        "ann@example.com",
        "bot@example.com",
        "Reset",
    )
    assert "token=t" in msg.get_payload()
    assert sink.auth_lines  # logged in with the configured user


async def test_without_smtp_nothing_live_goes_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13.5: reset and invite links with live tokens were written to the log."""
    mailer = Mailer(make_settings(tmp_path))
    assert not mailer.configured
    with caplog.at_level(logging.DEBUG):
        await mailer.send("a@example.com", "Reset", "https://x/reset-password?token=abc123")
    assert "abc123" not in caplog.text and "token" not in caplog.text
    assert "SMTP is not configured" in caplog.text and "'Reset'" in caplog.text
