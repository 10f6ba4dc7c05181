"""Seed §14: every registered route × every role against the one declarative matrix."""

from __future__ import annotations

import pytest

from app.auth import MATRIX, Resource, can
from app.domain import Role
from tests.integration.api.conftest import Api, fill, routes

SEED_TABLE = {  # copied from seed §14, independent of app/domain/permissions.py
    "contacts": ("RW", "RW", "R", "R"),
    "conversations": ("RW", "RW", "RW", "R"),
    "knowledge": ("RW", "RW", "R", "R"),
    "flows": ("RW", "RW", "R", "R"),
    "broadcasts": ("RW", "RW", "R", "R"),
    "analytics": ("R", "R", "R", "R"),
    "settings": ("RW", "RW", "-", "-"),
    "whatsapp": ("RW", "R", "-", "-"),
    "team": ("RW", "R", "-", "-"),
    "billing": ("RW", "-", "-", "-"),
}
ROLES = [Role.OWNER, Role.ADMIN, Role.AGENT, Role.VIEWER]


def test_matrix_is_the_seed_table() -> None:
    for resource, grants in SEED_TABLE.items():
        assert tuple(MATRIX[Resource(resource)][r] for r in ROLES) == grants, resource


async def test_every_route_declares_its_permission(api: Api) -> None:
    for method, path, opt in routes(api.app):
        declared = [k for k in ("public", "account", "resource") if opt.get(k)]
        assert len(declared) == 1, f"{method} {path} declares {declared or 'nothing'}"
        if path.startswith("/api/v1/auth/") and not path.endswith("/me"):
            assert opt.get("public"), f"{method} {path}"


@pytest.mark.slow
async def test_every_route_for_every_role(api: Api) -> None:
    owner = await api.register()
    members = {Role.OWNER: owner}
    for role in ROLES[1:]:
        members[role] = await api.member(owner, role)
    values = {"workspace_id": owner.workspace_id}
    checked = 0
    for method, path, opt in routes(api.app):
        resource = opt.get("resource")
        if resource is None or method == "WS":
            continue
        url = fill(path, {k: values.get(k, "c0000000000000000000nothere") for k in _params(path)})
        write = opt.get("write", method not in ("GET", "HEAD"))
        for role, account in members.items():
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            r = await api.client.request(method, url, headers=account.headers(), **kwargs)
            allowed = can(role, resource, write=write)
            if allowed:
                assert r.status_code != 403, f"{role} {method} {path}: {r.text}"
                assert r.status_code < 500, f"{role} {method} {path}: {r.text}"
            else:
                assert r.status_code == 403, f"{role} {method} {path} → {r.status_code}"
                assert r.json()["title"] == "Forbidden"
            checked += 1
    assert checked >= 4 * 8


async def test_anonymous_gets_401_everywhere_but_public_routes(api: Api) -> None:
    for method, path, opt in routes(api.app):
        if opt.get("public") or method == "WS":
            continue
        url = fill(path, {k: "c0000000000000000000nothere" for k in _params(path)})
        r = await api.client.request(method, url, json={} if method != "GET" else None)
        assert r.status_code == 401, f"{method} {path} → {r.status_code}"


def _params(path: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+):\w+\}", path)
