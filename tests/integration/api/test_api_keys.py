"""API keys: shown once, hashed, 8-char preview, X-API-Key auth, lastUsedAt, expiry, revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.api.conftest import Api


async def test_create_list_use_and_revoke(api: Api) -> None:
    owner = await api.register()
    r = await api.client.post(
        "/api/v1/settings/api-keys", json={"name": "Zapier"}, headers=owner.headers()
    )
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith("aimy_") and created["keyPreview"] == key[5:13]
    listed = (await api.client.get("/api/v1/settings/api-keys", headers=owner.headers())).json()
    assert [k["id"] for k in listed] == [created["id"]]
    assert listed[0]["key"] is None and listed[0]["lastUsedAt"] is None  # never shown again
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": key})
    assert r.status_code == 200
    listed = (await api.client.get("/api/v1/settings/api-keys", headers=owner.headers())).json()
    assert listed[0]["lastUsedAt"] is not None
    r = await api.client.delete(
        f"/api/v1/settings/api-keys/{created['id']}", headers=owner.headers()
    )
    assert r.status_code == 204
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": key})
    assert r.status_code == 401
    actions = [
        e["action"]
        for e in (
            await api.client.get("/api/v1/settings/audit-log", headers=owner.headers())
        ).json()["items"]
    ]
    assert actions[:2] == ["api_key.revoke", "api_key.create"]


async def test_expiry_is_validated_and_enforced(api: Api) -> None:
    owner = await api.register()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = await api.client.post(
        "/api/v1/settings/api-keys",
        json={"name": "old", "expiresAt": past},
        headers=owner.headers(),
    )
    assert r.status_code == 422
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    r = await api.client.post(
        "/api/v1/settings/api-keys",
        json={"name": "soon", "expiresAt": soon},
        headers=owner.headers(),
    )
    key = r.json()["key"]
    api.clock.advance(timedelta(minutes=5))
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": key})
    assert r.status_code == 401 and "expired" in r.json()["detail"]


async def test_api_keys_cannot_use_account_endpoints_or_manage_team(api: Api) -> None:
    owner = await api.register()
    key = (
        await api.client.post(
            "/api/v1/settings/api-keys", json={"name": "k"}, headers=owner.headers()
        )
    ).json()["key"]
    r = await api.client.get("/api/v1/auth/me", headers={"X-API-Key": key})
    assert r.status_code == 403
    r = await api.client.post(
        f"/api/v1/workspaces/{owner.workspace_id}/invite",
        json={"email": "x@example.com"},
        headers={"X-API-Key": key},
    )
    assert r.status_code == 403  # keys act as ADMIN: team is read-only


async def test_an_api_key_cannot_manage_api_keys(api: Api) -> None:
    """Issue 13.4: a key could mint keys that outlived it, and revoke the owner's key."""
    owner = await api.register()
    made = []
    for name in ("owner's", "integration"):
        r = await api.client.post(
            "/api/v1/settings/api-keys", json={"name": name}, headers=owner.headers()
        )
        made.append(r.json())
    owners_key, key = made[0], made[1]["key"]
    as_key = {"X-API-Key": key}
    r = await api.client.post("/api/v1/settings/api-keys", json={"name": "x"}, headers=as_key)
    assert r.status_code == 403 and "API key" in r.json()["detail"]
    assert (await api.client.get("/api/v1/settings/api-keys", headers=as_key)).status_code == 403
    r = await api.client.delete(f"/api/v1/settings/api-keys/{owners_key['id']}", headers=as_key)
    assert r.status_code == 403
    listed = (await api.client.get("/api/v1/settings/api-keys", headers=owner.headers())).json()
    assert sorted(k["name"] for k in listed) == ["integration", "owner's"]  # nothing minted
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": owners_key["key"]})
    assert r.status_code == 200  # the owner's key still works
