"""API-facing records of the messaging side: sessions, contacts, labels, conversations,
messages, notifications (seed §5 field names, camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.agent_tools import Csat, Note
from app.domain.enums import (
    ConversationStatus,
    Direction,
    MediaType,
    MessageStatus,
    SenderType,
    Sentiment,
    SessionStatus,
)
from app.domain.records import Model


class WhatsappSession(Model, kw_only=True):
    id: str
    account_id: str
    channel: str
    phone_number: str | None = None
    display_name: str | None = None
    status: SessionStatus
    enabled: bool = True
    created_at: datetime
    updated_at: datetime
    last_error: str | None = None  # why it is not connected, as the channel said it
    last_error_message: str | None = None  # the same as a sentence ("No internet connection…")


class SessionState(Model, kw_only=True):
    """`GET …/status`: the live status (the running channel's, else the stored one)."""

    session_id: str
    status: SessionStatus
    running: bool
    has_qr: bool = False
    last_error: str | None = None
    last_error_message: str | None = None


class QrCode(Model, kw_only=True):
    session_id: str
    status: SessionStatus
    qr_code: str | None  # PNG data URL; None when not waiting for a scan


class PairingCode(Model, kw_only=True):
    session_id: str
    code: str


class Simulated(Model, kw_only=True):
    wa_message_id: str


class Label(Model, kw_only=True):
    id: str
    name: str
    color: str
    created_at: datetime


class Contact(Model, kw_only=True):
    id: str
    session_id: str | None = None
    jid: str
    lid: str | None = None
    phone_number: str
    name: str | None = None
    display_name: str | None = None
    profile_pic_url: str | None = None
    about: str | None = None
    autoreply_enabled: bool
    human_takeover: bool
    approval_mode: bool
    is_blocked: bool
    is_vip: bool
    language: str | None = None
    notes: str | None = None
    # opted out of broadcasts (an opt-out word, or by hand); None: receives them (m0022)
    opted_out_at: datetime | None = None
    first_seen_at: datetime
    last_message_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    labels: list[Label] = []
    custom_fields: dict[str, str] = {}


class Message(Model, kw_only=True):
    id: str
    conversation_id: str
    session_id: str | None = None
    wa_message_id: str | None = None
    direction: Direction
    sender_type: SenderType
    sender_user_id: str | None = None
    content: str
    media_type: MediaType | None = None
    media_url: str | None = None
    media_caption: str | None = None
    media_transcript: str | None = None
    reply_to_id: str | None = None
    sentiment: Sentiment | None = None
    confidence: float | None = None
    kb_chunks_used: list[str] = []
    flow_id: str | None = None
    is_approved: bool | None = None
    is_read: bool = False
    status: MessageStatus
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    created_at: datetime
    ai_provider: str | None = None
    ai_model: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None
    language: str | None = None
    failure_reason: str | None = None  # why an outbound message ended FAILED
    media_filename: str | None = None  # the name the file came with ("invoice.pdf")
    media_mime: str | None = None


class Conversation(Model, kw_only=True):
    id: str
    session_id: str | None = None
    contact_id: str
    status: ConversationStatus
    assigned_user_id: str | None = None
    resolved_at: datetime | None = None
    last_message_at: datetime | None = None
    unread_count: int = 0
    sentiment: Sentiment | None = None
    created_at: datetime
    updated_at: datetime
    contact: Contact | None = None


class ConversationDetail(Conversation, kw_only=True):
    """`GET /conversations/{id}`: the conversation with one page of its messages."""

    messages: list[Message] = []
    messages_total: int = 0
    # private notes written in the time this page of messages spans (never sent; issue 17)
    notes: list[Note] = []
    csat: Csat | None = None  # the satisfaction ask after resolve, and its rating
    page: int = 1
    page_size: int = 50


class Notification(Model, kw_only=True):
    id: str
    type: str
    payload: dict[str, Any]
    is_read: bool
    created_at: datetime
    expires_at: datetime


class SentFirst(Model, kw_only=True):
    """`POST /whatsapp/sessions/{id}/send` → 202: the message is queued (it goes out within
    the number's send budget). `duplicate`: a retried call with the same idempotency key —
    this is the first call's message, nothing new was queued."""

    message_id: str
    conversation_id: str
    contact_id: str
    to: str  # E.164
    status: str
    duplicate: bool = False


class ImportRejection(Model, kw_only=True):
    line: int  # as a spreadsheet numbers it (the header is line 1)
    value: str  # the phone cell as written
    reason: str


class ImportPreviewRow(Model, kw_only=True):
    line: int
    phone_number: str  # E.164
    name: str | None = None
    labels: list[str] = []
    custom_fields: dict[str, str] = {}
    exists: bool = False  # a contact with this number exists: it is updated, not created


class ContactImport(Model, kw_only=True):
    """`POST /contacts/import`: what the CSV did — or, with `dryRun`, would do."""

    dry_run: bool
    total: int  # data rows read (blank lines skipped)
    created: int
    updated: int
    rejected: int
    rejected_rows: list[ImportRejection]
    preview: list[ImportPreviewRow]  # the first accepted rows
    new_labels: list[str]
    custom_fields: list[str]  # the columns stored as custom fields
    ignored_columns: list[str]  # columns of our export that an import does not set


class Sender(Model, kw_only=True):
    """A number one may write from (the inbox's "New conversation"): no more than its name,
    kind and whether it is connected — agents do not see the WhatsApp settings."""

    session_id: str
    account_id: str
    channel: str
    connected: bool
