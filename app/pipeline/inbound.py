"""The inbound path (seed §3, DESIGN §4): persist first → contact → conversation → route →
decision + outbox in one transaction → wake the dispatcher.

`handle()` persists and returns at once (the channel's callback must not wait for a model);
routing then runs in a lane per conversation, so replies within a chat keep message order.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from app.channels import ChannelManager
from app.db.repos import inbound, messages, outbox
from app.domain import Clock, ConversationStatus, NormalizedMessage, Receipt
from app.domain import conversations as c
from app.events import EventBus, names
from app.pipeline.dispatcher import Dispatcher
from app.pipeline.lanes import Lanes
from app.pipeline.responders import ReplyContext, Responders
from app.pipeline.router import Route, decide
from app.services.notifications import NotificationService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionRef:
    session_id: str
    workspace_id: str


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
        if msg.media_ref:
            await self._save_media(ref, stored.message, msg)
        settings = await messages.workspace_settings(ref.workspace_id)
        ctx = ReplyContext(
            ref.workspace_id,
            ref.session_id,
            stored.contact,
            stored.conversation,
            stored.message,
            msg,
            settings,
        )
        decision = await decide(ctx, self.responders)
        drafts = []
        welcome = settings.get("welcome_message")
        if stored.new_contact and welcome and decision.route is not Route.BLOCKED:
            drafts.append(outbox.Draft(welcome))
        if decision.reply is not None:
            r = decision.reply
            drafts.append(
                outbox.Draft(
                    r.text,
                    flow_id=r.flow_id,
                    confidence=r.confidence,
                    kb_chunks_used=r.kb_chunks_used,
                    hold=decision.hold,
                )
            )
        status = ConversationStatus.PENDING_APPROVAL if decision.hold else None
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

    async def _save_media(
        self, ref: SessionRef, message: c.Message, msg: NormalizedMessage
    ) -> None:
        """Fetch inbound media into the data dir (best effort: the message is already stored)."""
        try:
            data = await self.channels.get(ref.session_id).download(msg.media_ref or "")
        except Exception as exc:
            log.warning("media of %s not downloaded: %s", msg.wa_message_id, exc)
            return
        ext = mimetypes.guess_extension(msg.media_mime or "") or ".bin"
        relative = Path(ref.workspace_id) / f"{message.id}{ext}"
        path = self.media_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        await messages.set_media_url(message.id, f"media/{relative.as_posix()}")

    async def on_receipt(self, ref: SessionRef, receipt: Receipt) -> None:
        async with self.dispatcher.recording[ref.session_id]:
            changed = await messages.apply_receipt(
                ref.session_id, receipt.wa_message_ids, receipt.kind, receipt.timestamp
            )
        for message in changed:
            self.events.publish(
                names.MESSAGE_UPDATED,
                ref.workspace_id,
                {"message": encode(message)},
                conversation_id=message.conversation_id,
            )

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
