"""The edge: problem JSON for every bad input, body limits, rate limits, headers, OpenAPI."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from app.cluster.signing import PURPOSE, NodeSignature
from tests.integration.api.conftest import PASSWORD, Api, _api

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
    health = r.json()
    node = health.pop("node")  # which node answered, and how many sessions it runs (issue 18)
    assert isinstance(node, str) and node and health.pop("sessions") == 0
    assert health == {"status": "ok", "version": "0.1.0", "database": "ok", "recovering": 0}
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


async def test_docs_page_works_offline(api: Api) -> None:
    """Issue 13.14: Swagger UI came from a CDN, so /api/docs was blank without internet. Every
    script, stylesheet and icon the page names must be ours, served here, and allowed by CSP."""
    import re

    r = await api.client.get("/api/docs")
    assert r.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", r.text)
    assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls)
    for url in urls:
        assert url.startswith("/api/docs/"), url  # nothing from another host
        got = await api.client.get(url)
        assert got.status_code == 200 and len(got.content) > 100, url
    assert "http://" not in r.headers.get("content-security-policy", "")
    assert "https://" not in r.headers.get("content-security-policy", "")


def _operations(doc: dict, want) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path) of every operation in the OpenAPI document that `want(operation)`."""
    return [
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete") and want(op)
    ]


def _filled(path: str, workspace_id: str) -> str:
    """Path parameters filled in: the caller's workspace, an unknown id for everything else."""
    import re

    path = path.replace("{workspace_id}", workspace_id)
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)


async def test_every_paged_list_bounds_page_and_page_size(api: Api) -> None:
    """Issue 13.5: page=2**63-1 overflowed the SQL offset (500) on every paged list."""
    owner = await api.register()
    doc = (await api.client.get("/api/openapi.json")).json()
    paged = _operations(doc, lambda op: any(p["name"] == "page" for p in op.get("parameters", [])))
    assert len(paged) >= 5  # audit log, contacts, conversations, messages, notifications
    for method, path in paged:
        for query in ("page=9223372036854775807", "page=1&pageSize=9223372036854775807"):
            r = await api.client.request(
                method, f"{_filled(path, owner.workspace_id)}?{query}", headers=owner.headers()
            )
            body = assert_problem(r, 400)
            assert "page" in (body["detail"] + str(body.get("errors"))).lower(), (path, body)


async def test_deeply_nested_json_is_400_on_every_json_route(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 13.5: 100,000 nested brackets were a 500 with a traceback in the log, on every
    JSON route, including the unauthenticated POST /auth/logout."""
    owner = await api.register()
    doc = (await api.client.get("/api/openapi.json")).json()
    json_routes = _operations(
        doc, lambda op: "application/json" in op.get("requestBody", {}).get("content", {})
    )
    assert ("POST", "/api/v1/auth/logout") in json_routes and len(json_routes) >= 20
    deep = b"[" * 100_000 + b"]" * 100_000
    caplog.set_level("ERROR")
    for method, path in json_routes:
        r = await api.client.request(
            method,
            _filled(path, owner.workspace_id),
            content=deep,
            headers={**owner.headers(), "content-type": "application/json"},
        )
        body = assert_problem(r, 400)
        assert "nest" in body["detail"], (path, body)
    r = await api.client.post(
        "/api/v1/auth/logout", content=deep, headers={"content-type": "application/json"}
    )
    assert_problem(r, 400)
    assert not [rec for rec in caplog.records if rec.levelname in ("ERROR", "CRITICAL")]


async def test_openapi_says_what_the_api_answers(api: Api) -> None:
    """Schemathesis found the document contradicting the API (issue 13 re-measure): errors
    are problem JSON, the exports are CSV and PDF, and the docs page is no API operation."""
    doc = (await api.client.get("/api/openapi.json")).json()
    assert doc == (await api.client.get("/api/docs/openapi.json")).json()
    assert not [p for p in doc["paths"] if p.startswith("/api/docs")]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status in ("400", "4XX", "5XX"):
                content = op["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    export = doc["paths"]["/api/v1/conversations/{conversation_id}/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"application/json", "application/pdf"}
    csv = doc["paths"]["/api/v1/contacts/export"]["get"]["responses"]["200"]["content"]
    assert list(csv) == ["text/csv"]
    owner = await api.register()
    r = await api.client.get("/api/v1/contacts/export", headers=owner.headers())
    assert r.headers["content-type"] == "text/csv; charset=utf-8"


async def test_api_limit_holds_on_each_backend(tmp_path: Path, db_url: str) -> None:
    """On Postgres the limiter counts in the database (every node's requests, issue 18):
    the same limit, the same problem and headers as Litestar's in-memory counts."""
    url = None if db_url.startswith("sqlite") else db_url
    async for api in _api(tmp_path / "data", url, rate_limit_api_per_min=3):
        assert (api.container.shared_counts is None) == (url is None)
        a = await api.register("Ann", "A")
        keys = "/api/v1/settings/api-keys"
        for left in (2, 1, 0):
            r = await api.client.get(keys, headers=a.headers())
            assert r.status_code == 200 and r.headers["ratelimit-remaining"] == str(left)
        r = await api.client.get(keys, headers=a.headers())
        assert_problem(r, 429)
        assert 1 <= int(r.headers["retry-after"]) <= 60


async def test_only_a_signed_forward_is_not_counted_again(tmp_path: Path, db_url: str) -> None:
    """A request another node forwarded was counted there (issue 18): it is skipped here only
    when it is signed with the key every node derives from the shared master key, for this
    method and path, just now. The bare header, a stale or foreign signature, or one for
    another path is an ordinary request (counted)."""
    url = None if db_url.startswith("sqlite") else db_url
    async for api in _api(tmp_path / "data", url, rate_limit_api_per_min=3):
        a = await api.register("Ann", "A")
        keys = "/api/v1/settings/api-keys"
        key = api.container.cipher.derive(PURPOSE)
        node_x = NodeSignature(key, "node-x")
        for _ in range(4):  # over the limit, and none counted
            r = await api.client.get(keys, headers={**a.headers(), **node_x.headers("GET", keys)})
            assert r.status_code == 200 and "ratelimit-remaining" not in r.headers
        ten_minutes_ago = NodeSignature(key, "node-x", clock=lambda: time.time() - 600)
        not_ours = NodeSignature(secrets.token_bytes(32), "node-x")
        for left, extra in (
            (2, {"X-Aimy-Forwarded": "node-x"}),  # spoofed: the header alone
            (1, ten_minutes_ago.headers("GET", keys)),
            (0, not_ours.headers("GET", keys)),
        ):
            r = await api.client.get(keys, headers={**a.headers(), **extra})
            assert r.status_code == 200 and r.headers["ratelimit-remaining"] == str(left)
        elsewhere = node_x.headers("GET", "/api/v1/contacts")  # signed for another path
        assert_problem(await api.client.get(keys, headers={**a.headers(), **elsewhere}), 429)
        other_query = node_x.headers("GET", keys, "page=2")  # or another query
        assert_problem(await api.client.get(keys, headers={**a.headers(), **other_query}), 429)
        # the body is signed too: the same signature with another body is counted
        made = b'{"name": "ci"}'
        signed = {**a.headers(), **node_x.headers("POST", keys, body=made)}
        signed["Content-Type"] = "application/json"
        r = await api.client.post(keys, content=made, headers=signed)
        assert r.status_code == 201, r.text  # a real forward: read, verified, handed on whole
        assert r.json()["name"] == "ci" and "ratelimit-remaining" not in r.headers
        changed = b'{"name": "ci2"}'
        assert_problem(await api.client.post(keys, content=changed, headers=signed), 429)
        r = await api.client.get(keys, headers={**a.headers(), **node_x.headers("GET", keys)})
        assert r.status_code == 200  # a real forward still passes: its node counted it
