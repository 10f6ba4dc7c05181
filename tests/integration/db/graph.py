"""Build one workspace with a row in every table, through piccolo, for constraint tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.db.tables import (
    AnalyticsHourly,
    ApiKey,
    AuditLog,
    Broadcast,
    BroadcastRecipient,
    CannedReply,
    Contact,
    ContactCustomField,
    ContactLabel,
    Conversation,
    ConversationNote,
    CsatRating,
    Flow,
    FlowNodeStats,
    FlowRun,
    FlowRunEvent,
    FlowStats,
    FlowVersion,
    KBChunk,
    KBDocument,
    KBFaq,
    KnowledgeBase,
    Label,
    Message,
    Notification,
    Outbox,
    PasswordReset,
    SendBudget,
    SessionCredentials,
    SessionLease,
    User,
    UserSession,
    Webhook,
    WebhookDelivery,
    WhatsappSession,
    Workspace,
    WorkspaceInvite,
    WorkspaceSettings,
    WorkspaceUser,
)
from app.domain import (
    BroadcastTarget,
    Direction,
    FlowTrigger,
    KBDocType,
    Role,
    SenderType,
    new_id,
    utcnow,
)


@dataclass
class Graph:
    workspace: Workspace
    user: User
    session: WhatsappSession
    contact: Contact
    label: Label
    conversation: Conversation
    message: Message


async def build(slug: str = "acme") -> Graph:
    """A workspace whose children cover every table (user-owned rows included)."""
    later = utcnow() + timedelta(days=1)
    ws = Workspace(name=slug.title(), slug=slug)
    user = User(email=f"owner@{slug}.test", password_hash="x", name="Owner")
    await ws.save()
    await user.save()
    await WorkspaceUser(workspace_id=ws.id, user_id=user.id, role=Role.OWNER).save()
    await UserSession(
        user_id=user.id, refresh_token=new_id(), family_id=new_id(), expires_at=later
    ).save()
    await PasswordReset(user_id=user.id, token_hash=new_id(), expires_at=later).save()
    await WorkspaceInvite(
        workspace_id=ws.id,
        email="a@b.c",
        token_hash=new_id(),
        invited_by_user_id=user.id,
        expires_at=later,
    ).save()
    await ApiKey(
        workspace_id=ws.id,
        name="k",
        key_hash=new_id(),
        key_preview="aimy_abc",
        created_by_user_id=user.id,
    ).save()
    session = WhatsappSession(workspace_id=ws.id, account_id="default", channel="simulator")
    await session.save()
    await SendBudget(workspace_id=ws.id, session_id=session.id).save()
    await SessionLease(id=session.id, session_id=session.id).save()
    await SessionCredentials(
        id=session.id, session_id=session.id, workspace_id=ws.id, blob="c2VhbGVk",
        sealed_at=datetime.now(UTC),
    ).save()  # fmt: skip
    contact = Contact(
        workspace_id=ws.id, session_id=session.id, jid="1@s.whatsapp.net", phone_number="+1"
    )
    label = Label(workspace_id=ws.id, name="vip", color="#f00")
    await contact.save()
    await label.save()
    await ContactLabel(contact_id=contact.id, label_id=label.id).save()
    await ContactCustomField(contact_id=contact.id, key="city", value="Pune").save()
    flow = Flow(workspace_id=ws.id, name="f", trigger_type=FlowTrigger.KEYWORD)
    await flow.save()
    await FlowStats(flow_id=flow.id).save()
    version = FlowVersion(flow_id=flow.id, version=1)
    await version.save()
    await FlowNodeStats(flow_id=flow.id, node_id="trigger", visits=1).save()
    conv = Conversation(
        workspace_id=ws.id, session_id=session.id, contact_id=contact.id, assigned_user_id=user.id
    )
    await conv.save()
    msg = Message(
        workspace_id=ws.id,
        conversation_id=conv.id,
        session_id=session.id,
        wa_message_id="WA1",
        direction=Direction.INBOUND,
        sender_type=SenderType.CONTACT,
        content="hi",
        flow_id=flow.id,
    )
    await msg.save()
    run = FlowRun(
        workspace_id=ws.id,
        flow_id=flow.id,
        version_id=version.id,
        version=1,
        contact_id=contact.id,
        conversation_id=conv.id,
        active_contact_id=contact.id,
    )
    await run.save()
    await FlowRunEvent(run_id=run.id, at=utcnow(), node_id="trigger", event="entered").save()
    await Outbox(
        workspace_id=ws.id,
        session_id=session.id,
        conversation_id=conv.id,
        message_id=msg.id,
        jid=contact.jid,
        payload={"text": "hello"},
    ).save()
    kb = KnowledgeBase(workspace_id=ws.id, name="kb")
    await kb.save()
    doc = KBDocument(knowledge_base_id=kb.id, name="d", type=KBDocType.TXT)
    await doc.save()
    await KBChunk(document_id=doc.id, content="c", qdrant_id=new_id(), chunk_index=0).save()
    await KBFaq(knowledge_base_id=kb.id, question="q", answer="a").save()
    bc = Broadcast(workspace_id=ws.id, name="b", message="m", target_type=BroadcastTarget.ALL)
    await bc.save()
    await BroadcastRecipient(broadcast_id=bc.id, contact_id=contact.id).save()
    await WorkspaceSettings(workspace_id=ws.id).save()
    hook = Webhook(workspace_id=ws.id, name="w", url="http://x", events=["message.inbound"])
    await hook.save()
    await WebhookDelivery(
        webhook_id=hook.id, workspace_id=ws.id, event_id=new_id(), event_type="t", body="{}", seq=1
    ).save()
    await AuditLog(workspace_id=ws.id, user_id=user.id, action="contact.block").save()
    await Notification(workspace_id=ws.id, type="new_contact").save()
    await AnalyticsHourly(
        workspace_id=ws.id, session_id=session.id, hour=conv.created_at, metric="messages"
    ).save()
    await CannedReply(
        workspace_id=ws.id, shortcut="hi", title="Hi", text="Hi", created_by=user.id
    ).save()
    note = ConversationNote(workspace_id=ws.id, conversation_id=conv.id, author_user_id=user.id)
    await note.save()
    await CsatRating(
        workspace_id=ws.id, conversation_id=conv.id, contact_id=contact.id, session_id=session.id
    ).save()
    return Graph(ws, user, session, contact, label, conv, msg)
