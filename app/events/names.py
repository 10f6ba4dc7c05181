"""Event names of seed §6 (WebSocket) and §12 (notification types), spelled once."""

from __future__ import annotations

MESSAGE_NEW = "message:new"
MESSAGE_UPDATED = "message:updated"
# beyond the seed: a queued message was taken back before it went out (a broadcast paused or
# cancelled) and no longer exists — {messageId, conversationId}
MESSAGE_DELETED = "message:deleted"
CONTACT_UPDATED = "contact:updated"
CONVERSATION_UPDATED = "conversation:updated"
WHATSAPP_STATUS = "whatsapp:status"
TYPING_START = "typing:start"
TYPING_STOP = "typing:stop"
NOTIFICATION_NEW = "notification:new"
# beyond the seed: a stored notification changed (an outage's attempt count and last error)
NOTIFICATION_UPDATED = "notification:updated"

# seed §12 notification types
ESCALATION_NEEDED = "escalation_needed"
APPROVAL_NEEDED = "approval_needed"
NEW_CONTACT = "new_contact"
BROADCAST_COMPLETE = "broadcast_complete"
KB_INDEXED = "kb_indexed"
WA_DISCONNECTED = "wa_disconnected"  # one per outage, updated while it lasts
# not in the seed's list: the number is back after an outage — {sessionId, attempts, since,
# downSeconds}
WA_RECONNECTED = "wa_reconnected"
HUMAN_REPLY_NEEDED = "human_reply_needed"
# not in the seed's list: an outbound message ended FAILED (retries exhausted, or not sent
# within the resend window while the number was offline) — {conversationId, messageId, reason}
MESSAGE_FAILED = "message_failed"
# not in the seed's list: an inbound message's file could not be fetched or stored (media
# folder unwritable, disk full, download failed) — {conversationId, messageId, reason}
MEDIA_NOT_SAVED = "media_not_saved"
# not in the seed's list: a number's outbound traffic was paused (a ban or rate-limit signal
# from WhatsApp, or a spike of failed sends) until someone resumes it — {sessionId, reason}
SENDING_PAUSED = "sending_paused"

# seed §12 "Broadcast progress → broadcast:progress → workspace room" (issue 15.2):
# {broadcastId, name, status, percent, stats: {total, pending, sent, delivered, read, replied,
# failed, optedOut}}
BROADCAST_PROGRESS = "broadcast:progress"

# knowledge base indexing progress (issue 4): {documentId, knowledgeBaseId, percent, status},
# while embedding also {chunksDone, chunksTotal}
KB_PROGRESS = "kb:progress"

# whisper model downloads (issue 5): {name, url, state, doneBytes, totalBytes, error}
SPEECH_MODEL_PROGRESS = "speech-model:progress"
# GGUF model downloads: the same shape
MODEL_PROGRESS = "model:progress"

# a private note was added to a thread (issue 17): {note: {id, conversationId, authorUserId,
# authorName, text, createdAt}} — for the team's open inboxes; never a webhook event
NOTE_NEW = "note:new"
# a note's author changed its text ({note}), or the note was deleted ({noteId, conversationId})
NOTE_UPDATED = "note:updated"
NOTE_DELETED = "note:deleted"

# a contact's flow run moved (issue 14): {run: {id, flowId, flowName, contactId,
# conversationId, status, currentNodeId, currentNodeType, waitingFor, wakeAt, endReason}}
FLOW_RUN = "flow:run"
# a run reached its end (issue 16's webhook event): {runId, flowId, flowName, contactId,
# conversationId, vars, completedAt}
FLOW_COMPLETED = "flow.completed"

# Issue 16: events that exist for integrations, named as webhooks deliver them (the seed's
# WebSocket names above are mapped to public types in `app/events/public.py`); the WebSocket
# forwards them too. Their `data` is documented there and in the README.
CONVERSATION_CREATED = "conversation.created"  # {conversation}
CONVERSATION_ESCALATED = "conversation.escalated"  # {conversation, reason}
CONTACT_CREATED = "contact.created"  # {contact}
CONTACT_LABELED = "contact.labeled"  # {contact, label, action: added | removed}
DOCUMENT_INDEXED = "knowledge.document.indexed"  # {documentId, knowledgeBaseId, name, status, …}
# a broadcast finished (issue 15 calls it): {broadcastId, name, status, totalRecipients,
# sentCount, failedCount, completedAt}
BROADCAST_COMPLETED = "broadcast.completed"
WEBHOOK_TEST = "webhook.test"  # only ever sent by "Send test": {webhookId, name, message}

# not in the seed's list: a webhook was switched off by the sender (its receiver failed too
# often, or answered 410 Gone) — {webhookId, name, url, reason, failureCount}
WEBHOOK_DISABLED = "webhook_disabled"
