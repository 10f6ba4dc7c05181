"""The inbound path (seed §3, DESIGN §4): persist first → contact → conversation → route →
decision + outbox in one transaction → wake the dispatcher.

`handle()` persists and returns at once (the channel's callback must not wait for a model);
routing then runs in a lane per conversation, so replies within a chat keep message order.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import msgspec

from app.channels import ChannelManager
from app.db.repos import inbound, messages, workspace_settings
from app.db.repos.outbox import Draft, Target, Written
from app.domain import Clock, ConversationStatus, NormalizedMessage
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.pipeline.lanes import Lanes
from app.pipeline.media import save_media
from app.pipeline.outbox import Outbox
from app.pipeline.responders import ReplyContext, Responders, Stale
from app.pipeline.router import Route, decide, drafts_of
from app.records import Notifier

log = logging.getLogger(__name__)
DECIDE_ATTEMPTS = 3  # a flow run moved under us (a wake-up won): decide again, fresh


@dataclass(frozen=True, slots=True)
class SessionRef:
    session_id: str
    workspace_id: str


_SWITCHES = ("is_blocked", "human_takeover", "approval_mode", "autoreply_enabled")


class Pipeline:
    def __init__(
        self,
        clock: Clock,
        events: EventBus,
        notifier: Notifier,
        responders: Responders,
        outbox: Outbox,
        channels: ChannelManager,
        media_dir: Path,
    ) -> None:
        self._clock = clock
        self._events = events
        self._notifier = notifier
        self._responders = responders
        self._outbox = outbox
        self._channels = channels
        self._media_dir = media_dir
        self._lanes = Lanes()

    async def handle(self, ref: SessionRef, msg: NormalizedMessage) -> c.Message | None:
        """Persist `msg` and queue its routing; None for a redelivered message."""
        now = self._clock.now()
        stored = await inbound.persist_inbound(ref.workspace_id, ref.session_id, msg, now)
        if stored is None:
            log.debug("redelivered message %s ignored", msg.wa_message_id)
            return None
        ws, conv = ref.workspace_id, stored.conversation
        self._events.publish(catalog.message_new(ws, stored.message, conv))
        self._events.publish(catalog.contact_updated(ws, stored.contact))
        if stored.new_contact and not msg.is_from_me:
            notice = catalog.new_contact(stored.contact.id, stored.contact.jid)
            await self._notifier.notify(ws, notice)
        if stored.needs_routing:
            self._lanes.submit(conv.id, lambda: self._route(ref, stored, msg))
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
                self._channels, self._media_dir, *where, stored.message, msg, self._events
            )
        settings = await workspace_settings.load(ref.workspace_id)
        ctx = ReplyContext(
            ref.workspace_id,
            ref.session_id,
            contact,
            conversation,
            stored.message,
            msg,
            settings,
            media_path,
            first_message=stored.new_contact and not msg.is_from_me,
        )
        for attempt in range(1, DECIDE_ATTEMPTS + 1):
            try:
                await self._decide(ref, stored, msg, ctx)
                return
            except Stale:
                if attempt == DECIDE_ATTEMPTS:
                    raise
                log.info("routing %s again: a flow run moved meanwhile", stored.message.id)

    async def _decide(
        self, ref: SessionRef, stored: inbound.Persisted, msg: NormalizedMessage, ctx: ReplyContext
    ) -> None:
        contact, settings = ctx.contact, ctx.settings
        decision = await decide(ctx, self._responders)
        drafts = []
        welcome = settings.welcome_message
        # a flow that takes the first message is the welcome; no second greeting before it
        greet = decision.route not in (Route.BLOCKED, Route.FLOW)
        if stored.new_contact and welcome and greet:
            drafts.append(Draft(welcome))
        reply = decision.reply
        if decision.route is Route.WAITING and reply is not None:
            drafts.append(Draft(reply.text, once_per_wait=True))
        elif reply is not None:
            drafts.extend(drafts_of(reply, decision.hold))
        escalate = reply is not None and reply.escalate
        status = None
        if decision.hold:
            status = ConversationStatus.PENDING_APPROVAL
        elif escalate or decision.route is Route.TAKEOVER:  # a human must answer now
            status = ConversationStatus.WAITING_HUMAN
        target = Target(ref.workspace_id, ref.session_id, stored.conversation.id, msg.chat_jid)
        effect = reply.effect if reply is not None else None
        written = await self._outbox.record(
            target, drafts, inbound_id=stored.message.id, status=status, effect=effect
        )
        if effect is not None:
            effect.applied()
        self._announce(ref.workspace_id, written, contact, status is not None)
        conv_id = stored.conversation.id
        if decision.hold and written.messages:
            notice = catalog.approval_needed(conv_id, written.messages[-1].id)
            await self._notifier.notify(ref.workspace_id, notice)
        if escalate and reply is not None:
            notice = catalog.escalation_needed(conv_id, contact.id, reply.escalation_reason)
            await self._notifier.notify(ref.workspace_id, notice)

    def _announce(
        self, workspace_id: str, written: Written, contact: c.Contact, status_changed: bool
    ) -> None:
        """`message:new` per reply (with the conversation after it), `conversation:updated`
        when the decision changed its status; then the dispatcher sends what is queued."""
        conversation = written.conversation
        if conversation is not None:
            conversation = msgspec.structs.replace(conversation, contact=contact)
        for message in written.messages:
            self._events.publish(catalog.message_new(workspace_id, message, conversation))
        if status_changed and conversation is not None:
            self._events.publish(catalog.conversation_updated(workspace_id, conversation))
        if any(m.status == "QUEUED" for m in written.messages):
            self._outbox.wake()

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
            self._lanes.submit(
                item.conversation.id, functools.partial(self._route, ref, stored, msg)
            )
        return len(pending)

    async def settle(self) -> None:
        """Wait until every queued message is routed."""
        await self._lanes.idle()

    async def cancel(self) -> None:
        """Stop routing (shutdown): what was not routed is routed again by `recover`."""
        await self._lanes.cancel()
