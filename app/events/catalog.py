"""The event catalogue: one constructor per event the app publishes, and per notification type.

Events go to the bus (the dashboard and `/api/v1/ws` subscribe) and, recorded in the
transaction of the change (`app.records.WebhookOutbox`), to webhooks — which see them under
their public types (`app.events.public`). Their `data` is the wire shape of seed §6/§12 (and
of issue 16 for the events integrations asked for), built here and nowhere else: a caller says
*what* happened with typed arguments, never how the frame is spelled.
Notices are the seed §12 notification types: stored for 7 days by `app.records.Notifier`,
which then publishes `notification:new`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from app.domain import SessionStatus
from app.domain import conversations as c
from app.domain.agent_tools import Note
from app.domain.broadcasts import BroadcastStats
from app.domain.flows import FlowRun
from app.domain.records import DownloadView
from app.events import names
from app.events.bus import Event


def _wire(record: msgspec.Struct) -> dict[str, Any]:
    wire: dict[str, Any] = msgspec.to_builtins(record)  # a Struct encodes as a dict
    return wire


def message_new(
    workspace_id: str, message: c.Message, conversation: c.Conversation | None
) -> Event:
    """`message:new {message, conversation}`: a message was received or written (bot, human,
    welcome). `conversation` is the conversation after it (lastMessageAt, status), so a client
    that keeps a conversation list needs no second request; None only if it was deleted."""
    conv = _wire(conversation) if conversation is not None else None
    data = {"message": _wire(message), "conversation": conv}
    return Event(names.MESSAGE_NEW, workspace_id, data, message.conversation_id)


def message_updated(workspace_id: str, message: c.Message) -> Event:
    """`message:updated {message}`: status, receipts, media, transcript or an approval."""
    return Event(
        names.MESSAGE_UPDATED, workspace_id, {"message": _wire(message)}, message.conversation_id
    )


def message_deleted(workspace_id: str, message_id: str, conversation_id: str | None) -> Event:
    """`message:deleted {messageId, conversationId}`: a queued message taken back before it
    went out, so an open inbox drops the bubble it showed as queued."""
    data = {"messageId": message_id, "conversationId": conversation_id}
    return Event(names.MESSAGE_DELETED, workspace_id, data, conversation_id)


def conversation_updated(workspace_id: str, conversation: c.Conversation) -> Event:
    """`conversation:updated {conversation}`: status, assignment, unread count."""
    return Event(
        names.CONVERSATION_UPDATED,
        workspace_id,
        {"conversation": _wire(conversation)},
        conversation.id,
    )


def note_new(workspace_id: str, note: Note) -> Event:
    """`note:new {note}`: a private note in a thread (for the team; webhooks never hear of it)."""
    return Event(names.NOTE_NEW, workspace_id, {"note": _wire(note)}, note.conversation_id)


def note_updated(workspace_id: str, note: Note) -> Event:
    """`note:updated {note}`: its author changed the text."""
    return Event(names.NOTE_UPDATED, workspace_id, {"note": _wire(note)}, note.conversation_id)


def note_deleted(workspace_id: str, note_id: str, conversation_id: str) -> Event:
    """`note:deleted {noteId, conversationId}`: open threads drop its card."""
    data = {"noteId": note_id, "conversationId": conversation_id}
    return Event(names.NOTE_DELETED, workspace_id, data, conversation_id)


def contact_updated(workspace_id: str, contact: c.Contact) -> Event:
    """`contact:updated {contact}`."""
    return Event(names.CONTACT_UPDATED, workspace_id, {"contact": _wire(contact)})


def whatsapp_status(
    workspace_id: str, session_id: str, status: SessionStatus, qr_code: str | None = None
) -> Event:
    """`whatsapp:status {sessionId, status, qrCode?}` (the QR as a PNG data URL)."""
    data: dict[str, Any] = {"sessionId": session_id, "status": status}
    if qr_code:
        data["qrCode"] = qr_code
    return Event(names.WHATSAPP_STATUS, workspace_id, data)


def typing_start(workspace_id: str, conversation_id: str | None) -> Event:
    """`typing:start {conversationId}`: the bot "types" before a reply goes out."""
    data = {"conversationId": conversation_id}
    return Event(names.TYPING_START, workspace_id, data, conversation_id)


def typing_stop(workspace_id: str, conversation_id: str | None) -> Event:
    """`typing:stop {conversationId}`."""
    data = {"conversationId": conversation_id}
    return Event(names.TYPING_STOP, workspace_id, data, conversation_id)


def notification_new(workspace_id: str, notification: c.Notification) -> Event:
    """`notification:new {id, type, payload, createdAt}`: a stored notification, live."""
    data = {
        "id": notification.id,
        "type": notification.type,
        "payload": notification.payload,
        "createdAt": notification.created_at.isoformat(),
    }
    return Event(names.NOTIFICATION_NEW, workspace_id, data)


def notification_updated(
    workspace_id: str, notification_id: str, payload: dict[str, Any], *, unread: bool
) -> Event:
    """`notification:updated {id, payload, unread}`: a stored notification changed (an outage's
    attempt count); `unread` when it was raised again."""
    data = {"id": notification_id, "payload": payload, "unread": unread}
    return Event(names.NOTIFICATION_UPDATED, workspace_id, data)


def kb_progress(
    workspace_id: str,
    document_id: str,
    knowledge_base_id: str,
    percent: int,
    status: str,
    error: str | None = None,
    *,
    chunks_done: int | None = None,
    chunks_total: int | None = None,
) -> Event:
    """`kb:progress {documentId, knowledgeBaseId, percent, status, chunksDone?, chunksTotal?,
    error?}` while indexing (the counts while passages are embedded)."""
    data: dict[str, Any] = {
        "documentId": document_id,
        "knowledgeBaseId": knowledge_base_id,
        "percent": percent,
        "status": status,
    }
    if chunks_done is not None and chunks_total is not None:
        data |= {"chunksDone": chunks_done, "chunksTotal": chunks_total}
    if error:
        data["error"] = error
    return Event(names.KB_PROGRESS, workspace_id, data)


def model_progress(workspace_id: str, download: DownloadView) -> Event:
    """`model:progress {name, url, state, doneBytes, totalBytes, error}`: a GGUF download."""
    return Event(names.MODEL_PROGRESS, workspace_id, _wire(download))


def speech_model_progress(workspace_id: str, download: DownloadView) -> Event:
    """`speech-model:progress {…}`: a whisper model download, shaped as `model:progress`."""
    return Event(names.SPEECH_MODEL_PROGRESS, workspace_id, _wire(download))


def broadcast_progress(
    workspace_id: str, broadcast_id: str, name: str, status: str, stats: BroadcastStats
) -> Event:
    """`broadcast:progress {broadcastId, name, status, percent, stats}`: a broadcast's
    recipients moved (queued, sent, delivered, read, replied, failed) or its status changed."""
    data = {
        "broadcastId": broadcast_id,
        "name": name,
        "status": status,
        "percent": stats.percent,
        "stats": _wire(stats),
    }
    return Event(names.BROADCAST_PROGRESS, workspace_id, data)


def flow_run(workspace_id: str, run: FlowRun) -> Event:
    """`flow:run {run}`: a contact's flow run started, moved to a node, waits, or ended — the
    inbox shows "in flow X at node Y". The run without its variables and history."""
    data = _wire(run)
    brief = {k: data.get(k) for k in _RUN_FIELDS}
    return Event(names.FLOW_RUN, workspace_id, {"run": brief}, run.conversation_id)


_RUN_FIELDS = (
    "id",
    "flowId",
    "flowName",
    "version",
    "contactId",
    "conversationId",
    "status",
    "currentNodeId",
    "currentNodeType",
    "waitingFor",
    "wakeAt",
    "endReason",
    "startedAt",
    "endedAt",
)


def flow_completed(workspace_id: str, run: FlowRun) -> Event:
    """`flow.completed {runId, flowId, flowName, contactId, conversationId, vars, completedAt}`:
    a run reached its end (one of issue 16's webhook events)."""
    data = {
        "runId": run.id,
        "flowId": run.flow_id,
        "flowName": run.flow_name,
        "contactId": run.contact_id,
        "conversationId": run.conversation_id,
        "vars": run.vars,
        "completedAt": run.ended_at.isoformat() if run.ended_at else None,
    }
    return Event(names.FLOW_COMPLETED, workspace_id, data, run.conversation_id)


def conversation_created(workspace_id: str, conversation: c.Conversation) -> Event:
    """`conversation.created {conversation}`: a contact's first message opened a conversation
    (or someone started one)."""
    data = {"conversation": _wire(conversation)}
    return Event(names.CONVERSATION_CREATED, workspace_id, data, conversation.id)


def conversation_escalated(
    workspace_id: str, conversation: c.Conversation, reason: str | None
) -> Event:
    """`conversation.escalated {conversation, reason}`: the bot handed the conversation to a
    human (low confidence, a sensitive topic, no model …); it now waits (WAITING_HUMAN)."""
    data = {"conversation": _wire(conversation), "reason": reason}
    return Event(names.CONVERSATION_ESCALATED, workspace_id, data, conversation.id)


def contact_created(
    workspace_id: str, contact: c.Contact, conversation_id: str | None = None
) -> Event:
    """`contact.created {contact}`: someone new wrote (`conversation_id`: the conversation
    their message opened — webhooks get the contact before the message) or was added."""
    data = {"contact": _wire(contact)}
    return Event(names.CONTACT_CREATED, workspace_id, data, conversation_id)


def contact_labeled(workspace_id: str, contact: c.Contact, label: c.Label, added: bool) -> Event:
    """`contact.labeled {contact, label, action}`: a label was put on (`added`) or taken off
    (`removed`) a contact; `contact.labels` is the list after the change."""
    data = {
        "contact": _wire(contact),
        "label": _wire(label),
        "action": "added" if added else "removed",
    }
    return Event(names.CONTACT_LABELED, workspace_id, data)


def document_indexed(
    workspace_id: str,
    document_id: str,
    knowledge_base_id: str,
    name: str,
    status: str,
    *,
    chunk_count: int | None = None,
    error: str | None = None,
) -> Event:
    """`knowledge.document.indexed {documentId, knowledgeBaseId, name, status, chunkCount,
    error}`: indexing ended — INDEXED with its passage count, or FAILED with the reason."""
    data: dict[str, Any] = {
        "documentId": document_id,
        "knowledgeBaseId": knowledge_base_id,
        "name": name,
        "status": status,
        "chunkCount": chunk_count,
        "error": error,
    }
    return Event(names.DOCUMENT_INDEXED, workspace_id, data)


def broadcast_completed(
    workspace_id: str,
    *,
    broadcast_id: str,
    name: str,
    status: str,
    total: int,
    sent: int,
    failed: int,
    completed_at: datetime | None,
) -> Event:
    """`broadcast.completed {broadcastId, name, status, totalRecipients, sentCount,
    failedCount, completedAt}`: a broadcast has nothing left to send."""
    data = {
        "broadcastId": broadcast_id,
        "name": name,
        "status": status,
        "totalRecipients": total,
        "sentCount": sent,
        "failedCount": failed,
        "completedAt": completed_at.isoformat() if completed_at else None,
    }
    return Event(names.BROADCAST_COMPLETED, workspace_id, data)


def webhook_test(workspace_id: str, webhook_id: str, name: str) -> Event:
    """`webhook.test {webhookId, name, message}`: what "Send test" delivers (never published)."""
    data = {
        "webhookId": webhook_id,
        "name": name,
        "message": "A test event from Aimywhatsapp: your endpoint is reachable.",
    }
    return Event(names.WEBHOOK_TEST, workspace_id, data)


@dataclass(frozen=True, slots=True)
class Notice:
    """A seed §12 notification: its type and the payload stored with it."""

    type: str
    payload: dict[str, Any]


def escalation_needed(
    conversation_id: str,
    contact_id: str,
    reason: str | None,
    *,
    message_id: str | None = None,
) -> Notice:
    """The bot handed a conversation to a human (low confidence, sensitive topic, no model);
    `message_id` when one message is the matter (recovery gave up routing it)."""
    payload = {"conversationId": conversation_id, "contactId": contact_id, "reason": reason}
    if message_id is not None:
        payload["messageId"] = message_id
    return Notice(names.ESCALATION_NEEDED, payload)


def approval_needed(conversation_id: str, message_id: str) -> Notice:
    """A bot draft waits for a human to approve it."""
    payload = {"conversationId": conversation_id, "messageId": message_id}
    return Notice(names.APPROVAL_NEEDED, payload)


def new_contact(contact_id: str, jid: str) -> Notice:
    """The first message from someone unknown."""
    return Notice(names.NEW_CONTACT, {"contactId": contact_id, "jid": jid})


def kb_indexed(
    document_id: str,
    knowledge_base_id: str,
    name: str,
    status: str,
    *,
    chunk_count: int | None = None,
    error: str | None = None,
) -> Notice:
    """A document finished indexing: INDEXED with its chunk count, or FAILED with the error."""
    payload: dict[str, Any] = {
        "documentId": document_id,
        "knowledgeBaseId": knowledge_base_id,
        "name": name,
        "status": status,
    }
    if chunk_count is not None:
        payload["chunkCount"] = chunk_count
    if error is not None:
        payload["error"] = error
    return Notice(names.KB_INDEXED, payload)


def wa_disconnected(session_id: str, since: datetime, details: dict[str, Any]) -> Notice:
    """A WhatsApp number dropped unexpectedly: one notice per outage (`app.pipeline.outages`),
    `{sessionId, attempts, since, reason?, lastError?, level?, code?}`; later attempts update
    it in place (`notification_updated`)."""
    payload = {"sessionId": session_id, "attempts": 1, "since": since.isoformat(), **details}
    return Notice(names.WA_DISCONNECTED, payload)


def wa_reconnected(session_id: str, attempts: int, since: datetime, now: datetime) -> Notice:
    """The number is back after an outage: how long it was down and how many attempts it took."""
    payload = {
        "sessionId": session_id,
        "attempts": attempts,
        "since": since.isoformat(),
        "downSeconds": round((now - since).total_seconds()),
    }
    return Notice(names.WA_RECONNECTED, payload)


def media_not_saved(conversation_id: str, message_id: str, reason: str) -> Notice:
    """An inbound message's file could not be fetched or stored (folder unwritable, disk full)."""
    payload = {"conversationId": conversation_id, "messageId": message_id, "reason": reason}
    return Notice(names.MEDIA_NOT_SAVED, payload)


def human_reply_needed(
    conversation_id: str, contact_id: str, waiting_since: datetime, minutes: int
) -> Notice:
    """A conversation has waited `minutes` for a human since `waiting_since`."""
    payload = {
        "conversationId": conversation_id,
        "contactId": contact_id,
        "waitingSince": waiting_since.isoformat(),
        "minutes": minutes,
    }
    return Notice(names.HUMAN_REPLY_NEEDED, payload)


def message_failed(conversation_id: str | None, message_id: str | None, reason: str) -> Notice:
    """An outbound message ended FAILED (retries exhausted, or the number stayed offline)."""
    payload = {"conversationId": conversation_id, "messageId": message_id, "reason": reason}
    return Notice(names.MESSAGE_FAILED, payload)


def webhook_disabled(
    webhook_id: str, name: str, url: str, reason: str, failure_count: int
) -> Notice:
    """The sender switched a webhook off (too many failures in a row, or 410 Gone)."""
    payload = {
        "webhookId": webhook_id,
        "name": name,
        "url": url,
        "reason": reason,
        "failureCount": failure_count,
    }
    return Notice(names.WEBHOOK_DISABLED, payload)


def sending_paused(session_id: str, account_id: str | None, reason: str) -> Notice:
    """A number stopped sending (ban or rate-limit signal, failure spike); resume by hand."""
    payload = {"sessionId": session_id, "accountId": account_id, "reason": reason}
    return Notice(names.SENDING_PAUSED, payload)


def broadcast_complete(broadcast_id: str, name: str, status: str, stats: BroadcastStats) -> Notice:
    """A broadcast finished sending: every recipient messaged, failed or skipped (SENT), or
    none could be messaged (FAILED)."""
    payload = {
        "broadcastId": broadcast_id,
        "name": name,
        "status": status,
        "stats": _wire(stats),
    }
    return Notice(names.BROADCAST_COMPLETE, payload)
