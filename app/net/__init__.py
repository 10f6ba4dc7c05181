"""Outbound network access for workspaces: the SSRF guard (`ssrf.Egress`) and its errors.

Every URL the server calls because a workspace configured it goes through `Egress`: check it
when it is saved (`check_url`), and call it with a client from `httpx_client()` /
`sdk_client()`, whose transport checks every connection again.

The names load on first use (app/lazy.py): `app.net.errors` alone does not import httpx.
"""

from typing import TYPE_CHECKING

from app.lazy import lazy_exports

if TYPE_CHECKING:
    from app.net.errors import Blocked, FetchError
    from app.net.ssrf import Egress, check_url, guarded_get, is_public

__all__ = ["Blocked", "Egress", "FetchError", "check_url", "guarded_get", "is_public"]
__getattr__ = lazy_exports(
    __name__,
    {
        "Blocked": "app.net.errors",
        "FetchError": "app.net.errors",
        **dict.fromkeys(["Egress", "check_url", "guarded_get", "is_public"], "app.net.ssrf"),
    },
)
