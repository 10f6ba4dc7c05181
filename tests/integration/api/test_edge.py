"""The edge: problem JSON for every bad input, body limits, rate limits, headers, OpenAPI."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import PASSWORD, Api

REGISTER = "/api/v1/auth/register"


def assert_problem(r, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b'{"email": "a@b.co", ', "truncated"),
        (b"[1, 2, 3]", "object"),
        (b'{"email": 5, "password": "x", "name": "n", "workspaceName": "w"}', "email"),
        (b'{"email": "a@b.co", "password": "Secret-12", "name": "n"}', "workspaceName"),
        (
            b'{"email": "a@b.co", "password": "Secret-12", "name": "n", "workspaceName": "w",'
            b' "isAdmin": true}',
            "isAdmin",
        ),
        (b'{"email": "a@b.co", "password": "Secret-12", "name": "", "workspaceName": "w"}', "name"),
        (b"\xff\xfe garbage", ""),
    ],
)
async def test_bad_bodies_are_400_problem_json(api: Api, payload: bytes, needle: str) -> None:
    r = await api.client.post(
        REGISTER, content=payload, headers={"content-type": "application/json"}
    )
    body = assert_problem(r, 400)
    assert needle in body["detail"] + str(body.get("errors", ""))


async def test_wrong_query_types_are_400(api: Api) -> None:
    owner = await api.register()
    r = await api.client.get("/api/v1/settings/audit-log?page=zero", headers=owner.headers())
    assert_problem(r, 400)
    r = await api.client.get("/api/v1/settings/audit-log?pageSize=100000", headers=owner.headers())
    assert_problem(r, 400)


async def test_oversized_body_is_413_and_nothing_is_lost(api: Api) -> None:
    big = b'{"email": "' + b"a" * (26 * 1024 * 1024) + b'"}'
    r = await api.client.post(REGISTER, content=big, headers={"content-type": "application/json"})
    assert_problem(r, 413)
    owner = await api.register()  # the server is fine afterwards
    assert owner.access


async def test_unknown_route_and_method(api: Api) -> None:
    assert_problem(await api.client.get("/api/v1/nope"), 404)
    assert_problem(await api.client.delete("/api/v1/health"), 405)


async def test_login_is_limited_to_5_per_minute_per_ip(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(rate_limit_auth_per_min=5):
        for _ in range(5):
            r = await api.client.post(
                "/api/v1/auth/login", json={"email": "x@example.com", "password": PASSWORD}
            )
            assert r.status_code == 401
        r = await api.client.post(
            "/api/v1/auth/login", json={"email": "x@example.com", "password": PASSWORD}
        )
        body = assert_problem(r, 429)
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert body["title"] == "Too Many Requests"
        # health and other public routes are not counted with credentials
        assert (await api.client.get("/api/v1/health")).status_code == 200


async def test_api_is_limited_per_workspace(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(rate_limit_api_per_min=3):
        a = await api.register("Ann", "A")
        b = await api.register("Bob", "B")
        keys = "/api/v1/settings/api-keys"
        for _ in range(3):
            assert (await api.client.get(keys, headers=a.headers())).status_code == 200
        r = await api.client.get(keys, headers=a.headers())
        assert_problem(r, 429)
        assert "retry-after" in r.headers
        # another workspace has its own budget
        assert (await api.client.get(keys, headers=b.headers())).status_code == 200


async def test_security_headers_and_health(api: Api) -> None:
    r = await api.client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": "0.1.0", "database": "ok", "recovering": 0}
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "strict-transport-security" not in r.headers  # plain http on loopback


async def test_hsts_behind_tls(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(public_url="https://bot.example.com"):
        r = await api.client.get("/api/v1/health")
        assert r.headers["strict-transport-security"].startswith("max-age=")


async def test_cors_allow_list(make_api) -> None:  # type: ignore[no-untyped-def]
    async for api in make_api(cors_origins=("https://app.example.com",)):
        ok = await api.client.options(
            "/api/v1/auth/login",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert ok.headers["access-control-allow-origin"] == "https://app.example.com"
        bad = await api.client.options(
            "/api/v1/auth/login",
            headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in bad.headers


async def test_openapi_document_and_docs_page(api: Api) -> None:
    r = await api.client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "Aimywhatsapp API"
    assert "/api/v1/auth/login" in doc["paths"]
    assert "/api/v1/settings/api-keys" in doc["paths"]
    r = await api.client.get("/api/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()
