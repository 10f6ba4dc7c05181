"""The one way out: every outbound message — the bot's reply, a human's, an approved draft, a
flow waking up, a broadcast, a send-first — is written as rows first, then the dispatcher is
woken to send them within the number's send budget. Nothing is sent that was not recorded.

- `record(...)`: replies, written with the decision that made them (one transaction); then
  `dispatch(written)`. On Postgres the decision may take its first reply for sending in its
  own statement, when the dispatcher offers it (`repo.Take`): that reply goes straight to a
  lane, with no dispatcher pass and no claim.
- `enqueue(target, drafts, kind=…)`: a message nobody is replying to. It joins the caller's
  transaction when one is open (a broadcast marks its recipient row in the same one); then
  the caller calls `announce(written)` once that transaction has committed. Called outside a
  transaction it commits by itself and announces at once.
"""

from __future__ import annotations

from typing import Protocol

from app.db.repos import outbox as repo
from app.db.repos.outbox import Draft, Sending, Take, Target, Written
from app.db.repos.outbox_jobs import Job
from app.db.tables import Message
from app.domain import Clock, ConversationStatus
from app.domain.sending import SendKind
from app.events import EventBus, catalog
from app.pipeline.responders import Effect


class Wake(Protocol):
    """The dispatcher's `wake`: rows are due in `session_id` (None: somewhere)."""

    def __call__(self, session_id: str | None = None) -> None: ...


class Taker(Protocol):
    """The dispatcher's side of a reply taken by its decision (`outbox.Take`)."""

    async def offer(self, session_id: str, jid: str, text: str) -> Take | None: ...

    def adopt(self, job: Job) -> None: ...


class Outbox:
    def __init__(
        self, clock: Clock, events: EventBus, wake: Wake, taker: Taker | None = None
    ) -> None:
        self._clock = clock
        self._events = events
        self._wake = wake  # the dispatcher's: rows are due now
        self._taker = taker  # None: every row waits for the dispatcher's claim

    async def record(
        self,
        target: Target,
        drafts: list[Draft],
        *,
        inbound_id: str | None = None,
        status: ConversationStatus | None = None,
        effect: Effect | None = None,
        kind: SendKind = SendKind.REPLY,
        cold: bool = False,
        take: bool = False,
    ) -> Written:
        """Write `effect` (a responder's own state), `drafts` (queued, or held for approval),
        mark `inbound_id` routed and set the conversation's status, in one transaction. Once
        it committed and the events are out (and `effect.applied()`), call `dispatch`.
        `take`: the decision may take its first queued reply for sending itself, when the
        dispatcher offers it (`outbox.Take`; Postgres)."""
        offer = None
        before = effect.apply if effect is not None else None
        if take and self._taker is not None and repo.takes(inbound_id, drafts, status, before):
            first = next(d for d in drafts if not d.hold)
            offer = await self._taker.offer(target.session_id, target.jid, first.text)
        return await repo.record_decision(
            target,
            inbound_id,
            drafts,
            self._clock.now(),
            status=status,
            before=before,
            sending=Sending(kind, cold),
            take=offer,
        )

    def dispatch(self, written: Written) -> None:
        """After a decision committed: its taken reply goes out on a lane of its own, or
        the dispatcher is woken for the sessions of its queued rows."""
        if written.taken is not None and self._taker is not None:
            self._taker.adopt(written.taken)
            return  # the decision's rows share the taken one's chat: they follow its send
        for session_id in {m.session_id for m in written.messages if m.status == "QUEUED"}:
            self.wake(session_id)

    async def enqueue(
        self,
        target: Target,
        drafts: list[Draft],
        *,
        kind: SendKind,
        cold: bool | None = None,
        idempotency_key: str | None = None,
    ) -> Written:
        """Queue `drafts` to `target` as `kind` (its priority, and the limits that hold it:
        quiet hours, the daily budget, the cap on `cold` messages — None: cold unless the
        contact ever wrote). Inside an open transaction the rows commit with it: call
        `announce(written)` after the commit; outside one this announces by itself."""
        in_transaction = Message._meta.db.current_transaction.get() is not None
        if cold is None:
            cold = not await repo.ever_wrote(target.conversation_id)
        sending = Sending(kind, cold, idempotency_key)
        written = await repo.enqueue(target, drafts, self._clock.now(), sending)
        if not in_transaction:
            self.announce(target.workspace_id, written)
        return written

    def announce(self, workspace_id: str, written: Written) -> None:
        """`message:new` per queued message (with the conversation after it), then wake the
        dispatcher. For `enqueue` inside the caller's transaction, after it committed."""
        for message in written.messages:
            self._events.publish(catalog.message_new(workspace_id, message, written.conversation))
        if written.conversation is not None:
            self._events.publish(catalog.conversation_updated(workspace_id, written.conversation))
        sessions = {m.session_id for m in written.messages}
        for session_id in sessions or {None}:
            self.wake(session_id)

    def wake(self, session_id: str | None = None) -> None:
        """Tell the dispatcher rows are waiting — in `session_id` when it is known (it also
        polls, so a lost wake only delays)."""
        self._wake(session_id)
