"""The inbound path (seed §3, DESIGN §4): persist first → contact → conversation → route →
decision + outbox in one transaction → wake the dispatcher.

`handle()` persists and returns at once (the channel's callback must not wait for a model);
routing then runs in a lane per conversation, so replies within a chat keep message order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from app.channels import ChannelManager
from app.db.repos import inbound, messages, outbox, unrouted
from app.db.repos.unrouted import Unrouted
from app.domain import Clock, ConversationStatus, MessageKind, NormalizedMessage, media_file
from app.domain import conversations as c
from app.events import EventBus, names
from app.pipeline.dispatcher import Dispatcher
from app.pipeline.lanes import Lanes
from app.pipeline.media import MediaNotSaved, save_media
from app.pipeline.responders import ReplyContext, Responders
from app.pipeline.router import Route, decide, drafts_of
from app.services.notifications import NotificationService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionRef:
    session_id: str
    workspace_id: str


_SWITCHES = ("is_blocked", "human_takeover", "approval_mode", "autoreply_enabled")


def encode(model: Any) -> dict[str, Any]:
    return msgspec.to_builtins(model)


def stored_message(item: Unrouted) -> NormalizedMessage:
    """The inbound message as the router needs it, rebuilt from its row (after a restart the
    channel's event is gone): text, caption, and the media reference to fetch the file."""
    m = item.message
    return NormalizedMessage(
        wa_message_id=m.wa_message_id or m.id,
        jid=item.contact.jid,
        chat_jid=item.contact.jid,
        timestamp=m.created_at,
        kind=MessageKind.MEDIA if m.media_type else MessageKind.TEXT,
        text=m.content or None,
        media_type=m.media_type,
        media_ref=item.media_ref,
        media_mime=m.media_mime,
        media_filename=m.media_filename,
        media_caption=m.media_caption,
        reply_to_wa_message_id=m.reply_to_id,
    )


class Pipeline:
    def __init__(
        self,
        clock: Clock,
        events: EventBus,
        notifications: NotificationService,
        responders: Responders,
        dispatcher: Dispatcher,
        channels: ChannelManager,
        media_dir: Path,
    ) -> None:
        self.clock = clock
        self.events = events
        self.notifications = notifications
        self.responders = responders
        self.dispatcher = dispatcher
        self.channels = channels
        self.media_dir = media_dir
        self.lanes = Lanes()
        self._routing: set[tuple[str, str]] = set()  # (session, waMessageId) queued or routing
        self.failures: dict[str, int] = {}  # message id → routings that raised

    async def handle(self, ref: SessionRef, msg: NormalizedMessage) -> c.Message | None:
        """Persist `msg` and queue its routing; None for a redelivered message. Returns once
        the message would survive a power loss too (`settings.sqlite_durability`)."""
        now = self.clock.now()
        key = (ref.session_id, msg.wa_message_id)
        claimed = key not in self._routing  # marked before the row exists: recovery skips it
        self._routing.add(key)
        stored = None
        try:
            stored = await inbound.persist_inbound(ref.workspace_id, ref.session_id, msg, now)
        finally:
            if claimed and (stored is None or not stored.needs_routing):
                self._routing.discard(key)
        if stored is None:
            log.debug("redelivered message %s ignored", msg.wa_message_id)
            await inbound.durable()  # the first copy may still be on its way to the disk
            return None
        ws, conv = ref.workspace_id, stored.conversation
        self.events.publish(
            names.MESSAGE_NEW,
            ws,
            {"message": encode(stored.message), "conversation": encode(conv)},
            conversation_id=conv.id,
        )
        self.events.publish(names.CONTACT_UPDATED, ws, {"contact": encode(stored.contact)})
        if stored.new_contact and not msg.is_from_me:
            await self.notifications.notify(
                ws, names.NEW_CONTACT, {"contactId": stored.contact.id, "jid": stored.contact.jid}
            )
        if stored.needs_routing and claimed:
            self.lanes.submit(conv.id, lambda: self._tracked(key, ref, stored, msg))
        await inbound.durable()  # on disk before the caller acknowledges it (202)
        return stored.message

    @property
    def in_flight(self) -> int:
        """Inbound messages queued or being routed in this process."""
        return len(self._routing)

    def reroute(self, item: Unrouted, done: Callable[[], None]) -> bool:
        """Queue a stored, unrouted message (recovery); False when it is already in flight.
        `done` runs once its routing ended, however it ended."""
        key = (item.session_id, item.message.wa_message_id or item.message.id)
        if key in self._routing:
            return False
        self._routing.add(key)
        ref = SessionRef(item.session_id, item.workspace_id)
        stored = inbound.Persisted(item.message, item.conversation, item.contact, False)
        msg = stored_message(item)

        async def work() -> None:
            try:
                if await unrouted.is_unrouted(item.message.id):  # routed since it was read
                    await self._tracked(key, ref, stored, msg)
            finally:
                self._routing.discard(key)
                done()

        self.lanes.submit(item.conversation.id, work)
        return True

    async def _tracked(
        self,
        key: tuple[str, str],
        ref: SessionRef,
        stored: inbound.Persisted,
        msg: NormalizedMessage,
    ) -> None:
        """Route, counting failures (recovery retries a failed message a few times)."""
        try:
            await self._route(ref, stored, msg)
            self.failures.pop(stored.message.id, None)
        except outbox.AlreadyRouted:
            log.debug("message %s was already routed", stored.message.id)
        except Exception:
            self.failures[stored.message.id] = self.failures.get(stored.message.id, 0) + 1
            raise
        finally:
            self._routing.discard(key)

    async def _route(
        self, ref: SessionRef, stored: inbound.Persisted, msg: NormalizedMessage
    ) -> None:
        state = await messages.route_state(stored.conversation.id)
        if state is None:
            return  # deleted meanwhile (GDPR delete of the contact)
        contact = msgspec.structs.replace(stored.contact, **{k: bool(state[k]) for k in _SWITCHES})
        conversation = msgspec.structs.replace(stored.conversation, status=state["status"])
        media_path = media_error = None
        if msg.media_ref:
            media_path, media_error = await self._media(ref, stored.message, msg)
        settings = await messages.workspace_settings(ref.workspace_id)
        ctx = ReplyContext(
            ref.workspace_id,
            ref.session_id,
            contact,
            conversation,
            stored.message,
            msg,
            settings,
            media_path,
            media_error,
        )
        decision = await decide(ctx, self.responders)
        drafts = []
        welcome = settings.get("welcome_message")
        if stored.new_contact and welcome and decision.route is not Route.BLOCKED:
            drafts.append(outbox.Draft(welcome))
        reply = decision.reply
        if decision.route is Route.WAITING and reply is not None:
            drafts.append(outbox.Draft(reply.text, once_per_wait=True))
        elif reply is not None:
            drafts.extend(drafts_of(reply, decision.hold))
        escalate = reply is not None and reply.escalate
        status = None
        if decision.hold:
            status = ConversationStatus.PENDING_APPROVAL
        elif escalate or decision.route is Route.TAKEOVER:  # a human must answer now
            status = ConversationStatus.WAITING_HUMAN
        target = outbox.Target(
            ref.workspace_id, ref.session_id, stored.conversation.id, msg.chat_jid
        )
        written = await outbox.record_decision(
            target, stored.message.id, drafts, self.clock.now(), status=status
        )
        await self.publish_written(ref.workspace_id, stored.conversation.id, written, status)
        if decision.hold:
            await self.notifications.notify(
                ref.workspace_id,
                names.APPROVAL_NEEDED,
                {"conversationId": stored.conversation.id, "messageId": written[-1].id},
            )
        if escalate and reply is not None:
            await self.notifications.notify(
                ref.workspace_id,
                names.ESCALATION_NEEDED,
                {
                    "conversationId": stored.conversation.id,
                    "contactId": stored.contact.id,
                    "reason": reply.escalation_reason,
                },
            )

    async def _media(
        self, ref: SessionRef, message: c.Message, msg: NormalizedMessage
    ) -> tuple[Path | None, str | None]:
        """The inbound file on disk, or why it is not: then the team is told, and the row
        keeps its reference for a later try (`MediaRefetch`)."""
        if message.media_url:  # stored before a crash cut the routing short
            kept = media_file(self.media_dir, message.media_url)
            if kept.is_file():
                return kept, None
        try:
            path = await save_media(
                self.channels,
                self.media_dir,
                ref.session_id,
                ref.workspace_id,
                message,
                msg.media_ref or "",
                msg.media_mime,
                self.events,
            )
        except MediaNotSaved as exc:
            await self.notifications.notify(
                ref.workspace_id,
                names.MEDIA_NOT_SAVED,
                {
                    "conversationId": message.conversation_id,
                    "messageId": message.id,
                    "reason": str(exc),
                },
            )
            return None, str(exc)
        return path, None

    async def publish_written(
        self,
        workspace_id: str,
        conversation_id: str,
        written: list[c.Message],
        status: ConversationStatus | None = None,
    ) -> None:
        for message in written:
            self.events.publish(
                names.MESSAGE_NEW,
                workspace_id,
                {"message": encode(message)},
                conversation_id=conversation_id,
            )
        if status is not None:
            self.events.publish(
                names.CONVERSATION_UPDATED,
                workspace_id,
                {"conversation": {"id": conversation_id, "status": status}},
                conversation_id=conversation_id,
            )
        if any(m.status == "QUEUED" for m in written):
            self.dispatcher.wake()

    async def settle(self) -> None:
        await self.lanes.idle()
