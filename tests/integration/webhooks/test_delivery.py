"""Events reach a real receiver on loopback: signed so the README's recipes verify them (Python
here, Node too), shaped as documented, in order per conversation, only what was subscribed —
and written with the change itself, so a rolled-back change sends nothing."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from app.db.tables import WebhookDelivery
from app.db.tx import transaction
from app.domain import SessionStatus
from app.events import catalog
from app.events.public import DATA
from tests.fakes.webhook_receiver import Received, Receiver
from tests.integration.bots import eventually
from tests.integration.webhooks.conftest import Hooks, _hooks
from tests.integration.webhooks.readme import block, python_verify

ANN, BOB = "+4917600000001", "+4917600000002"


def _check(received: Received, secret: str) -> dict[str, Any]:
    """The request is signed as documented and its body is what the OpenAPI document says."""
    verify = python_verify()
    header = received.headers["X-Aimy-Signature"]
    assert verify(secret, received.body, header)
    assert not verify(secret, received.body + b" ", header)  # a changed body fails
    assert not verify("whsec_another", received.body, header)
    event = received.json
    assert received.headers["X-Aimy-Event"] == event["type"]
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Aimy-Delivery"].startswith("c")
    assert event["version"] == 1 and event["workspaceId"] and event["createdAt"].endswith("Z")
    msgspec.convert(event["data"], DATA[event["type"]], strict=True)
    return event


async def test_a_conversation_arrives_signed_in_order(hooks: Hooks, receiver: Receiver) -> None:
    hook = await hooks.subscribe(receiver.url)
    await hooks.bot.simulate(ANN, "hello")  # the echo bot answers; the phone confirms
    got = receiver.wait_for(6)
    events = [_check(r, hook["secret"]) for r in got]
    assert [e["type"] for e in events] == [
        "contact.created",
        "conversation.created",
        "message.inbound",
        "message.outbound",
        "message.status",
        "message.status",
    ]
    inbound, outbound, delivered, read = (e["data"]["message"] for e in events[2:])
    assert inbound["content"] == "hello" and inbound["direction"] == "INBOUND"
    assert events[2]["data"]["conversation"]["contact"]["phoneNumber"] == ANN
    assert outbound["status"] == "SENT" and outbound["waMessageId"]
    assert (delivered["status"], read["status"]) == ("DELIVERED", "READ")
    assert len({r.headers["X-Aimy-Delivery"] for r in got}) == 6
    assert len({e["id"] for e in events}) == 6

    log = await eventually(lambda: _settled(hooks, hook["id"], 6))
    assert all(d["status"] == "DELIVERED" and d["statusCode"] == 200 for d in log)
    assert all(d["attempts"] == 1 and d["durationMs"] is not None for d in log)
    assert [d["eventType"] for d in reversed(log)] == [e["type"] for e in events]
    assert (await hooks.webhook(hook["id"]))["lastCalledAt"] is not None


async def test_sending_first_is_told_like_a_customer_writing(
    hooks: Hooks, receiver: Receiver
) -> None:
    """`POST /whatsapp/sessions/{id}/send` to a new number: the contact and the conversation
    it opens are told in the transaction that queues the message, then the send itself."""
    hook = await hooks.subscribe(receiver.url)
    bot = hooks.bot
    r = await bot.send(
        "POST", f"/whatsapp/sessions/{bot.session_id}/send", json={"to": BOB, "text": "Hi Bob"}
    )
    assert r.status_code == 202, r.text
    events = [_check(x, hook["secret"]) for x in receiver.wait_for(5)]
    assert [e["type"] for e in events] == [
        "contact.created",
        "conversation.created",
        "message.outbound",
        "message.status",
        "message.status",
    ]
    contact, conversation = events[0]["data"]["contact"], events[1]["data"]["conversation"]
    assert contact["phoneNumber"] == BOB and conversation["contact"]["id"] == contact["id"]
    assert conversation["id"] == r.json()["conversationId"]
    assert events[2]["data"]["message"]["content"] == "Hi Bob"


async def test_a_csv_import_is_told_contact_by_contact(hooks: Hooks, receiver: Receiver) -> None:
    """An import tells integrations what hand edits would: `contact.created` for each new
    contact (with its labels and fields), `contact.updated` for an existing one the file
    touched; an existing one whose row carries nothing new is not told; a dry run tells
    nothing."""
    bot = hooks.bot
    await bot.simulate(ANN, "hi")
    hook = await hooks.subscribe(receiver.url, ["contact.created", "contact.updated"])
    csv = f"Phone,Name,Labels,City\n{ANN},Ann Example,VIP,Berlin\n{BOB},Bob,,\n+4917600000003,,,\n"

    async def run(**params: str) -> dict[str, Any]:
        r = await bot.api.client.post(
            "/api/v1/contacts/import",
            content=csv.encode(),
            params=params,
            headers={**bot.owner.headers(), "Content-Type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        return r.json()

    await run(dryRun="true")
    assert (await run())["created"] == 2
    events = [_check(x, hook["secret"]) for x in receiver.wait_for(3)]
    by_phone = {e["data"]["contact"]["phoneNumber"]: e for e in events}
    ann, bob = by_phone[ANN], by_phone[BOB]
    assert (
        ann["type"] == "contact.updated" and ann["data"]["contact"]["displayName"] == "Ann Example"
    )
    assert [lb["name"] for lb in ann["data"]["contact"]["labels"]] == ["VIP"]
    assert ann["data"]["contact"]["customFields"] == {"City": "Berlin"}
    assert bob["type"] == "contact.created" and bob["data"]["contact"]["displayName"] == "Bob"
    assert by_phone["+4917600000003"]["type"] == "contact.created"
    await run()  # again: Ann and Bob touched again, the bare number not
    again = [_check(x, hook["secret"]) for x in receiver.wait_for(5)][3:]
    assert sorted((e["type"], e["data"]["contact"]["phoneNumber"]) for e in again) == [
        ("contact.updated", ANN), ("contact.updated", BOB),
    ]  # fmt: skip


async def test_a_completed_flow_run_is_told(hooks: Hooks, receiver: Receiver) -> None:
    """`flow.completed`, written with the step that ends the run: a run a keyword started
    (the inbound path), and one started through `POST /flows/{id}/trigger` that hands the
    conversation to a human (a wake-up path: `conversation.updated` with it)."""
    bot = hooks.bot
    hook = await hooks.subscribe(receiver.url, ["flow.completed", "conversation.updated"])
    trigger = {"id": "t", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {}}
    say = {"id": "m", "type": "message", "position": {"x": 0, "y": 0}, "data": {"text": "Ok"}}
    assign = {"id": "a", "type": "assign", "position": {"x": 0, "y": 0}, "data": {}}
    to_m = {"id": "t-m", "source": "t", "target": "m"}
    flows = []
    for name, kind, config, nodes, edges in (
        (
            "By keyword",
            "KEYWORD",
            {"keywords": ["order"], "match": "contains"},
            [trigger, say],
            [to_m],
        ),
        (
            "By API",
            "API",
            {},
            [trigger, say, assign],
            [to_m, {"id": "m-a", "source": "m", "target": "a"}],
        ),
    ):
        body = {"name": name, "triggerType": kind, "triggerConfig": config, "isActive": True}
        r = await bot.send("POST", "/flows", json={**body, "nodes": nodes, "edges": edges})
        assert r.status_code == 201, r.text
        flows.append(r.json())
    await bot.simulate(ANN, "my order please")
    receiver.wait_for(1)
    r = await bot.send("POST", f"/flows/{flows[1]['id']}/trigger", json={"phone": BOB})
    assert r.status_code == 202, r.text
    events = [_check(x, hook["secret"]) for x in receiver.wait_for(3)]
    assert [(e["type"], e["data"].get("flowName")) for e in events] == [
        ("flow.completed", "By keyword"),
        ("flow.completed", "By API"),
        ("conversation.updated", None),
    ]
    assert events[0]["data"]["flowId"] == flows[0]["id"] and events[0]["data"]["completedAt"]
    handed = events[2]["data"]["conversation"]
    assert (
        handed["status"] == "WAITING_HUMAN" and handed["id"] == events[1]["data"]["conversationId"]
    )


async def test_a_flow_step_that_labels_and_hands_over_is_told(
    hooks: Hooks, receiver: Receiver
) -> None:
    """A flow's `tag` step: `contact.labeled`; its `assign` step: `contact.updated` (taken
    over) — written with the step."""
    bot = hooks.bot
    label = (await bot.send("POST", "/contacts/labels", json={"name": "vip"})).json()
    hook = await hooks.subscribe(receiver.url, ["contact.labeled", "contact.updated"])
    nodes = [
        {"id": "t", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {}},
        {
            "id": "g",
            "type": "tag",
            "position": {"x": 0, "y": 0},
            "data": {"action": "add", "labelId": label["id"]},
        },
        {"id": "a", "type": "assign", "position": {"x": 0, "y": 0}, "data": {}},
    ]
    edges = [
        {"id": "t-g", "source": "t", "target": "g"},
        {"id": "g-a", "source": "g", "target": "a"},
    ]
    body = {"name": "Tag", "triggerType": "API", "triggerConfig": {}, "isActive": True}
    r = await bot.send("POST", "/flows", json={**body, "nodes": nodes, "edges": edges})
    assert r.status_code == 201, r.text
    r = await bot.send("POST", f"/flows/{r.json()['id']}/trigger", json={"phone": ANN})
    assert r.status_code == 202, r.text
    told = {e["type"]: e["data"] for e in (_check(x, hook["secret"]) for x in receiver.wait_for(2))}
    labeled = told["contact.labeled"]
    assert labeled["action"] == "added" and labeled["label"]["name"] == "vip"
    assert [x["name"] for x in labeled["contact"]["labels"]] == ["vip"]
    assert told["contact.updated"]["contact"]["humanTakeover"] is True


async def _settled(hooks: Hooks, webhook_id: str, count: int) -> list[dict] | None:
    log = await hooks.deliveries(webhook_id)
    done = [d for d in log if d["status"] in ("DELIVERED", "FAILED")]
    return log if len(done) >= count else None


async def test_changes_made_by_people_and_the_app(hooks: Hooks, receiver: Receiver) -> None:
    """contact.updated / labeled, conversation.updated, session.status, document indexed —
    each type only to the webhook that asked for it."""
    bot = hooks.bot
    await bot.simulate(ANN, "hi")
    conv = await eventually(lambda: _conversation(hooks))
    wanted = [
        "contact.updated",
        "contact.labeled",
        "conversation.updated",
        "session.status",
        "knowledge.document.indexed",
    ]
    hook = await hooks.subscribe(receiver.url, wanted)
    with Receiver() as inbound_only:
        await hooks.subscribe(inbound_only.url, ["message.inbound"])
        contact_id = conv["contactId"]
        r = await bot.send("PATCH", f"/contacts/{contact_id}", json={"notes": "VIP soon"})
        assert r.status_code == 200
        label = (await bot.send("POST", "/contacts/labels", json={"name": "lead"})).json()
        r = await bot.send("POST", f"/contacts/{contact_id}/labels", json={"labelId": label["id"]})
        assert r.status_code in (200, 201)
        r = await bot.send("DELETE", f"/contacts/{contact_id}/labels/{label['id']}")
        assert r.status_code == 204
        r = await bot.send("POST", f"/conversations/{conv['id']}/resolve")
        assert r.status_code in (200, 201)
        r = await bot.send("PATCH", f"/conversations/{conv['id']}", json={"read": True})
        assert r.status_code == 200  # not a status or assignee change: not told
        r = await bot.send(
            "POST", "/whatsapp/sessions", json={"accountId": "second", "channel": "simulator"}
        )
        assert r.status_code == 201
        kb = (await bot.get("/knowledge-bases"))[0]
        doc = {"type": "MANUAL", "name": "Hours", "content": "We open at nine."}
        r = await bot.send("POST", f"/knowledge-bases/{kb['id']}/documents", json=doc)
        assert r.status_code in (200, 201, 202), r.text
        got = receiver.wait_for(6)
        await bot.simulate(ANN, "again")
        inbound_only.wait_for(1)
        time.sleep(0.3)
        assert [r.headers["X-Aimy-Event"] for r in inbound_only.requests] == ["message.inbound"]
    events = [_check(r, hook["secret"]) for r in got]
    by_type: dict[str, list[dict]] = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e["data"])
    assert by_type["contact.updated"][0]["contact"]["notes"] == "VIP soon"
    added, removed = by_type["contact.labeled"]
    assert (added["action"], removed["action"]) == ("added", "removed")
    assert added["label"]["name"] == "lead" and [x["name"] for x in added["contact"]["labels"]] == [
        "lead"
    ]
    assert removed["contact"]["labels"] == []
    (updated,) = by_type["conversation.updated"]
    assert updated["conversation"]["status"] == "RESOLVED"
    assert by_type["session.status"][0]["status"] == "CONNECTED"
    assert "qrCode" not in by_type["session.status"][0]
    (indexed,) = by_type["knowledge.document.indexed"]
    assert indexed["status"] == "INDEXED" and indexed["chunkCount"] >= 1
    assert indexed["name"] == "Hours"


async def _conversation(hooks: Hooks) -> dict | None:
    items = (await hooks.bot.get("/conversations"))["items"]
    return items[0] if items else None


@pytest.fixture
async def ai_hooks(tmp_path: Path) -> AsyncIterator[Hooks]:
    """The AI engine in the pipeline (fake model): a refund request escalates at once."""
    async for h in _hooks(tmp_path / "data", None, auto_reply="ai"):
        yield h


async def test_an_escalation_is_told(ai_hooks: Hooks, receiver: Receiver) -> None:
    hook = await ai_hooks.subscribe(
        receiver.url, ["conversation.escalated", "conversation.updated"]
    )
    await ai_hooks.bot.simulate(ANN, "Quiero un reembolso de mi pedido")
    got = receiver.wait_for(2)
    updated, escalated = (_check(r, hook["secret"]) for r in got)
    assert updated["type"] == "conversation.updated"
    assert updated["data"]["conversation"]["status"] == "WAITING_HUMAN"
    assert escalated["type"] == "conversation.escalated"
    assert escalated["data"]["reason"] == "sensitive:refund"


async def test_the_node_recipe_verifies_a_real_request(
    hooks: Hooks, receiver: Receiver, tmp_path: Path
) -> None:
    hook = await hooks.subscribe(receiver.url, ["message.inbound"])
    await hooks.bot.simulate(ANN, "héllo from node")  # not only ASCII: bytes are signed
    (received,) = receiver.wait_for(1)
    (tmp_path / "verify.js").write_text(block("webhook-verify-node"))
    (tmp_path / "body.bin").write_bytes(received.body)
    script = """
    const [recipe, secret, header, path] = process.argv.slice(1);  // node -e: no script name
    const { verify } = require(recipe);
    const body = require("fs").readFileSync(path);
    const ok = verify(secret, body, header);
    const tampered = verify(secret, Buffer.concat([body, Buffer.from(" ")]), header);
    const old = verify(secret, body, header.replace(/t=\\d+/, "t=1000"));
    console.log(JSON.stringify({ ok, tampered, old }));
    """
    done = subprocess.run(
        [
            "node",
            "-e",
            script,
            "--",
            str(tmp_path / "verify.js"),
            hook["secret"],
            received.headers["X-Aimy-Signature"],
            str(tmp_path / "body.bin"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(done.stdout) == {"ok": True, "tampered": False, "old": False}


async def test_the_python_recipe_refuses_a_replay(hooks: Hooks, receiver: Receiver) -> None:
    from app.jobs.webhook_call import signature

    verify = python_verify()
    body = b'{"id":"x"}'
    now = int(time.time())
    assert verify("s", body, signature("s", body.decode(), now))
    assert verify("s", body, signature("s", body.decode(), now - 299))
    assert not verify("s", body, signature("s", body.decode(), now - 301))
    assert not verify("s", body, "t=abc,v1=00") and not verify("s", body, "")


async def test_a_rolled_back_change_sends_nothing(hooks: Hooks, receiver: Receiver) -> None:
    bot = hooks.bot
    await hooks.subscribe(receiver.url)
    webhooks = bot.api.container.webhooks
    workspace = bot.owner.workspace_id
    event = catalog.whatsapp_status(workspace, bot.session_id, SessionStatus.CONNECTED)

    async def rolled_back() -> int:
        try:
            async with transaction():
                assert await webhooks.record(event) == 1
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
        return await WebhookDelivery.count()

    assert await bot.db(rolled_back) == 0
    time.sleep(0.2)
    assert receiver.requests == []


async def test_no_webhook_costs_one_lookup_per_workspace(hooks: Hooks) -> None:
    """Nobody listening: events cost a cached lookup, not a query each."""
    bot = hooks.bot
    subscriptions = bot.api.container.webhook_sender._subscriptions
    misses = subscriptions.misses
    for n in range(5):
        await bot.simulate(ANN, f"message {n}")
    await eventually(lambda: _all_sent(hooks, 5))
    assert subscriptions.misses - misses <= 1
    assert await bot.db(WebhookDelivery.count) == 0


async def _all_sent(hooks: Hooks, count: int) -> bool:
    return len(hooks.bot.sent_texts()) >= count


async def test_a_finished_broadcast_is_told(tmp_path: Path, receiver: Receiver) -> None:
    """`broadcast.completed`, written in the transaction that ends the broadcast."""
    async for hooks in _hooks(tmp_path / "data", None, broadcast_poll_s=0.05):
        bot = hooks.bot
        hook = await hooks.subscribe(receiver.url, ["broadcast.completed"])
        await bot.simulate(ANN, "hello")
        body = {"name": "Spring sale", "message": "Hi {{contact.name|there}}", "targetType": "ALL"}
        r = await bot.send("POST", "/broadcasts", json=body)
        assert r.status_code == 201, r.text
        broadcast = r.json()
        r = await bot.send("POST", f"/broadcasts/{broadcast['id']}/send")
        assert r.status_code in (200, 202), r.text
        (event,) = [_check(x, hook["secret"]) for x in receiver.wait_for(1)]
        assert event["type"] == "broadcast.completed"
        data = event["data"]
        assert data["broadcastId"] == broadcast["id"] and data["name"] == "Spring sale"
        assert data["totalRecipients"] == 1 and data["sentCount"] == 1
        assert data["status"] == "SENT"  # the seed's name for a broadcast that finished
