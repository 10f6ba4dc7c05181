"""`/settings/webhooks` (seed §6, issue 16 item 1): the secret shown once and kept sealed,
event names checked against the catalogue, URLs against the SSRF guard, settings permission,
the audit trail, and every event type documented in the OpenAPI document."""

from __future__ import annotations

from app.db.tables import Webhook
from app.domain import Role
from app.events.public import DATA, TYPES, component_name
from tests.fakes.webhook_receiver import Receiver
from tests.integration.webhooks.conftest import Hooks


async def test_create_shows_the_secret_once_and_stores_it_sealed(
    hooks: Hooks, receiver: Receiver
) -> None:
    bot = hooks.bot
    hook = await hooks.subscribe(receiver.url, ["message.inbound", "contact.created"])
    secret = hook["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert hook["events"] == ["message.inbound", "contact.created"]  # the catalogue's order
    assert hook["isActive"] and hook["failureCount"] == 0 and hook["lastCalledAt"] is None
    listed = await bot.get("/settings/webhooks")
    assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["secret"] is None
    assert (await hooks.webhook(hook["id"]))["secret"] is None
    (row,) = await bot.db(lambda: Webhook.select(Webhook.secret))
    assert row["secret"].startswith("enc:") and secret not in row["secret"]

    given = "my-own-secret-of-32-characters!!"
    r = await bot.send(
        "POST",
        "/settings/webhooks",
        json={"name": "b", "url": receiver.url, "events": ["*"], "secret": given},
    )
    assert r.status_code == 201 and r.json()["secret"] == given and r.json()["events"] == ["*"]

    r = await bot.send("PATCH", f"/settings/webhooks/{hook['id']}", json={"rotateSecret": True})
    assert r.status_code == 200
    rotated = r.json()["secret"]
    assert rotated.startswith("whsec_") and rotated != secret
    r = await bot.send("PATCH", f"/settings/webhooks/{hook['id']}", json={"name": "renamed"})
    assert r.json()["name"] == "renamed" and r.json()["secret"] is None

    audit = await bot.get("/settings/audit-log", action="webhook.")
    actions = sorted(e["action"] for e in audit["items"])
    assert actions == ["webhook.create", "webhook.create", "webhook.update", "webhook.update"]
    assert all(secret not in str(e) and rotated not in str(e) for e in audit["items"])

    r = await bot.send("DELETE", f"/settings/webhooks/{hook['id']}")
    assert r.status_code == 204
    assert len(await bot.get("/settings/webhooks")) == 1


async def test_bad_input_is_a_clear_4xx(hooks: Hooks, receiver: Receiver) -> None:
    bot = hooks.bot
    base = {"name": "x", "url": receiver.url, "events": ["message.inbound"]}
    cases = [
        ({**base, "events": ["message.inbound", "message:new"]}, 422, "unknown event type"),
        ({**base, "events": []}, 400, "events"),
        ({**base, "url": "ftp://example.com/x"}, 400, "url"),
        ({**base, "url": "http://10.1.2.3/hook"}, 422, "AIMY_SSRF_ALLOW"),  # private: refused
        ({**base, "url": "http://127.0.0.2:9/hook"}, 422, "non-public"),  # loopback, not allowed
        ({**base, "secret": "short"}, 400, "secret"),
        ({**base, "colour": "red"}, 400, "colour"),
        ({"url": receiver.url, "events": ["*"]}, 400, "name"),
    ]
    for body, status, words in cases:
        r = await bot.send("POST", "/settings/webhooks", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.text, (body, r.text)
    hook = await hooks.subscribe(receiver.url)
    r = await bot.send(
        "PATCH", f"/settings/webhooks/{hook['id']}", json={"url": "http://10.0.0.1/"}
    )
    assert r.status_code == 422
    assert (await hooks.webhook(hook["id"]))["url"] == receiver.url
    r = await bot.send("GET", "/settings/webhooks/nope")
    assert r.status_code == 404
    assert len(await bot.get("/settings/webhooks")) == 1


async def test_settings_permission(hooks: Hooks) -> None:
    api, owner = hooks.bot.api, hooks.bot.owner
    agent = await api.member(owner, Role.AGENT)
    admin = await api.member(owner, Role.ADMIN)
    body = {"name": "x", "url": "https://93.184.216.34/h", "events": ["*"], "isActive": False}
    r = await api.client.post("/api/v1/settings/webhooks", json=body, headers=agent.headers())
    assert r.status_code == 403
    r = await api.client.get("/api/v1/settings/webhooks", headers=agent.headers())
    assert r.status_code == 403
    r = await api.client.post("/api/v1/settings/webhooks", json=body, headers=admin.headers())
    assert r.status_code == 201, r.text
    key = await api.client.post(
        "/api/v1/settings/api-keys", json={"name": "n8n"}, headers=owner.headers()
    )
    r = await api.client.get("/api/v1/settings/webhooks", headers={"X-API-Key": key.json()["key"]})
    assert r.status_code == 200 and len(r.json()) == 1  # an integration may manage its hooks


async def test_event_types_and_the_openapi_document(hooks: Hooks) -> None:
    api, owner = hooks.bot.api, hooks.bot.owner
    r = await api.client.get("/api/v1/settings/webhooks/event-types", headers=owner.headers())
    assert [t["type"] for t in r.json()] == list(TYPES)
    doc = (await api.client.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    schemas = doc["components"]["schemas"]
    for event_type in DATA:
        envelope = schemas[component_name(event_type)]
        assert envelope["properties"]["type"]["enum"] == [event_type]
        assert set(envelope["required"]) == {
            "id",
            "type",
            "version",
            "createdAt",
            "workspaceId",
            "data",
        }
        ref = envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]
        assert ref in schemas  # the data's schema (and what it refers to) is there too
        post = doc["webhooks"][event_type]["post"]
        body = post["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith(component_name(event_type))
        assert {p["name"] for p in post["parameters"]} >= {"X-Aimy-Signature", "X-Aimy-Delivery"}
    assert "Webhook_Message" in schemas and "/api/v1/settings/webhooks" in doc["paths"]
    r = await api.client.get("/api/docs/openapi.json")
    assert r.status_code == 200 and "webhooks" in r.json()
