"""The inbound path (seed §3, DESIGN §4): persist first → contact → conversation → route →
decision + outbox in one transaction → wake the dispatcher.

Webhooks hear of it in the same transactions (`WebhookOutbox.record`): the message, a new
contact or conversation with the persist; a status change or an escalation with the decision.

`handle()` persists and returns at once (the channel's callback must not wait for a model);
routing then runs in a lane per conversation, so replies within a chat keep message order.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from app.channels import ChannelManager
from app.db.repos import consent, inbound, messages, unrouted, workspace_settings
from app.db.repos.outbox import AlreadyRouted, Draft, Target, Written
from app.db.repos.unrouted import Unrouted
from app.domain import (
    Abandoned,
    Clock,
    ConversationStatus,
    MessageKind,
    NormalizedMessage,
    owned_key,
)
from app.domain import conversations as c
from app.domain.consent import confirmation
from app.domain.csat import thanks
from app.domain.sending import SendKind
from app.events import Event, EventBus, catalog
from app.pipeline.lanes import Lanes
from app.pipeline.media import MediaNotSaved, save_media
from app.pipeline.outbox import Outbox
from app.pipeline.responders import Reply, ReplyContext, Responders, Stale
from app.pipeline.router import Route, decide, drafts_of
from app.records import Notifier, WebhookOutbox
from app.storage import Storage

log = logging.getLogger(__name__)
DECIDE_ATTEMPTS = 3  # a flow run moved under us (a wake-up won): decide again, fresh


@dataclass(frozen=True, slots=True)
class SessionRef:
    session_id: str
    workspace_id: str


_SWITCHES = ("is_blocked", "human_takeover", "approval_mode", "autoreply_enabled")


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
        notifier: Notifier,
        responders: Responders,
        outbox: Outbox,
        channels: ChannelManager,
        storage: Storage,
        webhooks: WebhookOutbox,
    ) -> None:
        self._clock = clock
        self._events = events
        self._notifier = notifier
        self._webhooks = webhooks
        self._responders = responders
        self._outbox = outbox
        self._channels = channels
        self._storage = storage
        self._lanes = Lanes()
        self._routing: set[tuple[str, str]] = set()  # (session, waMessageId) queued or routing
        self.failures: dict[str, int] = {}  # message id → routings that raised

    async def handle(self, ref: SessionRef, msg: NormalizedMessage) -> c.Message | None:
        """Persist `msg` and queue its routing; None for a redelivered message. Returns once
        the message would survive a power loss too (`settings.sqlite_durability`)."""
        now, ws = self._clock.now(), ref.workspace_id
        key = (ref.session_id, msg.wa_message_id)
        claimed = key not in self._routing  # marked before the row exists: recovery skips it
        self._routing.add(key)
        told: list[Event] = []
        thanked: list[Written] = []

        async def record(stored: inbound.Persisted) -> None:  # inside the persist transaction
            told[:] = _persisted(ws, stored)
            await self._webhooks.record(*told)
            thanked.clear()
            if stored.csat_rating is not None:  # thanked once: with the rating, or not at all
                thanked.append(await self._thank(ref, stored, msg))

        stored = None
        try:
            alone = await self._webhooks.quiet(ws)  # no delivery rows to commit with it
            stored = await inbound.persist_inbound(
                ws, ref.session_id, msg, now, record, alone=alone
            )
        finally:
            if claimed and (stored is None or not stored.needs_routing):
                self._routing.discard(key)
        if stored is None:
            log.debug("redelivered message %s ignored", msg.wa_message_id)
            await inbound.durable()  # the first copy may still be on its way to the disk
            return None
        conv = stored.conversation
        for event in told:
            self._events.publish(event)
        for written in thanked:
            self._outbox.announce(ws, written)
        self._events.publish(catalog.contact_updated(ws, stored.contact))
        if stored.new_contact and not msg.is_from_me:
            notice = catalog.new_contact(stored.contact.id, stored.contact.jid)
            await self._notifier.notify(ws, notice)
        if stored.needs_routing and claimed:
            # the state read with the store is as fresh as a read now when the routing starts
            # at once; behind other work in its lane it reads again when its turn comes
            read = None if self._lanes.busy(conv.id) else stored.route
            self._lanes.submit(conv.id, lambda: self._tracked(key, ref, stored, msg, read))
        await inbound.durable()  # on disk before the caller acknowledges it (202)
        return stored.message

    async def _thank(
        self, ref: SessionRef, stored: inbound.Persisted, msg: NormalizedMessage
    ) -> Written:
        """Queue the acknowledgement of a CSAT rating, in the transaction that stored it."""
        settings = await workspace_settings.load(ref.workspace_id)
        text = thanks(settings.csat_thanks, stored.contact.language)
        target = Target(ref.workspace_id, ref.session_id, stored.conversation.id, msg.chat_jid)
        thanks_draft = Draft(text, kind=SendKind.CSAT)  # sent as a reply, counted as CSAT
        return await self._outbox.enqueue(target, [thanks_draft], kind=SendKind.REPLY, cold=False)

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

        self._lanes.submit(item.conversation.id, work)
        return True

    async def _tracked(
        self,
        key: tuple[str, str],
        ref: SessionRef,
        stored: inbound.Persisted,
        msg: NormalizedMessage,
        read: messages.RouteRead | None = None,
    ) -> None:
        """Route, counting failures (recovery retries a failed message a few times)."""
        try:
            await self._route(ref, stored, msg, read)
            self.failures.pop(stored.message.id, None)
        except AlreadyRouted:
            log.debug("message %s was already routed", stored.message.id)
        except Exception:
            self.failures[stored.message.id] = self.failures.get(stored.message.id, 0) + 1
            raise
        finally:
            self._routing.discard(key)

    async def _route(
        self,
        ref: SessionRef,
        stored: inbound.Persisted,
        msg: NormalizedMessage,
        read: messages.RouteRead | None,
    ) -> None:
        if read is None:
            read = await messages.route_read(stored.conversation.id)
        if read is None:
            return  # deleted meanwhile (GDPR delete of the contact)
        state = read.state
        contact = msgspec.structs.replace(stored.contact, **{k: bool(state[k]) for k in _SWITCHES})
        conversation = msgspec.structs.replace(stored.conversation, status=state["status"])
        media_key = media_error = None
        if msg.media_ref:
            media_key, media_error = await self._media(ref, stored.message, msg)
        async with self._local_file(media_key) as media_path:
            await self._route_with(
                ref, stored, msg, read, contact, conversation, media_path, media_error
            )

    def _local_file(self, key: str | None) -> AbstractAsyncContextManager[Path | None]:
        """The inbound file as a real path while the message is routed (the AI engine reads
        it): the stored file itself, or a temporary copy from S3 removed afterwards."""
        if key is None:
            return contextlib.nullcontext(None)
        return self._storage.local_file(key)

    async def _route_with(
        self,
        ref: SessionRef,
        stored: inbound.Persisted,
        msg: NormalizedMessage,
        read: messages.RouteRead,
        contact: c.Contact,
        conversation: c.Conversation,
        media_path: Path | None,
        media_error: str | None,
    ) -> None:
        ctx = ReplyContext(
            ref.workspace_id,
            ref.session_id,
            contact,
            conversation,
            stored.message,
            msg,
            read.settings,
            media_path,
            media_error=media_error,
            first_message=stored.new_contact and not msg.is_from_me,
            no_flows=not read.flows,
        )
        for attempt in range(1, DECIDE_ATTEMPTS + 1):
            try:
                await self._decide(ref, stored, msg, ctx)
                return
            except Stale:
                if attempt == DECIDE_ATTEMPTS:
                    raise
                log.info("routing %s again: a flow run moved meanwhile", stored.message.id)
                ctx = replace(ctx, no_flows=False)  # look again, fresh

    async def _decide(
        self, ref: SessionRef, stored: inbound.Persisted, msg: NormalizedMessage, ctx: ReplyContext
    ) -> None:
        contact, settings = ctx.contact, ctx.settings
        try:
            decision = await decide(ctx, self._responders)
        except Abandoned:  # stopping mid-reply: nothing recorded, so recovery routes it again
            log.warning(
                "stopping: abandoned the reply to message %s (conversation %s); it stays "
                "unrouted and is answered after the restart",
                stored.message.id,
                stored.conversation.id,
            )
            return
        drafts = []
        welcome = settings.welcome_message
        # a flow that takes the first message is the welcome; no second greeting before it
        greet = decision.route not in (Route.BLOCKED, Route.FLOW, Route.OPT_OUT)
        if stored.new_contact and welcome and greet:
            drafts.append(Draft(welcome))
        reply = decision.reply
        word = decision.word if decision.route is Route.OPT_OUT else None
        if word is not None and await consent.opt_out(contact.id, self._clock.now()):
            # confirmed once: only the message that opted them out is answered
            drafts.append(Draft(confirmation(word, contact.language)))
            contact = msgspec.structs.replace(contact, opted_out_at=self._clock.now())
            self._events.publish(catalog.contact_updated(ref.workspace_id, contact))
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

        # the decision and what webhooks hear of it, as one
        async with await self._webhooks.joined(ref.workspace_id):
            written = await self._outbox.record(
                target,
                drafts,
                inbound_id=stored.message.id,
                status=status,
                effect=effect,
                take=True,
            )
            changed = _decided(ref.workspace_id, written, contact, status, reply)
            await self._webhooks.record(*changed)
        if effect is not None:
            effect.applied()
        self._announce(ref.workspace_id, written, contact, changed)
        conv_id = stored.conversation.id
        if decision.hold and written.messages:
            notice = catalog.approval_needed(conv_id, written.messages[-1].id)
            await self._notifier.notify(ref.workspace_id, notice)
        if escalate and reply is not None:
            notice = catalog.escalation_needed(conv_id, contact.id, reply.escalation_reason)
            await self._notifier.notify(ref.workspace_id, notice)

    async def _media(
        self, ref: SessionRef, message: c.Message, msg: NormalizedMessage
    ) -> tuple[str | None, str | None]:
        """The inbound file's key in the store, or why there is none: then the team is told,
        and the row keeps its reference for a later try (`MediaRefetch`)."""
        kept = owned_key(ref.workspace_id, message.media_url)
        if kept is not None and await self._storage.size(kept) is not None:
            return kept, None  # stored before a crash cut the routing short
        try:
            key = await save_media(
                self._channels,
                self._storage,
                ref.session_id,
                ref.workspace_id,
                message,
                msg.media_ref or "",
                msg.media_mime,
                self._events,
            )
        except MediaNotSaved as exc:
            notice = catalog.media_not_saved(message.conversation_id, message.id, str(exc))
            await self._notifier.notify(ref.workspace_id, notice)
            return None, str(exc)
        return key, None

    def _announce(
        self, workspace_id: str, written: Written, contact: c.Contact, changed: list[Event]
    ) -> None:
        """`message:new` per reply (with the conversation after it), then what the decision
        changed (`conversation:updated`, `conversation.escalated`); then what is queued goes to
        the dispatcher (the taken reply to a lane, or a wake)."""
        conversation = written.conversation
        if conversation is not None:
            conversation = msgspec.structs.replace(conversation, contact=contact)
        for message in written.messages:
            self._events.publish(catalog.message_new(workspace_id, message, conversation))
        for event in changed:
            self._events.publish(event)
        self._outbox.dispatch(written)

    async def settle(self) -> None:
        """Wait until every queued message is routed."""
        await self._lanes.idle()

    async def cancel(self) -> None:
        """Stop routing (shutdown): what was not routed is routed again by `Recovery`."""
        await self._lanes.cancel()


def _persisted(workspace_id: str, stored: inbound.Persisted) -> list[Event]:
    """What a persisted message tells (the WebSocket and webhooks): the message, and the
    contact or conversation it created."""
    told = []
    if stored.new_contact:
        conversation_id = stored.conversation.id
        told.append(catalog.contact_created(workspace_id, stored.contact, conversation_id))
    if stored.new_conversation:
        told.append(catalog.conversation_created(workspace_id, stored.conversation))
    told.append(catalog.message_new(workspace_id, stored.message, stored.conversation))
    return told


def _decided(
    workspace_id: str,
    written: Written,
    contact: c.Contact,
    status: ConversationStatus | None,
    reply: Reply | None,
) -> list[Event]:
    """What a decision changed: the conversation's status (when it set one), and whether the
    bot escalated."""
    conversation = written.conversation
    if status is None or conversation is None:
        return []
    conversation = msgspec.structs.replace(conversation, contact=contact)
    changed = [catalog.conversation_updated(workspace_id, conversation)]
    if reply is not None and reply.escalate:
        reason = reply.escalation_reason
        changed.append(catalog.conversation_escalated(workspace_id, conversation, reason))
    return changed
