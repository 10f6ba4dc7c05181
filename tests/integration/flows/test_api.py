"""The `/flows` API contract: every endpoint in the OpenAPI document, the document format
round-trips, templates, validation with every problem, PATCH/DELETE, the list's counters, and
a SCHEDULED flow firing once per cron slot."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.flows.conftest import FlowBot, e, n

ANN = "+4917644440001"
BEN = "+4917644440002"

PATHS = {
    "/api/v1/flows": {"get", "post"},
    "/api/v1/flows/templates": {"get"},
    "/api/v1/flows/validate": {"post"},
    "/api/v1/flows/runs": {"get"},
    "/api/v1/flows/runs/{run_id}": {"get"},
    "/api/v1/flows/runs/{run_id}/stop": {"post"},
    "/api/v1/flows/{flow_id}": {"get", "put", "patch", "delete"},
    "/api/v1/flows/{flow_id}/activate": {"post"},
    "/api/v1/flows/{flow_id}/deactivate": {"post"},
    "/api/v1/flows/{flow_id}/stats": {"get"},
    "/api/v1/flows/{flow_id}/trigger": {"post"},
    "/api/v1/flows/{flow_id}/runs": {"get"},
}


async def test_the_contract_is_in_the_openapi_document(flow_bot: FlowBot) -> None:
    r = await flow_bot.api.client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    for path, methods in PATHS.items():
        assert path in doc["paths"], path
        assert methods <= set(doc["paths"][path]), (path, set(doc["paths"][path]))
    schemas = doc["components"]["schemas"]
    flow = next(v for k, v in schemas.items() if k.endswith("Flow"))
    assert {"nodes", "edges", "triggerType", "triggerConfig", "version"} <= set(flow["properties"])
    edge = next(v for k, v in schemas.items() if k.endswith("EdgeBody"))
    assert {"id", "source", "target", "sourceHandle"} <= set(edge["properties"])
    invalid = doc["paths"]["/api/v1/flows/{flow_id}/activate"]["post"]["responses"]["422"]
    assert "problems" in schemas["FlowProblems"]["properties"]
    assert invalid["content"]["application/problem+json"]["schema"]["$ref"].endswith("Problems")


async def test_documents_templates_validation_patch_and_delete(flow_bot: FlowBot) -> None:
    bot = flow_bot
    templates = await bot.get("/flows/templates")
    assert [t["key"] for t in templates] == ["welcome-menu", "lead-capture", "order-status"]
    assert all(t["nodes"] and t["edges"] for t in templates)
    r = await bot.send("POST", "/flows", json={"template": "order-status", "name": "Orders"})
    assert r.status_code == 201, r.text
    orders = r.json()
    assert orders["name"] == "Orders" and not orders["isActive"] and orders["version"] == 1
    assert orders["nodes"][0]["position"] == {"x": 0.0, "y": 0.0}
    assert {"id", "source", "target"} <= set(orders["edges"][0])
    r = await bot.send("POST", "/flows", json={"template": "nope"})
    assert r.status_code == 404

    doc = {
        "name": "Broken",
        "triggerType": "KEYWORD",
        "triggerConfig": {"keywords": ["x"], "match": "regex"},
        "nodes": [
            n("q", "question", text="{{vars.who}}?"),
            n(
                "c",
                "condition",
                conditions=[{"id": "a", "field": "vars.q", "operator": "regex", "value": "(["}],
            ),
        ],
        "edges": [e("q", "c"), e("c", "ghost", "a")],
    }
    r = await bot.send("POST", "/flows/validate", json=doc)
    assert r.status_code == 200
    codes = {p["code"] for p in r.json()["problems"]}
    assert {
        "no_trigger",
        "question_without_variable",
        "condition_without_default",
        "dangling_edge",
        "unknown_variable",
        "invalid_regex",
    } <= codes
    r = await bot.send("POST", "/flows", json={**doc, "isActive": True})
    assert r.status_code == 422 and len(r.json()["problems"]) >= 6
    r = await bot.send(
        "POST", "/flows", json={**doc, "nodes": [{"id": "a", "type": "x", "oops": 1}]}
    )
    assert r.status_code == 400  # the document's own shape is checked strictly

    r = await bot.send(
        "PATCH",
        f"/flows/{orders['id']}",
        json={
            "name": "Order lookup",
            "triggerConfig": {"keywords": ["parcel"], "match": "contains"},
        },
    )
    assert r.status_code == 200 and r.json()["name"] == "Order lookup"
    listed = (await bot.get("/flows"))["items"]
    assert [f["name"] for f in listed] == ["Order lookup"] and listed[0]["nodeCount"] == 9
    r = await bot.send("DELETE", f"/flows/{orders['id']}")
    assert r.status_code == 204
    r = await bot.send("GET", f"/flows/{orders['id']}")
    assert r.status_code == 404


async def test_a_scheduled_flow_fires_once_per_slot_for_its_label(flow_bot: FlowBot) -> None:
    bot = flow_bot
    label = (await bot.send("POST", "/contacts/labels", json={"name": "Newsletter"})).json()["id"]
    for phone in (ANN, BEN):
        await bot.simulate(phone, "hi")
        await bot.said(phone, 1)
    contact = await bot.contact_id(ANN)
    await bot.send("POST", f"/contacts/{contact}/labels", json={"labelId": label})
    now = bot.api.clock.now()
    slot = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)
    cron = f"{slot.minute} {slot.hour} * * *"
    nodes = [n("start", "trigger"), n("news", "message", text="News for {{contact.phone}}")]
    await bot.flow(
        nodes,
        [e("start", "news")],
        "SCHEDULED",
        {"cron": cron, "timezone": "UTC", "labelId": label},
    )
    runner = bot.api.container.flow_runner
    assert await bot.db(runner.fire_schedules) == 0  # not yet
    await bot.advance(minutes=3)
    assert await bot.db(runner.fire_schedules) == 1  # Ann has the label, Ben not
    assert await bot.db(runner.fire_schedules) == 0  # once per slot
    assert (await bot.quiet(ANN, 2))[1] == f"News for {ANN}"
    await bot.quiet(BEN, 1)
