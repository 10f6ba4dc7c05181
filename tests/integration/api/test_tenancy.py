"""Workspace isolation: a member of A reaches nothing of B, by header, path or resource id."""

from __future__ import annotations

import re

from tests.integration.api.conftest import Account, Api, fill, routes

NOT_HERE = "c0000000000000000000nothere"


async def test_member_of_a_gets_403_or_404_for_everything_of_b(api: Api) -> None:
    a = await api.register("Alice", "A")
    b = await api.register("Bob", "B")
    b_key = (
        await api.client.post("/api/v1/settings/api-keys", json={"name": "b"}, headers=b.headers())
    ).json()
    b_invite = (
        await api.client.post(
            f"/api/v1/workspaces/{b.workspace_id}/invite",
            json={"email": "carol@example.com", "role": "AGENT"},
            headers=b.headers(),
        )
    ).json()
    b_ids = {"key_id": b_key["id"], "invite_id": b_invite["id"], "user_id": b.user_id}
    b_ids |= await messaging_resources(api, b)
    b_ids["name"] = "nothere.gguf"  # local models belong to the install, not a workspace
    b_ids["key"] = "nothere-model"  # so does the model catalog
    checked = 0
    for method, path, opt in routes(api.app):
        if opt.get("public") or opt.get("account") or method == "WS":
            continue
        params = re.findall(r"\{(\w+):\w+\}", path)
        unknown = set(params) - {"workspace_id", *b_ids}
        assert not unknown, f"{path}: give B a resource for {unknown} in this test"
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        # 1. A names B's workspace in the header (or the path)
        url = fill(path, {**b_ids, "workspace_id": b.workspace_id})
        r = await api.client.request(method, url, headers=a.headers(b.workspace_id), **body)
        assert r.status_code == 403, f"header B: {method} {path} → {r.status_code}"
        # 2. A stays in A but names B's resources by id
        url = fill(path, {**b_ids, "workspace_id": a.workspace_id})
        r = await api.client.request(method, url, headers=a.headers(), **body)
        if params and set(params) != {"workspace_id"}:
            assert r.status_code in (403, 404, 400), f"ids of B: {method} {path} → {r.status_code}"
        checked += 1
    assert checked >= 10
    # B's things are intact and B's key still works
    r = await api.client.get("/api/v1/settings/api-keys", headers=b.headers())
    assert r.status_code == 200 and [k["id"] for k in r.json()] == [b_key["id"]]
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": b_key["key"]})
    assert r.status_code == 200  # (a key may not list keys itself: issue 13.4)
    r = await api.client.get(f"/api/v1/workspaces/{b.workspace_id}/invites", headers=b.headers())
    assert [i["id"] for i in r.json()] == [b_invite["id"]]


async def test_path_workspace_must_match_membership(api: Api) -> None:
    a = await api.register("Alice", "A")
    b = await api.register("Bob", "B")
    r = await api.client.get(f"/api/v1/workspaces/{b.workspace_id}", headers=a.headers())
    assert r.status_code == 403
    r = await api.client.get(f"/api/v1/workspaces/{b.workspace_id}/users", headers=a.headers())
    assert r.status_code == 403


async def test_api_key_is_bound_to_its_workspace(api: Api) -> None:
    a = await api.register("Alice", "A")
    b = await api.register("Bob", "B")
    key = (
        await api.client.post("/api/v1/settings/api-keys", json={"name": "k"}, headers=a.headers())
    ).json()["key"]
    r = await api.client.get(
        "/api/v1/settings/audit-log", headers={"X-API-Key": key, "X-Workspace-Id": b.workspace_id}
    )
    assert r.status_code == 403
    r = await api.client.get("/api/v1/settings/audit-log", headers={"X-API-Key": key})
    assert r.status_code == 200
    assert all(
        e["action"] != "workspace.create" or e["entityId"] == a.workspace_id
        for e in r.json()["items"]
    )


async def test_audit_log_shows_only_own_workspace(api: Api) -> None:
    a = await api.register("Alice", "A")
    b = await api.register("Bob", "B")
    await api.client.post("/api/v1/settings/api-keys", json={"name": "bk"}, headers=b.headers())
    r = await api.client.get("/api/v1/settings/audit-log", headers=a.headers())
    assert {e["action"] for e in r.json()["items"]} == {"workspace.create"}
    r = await api.client.get("/api/v1/settings/audit-log", headers=b.headers())
    assert {e["action"] for e in r.json()["items"]} == {"workspace.create", "api_key.create"}


async def messaging_resources(api: Api, b: Account) -> dict[str, str]:
    """B's session, contact, conversation, message, label, broadcast and notification, made
    through the API (a simulated inbound message creates the contact, conversation and a
    notification)."""
    h = b.headers()
    session = (
        await api.client.post(
            "/api/v1/whatsapp/sessions", json={"accountId": "b", "channel": "simulator"}, headers=h
        )
    ).json()
    await api.client.post(
        f"/api/v1/whatsapp/sessions/{session['id']}/simulate",
        json={"from": "+4915100000099", "text": "hi"},
        headers=h,
    )
    ids = {"session_id": session["id"]}
    r = await api.client.get("/api/v1/conversations", headers=h)
    if r.status_code == 200 and r.json()["items"]:
        conv = r.json()["items"][0]
        ids["conversation_id"] = conv["id"]
        ids["contact_id"] = conv["contactId"]
        detail = (await api.client.get(f"/api/v1/conversations/{conv['id']}", headers=h)).json()
        ids["msg_id"] = detail["messages"][0]["id"]
        r = await api.client.post(
            f"/api/v1/conversations/{conv['id']}/notes", json={"text": "b only"}, headers=h
        )
        assert r.status_code == 201, r.text
        ids["note_id"] = r.json()["id"]
    r = await api.client.post("/api/v1/contacts/labels", json={"name": "vip-b"}, headers=h)
    if r.status_code == 201:
        ids["label_id"] = r.json()["id"]
    body = {"name": "b", "message": "hi", "targetType": "ALL"}
    r = await api.client.post("/api/v1/broadcasts", json=body, headers=h)
    if r.status_code == 201:
        ids["broadcast_id"] = r.json()["id"]
    r = await api.client.get("/api/v1/notifications", headers=h)
    if r.status_code == 200 and r.json()["items"]:
        ids["notification_id"] = r.json()["items"][0]["id"]
    ids |= await knowledge_resources(api, b)
    hook = {  # an IP literal passes the SSRF check without DNS; off, so nothing is sent
        "name": "b",
        "url": "https://93.184.216.34/hook",
        "events": ["broadcast.completed"],
        "isActive": False,
    }
    r = await api.client.post("/api/v1/settings/webhooks", json=hook, headers=h)
    assert r.status_code == 201, r.text
    ids["webhook_id"], ids["delivery_id"] = r.json()["id"], NOT_HERE
    reply = {"shortcut": "b", "title": "b", "text": "b"}
    r = await api.client.post("/api/v1/canned-replies", json=reply, headers=h)
    assert r.status_code == 201, r.text
    ids["reply_id"] = r.json()["id"]
    ids |= await flow_resources(api, b)
    return ids


async def flow_resources(api: Api, b: Account) -> dict[str, str]:
    """B's active flow and a run of it (started through the API for B's contact)."""
    h = b.headers()
    doc = {
        "name": "B's flow",
        "triggerType": "API",
        "isActive": True,
        "nodes": [
            {"id": "t", "type": "trigger", "data": {}},
            {"id": "q", "type": "question", "data": {"text": "?", "variableName": "x"}},
        ],
        "edges": [{"id": "e", "source": "t", "target": "q"}],
    }
    flow = (await api.client.post("/api/v1/flows", json=doc, headers=h)).json()
    run = await api.client.post(
        f"/api/v1/flows/{flow['id']}/trigger", json={"phone": "+4915100000098"}, headers=h
    )
    assert run.status_code == 202, run.text
    return {"flow_id": flow["id"], "run_id": run.json()["id"]}


async def knowledge_resources(api: Api, b: Account) -> dict[str, str]:
    """B's knowledge base, a manual document and a FAQ."""
    h = b.headers()
    kb = (await api.client.get("/api/v1/knowledge-bases", headers=h)).json()[0]
    base = f"/api/v1/knowledge-bases/{kb['id']}"
    doc = await api.client.post(
        f"{base}/documents", json={"type": "MANUAL", "name": "b", "content": "B only."}, headers=h
    )
    faq = await api.client.post(f"{base}/faqs", json={"question": "q?", "answer": "a"}, headers=h)
    ref = await api.client.post(
        f"{base}/reference-questions",
        json={"question": "q?", "expectedSource": faq.json()["id"]},
        headers=h,
    )
    ids = {"kb_id": kb["id"], "doc_id": doc.json()["id"], "faq_id": faq.json()["id"]}
    return ids | {"ref_id": ref.json()["id"]}
