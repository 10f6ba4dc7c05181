"""Issue 17 item 4 over the API: canned replies (CRUD, 409 on a taken shortcut, rendering for
a conversation, permissions, workspace isolation) and private notes (listed in the thread,
never a message: not sent, not unread, not a preview, not the AI's history)."""

from __future__ import annotations

import asyncio

from app.db.repos import ai as ai_repo
from app.db.tables import Outbox
from app.domain import Actor, Role
from tests.integration.api.conftest import Api
from tests.integration.bots import Bot, eventually

ANN = "+4917600000001"
GREETING = "Hi {{contact.name}} ({{contact.fields.city}}), {{agent.name}} from {{workspace.name}}"


async def _conversation(bot: Bot) -> str:
    await bot.simulate(ANN, "hello there", name="Ann Lee")

    async def replied() -> bool:
        return len(bot.sent_texts()) >= 1

    await eventually(replied)
    return (await bot.conversation_of(ANN))["id"]


async def test_canned_reply_crud_render_and_failures(bot: Bot) -> None:
    conv = await _conversation(bot)
    contact_id = (await bot.conversation_of(ANN))["contactId"]
    r = await bot.send("PATCH", f"/contacts/{contact_id}", json={"customFields": {"city": "Oslo"}})
    assert r.status_code == 200, r.text
    body = {"shortcut": "/Hello", "title": "Greeting", "text": GREETING}
    r = await bot.send("POST", "/canned-replies", json=body)
    assert r.status_code == 201, r.text
    reply = r.json()
    assert reply["shortcut"] == "hello" and reply["createdBy"] == bot.owner.user_id
    # the shortcut is unique per workspace: 409 problem JSON, whatever its case or slash
    r = await bot.send("POST", "/canned-replies", json={**body, "shortcut": "HELLO"})
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem")
    for bad in (
        {**body, "shortcut": "two words"},
        {**body, "text": "Hi {{contact.nmae}}"},
        {**body, "title": "   "},
        {"shortcut": "x", "title": "no text"},
        {**body, "colour": "red"},
    ):
        r = await bot.send("POST", "/canned-replies", json=bad)
        assert 400 <= r.status_code < 500 and r.status_code != 409, (bad, r.text)
    r = await bot.send(
        "GET", f"/canned-replies/{reply['id']}/render", params={"conversationId": conv}
    )
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "Hi Ann Lee (Oslo), Owner from Acme" and r.json()["missing"] == []
    r = await bot.send("POST", "/canned-replies", json={**body, "shortcut": "bye", "text": "Bye"})
    bye = r.json()["id"]
    r = await bot.send("PATCH", f"/canned-replies/{bye}", json={"shortcut": "hello"})
    assert r.status_code == 409
    r = await bot.send("PATCH", f"/canned-replies/{bye}", json={"title": "Farewell"})
    assert r.status_code == 200 and r.json()["title"] == "Farewell" and r.json()["text"] == "Bye"
    listed = await bot.get("/canned-replies")
    assert [x["shortcut"] for x in listed] == ["bye", "hello"]
    assert [x["shortcut"] for x in await bot.get("/canned-replies", search="farew")] == ["bye"]
    assert (await bot.send("DELETE", f"/canned-replies/{bye}")).status_code == 204
    assert (await bot.send("GET", f"/canned-replies/{bye}")).status_code == 404
    r = await bot.send(
        "GET", f"/canned-replies/{reply['id']}/render", params={"conversationId": "nope"}
    )
    assert r.status_code == 404


async def test_canned_reply_permissions_and_isolation(bot: Bot) -> None:
    conv = await _conversation(bot)
    api, owner = bot.api, bot.owner
    r = await bot.send(
        "POST", "/canned-replies", json={"shortcut": "hi", "title": "Hi", "text": "Hi"}
    )
    reply_id = r.json()["id"]
    agent = await api.member(owner, Role.AGENT)
    viewer = await api.member(owner, Role.VIEWER)
    admin = await api.member(owner, Role.ADMIN)
    c = api.client
    # agents read and render (they insert them), but do not manage them
    assert (await c.get("/api/v1/canned-replies", headers=agent.headers())).status_code == 200
    url = f"/api/v1/canned-replies/{reply_id}/render?conversationId={conv}"
    assert (await c.get(url, headers=agent.headers())).json()["text"] == "Hi"
    new = {"shortcut": "x", "title": "x", "text": "x"}
    assert (
        await c.post("/api/v1/canned-replies", json=new, headers=agent.headers())
    ).status_code == 403
    assert (await c.get("/api/v1/canned-replies", headers=viewer.headers())).status_code == 403
    r = await c.post("/api/v1/canned-replies", json=new, headers=admin.headers())
    assert r.status_code == 201
    # another workspace sees none of it and cannot touch it
    other = await api.register("Other", "Elsewhere")
    assert (await c.get("/api/v1/canned-replies", headers=other.headers())).json() == []
    r = await c.patch(
        f"/api/v1/canned-replies/{reply_id}", json={"title": "mine"}, headers=other.headers()
    )
    assert r.status_code == 404
    assert (
        await c.delete(f"/api/v1/canned-replies/{reply_id}", headers=other.headers())
    ).status_code == 404
    # the same shortcut is free in another workspace
    r = await c.post(
        "/api/v1/canned-replies", json={**new, "shortcut": "hi"}, headers=other.headers()
    )
    assert r.status_code == 201


async def test_a_note_is_in_the_thread_and_never_a_message(bot: Bot) -> None:
    conv = await _conversation(bot)
    before = await bot.get(f"/conversations/{conv}")
    sent_before = len(bot.phone.sent)
    r = await bot.send("POST", f"/conversations/{conv}/notes", json={"text": "VIP: call back"})
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["authorUserId"] == bot.owner.user_id and note["authorName"] == "Owner"
    assert (
        await bot.send("POST", f"/conversations/{conv}/notes", json={"text": ""})
    ).status_code == 400
    assert (
        await bot.send("POST", f"/conversations/{conv}/notes", json={"text": "  "})
    ).status_code == 422
    assert (
        await bot.send("POST", "/conversations/nope/notes", json={"text": "x"})
    ).status_code == 404
    detail = await bot.get(f"/conversations/{conv}")
    assert [n["text"] for n in detail["notes"]] == ["VIP: call back"]
    assert [n["id"] for n in await bot.get(f"/conversations/{conv}/notes")] == [note["id"]]
    # not a message: same count, unread, preview; nothing queued or sent
    assert detail["messagesTotal"] == before["messagesTotal"]
    assert detail["unreadCount"] == before["unreadCount"]
    assert detail["lastMessageAt"] == before["lastMessageAt"]
    outbox = await bot.db(
        lambda: Outbox.select(Outbox.payload).where(Outbox.conversation_id == conv)
    )
    assert all("VIP" not in str(row["payload"]) for row in outbox)
    assert len(bot.phone.sent) == sent_before
    owner = Actor(bot.owner.user_id).in_workspace(bot.owner.workspace_id, Role.OWNER)
    queries = bot.api.container.services.conversation_queries
    previews = await bot.db(lambda: queries.previews(owner, [conv]))
    assert previews[conv] and "VIP" not in previews[conv]  # the inbox's last-message preview
    # the AI's history of the conversation holds the customer's words, not the note
    history = await bot.db(lambda: ai_repo.history(conv, "zzzzzzzzzzzzzzzzzzzzzzzzz", 50))
    assert history and all("VIP" not in m.content for m in history)
    # a viewer reads notes but may not write one; another workspace sees nothing
    viewer = await bot.api.member(bot.owner, Role.VIEWER)
    c = bot.api.client
    r = await c.get(f"/api/v1/conversations/{conv}/notes", headers=viewer.headers())
    assert r.status_code == 200 and len(r.json()) == 1
    r = await c.post(
        f"/api/v1/conversations/{conv}/notes", json={"text": "x"}, headers=viewer.headers()
    )
    assert r.status_code == 403
    other = await bot.api.register("Other", "Elsewhere")
    r = await c.get(f"/api/v1/conversations/{conv}/notes", headers=other.headers())
    assert r.status_code == 404


async def test_a_shortcut_claimed_by_many_at_once_goes_to_one(api_any_db: Api) -> None:
    api = api_any_db
    owner = await api.register()
    body = {"shortcut": "promo", "title": "Promo", "text": "10% off for {{contact.name}}"}

    async def create() -> int:
        r = await api.client.post("/api/v1/canned-replies", json=body, headers=owner.headers())
        return r.status_code

    codes = await asyncio.gather(*(create() for _ in range(8)))
    assert sorted(codes) == [201] + [409] * 7
    r = await api.client.get("/api/v1/canned-replies", headers=owner.headers())
    assert [x["shortcut"] for x in r.json()] == ["promo"]


async def test_a_note_is_edited_by_its_author_and_deleted_by_its_author_or_an_admin(
    bot: Bot,
) -> None:
    conv = await _conversation(bot)
    api, c = bot.api, bot.api.client
    agent = await api.member(bot.owner, Role.AGENT, "Agnes")
    admin = await api.member(bot.owner, Role.ADMIN, "Adam")
    viewer = await api.member(bot.owner, Role.VIEWER)
    notes = f"/api/v1/conversations/{conv}/notes"
    r = await c.post(notes, json={"text": "call bak"}, headers=agent.headers())
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["editedAt"] is None
    with api.container.events.subscribe(bot.owner.workspace_id) as sub:
        r = await c.patch(
            f"{notes}/{mine['id']}", json={"text": "call back"}, headers=agent.headers()
        )
        told = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "call back" and r.json()["editedAt"] is not None
    assert [e.data["note"]["text"] for e in told if e.name == "note:updated"] == ["call back"]
    # only the author edits: the owner and an admin may not put words in a colleague's mouth
    for who in (bot.owner, admin):
        r = await c.patch(f"{notes}/{mine['id']}", json={"text": "x"}, headers=who.headers())
        assert r.status_code == 403, r.text
    r = await c.patch(f"{notes}/{mine['id']}", json={"text": " "}, headers=agent.headers())
    assert r.status_code in (400, 422)
    # a viewer may do neither; another workspace and another thread see no such note
    assert (await c.delete(f"{notes}/{mine['id']}", headers=viewer.headers())).status_code == 403
    other = await api.register("Other", "Elsewhere")
    assert (await c.delete(f"{notes}/{mine['id']}", headers=other.headers())).status_code == 404
    wrong = f"/api/v1/conversations/c0000000000000000000nothere/notes/{mine['id']}"
    assert (await c.delete(wrong, headers=agent.headers())).status_code == 404
    # another agent's note: an agent may not delete it, an admin may
    r = await c.post(notes, json={"text": "wrong thread"}, headers=bot.owner.headers())
    theirs = r.json()
    assert (await c.delete(f"{notes}/{theirs['id']}", headers=agent.headers())).status_code == 403
    with api.container.events.subscribe(bot.owner.workspace_id) as sub:
        r = await c.delete(f"{notes}/{theirs['id']}", headers=admin.headers())
        told = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    assert r.status_code == 204, r.text
    assert [e.data for e in told if e.name == "note:deleted"] == [
        {"noteId": theirs["id"], "conversationId": conv}
    ]
    assert (await c.delete(f"{notes}/{mine['id']}", headers=agent.headers())).status_code == 204
    assert await bot.get(f"/conversations/{conv}/notes") == []
