"""Conversations API (seed §6) and WhatsApp session endpoints."""

from __future__ import annotations

from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"


async def _replied(bot: Bot, n: int):
    async def check():
        return len(bot.sent_texts()) >= n

    await eventually(check)


async def test_list_filters_assignment_resolve_reopen(bot: Bot) -> None:
    await bot.simulate(ANN, "one")
    await bot.simulate("+4917600000002", "two")
    await _replied(bot, 2)
    page = await bot.get("/conversations")
    assert page["total"] == 2 and all(c["contact"] for c in page["items"])
    conv = (await bot.conversation_of(ANN))["id"]
    assert (await bot.get("/conversations", unread="true"))["total"] == 2
    r = await bot.send("PATCH", f"/conversations/{conv}", json={"read": True})
    assert r.status_code == 200 and r.json()["unreadCount"] == 0
    assert (await bot.get("/conversations", unread="true"))["total"] == 1
    r = await bot.send(
        "PATCH", f"/conversations/{conv}", json={"assignedUserId": bot.owner.user_id}
    )
    assert r.json()["assignedUserId"] == bot.owner.user_id
    assert [c["id"] for c in (await bot.get("/conversations", assignee="me"))["items"]] == [conv]
    assert (await bot.get("/conversations", assignee="none"))["total"] == 1
    r = await bot.send("PATCH", f"/conversations/{conv}", json={"assignedUserId": "nobody"})
    assert r.status_code == 422
    r = await bot.send("PATCH", f"/conversations/{conv}", json={"status": "CLOSED"})
    assert r.status_code == 400
    r = await bot.send("POST", f"/conversations/{conv}/resolve")
    assert r.json()["status"] == "RESOLVED" and r.json()["resolvedAt"]
    assert [c["id"] for c in (await bot.get("/conversations", status="RESOLVED"))["items"]] == [
        conv
    ]
    # a message after resolving opens a new conversation
    await bot.simulate(ANN, "back again")
    await _replied(bot, 3)
    assert (await bot.get("/conversations", search=ANN))["total"] == 2
    r = await bot.send("POST", f"/conversations/{conv}/reopen")
    assert r.json()["status"] == "OPEN" and r.json()["resolvedAt"] is None


async def test_messages_are_paginated_latest_page_first(bot: Bot) -> None:
    for i in range(6):
        await bot.simulate(ANN, f"m{i}")
    await _replied(bot, 6)
    conv = (await bot.get("/conversations"))["items"][0]["id"]
    first = await bot.get(f"/conversations/{conv}", pageSize=4)
    assert first["messagesTotal"] == 12
    assert [m["content"] for m in first["messages"]] == ["m4", "m4", "m5", "m5"]
    second = await bot.get(f"/conversations/{conv}", pageSize=4, page=2)
    assert [m["content"] for m in second["messages"]] == ["m2", "m2", "m3", "m3"]


async def test_export_json_and_pdf(bot: Bot) -> None:
    await bot.simulate(ANN, "Grüße & <hello>", name="Ann")
    await _replied(bot, 1)
    conv = (await bot.get("/conversations"))["items"][0]["id"]
    r = await bot.send("GET", f"/conversations/{conv}/export")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert [m["senderType"] for m in data["messages"]] == ["CONTACT", "BOT"]
    r = await bot.send("GET", f"/conversations/{conv}/export", params={"format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    import pymupdf

    text = pymupdf.open(stream=r.content, filetype="pdf")[0].get_text()
    assert "Grüße & <hello>" in text and "Ann" in text
    r = await bot.send("GET", f"/conversations/{conv}/export", params={"format": "doc"})
    assert r.status_code == 400


async def test_session_endpoints(bot: Bot) -> None:
    sid = bot.session_id
    sessions = await bot.get("/whatsapp/sessions")
    assert [(s["accountId"], s["channel"], s["status"]) for s in sessions] == [
        ("default", "simulator", "CONNECTED")
    ]
    status = await bot.get(f"/whatsapp/sessions/{sid}/status")
    assert status == {
        "sessionId": sid,
        "status": "CONNECTED",
        "running": True,
        "hasQr": False,
        "lastError": None,
        "lastErrorMessage": None,
    }
    assert (await bot.get(f"/whatsapp/sessions/{sid}/qr"))["qrCode"] is None
    r = await bot.send(
        "POST", f"/whatsapp/sessions/{sid}/pair", json={"phoneNumber": "+49 176 1234567"}
    )
    assert r.status_code == 201 and r.json()["code"]
    r = await bot.send("POST", f"/whatsapp/sessions/{sid}/pair", json={"phoneNumber": "call me"})
    assert r.status_code == 422
    r = await bot.send("POST", "/whatsapp/sessions", json={"accountId": "default"})
    assert r.status_code == 409
    r = await bot.send("POST", "/whatsapp/sessions", json={"accountId": "bad id!"})
    assert r.status_code == 422
    r = await bot.send("POST", "/whatsapp/sessions", json={"accountId": "x", "channel": "sms"})
    assert r.status_code == 400
    r = await bot.send("POST", f"/whatsapp/sessions/{sid}/disconnect")
    assert r.json()["status"] == "DISCONNECTED" and r.json()["enabled"] is False
    r = await bot.send(
        "POST", f"/whatsapp/sessions/{sid}/simulate", json={"from": ANN, "text": "x"}
    )
    assert r.status_code == 409
    r = await bot.send("POST", f"/whatsapp/sessions/{sid}/connect")
    assert r.json()["status"] == "CONNECTED" and r.json()["enabled"] is True
    for bad in ({"from": ANN}, {"from": "not a number", "text": "x"},
                {"from": ANN, "media": {"base64": "%%%"}}):  # fmt: skip
        r = await bot.send("POST", f"/whatsapp/sessions/{sid}/simulate", json=bad)
        assert r.status_code in (400, 422), (bad, r.text)
    await bot.simulate(ANN, "kept after delete")
    await _replied(bot, 1)
    r = await bot.send("DELETE", f"/whatsapp/sessions/{sid}")
    assert r.status_code == 204
    assert await bot.get("/whatsapp/sessions") == []
    conv = (await bot.get("/conversations"))["items"][0]
    assert conv["sessionId"] is None  # the CRM history stays
    r = await bot.send("POST", f"/conversations/{conv['id']}/messages", json={"text": "hi"})
    assert r.status_code == 409
    actions = {
        e["action"] for e in (await bot.get("/settings/audit-log", action="whatsapp."))["items"]
    }
    assert actions == {"whatsapp.create", "whatsapp.pair", "whatsapp.disconnect",
                       "whatsapp.connect", "whatsapp.delete"}  # fmt: skip


async def test_notifications_list_and_mark_read(bot: Bot) -> None:
    await bot.simulate(ANN, "hi")
    await bot.simulate("+4917600000002", "hi")

    async def two():
        page = await bot.get("/notifications")
        return page if page["total"] == 2 else None

    page = await eventually(two)
    assert {n["type"] for n in page["items"]} == {"new_contact"}
    r = await bot.send("POST", f"/notifications/{page['items'][0]['id']}/read")
    assert r.status_code == 204
    assert (await bot.get("/notifications", unread="true"))["total"] == 1
    r = await bot.send("POST", "/notifications/read-all")
    assert r.status_code == 204
    assert (await bot.get("/notifications", unread="true"))["total"] == 0
    r = await bot.send("POST", "/notifications/c0000000000000000000nothere/read")
    assert r.status_code == 404
