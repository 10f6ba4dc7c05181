"""Contact resolver and persist-first on both engines: LID ↔ phone identities merge into one
contact, a redelivery is a no-op, a resolved conversation is not reused — whether the message
is stored in a transaction or, with nothing else to commit (`alone`), by one statement where
Postgres can (a known contact, their open conversation)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from piccolo.engine.base import Engine

from app.db.repos.inbound import persist_inbound, phone_of
from app.db.tables import Contact, Conversation, Message, WhatsappSession, Workspace
from app.domain import ConversationStatus, MessageKind, NormalizedMessage

PHONE = "4917600000001@s.whatsapp.net"
LID = "123456789012345@lid"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=[False, True], ids=["in-transaction", "alone"])
def alone(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


async def _session() -> tuple[str, str]:
    ws = Workspace(name="W", slug="w")
    await Workspace.insert(ws)
    session = WhatsappSession(workspace_id=ws.id, account_id="a", channel="simulator")
    await WhatsappSession.insert(session)
    return ws.id, session.id


def _msg(
    wa_id: str,
    jid: str,
    *,
    phone: str | None = None,
    lid: str | None = None,
    name: str | None = None,
    kind: MessageKind = MessageKind.TEXT,
) -> NormalizedMessage:
    return NormalizedMessage(
        wa_message_id=wa_id,
        jid=jid,
        chat_jid=jid,
        timestamp=NOW,
        kind=kind,
        text="hi",
        sender_phone_jid=phone,
        sender_lid=lid,
        push_name=name,
    )


async def test_lid_contact_merges_into_the_phone_identity(db: Engine, alone: bool) -> None:
    ws, session = await _session()
    first = await persist_inbound(
        ws, session, _msg("A", LID, lid=LID, name="Ann"), NOW, alone=alone
    )
    assert first is not None and first.new_contact and first.contact.jid == LID
    assert first.contact.phone_number == ""
    second = await persist_inbound(ws, session, _msg("B", PHONE, phone=PHONE), NOW, alone=alone)
    assert second is not None and second.new_contact  # a phone we had not seen: new contact
    third = await persist_inbound(
        ws, session, _msg("C", PHONE, phone=PHONE, lid=LID), NOW, alone=alone
    )
    assert third is not None and not third.new_contact
    contacts = await Contact.select().where(Contact.workspace_id == ws)
    assert len(contacts) == 1
    (only,) = contacts
    assert (only["jid"], only["lid"], only["phone_number"]) == (PHONE, LID, "+4917600000001")
    assert only["name"] == "Ann"
    convs = await Conversation.select().where(Conversation.workspace_id == ws)
    assert {c["contact_id"] for c in convs} == {only["id"]}
    assert await Message.count().where(Message.workspace_id == ws) == 3


async def test_lid_only_contact_learns_its_phone(db: Engine, alone: bool) -> None:
    ws, session = await _session()
    await persist_inbound(ws, session, _msg("A", LID, lid=LID), NOW, alone=alone)
    later = await persist_inbound(
        ws, session, _msg("B", LID, phone=PHONE, lid=LID), NOW, alone=alone
    )
    assert later is not None and not later.new_contact
    assert (later.contact.jid, later.contact.phone_number) == (PHONE, "+4917600000001")


async def test_redelivery_is_a_noop_and_resolved_conversations_are_not_reused(
    db: Engine, alone: bool
) -> None:
    ws, session = await _session()
    first = await persist_inbound(ws, session, _msg("A", PHONE, phone=PHONE), NOW, alone=alone)
    assert (
        await persist_inbound(ws, session, _msg("A", PHONE, phone=PHONE), NOW, alone=alone) is None
    )
    assert first is not None
    await Conversation.update({Conversation.status: ConversationStatus.RESOLVED}).where(
        Conversation.id == first.conversation.id
    )
    again = await persist_inbound(ws, session, _msg("B", PHONE, phone=PHONE), NOW, alone=alone)
    assert again is not None and again.conversation.id != first.conversation.id
    assert again.conversation.unread_count == 1


async def test_reactions_are_stored_but_not_routed(db: Engine, alone: bool) -> None:
    ws, session = await _session()
    msg = _msg("R", PHONE, phone=PHONE, kind=MessageKind.REACTION)
    stored = await persist_inbound(ws, session, msg, NOW, alone=alone)
    assert stored is not None and not stored.needs_routing


def test_phone_of() -> None:
    assert phone_of("4917600000001@s.whatsapp.net") == "+4917600000001"
    assert phone_of("4917600000001:12@s.whatsapp.net") == "+4917600000001"
    assert phone_of(LID) == "" and phone_of(None) == ""


async def test_a_known_contact_learns_from_each_message_and_keeps_what_was_typed(
    db: Engine, alone: bool
) -> None:
    """A known contact's message updates their row — name, LID, last message — the same way
    stored in a transaction or by the one statement that reads the contact too (`alone`):
    the phone number someone wrote by hand stays as written while the JID is the same."""
    ws, session = await _session()
    first = await persist_inbound(ws, session, _msg("A", PHONE, phone=PHONE), NOW, alone=alone)
    assert first is not None
    await Contact.update({Contact.phone_number: "+49 176 00000001"}).where(
        Contact.id == first.contact.id
    )
    later = datetime(2026, 1, 2, tzinfo=UTC)
    msg = _msg("B", PHONE, phone=PHONE, lid=LID, name="Ann")
    second = await persist_inbound(ws, session, msg, later, alone=alone)
    assert second is not None and not second.new_contact
    assert second.conversation.id == first.conversation.id
    assert second.conversation.unread_count == 2
    (row,) = await Contact.select().where(Contact.workspace_id == ws)
    seen = (row["jid"], row["lid"], row["name"], row["phone_number"], row["last_message_at"])
    assert seen == (PHONE, LID, "Ann", "+49 176 00000001", later)
    told = second.contact
    assert (told.lid, told.name, told.phone_number) == (LID, "Ann", "+49 176 00000001")
    assert await Message.count().where(Message.conversation_id == first.conversation.id) == 2


async def test_a_sender_known_by_neither_phone_nor_lid_is_found_by_their_jid(
    db: Engine, alone: bool
) -> None:
    """A JID that is neither a phone JID nor a LID (an old `@c.us` one) names the contact by
    itself: the second message finds the contact the first created."""
    ws, session = await _session()
    odd = "4917600000001@c.us"
    first = await persist_inbound(ws, session, _msg("A", odd), NOW, alone=alone)
    second = await persist_inbound(ws, session, _msg("B", odd), NOW, alone=alone)
    assert first is not None and second is not None
    assert first.new_contact and not second.new_contact
    assert second.contact.id == first.contact.id
    assert await Contact.count().where(Contact.workspace_id == ws) == 1
