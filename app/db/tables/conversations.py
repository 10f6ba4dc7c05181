"""Conversations, messages and the outbox (seed §5 "Conversations & messages", DESIGN §4)."""

from __future__ import annotations

from piccolo.columns import Boolean, DoublePrecision, Integer, Text, Timestamptz, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_list,
    json_object,
    optional_timestamp,
    optionally_owned_by,
    owned_by,
    primary_key,
    refers_to,
    required_timestamp,
    updated_at,
)
from app.db.tables.auth import User, Workspace
from app.db.tables.contacts import Contact
from app.db.tables.flows import Flow
from app.db.tables.whatsapp import WhatsappSession
from app.domain.enums import (
    ConversationStatus,
    Direction,
    MediaType,
    MessageStatus,
    OutboxStatus,
    SenderType,
    Sentiment,
)


class Conversation(Table, tablename="conversations"):
    """A thread with one contact; `session_id` is SET NULL when the number is unlinked."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    session_id = refers_to(WhatsappSession)
    contact_id = owned_by(Contact, index=True)
    status = Varchar(length=20, choices=ConversationStatus, default=ConversationStatus.OPEN)
    assigned_user_id = refers_to(User)
    resolved_at = optional_timestamp()
    last_message_at = optional_timestamp()
    unread_count = Integer(default=0)
    sentiment = Varchar(length=16, choices=Sentiment, null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    # m0004: when it last became WAITING_HUMAN, and when `human_reply_needed` last fired
    waiting_since = optional_timestamp()
    human_nudged_at = optional_timestamp()
    # m0007: when the waiting customer was told a person will reply (once per waiting period)
    waiting_told_at = optional_timestamp()


class Message(Table, tablename="messages"):
    """One message in or out.

    Unlike the seed (globally unique `waMessageId`), a WhatsApp id is unique per
    (workspace, session): a redelivered inbound message hits this constraint and is a no-op.
    NULL ids (an outbound reply not yet sent) never collide.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    conversation_id = owned_by(Conversation)
    session_id = refers_to(WhatsappSession)
    wa_message_id = Varchar(length=128, null=True, default=None)
    direction = Varchar(length=10, choices=Direction)
    sender_type = Varchar(length=10, choices=SenderType)
    sender_user_id = refers_to(User)
    content = Text(default="")
    media_type = Varchar(length=20, choices=MediaType, null=True, default=None)
    media_url = Text(null=True, default=None)
    media_caption = Text(null=True, default=None)
    media_transcript = Text(null=True, default=None)
    reply_to_id = Varchar(length=128, null=True, default=None)
    sentiment = Varchar(length=16, choices=Sentiment, null=True, default=None)
    confidence = DoublePrecision(null=True, default=None)
    kb_chunks_used = json_list()
    flow_id = refers_to(Flow)
    is_approved = Boolean(null=True, default=None)
    is_read = flag(False)
    delivered_at = optional_timestamp()
    read_at = optional_timestamp()
    created_at = created_at()
    status = Varchar(length=20, choices=MessageStatus, default=MessageStatus.RECEIVED)
    # unrouted inbound rows are indexed by migration: partial on Postgres, (routed_at,
    # direction) on SQLite (m0002, m0035)
    routed_at = Timestamptz(null=True, default=None)
    # what the AI engine stored (m0003): the model that wrote a bot reply and its usage,
    # and the detected language of an inbound message
    ai_provider = Varchar(length=32, null=True, default=None)
    ai_model = Varchar(length=255, null=True, default=None)
    tokens_in = Integer(null=True, default=None)
    tokens_out = Integer(null=True, default=None)
    latency_ms = DoublePrecision(null=True, default=None)
    cost_usd = DoublePrecision(null=True, default=None)
    language = Varchar(length=16, null=True, default=None)
    failure_reason = Text(null=True, default=None)  # m0004: why an outbound one FAILED
    media_filename = Text(null=True, default=None)  # m0006: the file's own name, if it had one
    media_mime = Varchar(length=128, null=True, default=None)  # m0006: as sent or sniffed
    media_ref = Text(null=True, default=None)  # m0008: the channel's reference, to fetch again
    # m0024: on a bot reply that handed the conversation to a person, why (analytics)
    escalation_reason = Varchar(length=64, null=True, default=None)
    # m0033: why an outbound message was written (`SendKind`: reply, broadcast, csat…), so
    # analytics counts bot *replies* apart from the bot's automated sends
    send_kind = Varchar(length=16, null=True, default=None)

    unique_wa_message = Unique([workspace_id, session_id, wa_message_id])


class Outbox(Table, tablename="outbox"):
    """A durable outbound send: written with the decision, sent once by the dispatcher.

    PENDING → SENDING → SENT (with `wa_message_id`), or back to PENDING with `attempts`+1 and a
    later `next_attempt_at`, or FAILED after the last attempt.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    session_id = owned_by(WhatsappSession)
    conversation_id = optionally_owned_by(Conversation)
    message_id = optionally_owned_by(Message)
    jid = Varchar(length=128)
    payload = json_object()
    status = Varchar(length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = Integer(default=0)
    next_attempt_at = required_timestamp()
    last_error = Text(null=True, default=None)
    wa_message_id = Varchar(length=128, null=True, default=None)
    created_at = created_at()
    sent_at = optional_timestamp()
    # m0021: why it goes out and who gets a free slot first (`app.domain.sending.SendKind`),
    # to a contact who never wrote (`cold`), when the send budget let it go, and the
    # send-first caller's idempotency key
    kind = Varchar(length=16, default="reply")
    priority = Integer(default=0)
    cold = flag(False)
    slot_at = optional_timestamp()
    idempotency_key = Varchar(length=255, null=True, default=None)

    unique_idempotency = Unique([workspace_id, idempotency_key])
