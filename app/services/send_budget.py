"""The send budget of each WhatsApp number, for people (issue 15): see today's use, change
the limits, pause and resume by hand. Resuming is the only way out of an automatic pause
(ban or rate-limit signal, failure spike): someone has to have looked.

The budget itself — what may go out now — is enforced by the dispatcher's claims
(`app/pipeline/budget.py`); this only reads and configures it.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from app.auth import Resource, guarded
from app.db.repos import send_budget as repo
from app.db.repos import sessions
from app.domain import Actor, Clock
from app.domain.sending import SendBudgetView
from app.pipeline.budget import SendBudget
from app.records import AuditTrail
from app.schemas.sending import BudgetPatchBody


class SendBudgetService:
    def __init__(
        self, budget: SendBudget, wake: Callable[[], None], audit: AuditTrail, clock: Clock
    ) -> None:
        self._budget = budget
        self._wake = wake  # the dispatcher's: held rows may go now
        self._audit = audit
        self._clock = clock

    @guarded(Resource.WHATSAPP, write=False)
    async def get(self, actor: Actor, session_id: str) -> SendBudgetView:
        """Limits in force, today's use, warm-up stage, quiet hours, pause state."""
        await sessions.get(actor.workspace_id or "", session_id)
        return await repo.view(session_id, self._clock.now(), self._budget.defaults)

    @guarded(Resource.WHATSAPP, write=True)
    async def update(self, actor: Actor, session_id: str, patch: BudgetPatchBody) -> SendBudgetView:
        await sessions.get(actor.workspace_id or "", session_id)
        values = {
            f: v for f in patch.__struct_fields__ if (v := getattr(patch, f)) is not msgspec.UNSET
        }
        now = self._clock.now()
        await repo.configure(session_id, now, values)
        if values:
            await self._audit.record(
                actor, "whatsapp.budget", "whatsapp_session", session_id, {"fields": sorted(values)}
            )
        self._wake()  # a higher limit lets held rows go now
        return await repo.view(session_id, now, self._budget.defaults)

    @guarded(Resource.WHATSAPP, write=True)
    async def pause(self, actor: Actor, session_id: str, reason: str | None) -> SendBudgetView:
        """Stop the number's outbound traffic by hand (queued messages wait)."""
        await sessions.get(actor.workspace_id or "", session_id)
        why = "paused by hand" + (f": {reason}" if reason else "")
        await self._budget.pause(actor.workspace_id or "", session_id, why)
        await self._audit.record(actor, "whatsapp.pause", "whatsapp_session", session_id)
        return await repo.view(session_id, self._clock.now(), self._budget.defaults)

    @guarded(Resource.WHATSAPP, write=True)
    async def resume(self, actor: Actor, session_id: str) -> SendBudgetView:
        """Let a paused number send again; what waited goes out within the budget."""
        await sessions.get(actor.workspace_id or "", session_id)
        if await self._budget.resume(session_id):
            await self._audit.record(actor, "whatsapp.resume", "whatsapp_session", session_id)
            self._wake()
        return await repo.view(session_id, self._clock.now(), self._budget.defaults)
