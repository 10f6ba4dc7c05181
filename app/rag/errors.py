"""Why a document could not be ingested, in words fit for the document list's errorMessage."""

from __future__ import annotations

from app.domain.errors import Invalid
from app.net.errors import FetchError  # URL fetches are the SSRF guard's (app/net)

__all__ = ["ExtractionError", "FetchError"]


class ExtractionError(Invalid):
    """The file is unreadable, empty, encrypted, unsafe or of an unsupported type."""
