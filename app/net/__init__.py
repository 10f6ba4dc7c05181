"""Outbound HTTP on a workspace's behalf: the one SSRF guard and streamed file downloads.

Every URL the server fetches for a user (knowledge-base pages, model downloads) goes through
`ssrf.check_url` / `ssrf.guarded_get`; nothing here knows what the bytes are for.
"""

from app.net.errors import FetchError
from app.net.ssrf import check_url, guarded_get, is_public

__all__ = ["FetchError", "check_url", "guarded_get", "is_public"]
