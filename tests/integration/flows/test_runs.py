"""Runs: every trigger type, the running flow keeps its contact, stop words, version pinning,
one active run per contact under many concurrent triggers (SQLite and Postgres), counters that
agree with the runs, and `flow:run` / `flow.completed` on the event bus."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest

from app.domain import Actor, Role
from app.events import names
from app.schemas.flows import TriggerBody
from tests.fakes.web_server import PNG
from tests.integration.flows.conftest import FlowBot, e, eventually, make_flow_bot, n

ANN = "+4917633330001"
BEN = "+4917633330002"
CARLA = "+4917633330003"

ASK = [
    n("start", "trigger"),
    n("ask", "question", text="Your name?", variableName="name"),
    n("bye", "message", text="Bye {{vars.name}}"),
]
ASK_EDGES = [e("start", "ask"), e("ask", "bye")]


async def test_triggers_stop_words_and_the_running_flow_keeps_the_contact(
    flow_bot: FlowBot,
) -> None:
    bot = flow_bot
    r = await bot.send("PATCH", "/settings", json={"flowStopWords": ["Schluss"]})
    assert r.status_code == 200 and r.json()["flowStopWords"] == ["Schluss"]
    photo = await bot.flow(
        [n("start", "trigger"), n("thanks", "message", text="Nice picture!")],
        [e("start", "thanks")],
        "INBOUND_MEDIA",
        {"mediaTypes": ["IMAGE"]},
        name="Photos",
    )
    asker = await bot.flow(
        ASK, ASK_EDGES, "KEYWORD", {"keywords": ["sign me up"], "match": "contains"}, name="Ask"
    )
    image = {"type": "IMAGE", "mimeType": "image/png", "base64": base64.b64encode(PNG).decode()}

    await bot.simulate(ANN, media=image)  # INBOUND_MEDIA
    assert await bot.said(ANN, 1) == ["Nice picture!"]
    await bot.simulate(ANN, "Please sign me up today")  # KEYWORD, contains
    assert (await bot.said(ANN, 2))[1] == "Your name?"
    await bot.simulate(ANN, media=image)  # a new trigger while the run waits: the run keeps it
    assert (await bot.said(ANN, 3))[2] == "Your name?"  # (a photo is no name: asked again)
    await bot.simulate(ANN, "  SCHLUSS! ")  # the workspace's own stop word
    await bot.quiet(ANN, 3)
    run = await bot.run_settled(asker["id"], status="STOPPED")
    assert "SCHLUSS" in run["endReason"]
    assert (await bot.get(f"/flows/{photo['id']}/stats"))["entered"] == 1

    await bot.simulate(ANN, "sign me up")
    await bot.said(ANN, 4)
    await bot.simulate(ANN, "Annulér")  # a built-in one, accents and case aside
    await bot.quiet(ANN, 4)
    await bot.run_settled(asker["id"], status="STOPPED")
    await bot.simulate(ANN, "don't stop")  # not only a stop word: echo
    assert (await bot.said(ANN, 5))[4] == "don't stop"

    # LABEL_ADDED starts when an agent adds the label
    vip = (await bot.send("POST", "/contacts/labels", json={"name": "VIP"})).json()["id"]
    await bot.flow(
        [n("start", "trigger"), n("hi", "message", text="Hello VIP {{contact.name}}")],
        [e("start", "hi")],
        "LABEL_ADDED",
        {"labelId": vip},
        name="VIPs",
    )
    await bot.simulate(BEN, "hey", name="Ben")
    await bot.said(BEN, 1)
    contact = await bot.contact_id(BEN)
    r = await bot.send("POST", f"/contacts/{contact}/labels", json={"labelId": vip})
    assert r.status_code == 201, r.text
    assert (await bot.said(BEN, 2))[1] == "Hello VIP Ben"


async def test_api_trigger_errors_and_agent_stop(flow_bot: FlowBot) -> None:
    bot = flow_bot
    flow = await bot.flow(ASK, ASK_EDGES, "API")
    inactive = await bot.flow(ASK, ASK_EDGES, "API", active=False)
    await bot.trigger(inactive["id"], 409, phone=ANN)
    await bot.trigger(flow["id"], 422, contactId="x", phone=ANN)
    await bot.trigger(flow["id"], 422, phone="+12 345 6")
    await bot.trigger(flow["id"], 404, contactId="nope")
    await bot.trigger("nope", 404, phone=ANN)
    run = await bot.trigger(flow["id"], phone=ANN)  # a new contact, by phone
    assert run["waitingFor"] == "REPLY" and run["currentNodeId"] == "ask"
    assert run["currentNodeType"] == "question" and run["flowName"] == "Test flow"
    assert await bot.said(ANN, 1) == ["Your name?"]
    again = await bot.trigger(flow["id"], 409, phone=ANN)  # the running flow keeps the contact
    assert "another flow run" in again["detail"]

    agent = await bot.api.member(bot.owner, Role.AGENT)
    headers = agent.headers()
    r = await bot.api.client.post(
        f"/api/v1/flows/{flow['id']}/trigger", json={"phone": BEN}, headers=headers
    )
    assert r.status_code == 403  # agents may read flows, not start them
    conv = await bot.conversation_of(ANN)
    r = await bot.api.client.get(
        "/api/v1/flows/runs",
        params={"conversationId": conv["id"], "status": "ACTIVE"},
        headers=headers,
    )
    assert [x["id"] for x in r.json()["items"]] == [run["id"]]
    r = await bot.api.client.post(f"/api/v1/flows/runs/{run['id']}/stop", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "STOPPED", r.text
    r = await bot.api.client.post(f"/api/v1/flows/runs/{run['id']}/stop", headers=headers)
    assert r.status_code == 409
    await bot.simulate(ANN, "Ann")  # the run ended: echo
    assert (await bot.said(ANN, 2))[1] == "Ann"


async def test_runs_keep_their_version_when_the_flow_is_saved(flow_bot: FlowBot) -> None:
    bot = flow_bot
    flow = await bot.flow(ASK, ASK_EDGES, "API")
    await bot.trigger(flow["id"], phone=ANN)
    await bot.said(ANN, 1)
    changed = [*ASK[:2], n("bye", "message", text="Cheers {{vars.name}}!")]
    doc = {"name": "v2", "triggerType": "API", "nodes": changed, "edges": ASK_EDGES}
    r = await bot.send("PUT", f"/flows/{flow['id']}", json=doc)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    await bot.trigger(flow["id"], phone=BEN)
    await bot.said(BEN, 1)
    await bot.simulate(ANN, "Ann")
    await bot.simulate(BEN, "Ben")
    assert (await bot.said(ANN, 2))[1] == "Bye Ann"  # started on version 1
    assert (await bot.said(BEN, 2))[1] == "Cheers Ben!"  # started on version 2
    versions = {r["contactId"]: r["version"] for r in await bot.runs(flow["id"])}
    assert sorted(versions.values()) == [1, 2]

    broken = {**doc, "nodes": [*changed, n("island", "end")]}
    r = await bot.send("PUT", f"/flows/{flow['id']}", json=broken)  # active: must stay valid
    assert r.status_code == 422 and r.json()["problems"][0]["code"] == "unreachable"
    r = await bot.send("POST", f"/flows/{flow['id']}/deactivate")
    assert r.status_code == 200 and r.json()["isActive"] is False
    r = await bot.send("PUT", f"/flows/{flow['id']}", json=broken)  # a draft may be broken
    assert r.status_code == 200, r.text
    r = await bot.send("POST", f"/flows/{flow['id']}/activate")
    assert r.status_code == 422 and r.json()["problems"][0]["nodeId"] == "island"


@pytest.mark.parametrize("callers", [25])
async def test_one_active_run_per_contact_under_concurrent_triggers(
    tmp_path: Path, db_url: str, callers: int
) -> None:
    url = None if db_url.startswith("sqlite") else db_url
    async for bot in make_flow_bot(tmp_path / "data", url):
        await _race(bot, callers)


async def _race(bot: FlowBot, callers: int) -> None:
    """`callers` triggers of three flows for one contact at once: one run starts, the rest
    get 409 — the UNIQUE active-contact column decides, whatever the interleaving."""
    flows = [await bot.flow(ASK, ASK_EDGES, "API", name=f"F{i}") for i in range(3)]
    await bot.simulate(CARLA, "hi")
    await bot.said(CARLA, 1)
    contact = await bot.contact_id(CARLA)
    service = bot.api.container.services.flow_runs
    actor = Actor(bot.owner.user_id, bot.owner.workspace_id, Role.OWNER)

    async def start(i: int) -> Any:
        try:
            body = TriggerBody(contact_id=contact)
            return await service.trigger(actor, flows[i % 3]["id"], body)
        except Exception as exc:
            return exc

    async def many() -> list[Any]:
        return await asyncio.gather(*(start(i) for i in range(callers)))

    results = await bot.db(many)
    started = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(started) == 1, results
    assert all(getattr(r, "status", None) == 409 for r in refused), refused
    assert (await bot.quiet(CARLA, 2))[1] == "Your name?"
    active = (await bot.get("/flows/runs", status="ACTIVE"))["items"]
    assert len(active) == 1


async def test_counters_agree_with_runs_and_events_are_published(flow_bot: FlowBot) -> None:
    bot = flow_bot
    flow = await bot.flow(ASK, ASK_EDGES, "API")
    seen: list[tuple[str, dict[str, Any]]] = []
    keep: list[Any] = []

    def listen() -> None:
        context = bot.api.container.events.subscribe(bot.owner.workspace_id)
        sub = context.__enter__()

        async def drain() -> None:
            async for event in sub.events():
                seen.append((event.name, event.data))

        keep.append((context, asyncio.get_running_loop().create_task(drain())))

    await bot.db(lambda: _as_async(listen))
    for phone in (ANN, BEN, CARLA):
        await bot.trigger(flow["id"], phone=phone)
    await bot.simulate(ANN, "Ann")  # completes
    await bot.simulate(BEN, "stop")  # stopped
    await bot.said(ANN, 2)
    await eventually(lambda: _ran(bot, flow["id"], 3))

    runs = await bot.runs(flow["id"])
    stats = await bot.get(f"/flows/{flow['id']}/stats")
    by_status = {
        s: sum(1 for r in runs if r["status"] == s) for s in ("COMPLETED", "STOPPED", "ACTIVE")
    }
    assert stats["entered"] == len(runs) == 3
    assert stats["completed"] == by_status["COMPLETED"] == 1
    assert stats["dropped"] == by_status["STOPPED"] == 1
    ben = (await bot.get("/contacts", search=BEN))["items"][0]
    assert ben["optedOutAt"] is not None  # "stop" ended the run and opted out (issue 15.3)
    assert stats["active"] == by_status["ACTIVE"] == 1
    nodes = {c["nodeId"]: (c["visits"], c["waiting"]) for c in stats["nodes"]}
    assert nodes == {"start": (3, 0), "ask": (3, 1), "bye": (1, 0)}

    async def published() -> bool:
        kinds = [name for name, _ in seen]
        return kinds.count(names.FLOW_RUN) >= 5 and names.FLOW_COMPLETED in kinds

    await eventually(published)
    done = next(data for name, data in seen if name == names.FLOW_COMPLETED)
    assert done["flowId"] == flow["id"] and done["vars"] == {"name": "Ann"}
    moved = [data["run"] for name, data in seen if name == names.FLOW_RUN]
    assert {"ask"} <= {r["currentNodeId"] for r in moved}
    assert all("vars" not in r for r in moved)


async def _as_async(fn: Any) -> Any:
    return fn()


async def _ran(bot: FlowBot, flow_id: str, count: int) -> bool:
    runs = await bot.runs(flow_id)
    return len(runs) == count and sum(r["status"] != "ACTIVE" for r in runs) == 2
