"""Workspaces, members, invitations and roles through the API."""

from __future__ import annotations

from app.domain import Role
from tests.integration.api.conftest import Api


async def test_create_list_get_update(api: Api) -> None:
    owner = await api.register("Ann", "First")
    r = await api.client.post(
        "/api/v1/workspaces", json={"name": "Second shop"}, headers=owner.headers()
    )
    assert r.status_code == 201 and r.json()["role"] == "OWNER"
    second = r.json()["id"]
    r = await api.client.get("/api/v1/workspaces", headers=owner.headers())
    assert [w["name"] for w in r.json()] == ["First", "Second shop"]
    r = await api.client.patch(
        f"/api/v1/workspaces/{second}", json={"name": "Renamed"}, headers=owner.headers(second)
    )
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    r = await api.client.patch(
        f"/api/v1/workspaces/{second}",
        json={"logoUrl": "javascript:x"},
        headers=owner.headers(second),
    )
    assert r.status_code == 422


async def test_invite_accept_roles_and_removal(api: Api) -> None:
    owner = await api.register("Ann", "Shop")
    agent = await api.member(owner, Role.AGENT, "Bea")
    r = await api.client.get(
        f"/api/v1/workspaces/{owner.workspace_id}/users", headers=owner.headers()
    )
    assert {(m["email"], m["role"]) for m in r.json()} == {
        (owner.email, "OWNER"),
        (agent.email, "AGENT"),
    }
    r = await api.client.get("/api/v1/auth/me", headers=agent.headers())
    assert {w["role"] for w in r.json()["workspaces"]} == {"OWNER", "AGENT"}
    # the agent may not see the team (seed §14: team is OWNER RW, ADMIN R)
    r = await api.client.get(
        f"/api/v1/workspaces/{owner.workspace_id}/users", headers=agent.headers()
    )
    assert r.status_code == 403
    r = await api.client.patch(
        f"/api/v1/workspaces/{owner.workspace_id}/users/{agent.user_id}",
        json={"role": "ADMIN"},
        headers=owner.headers(),
    )
    assert r.status_code == 200 and r.json()["role"] == "ADMIN"
    r = await api.client.get(
        f"/api/v1/workspaces/{owner.workspace_id}/users", headers=agent.headers()
    )
    assert r.status_code == 200
    # the last owner cannot leave or be demoted
    r = await api.client.delete(
        f"/api/v1/workspaces/{owner.workspace_id}/users/{owner.user_id}", headers=owner.headers()
    )
    assert r.status_code == 409
    r = await api.client.delete(
        f"/api/v1/workspaces/{owner.workspace_id}/users/{agent.user_id}", headers=owner.headers()
    )
    assert r.status_code == 204
    r = await api.client.get("/api/v1/settings/audit-log", headers=agent.headers())
    assert r.status_code == 403  # no longer a member of the owner's workspace


async def test_invite_rules(api: Api) -> None:
    owner = await api.register("Ann", "Shop")
    other = await api.register("Dan", "Elsewhere")
    url = f"/api/v1/workspaces/{owner.workspace_id}/invite"
    r = await api.client.post(url, json={"email": owner.email}, headers=owner.headers())
    assert r.status_code == 409  # already a member
    r = await api.client.post(url, json={"email": "not-an-email"}, headers=owner.headers())
    assert r.status_code == 422
    r = await api.client.post(
        url, json={"email": "eve@example.com", "role": "KING"}, headers=owner.headers()
    )
    assert r.status_code == 400
    r = await api.client.post(url, json={"email": "eve@example.com"}, headers=owner.headers())
    token = r.json()["inviteUrl"].split("token=")[1]
    assert api.container.services.mailer.outbox[-1]["To"] == "eve@example.com"
    # someone else cannot use an invitation sent to eve
    r = await api.client.post(
        "/api/v1/workspaces/invites/accept",
        json={"token": token},
        headers={"Authorization": f"Bearer {other.access}"},
    )
    assert r.status_code == 403
    pending = await api.client.get(
        f"/api/v1/workspaces/{owner.workspace_id}/invites", headers=owner.headers()
    )
    assert [i["email"] for i in pending.json()] == ["eve@example.com"]
    r = await api.client.delete(
        f"/api/v1/workspaces/{owner.workspace_id}/invites/{pending.json()[0]['id']}",
        headers=owner.headers(),
    )
    assert r.status_code == 204
