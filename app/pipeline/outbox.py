"""The one way out: every outbound message — the bot's reply, a human's, an approved draft —
is written as rows first (with the decision that made it, in one transaction), then the
dispatcher is woken to send them. Nothing is sent that was not recorded."""

from __future__ import annotations

from collections.abc import Callable

from app.db.repos import outbox as repo
from app.db.repos.outbox import Draft, Target, Written
from app.domain import Clock, ConversationStatus


class Outbox:
    def __init__(self, clock: Clock, wake: Callable[[], None]) -> None:
        self._clock = clock
        self._wake = wake  # the dispatcher's: rows are due now

    async def record(
        self,
        target: Target,
        drafts: list[Draft],
        *,
        inbound_id: str | None = None,
        status: ConversationStatus | None = None,
    ) -> Written:
        """Write `drafts` (queued, or held for approval), mark `inbound_id` routed and set the
        conversation's status, in one transaction. Call `wake()` once the events are out."""
        return await repo.record_decision(
            target, inbound_id, drafts, self._clock.now(), status=status
        )

    def wake(self) -> None:
        """Tell the dispatcher rows are waiting (it also polls, so a lost wake only delays)."""
        self._wake()
