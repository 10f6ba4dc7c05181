"""Sending the first message (issue 15.4): `POST /whatsapp/sessions/{id}/send` and the inbox's
"New conversation" — a reminder, a follow-up, an order notification, to any number.

The number is normalised to E.164 and validated; the contact and an open conversation are
created when new; the message is queued as `send_first` (after replies and flows, held by
quiet hours, the daily budget and — to someone who never wrote — the first-message cap), in
one transaction, and shows in the inbox like an agent's message. An idempotency key (the
`Idempotency-Key` header or `clientMessageId`) makes a retried call return the first call's
message instead of sending twice: the key is unique per workspace in the outbox, so even two
concurrent retries queue one message.
Webhooks hear of a new contact and a newly opened conversation (`contact.created`,
`conversation.created`) in that transaction, and of the message once it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from app.auth import Resource, guarded
from app.db.errors import is_unique_violation
from app.db.repos import mapping, sessions
from app.db.repos.outbox import Draft, Target, Written, target_for
from app.db.repos.resolver import ensure_contact
from app.db.tables import Conversation, Message, Outbox
from app.domain import Actor, Clock, Conflict, Invalid, SenderType, SessionStatus, new_id
from app.domain import conversations as c
from app.domain.phones import PhoneError, jid_of, to_e164
from app.domain.sending import SendKind
from app.events import EventBus, catalog
from app.net import Egress
from app.pipeline.outbox import Outbox as OutboxPort
from app.records import AuditTrail, WebhookOutbox
from app.services import attachments
from app.services.attachments import Attachment
from app.storage import Storage


@dataclass(frozen=True, slots=True)
class MediaInput:
    """A file to send: base64 bytes (with an optional file name), or a URL to fetch."""

    base64: str | None = None
    url: str | None = None
    file_name: str | None = None


class SendFirstService:
    def __init__(
        self,
        outbox: OutboxPort,
        events: EventBus,
        audit: AuditTrail,
        clock: Clock,
        storage: Storage,
        egress: Egress,
        webhooks: WebhookOutbox,
    ) -> None:
        self._outbox = outbox
        self._events = events
        self._webhooks = webhooks  # contact.created, conversation.created: in the transaction
        self._audit = audit
        self._clock = clock
        self._storage = storage
        self._egress = egress  # a media URL is fetched through the SSRF guard

    @guarded(Resource.CONVERSATIONS, write=True)
    async def send(
        self,
        actor: Actor,
        session_id: str,
        *,
        to: str,
        text: str | None = None,
        media: MediaInput | None = None,
        idempotency_key: str | None = None,
    ) -> c.SentFirst:
        """Queue a message to `to` (any phone number) on this session's number."""
        ws = actor.workspace_id or ""
        await sessions.get(ws, session_id)
        try:
            phone = to_e164(to)
        except PhoneError as exc:
            raise Invalid(f"to: {exc}") from None
        text = (text or "").strip()
        if not text and media is None:
            raise Invalid("give text, media or both")
        jid = jid_of(phone)
        if idempotency_key:
            earlier = await _earlier(ws, idempotency_key, jid)
            if earlier is not None:
                return earlier
        message_id = new_id() if media is not None else None
        stored = await self._attachment(ws, media, message_id or "") if media else None
        draft = Draft(
            text,
            sender_type=SenderType.HUMAN,
            sender_user_id=actor.user_id,
            media=stored,
            message_id=message_id,
        )
        try:
            contact, created, written = await self._queue(
                ws, session_id, jid, draft, idempotency_key
            )
        except Exception as exc:
            if stored is not None:
                await attachments.discard(self._storage, stored)
            if idempotency_key and is_unique_violation(exc):  # a concurrent retry won
                earlier = await _earlier(ws, idempotency_key, jid)
                if earlier is not None:
                    return earlier
            raise
        if created:
            self._events.publish(catalog.contact_updated(ws, mapping.contact(contact)))
        self._outbox.announce(ws, written)
        (message,) = written.messages
        await self._audit.record(
            actor, "conversation.send_first", "conversation", message.conversation_id
        )
        return c.SentFirst(
            message_id=message.id,
            conversation_id=message.conversation_id,
            contact_id=str(contact["id"]),
            to=phone,
            status=message.status,
        )

    @guarded(Resource.CONVERSATIONS, write=True)
    async def senders(self, actor: Actor) -> list[c.Sender]:
        """The workspace's numbers to write from, connected ones first."""
        listed = await sessions.list_for(actor.workspace_id or "")
        out = [
            c.Sender(
                session_id=s.id,
                account_id=s.account_id,
                channel=s.channel,
                connected=s.status == SessionStatus.CONNECTED,
            )
            for s in listed
        ]
        return sorted(out, key=lambda s: not s.connected)

    @guarded(Resource.CONVERSATIONS, write=True)
    async def start(self, actor: Actor, session_id: str, to: str) -> c.SentFirst:
        """Open a conversation with `to` without sending anything yet (the inbox's "New
        conversation" with no first message); an agent's first message in it is sending
        first too (`ConversationService.send` tells by the contact never having written)."""
        ws = actor.workspace_id or ""
        await sessions.get(ws, session_id)
        try:
            phone = to_e164(to)
        except PhoneError as exc:
            raise Invalid(f"to: {exc}") from None
        jid, now = jid_of(phone), self._clock.now()
        async with Message._meta.db.transaction():
            contact, created = await ensure_contact(ws, session_id, jid, now)
            target = await target_for(ws, session_id, str(contact["id"]), jid, now)
            conversation = None
            if target.opened:
                row = await Conversation.select().where(Conversation.id == target.conversation_id)
                conversation = mapping.conversation(row[0])
            await self._tell_webhooks(ws, contact, created, target, conversation)
        if created:
            self._events.publish(catalog.contact_updated(ws, mapping.contact(contact)))
        await self._audit.record(
            actor, "conversation.start", "conversation", target.conversation_id
        )
        return c.SentFirst(
            message_id="",
            conversation_id=target.conversation_id,
            contact_id=str(contact["id"]),
            to=phone,
            status="OPEN",
        )

    async def _queue(
        self, ws: str, session_id: str, jid: str, draft: Draft, key: str | None
    ) -> tuple[dict[str, object], bool, Written]:
        """Contact, open conversation, message and outbox row: one transaction."""
        now = self._clock.now()
        async with Message._meta.db.transaction():
            contact, created = await ensure_contact(ws, session_id, jid, now)
            if contact["is_blocked"]:
                raise Conflict("this contact is blocked; unblock them before writing to them")
            target = await target_for(ws, session_id, str(contact["id"]), jid, now)
            written = await self._outbox.enqueue(
                target, [draft], kind=SendKind.SEND_FIRST, idempotency_key=key
            )
            await self._tell_webhooks(ws, contact, created, target, written.conversation)
        return contact, created, written

    async def _tell_webhooks(
        self,
        ws: str,
        contact: dict[str, object],
        created: bool,
        target: Target,
        conversation: c.Conversation | None,
    ) -> None:
        """A new contact and a newly opened conversation, as inbound messages tell them
        (`message.outbound` follows when the dispatcher has sent the message)."""
        person = mapping.contact(contact)
        told = []
        if created:
            told.append(catalog.contact_created(ws, person, target.conversation_id))
        if target.opened and conversation is not None:
            opened = msgspec.structs.replace(conversation, contact=person)
            told.append(catalog.conversation_created(ws, opened))
        await self._webhooks.record(*told)

    async def _attachment(self, ws: str, media: MediaInput, name: str) -> attachments.Media:
        """Checked (type from the bytes, 16 MB) and stored as `<ws>/<name><ext>`."""
        if (media.base64 is None) == (media.url is None):
            raise Invalid("media: give either base64 or url")
        if media.url is not None:
            file = await attachments.fetched(self._egress, media.url)
            file = Attachment(media.file_name or file.filename, file.data)
        else:
            file = attachments.decoded(media.base64 or "", media.file_name)
        kind = attachments.check(file)
        return await attachments.store(self._storage, ws, name, kind, file)


async def _earlier(ws: str, key: str, jid: str) -> c.SentFirst | None:
    """The message an earlier call with this idempotency key queued, if any."""
    row = (
        await Outbox.select(
            Outbox.message_id, Outbox.conversation_id, Outbox.jid, Outbox.message_id.status
        )
        .where((Outbox.workspace_id == ws) & (Outbox.idempotency_key == key))
        .first()
    )
    if row is None:
        return None
    if row["jid"] != jid:
        raise Conflict("this Idempotency-Key was already used for a message to another number")
    contact = (
        await Message.select(Message.conversation_id.contact_id)
        .where(Message.id == row["message_id"])
        .first()
    )
    return c.SentFirst(
        message_id=row["message_id"],
        conversation_id=row["conversation_id"],
        contact_id=contact["conversation_id.contact_id"] if contact else "",
        to="+" + jid.split("@", 1)[0],
        status=row["message_id.status"],
        duplicate=True,
    )
