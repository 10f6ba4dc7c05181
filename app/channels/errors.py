"""The channel port's error vocabulary (STYLE §10): what a caller can do about a failure.

`ChannelUnavailable`: WhatsApp cannot be reached now (no internet, the session's worker is
between reconnect attempts or still starting) — try again later. `ChannelRejected`: WhatsApp
answered and said no. Both carry the session's last error, raw, for the API to show.
"""

from __future__ import annotations


class ChannelError(Exception):
    def __init__(self, detail: str, last_error: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.last_error = last_error


class ChannelUnavailable(ChannelError):
    """WhatsApp cannot be reached through this session right now."""


class ChannelRejected(ChannelError):
    """WhatsApp refused the request."""
