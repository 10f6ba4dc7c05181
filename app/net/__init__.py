"""Outbound network access for workspaces: the SSRF guard (`ssrf.Egress`) and its errors.

Every URL the server calls because a workspace configured it goes through `Egress`: check it
when it is saved (`check_url`), and call it with a client from `httpx_client()` /
`sdk_client()`, whose transport checks every connection again.
"""

from app.net.errors import Blocked, FetchError
from app.net.ssrf import Egress, check_url, guarded_get, is_public

__all__ = ["Blocked", "Egress", "FetchError", "check_url", "guarded_get", "is_public"]
