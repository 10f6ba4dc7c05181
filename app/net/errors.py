"""Why an outbound URL could not be reached, in words fit for the user who gave it."""

from __future__ import annotations

from app.domain.errors import Invalid


class FetchError(Invalid):
    """A URL could not be fetched (refused by the SSRF guard, timed out, too big, HTTP error)."""


class Blocked(FetchError):
    """The SSRF guard refused the URL: its host is (or resolves to) a non-public address."""
