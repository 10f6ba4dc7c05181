"""Why an outbound fetch failed, in words fit for the user who asked for it."""

from __future__ import annotations

from app.domain.errors import Invalid


class FetchError(Invalid):
    """A URL could not be fetched (refused by the SSRF guard, timed out, too big, HTTP error)."""
