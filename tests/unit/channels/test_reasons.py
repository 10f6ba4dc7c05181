"""A session's raw last error → the sentence the API and the Settings page show."""

from __future__ import annotations

import pytest

from app.channels.reasons import NO_INTERNET, explain


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        (None, None),
        ("dial tcp: lookup web.whatsapp.com: no such host", NO_INTERNET),
        ("read tcp 10.0.0.2:5222: i/o timeout", NO_INTERNET),
        (
            "worker exited (4): connect ended: ConnectionError('dial tcp: lookup "
            "web.whatsapp.com: no such host'); retry 3 in 15s",
            f"{NO_INTERNET} (reconnect attempt 3; next try in 15 s)",
        ),
        (
            "logged_out",
            "The number was unlinked on the phone: link it again with a QR code or a pairing code",
        ),
        (
            "temporary_ban",
            "WhatsApp has temporarily banned this number; it stays offline until the ban ends",
        ),
        ("connect_failure:SERVICE_UNAVAILABLE", "WhatsApp's servers are unavailable right now"),
        (
            "worker exited (17); retry 1 in 2s",
            "The WhatsApp connection stopped unexpectedly (reconnect attempt 1; next try in 2 s)",
        ),
        ("something new", "WhatsApp connection problem"),
    ],
)
def test_explain(raw: str | None, sentence: str | None) -> None:
    assert explain(raw) == sentence
