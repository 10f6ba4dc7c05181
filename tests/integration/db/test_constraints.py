"""Unique constraints reject duplicates; deletes cascade (or set NULL) as designed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from piccolo.engine.base import Engine

from app.db import is_unique_violation
from app.db.tables import (
    ALL_TABLES,
    AnalyticsWatermark,
    CannedReply,
    Contact,
    ContactCustomField,
    ContactLabel,
    Conversation,
    ConversationNote,
    CsatRating,
    EventSpill,
    FlowRun,
    FlowStats,
    FlowVersion,
    JobRun,
    Label,
    Message,
    Node,
    Outbox,
    PasswordReset,
    RateLimitCounter,
    User,
    UserSession,
    WhatsappSession,
    Workspace,
    WorkspaceSettings,
    WorkspaceUser,
)
from app.domain import Direction, SenderType
from tests.integration.db.graph import Graph, build


async def _rejected(save: Callable[[], Awaitable[object]]) -> None:
    with pytest.raises(Exception) as caught:
        await save()
    assert is_unique_violation(caught.value), repr(caught.value)


def _message(g: Graph, wa_id: str | None, session_id: str | None = None) -> Message:
    return Message(
        workspace_id=g.workspace.id,
        conversation_id=g.conversation.id,
        session_id=session_id or g.session.id,
        wa_message_id=wa_id,
        direction=Direction.INBOUND,
        sender_type=SenderType.CONTACT,
    )


async def test_unique_constraints_reject_duplicates(db: Engine) -> None:
    g = await build()
    ws, user = g.workspace, g.user
    await _rejected(Workspace(name="Other", slug="acme").save)
    await _rejected(User(email=user.email, password_hash="y", name="Twin").save)
    await _rejected(WorkspaceUser(workspace_id=ws.id, user_id=user.id).save)
    await _rejected(WhatsappSession(workspace_id=ws.id, account_id="default").save)
    await _rejected(Contact(workspace_id=ws.id, jid=g.contact.jid, phone_number="+2").save)
    await _rejected(Label(workspace_id=ws.id, name="vip", color="#000").save)
    await _rejected(ContactLabel(contact_id=g.contact.id, label_id=g.label.id).save)
    await _rejected(ContactCustomField(contact_id=g.contact.id, key="city", value="x").save)
    await _rejected(WorkspaceSettings(workspace_id=ws.id).save)
    flow_id = (await FlowStats.select(FlowStats.flow_id).first())["flow_id"]
    await _rejected(FlowStats(flow_id=flow_id).save)
    await _rejected(FlowVersion(flow_id=flow_id, version=1).save)
    run = await FlowRun.select().first()  # one active run per contact, whatever the flow
    await _rejected(
        FlowRun(
            workspace_id=ws.id,
            flow_id=flow_id,
            version=1,
            contact_id=g.contact.id,
            conversation_id=g.conversation.id,
            active_contact_id=run["active_contact_id"],
        ).save
    )
    await _rejected(_message(g, "WA1").save)


async def test_wa_message_id_is_unique_per_workspace_and_session_only(db: Engine) -> None:
    g = await build()
    other_session = WhatsappSession(workspace_id=g.workspace.id, account_id="sales")
    await other_session.save()
    await _message(g, "WA1", session_id=other_session.id).save()  # same id, other number
    await _message(g, None).save()  # unsent replies have no id yet: never collide
    await _message(g, None).save()
    await build("globex")  # its own message "WA1": same id, other workspace
    assert await Message.count().where(Message.wa_message_id == "WA1") == 3


async def test_deleting_a_workspace_deletes_everything_it_owns(db: Engine) -> None:
    g = await build(credentials=True)
    await build("globex", credentials=True)  # an identical second workspace left alone
    before = {table: await table.count() for table in ALL_TABLES}
    await Workspace.delete().where(Workspace.id == g.workspace.id)
    for table in ALL_TABLES:
        after = await table.count()
        # owned by users, not workspaces; the analytics watermark, the rate-limit counters and
        # the cluster's nodes, job runs and spilled events are the install's
        install = (AnalyticsWatermark, RateLimitCounter, Node, JobRun, EventSpill)
        if table in (User, UserSession, PasswordReset, *install):
            assert after == before[table], table._meta.tablename
        else:
            assert after * 2 == before[table] > 0, table._meta.tablename


async def test_unlinking_a_number_keeps_history_but_drops_its_outbox(db: Engine) -> None:
    g = await build()
    await WhatsappSession.delete().where(WhatsappSession.id == g.session.id)
    contact = await Contact.objects().get(Contact.id == g.contact.id)
    assert contact is not None and contact.session_id is None
    conv = await Conversation.objects().get(Conversation.id == g.conversation.id)
    assert conv is not None and conv.session_id is None
    assert await Message.count() == 1
    assert await Outbox.count() == 0


async def test_deleting_a_contact_deletes_its_history(db: Engine) -> None:
    g = await build()
    await Contact.delete().where(Contact.id == g.contact.id)
    for table in (
        Conversation,
        Message,
        Outbox,
        ContactLabel,
        ContactCustomField,
        ConversationNote,
        CsatRating,
    ):
        assert await table.count() == 0, table._meta.tablename
    assert await Label.count() == 1
    assert await CannedReply.count() == 1  # the workspace's, not the contact's


async def test_deleting_a_user_keeps_workspace_data(db: Engine) -> None:
    g = await build()
    await User.delete().where(User.id == g.user.id)
    assert await WorkspaceUser.count() == 0
    conv = await Conversation.objects().get(Conversation.id == g.conversation.id)
    assert conv is not None and conv.assigned_user_id is None
    assert await Workspace.count() == 1


async def test_redelivered_message_is_a_no_op_with_on_conflict(db: Engine) -> None:
    """The pipeline's idiom (DESIGN §4): insert-or-ignore keyed on the unique WhatsApp id;
    an empty result means "seen before", on both engines."""
    g = await build()
    key = (Message.workspace_id, Message.session_id, Message.wa_message_id)
    first = await Message.insert(_message(g, "WA2")).on_conflict(target=key, action="DO NOTHING")
    again = await Message.insert(_message(g, "WA2")).on_conflict(target=key, action="DO NOTHING")
    assert len(first) == 1 and again == []
    assert await Message.count().where(Message.wa_message_id == "WA2") == 1
