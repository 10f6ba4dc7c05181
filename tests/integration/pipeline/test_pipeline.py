"""The message path end to end through the API and the simulator: persist first, route in the
seed's order, outbox, dispatcher, receipts — nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio

from app.db.tables import Outbox, WorkspaceSettings
from tests.integration.pipeline.conftest import Bot, eventually

ANN = "+4917600000001"


async def test_inbound_gets_an_echo_reply_with_its_whatsapp_id_and_receipts(
    bot_any_db: Bot,
) -> None:
    bot = bot_any_db
    sent = await bot.simulate(ANN, "hello", name="Ann")

    async def replied():
        return bot.sent_texts() == ["hello"]

    await eventually(replied)

    async def read():
        conv = await bot.conversation_of(ANN)
        out = [m for m in conv["messages"] if m["direction"] == "OUTBOUND"]
        return conv if out and out[0]["status"] == "READ" else None

    conv = await eventually(read)
    inbound, reply = conv["messages"]
    assert inbound["waMessageId"] == sent["waMessageId"] and inbound["senderType"] == "CONTACT"
    assert reply["senderType"] == "BOT" and reply["content"] == "hello"
    assert reply["waMessageId"] == bot.phone.sent[0].wa_message_id
    assert reply["deliveredAt"] and reply["readAt"]
    assert conv["unreadCount"] == 1 and conv["contact"]["name"] == "Ann"
    assert conv["contact"]["phoneNumber"] == ANN


async def test_the_same_message_twice_is_one_row_and_one_reply(bot_any_db: Bot) -> None:
    bot = bot_any_db
    first = await bot.simulate(ANN, "once", waMessageId="WAMID-1")
    second = await bot.simulate(ANN, "once", waMessageId="WAMID-1")
    assert first == second == {"waMessageId": "WAMID-1"}

    async def replied():
        return bot.sent_texts()

    await eventually(replied)
    await asyncio.sleep(0.3)  # room for a (wrong) second reply
    conv = await bot.conversation_of(ANN)
    assert [m["direction"] for m in conv["messages"]] == ["INBOUND", "OUTBOUND"]
    assert bot.sent_texts() == ["once"]
    assert conv["unreadCount"] == 1


async def test_blocked_and_taken_over_contacts_get_no_bot_reply(bot: Bot) -> None:
    await bot.simulate(ANN, "first")
    await eventually(lambda: _count(bot, 1))
    contact_id = (await bot.conversation_of(ANN))["contactId"]
    for action, undo in (("block", "unblock"), ("takeover", "release")):
        r = await bot.send("POST", f"/contacts/{contact_id}/{action}")
        assert r.status_code == 201, r.text
        await bot.simulate(ANN, f"during {action}")
        await asyncio.sleep(0.3)
        assert len(bot.sent_texts()) == 1, action
        await bot.send("POST", f"/contacts/{contact_id}/{undo}")
    await bot.simulate(ANN, "back")
    await eventually(lambda: _count(bot, 2))
    assert bot.sent_texts() == ["first", "back"]
    conv = await bot.conversation_of(ANN)
    assert sum(m["direction"] == "INBOUND" for m in conv["messages"]) == 4  # all stored


async def test_approval_mode_drafts_that_approve_sends_and_reject_discards(bot_any_db: Bot) -> None:
    bot = bot_any_db
    await bot.simulate(ANN, "hi")
    await eventually(lambda: _count(bot, 1))
    contact_id = (await bot.conversation_of(ANN))["contactId"]
    r = await bot.send("PATCH", f"/contacts/{contact_id}", json={"approvalMode": True})
    assert r.status_code == 200 and r.json()["approvalMode"] is True

    async def draft():
        conv = await bot.conversation_of(ANN)
        drafts = [m for m in conv["messages"] if m["status"] == "PENDING_APPROVAL"]
        return (conv, drafts[0]) if drafts else None

    await bot.simulate(ANN, "price?")
    conv, pending = await eventually(draft)
    assert conv["status"] == "PENDING_APPROVAL" and pending["content"] == "price?"
    assert len(bot.sent_texts()) == 1  # nothing sent while pending
    notes = await bot.get("/notifications")
    assert "approval_needed" in {n["type"] for n in notes["items"]}

    base = f"/conversations/{conv['id']}/messages/{pending['id']}/approve"
    r = await bot.send("POST", base, json={"text": "It costs 5 €."})
    assert r.status_code == 201 and r.json()["status"] == "QUEUED"
    await eventually(lambda: _count(bot, 2))
    assert bot.sent_texts()[-1] == "It costs 5 €."
    r = await bot.send("POST", base)
    assert r.status_code == 409  # approved once only

    await bot.simulate(ANN, "discount?")
    conv, pending = await eventually(draft)
    r = await bot.send("DELETE", f"/conversations/{conv['id']}/messages/{pending['id']}/approve")
    assert r.status_code == 204
    await asyncio.sleep(0.3)
    assert len(bot.sent_texts()) == 2
    conv = await bot.conversation_of(ANN)
    rejected = next(m for m in conv["messages"] if m["id"] == pending["id"])
    assert rejected["status"] == "REJECTED" and rejected["isApproved"] is False
    assert conv["status"] == "OPEN"
    log = await bot.get("/settings/audit-log", action="message.")
    assert {e["action"] for e in log["items"]} == {"message.approve", "message.reject"}


async def test_replies_within_a_chat_go_out_in_order(bot: Bot) -> None:
    texts = [f"m{i:02d}" for i in range(25)]
    await asyncio.gather(*(bot.simulate(ANN, t) for t in texts[:1]))
    for t in texts[1:]:
        await bot.simulate(ANN, t)
    await eventually(lambda: _count(bot, len(texts)))
    assert bot.sent_texts() == texts


async def test_two_chats_are_served_concurrently_and_each_in_order(bot: Bot) -> None:
    for i in range(10):
        await bot.simulate(ANN, f"a{i}")
        await bot.simulate("+4917600000002", f"b{i}")
    await eventually(lambda: _count(bot, 20))
    assert bot.sent_texts(ANN) == [f"a{i}" for i in range(10)]
    assert bot.sent_texts("+4917600000002") == [f"b{i}" for i in range(10)]


async def test_welcome_message_for_a_first_contact_only(bot: Bot) -> None:
    await WorkspaceSettings.update({WorkspaceSettings.welcome_message: "Welcome!"}).where(
        WorkspaceSettings.workspace_id == bot.owner.workspace_id
    )
    await bot.simulate(ANN, "hi")
    await eventually(lambda: _count(bot, 2))
    await bot.simulate(ANN, "again")
    await eventually(lambda: _count(bot, 3))
    assert bot.sent_texts() == ["Welcome!", "hi", "again"]
    notes = await bot.get("/notifications")
    assert [n["type"] for n in notes["items"]].count("new_contact") == 1


async def test_human_reply_goes_out_and_pauses_the_bot(bot: Bot) -> None:
    await bot.simulate(ANN, "hi")
    await eventually(lambda: _count(bot, 1))
    conv = await bot.conversation_of(ANN)
    r = await bot.send("POST", f"/conversations/{conv['id']}/messages", json={"text": "Agent here"})
    assert r.status_code == 201 and r.json()["senderType"] == "HUMAN"
    assert r.json()["senderUserId"] == bot.owner.user_id
    await eventually(lambda: _count(bot, 2))
    contact = await bot.get(f"/contacts/{conv['contactId']}")
    assert contact["humanTakeover"] is True
    await bot.simulate(ANN, "thanks")
    await asyncio.sleep(0.3)
    assert bot.sent_texts() == ["hi", "Agent here"]
    rows = await Outbox.select(Outbox.status).where(Outbox.conversation_id == conv["id"])
    assert [r["status"] for r in rows] == ["SENT", "SENT"]


async def test_media_is_stored_in_the_data_dir(bot: Bot) -> None:
    import base64

    png = base64.b64encode(b"\x89PNG fake image").decode()
    await bot.simulate(ANN, "look", media={"type": "IMAGE", "mimeType": "image/png", "base64": png})

    async def stored():
        conv = await bot.conversation_of(ANN)
        return conv["messages"][0]["mediaUrl"] and conv

    conv = await eventually(stored)
    first = conv["messages"][0]
    assert first["mediaType"] == "IMAGE" and first["mediaCaption"] == "look"
    path = bot.api.container.settings.data_dir / first["mediaUrl"]
    assert path.read_bytes() == b"\x89PNG fake image"
    r = await bot.send("DELETE", f"/contacts/{conv['contactId']}")
    assert r.status_code == 204
    assert not path.exists()  # GDPR: the media went with the contact
    assert (await bot.get("/conversations"))["total"] == 0


async def _count(bot: Bot, n: int) -> bool:
    return len(bot.sent_texts()) >= n
