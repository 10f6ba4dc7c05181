"""The inbound path (seed §3, DESIGN §4): persist first → contact → conversation → route →
decision + outbox in one transaction → wake the dispatcher.

`handle()` persists and returns at once (the channel's callback must not wait for a model);
routing then runs in a lane per conversation, so replies within a chat keep message order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from app.channels import ChannelManager
from app.db.repos import inbound, messages, outbox
from app.domain import Abandoned, Clock, ConversationStatus, NormalizedMessage
from app.domain import conversations as c
from app.events import EventBus, names
from app.pipeline.dispatcher import Dispatcher
from app.pipeline.lanes import Lanes
from app.pipeline.media import save_media
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

    async def handle(self, ref: SessionRef, msg: NormalizedMessage) -> c.Message | None:
        """Persist `msg` and queue its routing; None for a redelivered message."""
        now = self.clock.now()
        stored = await inbound.persist_inbound(ref.workspace_id, ref.session_id, msg, now)
        if stored is None:
            log.debug("redelivered message %s ignored", msg.wa_message_id)
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
        if stored.needs_routing:
            self.lanes.submit(conv.id, lambda: self._route(ref, stored, msg))
        return stored.message

    async def _route(
        self, ref: SessionRef, stored: inbound.Persisted, msg: NormalizedMessage
    ) -> None:
        state = await messages.route_state(stored.conversation.id)
        if state is None:
            return  # deleted meanwhile (GDPR delete of the contact)
        contact = msgspec.structs.replace(stored.contact, **{k: bool(state[k]) for k in _SWITCHES})
        conversation = msgspec.structs.replace(stored.conversation, status=state["status"])
        media_path = None
        if msg.media_ref:
            where = (ref.session_id, ref.workspace_id)
            media_path = await save_media(
                self.channels, self.media_dir, *where, stored.message, msg, self.events
            )
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
        )
        try:
            decision = await decide(ctx, self.responders)
        except Abandoned:  # stopping mid-reply: nothing recorded, so recover() routes it again
            log.warning(
                "stopping: abandoned the reply to message %s (conversation %s); it stays "
                "unrouted and is answered after the restart",
                stored.message.id,
                stored.conversation.id,
            )
            return
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

    async def recover(self) -> int:
        """Route inbound messages a crash left persisted but unrouted."""
        pending = await messages.unrouted()
        for item in pending:
            msg = NormalizedMessage(
                wa_message_id=item.message.wa_message_id or item.message.id,
                jid=item.contact.jid,
                chat_jid=item.contact.jid,
                timestamp=item.message.created_at,
                text=item.message.content or None,
                media_caption=item.message.media_caption,
            )
            ref = SessionRef(item.session_id, item.workspace_id)
            stored = inbound.Persisted(item.message, item.conversation, item.contact, False)
            self.lanes.submit(
                item.conversation.id, lambda r=ref, s=stored, m=msg: self._route(r, s, m)
            )
        return len(pending)

    async def settle(self) -> None:
        await self.lanes.idle()
