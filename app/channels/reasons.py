"""A session's last error as a sentence a shop owner can act on.

The raw reason ("worker exited (4): connect ended: ConnectionError('… dial tcp: lookup
web.whatsapp.com: no such host'); retry 3 in 15s") stays available as `lastError`; without
a sentence next to it, a number without internet looked like it flipped between CONNECTING
and DISCONNECTED for no reason (issue 13). First match wins; unknown reasons still say
something true.
"""

from __future__ import annotations

import re

NO_INTERNET = "No internet connection: WhatsApp's servers could not be reached"
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "no such host",
            "name resolution",
            "network is unreachable",
            "no route to host",
            "i/o timeout",
            "connection refused",
            "tls handshake timeout",
            "dial tcp",
        ),
        NO_INTERNET,
    ),
    (
        ("credentials_unreadable",),
        "The saved WhatsApp login cannot be read (wrong master key "
        "or a damaged file): link the number again",
    ),
    (
        ("temporary_ban",),
        "WhatsApp has temporarily banned this number; it stays offline until the ban ends",
    ),
    (("banned",), "WhatsApp has banned this number"),
    (
        ("logged_out",),
        "The number was unlinked on the phone: link it again with a QR code or a pairing code",
    ),
    (("client_outdated",), "WhatsApp rejected this client as outdated: update Aimywhatsapp"),
    (
        ("stream_replaced",),
        "The number was opened in another WhatsApp Web session, which took over",
    ),
    (("service_unavailable",), "WhatsApp's servers are unavailable right now"),
    (("connect_failure",), "WhatsApp refused the connection"),
    (("keepalive_timeout",), "The connection to WhatsApp stopped answering"),
    (("stream_error",), "WhatsApp closed the connection with an error"),
    (("disconnected",), "The connection to WhatsApp dropped"),
    (("worker exited",), "The WhatsApp connection stopped unexpectedly"),
)
_RETRY = re.compile(r"retry (\d+) in ([\d.]+)s")


def explain(reason: str | None) -> str | None:
    """The sentence for a raw session error (None for none)."""
    if not reason:
        return None
    text = reason.lower()
    sentence = next(
        (says for needles, says in _RULES if any(n in text for n in needles)),
        "WhatsApp connection problem",
    )
    if retry := _RETRY.search(reason):
        attempt, delay = retry.groups()
        sentence += f" (reconnect attempt {attempt}; next try in {float(delay):g} s)"
    return sentence
