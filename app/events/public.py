"""The public event types webhooks deliver (issue 16), mapped from the catalogue's events here
and nowhere else, and the versioned envelope they travel in.

A webhook receives `{"id", "type", "version", "createdAt", "workspaceId", "data"}`: `id` names
the event (the same for every webhook that gets it), `type` is one of `TYPES`, `version` is
`VERSION` — it changes only when a payload changes incompatibly (new fields may appear at any
time). The seed's WebSocket events become public types by what they say: `message:new` of an
inbound message is `message.inbound`, a message that reached WhatsApp is `message.outbound`,
a receipt or a failure is `message.status`. Events made for integrations
(`conversation.created`, …) already carry their public name.

The `*Data` structs below document each type's `data` (they feed the OpenAPI components and
a test holds the real payloads to them); the payloads themselves are made by
`app.events.catalog`.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from app.domain import Direction, MessageStatus
from app.domain import conversations as c
from app.domain.enums import SessionStatus
from app.events import names
from app.events.bus import Event

VERSION = 1
ALL = "*"  # subscribe to every type

MESSAGE_INBOUND = "message.inbound"
MESSAGE_OUTBOUND = "message.outbound"
MESSAGE_STATUS = "message.status"
CONVERSATION_CREATED = names.CONVERSATION_CREATED
CONVERSATION_UPDATED = "conversation.updated"
CONVERSATION_ESCALATED = names.CONVERSATION_ESCALATED
CONTACT_CREATED = names.CONTACT_CREATED
CONTACT_UPDATED = "contact.updated"
CONTACT_LABELED = names.CONTACT_LABELED
FLOW_COMPLETED = names.FLOW_COMPLETED
BROADCAST_COMPLETED = names.BROADCAST_COMPLETED
SESSION_STATUS = "session.status"
DOCUMENT_INDEXED = names.DOCUMENT_INDEXED
WEBHOOK_TEST = names.WEBHOOK_TEST

# what a webhook can subscribe to, in the order the dashboard lists them, with what each means
TYPES: dict[str, str] = {
    MESSAGE_INBOUND: "A contact sent a message.",
    MESSAGE_OUTBOUND: "A message reached WhatsApp (the bot's, an agent's, or sent from the phone).",
    MESSAGE_STATUS: "An outbound message was delivered, read, or failed for good.",
    CONVERSATION_CREATED: "A conversation was opened.",
    CONVERSATION_UPDATED: "A conversation's status or assignee changed.",
    CONVERSATION_ESCALATED: "The bot handed a conversation to a human.",
    CONTACT_CREATED: "A new contact wrote (or was added).",
    CONTACT_UPDATED: "Someone changed a contact (fields, block, takeover).",
    CONTACT_LABELED: "A label was added to or removed from a contact.",
    FLOW_COMPLETED: "A contact's flow run reached its end.",
    BROADCAST_COMPLETED: "A broadcast finished sending.",
    SESSION_STATUS: "A WhatsApp number connected, disconnected, or needs a scan.",
    DOCUMENT_INDEXED: "A knowledge document finished indexing (or failed).",
}
SUBSCRIBABLE = frozenset(TYPES) | {ALL}

_STATUS_TYPES = {
    MessageStatus.SENT: MESSAGE_OUTBOUND,
    MessageStatus.DELIVERED: MESSAGE_STATUS,
    MessageStatus.READ: MESSAGE_STATUS,
    MessageStatus.FAILED: MESSAGE_STATUS,
}
_SAME = {
    CONVERSATION_CREATED,
    CONVERSATION_ESCALATED,
    CONTACT_CREATED,
    CONTACT_LABELED,
    FLOW_COMPLETED,
    BROADCAST_COMPLETED,
    DOCUMENT_INDEXED,
    WEBHOOK_TEST,
}


def public_type(event: Event) -> str | None:
    """The type webhooks know `event` by; None when it is not one they are told about
    (typing, progress, a queued reply that has not gone out yet …)."""
    name = event.name
    if name in _SAME:
        return name
    if name == names.MESSAGE_NEW:
        message = event.data["message"]
        if message["direction"] == Direction.INBOUND:
            return MESSAGE_INBOUND
        return MESSAGE_OUTBOUND if message["status"] == MessageStatus.SENT else None
    if name == names.MESSAGE_UPDATED:
        return _STATUS_TYPES.get(event.data["message"]["status"])
    if name == names.CONVERSATION_UPDATED:
        return CONVERSATION_UPDATED
    if name == names.CONTACT_UPDATED:
        return CONTACT_UPDATED
    if name == names.WHATSAPP_STATUS:
        return SESSION_STATUS
    return None


def public_data(event: Event) -> dict[str, Any]:
    """`event.data` as webhooks get it: a QR code (a login credential) never leaves."""
    if event.name == names.WHATSAPP_STATUS:
        return {k: v for k, v in event.data.items() if k != "qrCode"}
    return event.data


def ordering_key(event: Event) -> str | None:
    """What a webhook's deliveries are ordered by: the conversation, else the record the event
    is about (a contact, a session, a document, a broadcast, a flow run) — so a retried
    `contact.updated` can never arrive after the one that followed it."""
    if event.conversation_id:
        return event.conversation_id
    data = event.data
    for record in ("contact", "conversation"):
        if isinstance(data.get(record), dict):
            return str(data[record]["id"])
    for key in ("sessionId", "documentId", "broadcastId", "runId"):
        if data.get(key):
            return str(data[key])
    return None


def wants(subscribed: frozenset[str], event_type: str) -> bool:
    """Does a webhook subscribed to `subscribed` get `event_type`?"""
    return event_type in subscribed or ALL in subscribed


# ---- documentation: the `data` of each type (OpenAPI components; a test checks payloads) ----


class _Doc(msgspec.Struct, rename="camel", kw_only=True):
    pass


class MessageData(_Doc):
    """`message.inbound`, `message.outbound`: the message, and the conversation after it
    (`conversation.contact` is the contact) when the event came with one."""

    message: c.Message
    conversation: c.Conversation | None = None


class MessageStatusData(_Doc):
    """`message.status`: the message with its new `status` (DELIVERED, READ, FAILED with
    `failureReason`), `deliveredAt`, `readAt`."""

    message: c.Message


class ConversationData(_Doc):
    """`conversation.created`, `conversation.updated`: the conversation as it is now."""

    conversation: c.Conversation


class ConversationEscalatedData(_Doc):
    conversation: c.Conversation
    reason: str | None = None


class ContactData(_Doc):
    """`contact.created`, `contact.updated`: the contact as it is now."""

    contact: c.Contact


class ContactLabeledData(_Doc):
    contact: c.Contact
    label: c.Label
    action: Literal["added", "removed"]


class FlowCompletedData(_Doc):
    run_id: str
    flow_id: str
    flow_name: str
    contact_id: str
    conversation_id: str | None = None
    vars: dict[str, Any] = {}
    completed_at: str | None = None


class BroadcastCompletedData(_Doc):
    broadcast_id: str
    name: str
    status: str
    total_recipients: int
    sent_count: int
    failed_count: int
    completed_at: str | None = None


class SessionStatusData(_Doc):
    session_id: str
    status: SessionStatus


class DocumentIndexedData(_Doc):
    document_id: str
    knowledge_base_id: str
    name: str
    status: Literal["INDEXED", "FAILED"]
    chunk_count: int | None = None
    error: str | None = None


class WebhookTestData(_Doc):
    webhook_id: str
    name: str
    message: str


DATA: dict[str, type[msgspec.Struct]] = {
    MESSAGE_INBOUND: MessageData,
    MESSAGE_OUTBOUND: MessageData,
    MESSAGE_STATUS: MessageStatusData,
    CONVERSATION_CREATED: ConversationData,
    CONVERSATION_UPDATED: ConversationData,
    CONVERSATION_ESCALATED: ConversationEscalatedData,
    CONTACT_CREATED: ContactData,
    CONTACT_UPDATED: ContactData,
    CONTACT_LABELED: ContactLabeledData,
    FLOW_COMPLETED: FlowCompletedData,
    BROADCAST_COMPLETED: BroadcastCompletedData,
    SESSION_STATUS: SessionStatusData,
    DOCUMENT_INDEXED: DocumentIndexedData,
    WEBHOOK_TEST: WebhookTestData,
}


def component_name(event_type: str) -> str:
    """`message.inbound` → `WebhookEvent_message_inbound` (its OpenAPI component)."""
    return "WebhookEvent_" + event_type.replace(".", "_")


def schema_components() -> dict[str, dict[str, Any]]:
    """JSON Schemas of every type's envelope and of the records they refer to, for the
    OpenAPI document's components."""
    envelopes = {
        event_type: msgspec.defstruct(
            component_name(event_type),
            [
                ("id", str),
                ("type", Literal[event_type]),
                ("version", Literal[VERSION]),
                ("createdAt", str),
                ("workspaceId", str),
                ("data", data),
            ],
            kw_only=True,
        )
        for event_type, data in DATA.items()
    }
    # the records they refer to are named `Webhook_Message` …: the API's own `Message` may differ
    _, found = msgspec.json.schema_components(
        list(envelopes.values()), ref_template="#/components/schemas/Webhook_{name}"
    )
    components = {
        (name if name.startswith("WebhookEvent_") else f"Webhook_{name}"): schema
        for name, schema in found.items()
    }
    for event_type, data in DATA.items():
        about = " ".join(f"{TYPES.get(event_type, '')} {data.__doc__ or ''}".split())
        components[component_name(event_type)]["description"] = about
    return components
