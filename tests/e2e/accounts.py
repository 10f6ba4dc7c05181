"""A user's view of their data through the API, to compare before and after (backup, upgrade)."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "Restore-me-2026"


def register(url: str, email: str, workspace: str = "Shop") -> dict[str, Any]:
    r = httpx.post(
        f"{url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Owner", "workspaceName": workspace},
        timeout=60,  # argon2 and the first zxcvbn import: seconds on a loaded machine (benchmarks)
    )
    assert r.status_code == 201, r.text
    return r.json()


def login(url: str, email: str, password: str = PASSWORD) -> str:
    r = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=60
    )
    assert r.status_code == 200, r.text
    return str(r.json()["accessToken"])


def make_data(url: str, token: str) -> str:
    """A second workspace, an API key and an invite (all audited); returns the API key."""
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{url}/api/v1/workspaces", json={"name": "Branch"}, headers=auth).is_success
    key = httpx.post(f"{url}/api/v1/settings/api-keys", json={"name": "zapier"}, headers=auth)
    assert key.status_code == 201, key.text
    ws = httpx.get(f"{url}/api/v1/workspaces", headers=auth).json()[0]["id"]
    invite = httpx.post(
        f"{url}/api/v1/workspaces/{ws}/invite",
        json={"email": "agent@example.com", "role": "AGENT"},
        headers=auth,
    )
    assert invite.is_success, invite.text
    return str(key.json()["key"])


def view(url: str, token: str) -> dict[str, Any]:
    """What the user sees: who they are, their workspaces, keys and audit trail."""
    auth = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    for name, path in {
        "me": "/auth/me",
        "workspaces": "/workspaces",
        "keys": "/settings/api-keys",
        "audit": "/settings/audit-log",
    }.items():
        r = httpx.get(f"{url}/api/v1{path}", headers=auth)
        assert r.status_code == 200, (path, r.text)
        out[name] = r.json()
    return out


def simulator_owner(url: str, email: str) -> tuple[dict[str, str], str]:
    """A new owner with a simulator number: their auth header and the session id (what the
    process-level crash tests start from)."""
    auth = {"Authorization": f"Bearer {register(url, email)['accessToken']}"}
    r = httpx.post(
        f"{url}/api/v1/whatsapp/sessions",
        json={"accountId": "sim", "channel": "simulator"},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    return auth, str(r.json()["id"])
