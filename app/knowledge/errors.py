"""Why a document could not be ingested, in words fit for the document list's errorMessage."""

from __future__ import annotations

from app.domain.errors import Invalid


class ExtractionError(Invalid):
    """The file is unreadable, empty, encrypted, unsafe or of an unsupported type."""


class FetchError(Invalid):
    """A URL could not be fetched (refused by the SSRF guard, timed out, too big, HTTP error)."""
