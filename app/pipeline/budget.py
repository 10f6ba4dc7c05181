"""The per-number send budget as the pipeline uses it (DESIGN §8 "Sending"): the dispatcher
claims rows through it, and it pauses a number's outbound traffic on a ban or rate-limit
signal from WhatsApp or a spike of failed sends — then tells the workspace
(`sending_paused`). Only a person resumes a paused number (API, or Settings → WhatsApp).

The arithmetic is `app/domain/sending.py`; the rows and the claim transaction are
`app/db/repos/send_budget.py`.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from app.db.repos import send_budget as repo
from app.db.repos import sessions
from app.db.repos.leases import Fence
from app.db.repos.outbox_jobs import Job
from app.db.repos.send_budget import Claim, Lead, ReplySlot
from app.domain import Clock
from app.domain.sending import BudgetDefaults
from app.events import catalog
from app.records import Notifier
from app.settings import Settings

log = logging.getLogger(__name__)

# What WhatsApp (whatsmeow) says when a number sends too fast: "rate-overlimit" / HTTP 429.
_RATE_LIMITED = re.compile(r"rate[-_ ]?over[-_ ]?limit|\b429\b|too many (requests|messages)", re.I)
BAN_CODES = {"banned", "temporary_ban"}


def is_rate_limited(error: BaseException | str) -> bool:
    return bool(_RATE_LIMITED.search(str(error)))


class SendBudget:
    def __init__(
        self,
        defaults: BudgetDefaults,
        notifier: Notifier,
        clock: Clock,
        *,
        enabled: bool = True,
        failure_spike: int = 5,
    ) -> None:
        self.defaults = defaults
        self._notifier = notifier
        self._clock = clock
        self.enabled = enabled  # false: claims grant everything (benchmarks only)
        self._spike = failure_spike

    @classmethod
    def from_settings(cls, s: Settings, notifier: Notifier, clock: Clock) -> SendBudget:
        defaults = BudgetDefaults(
            per_minute=s.send_rate_per_min,
            per_day=s.send_per_day,
            cold_per_day=s.send_cold_per_day,
            warmup_start_per_day=s.warmup_start_per_day,
            warmup_days=s.warmup_days,
        )
        return cls(
            defaults, notifier, clock, enabled=s.send_budget, failure_spike=s.send_failure_spike
        )

    async def claim(
        self,
        session_id: str,
        lead: Lead,
        *,
        max_lead_s: float = 0.0,
        not_before: dict[str, datetime] | None = None,
        fence: Fence | None = None,
    ) -> Claim:
        """`fence`: the session's lease as this node holds it; a node that lost the lease
        claims nothing (checked in the claim's transaction)."""
        now = self._clock.now()
        if not self.enabled:
            return await repo.claim_unbudgeted(session_id, now, lead, fence)
        return await repo.claim(
            session_id,
            now,
            self.defaults,
            lead,
            max_lead_s=max_lead_s,
            not_before=not_before,
            fence=fence,
        )

    async def reply_slot(
        self, session_id: str, earliest: datetime, *, max_lead_s: float, fence: Fence | None
    ) -> ReplySlot | None:
        """A reply's slot, for its decision to book (`send_budget.reply_slot`); budget on."""
        return await repo.reply_slot(
            session_id,
            self._clock.now(),
            self.defaults,
            earliest,
            max_lead_s=max_lead_s,
            fence=fence,
        )

    async def refund(self, job: Job) -> None:
        """Nothing reached WhatsApp (offline, expired, stopping): the slot is free again."""
        if self.enabled:
            await repo.refund(job, self.defaults, self._clock.now())

    async def failed(self, job: Job, error: BaseException) -> None:
        """A send WhatsApp refused: a rate-limit answer pauses at once; other failures pause
        when `failure_spike` different messages failed within ten minutes."""
        if is_rate_limited(error):
            reason = f"WhatsApp rate limit: {error}"
            await self.pause(job.workspace_id, job.session_id, reason)
        elif await repo.record_failure(job, self._clock.now(), self._spike):
            reason = f"{self._spike} messages failed within 10 minutes (last: {error})"
            await self.pause(job.workspace_id, job.session_id, reason)

    async def banned(self, workspace_id: str, session_id: str, detail: str) -> None:
        await self.pause(workspace_id, session_id, f"WhatsApp banned this number: {detail}")

    async def pause(self, workspace_id: str, session_id: str, reason: str) -> bool:
        """Stop the number's outbound traffic and notify the workspace (once per pause)."""
        if not await repo.pause(session_id, reason, self._clock.now()):
            return False
        log.warning("session %s: outbound traffic paused: %s", session_id, reason)
        account = await sessions.account_of(session_id)
        notice = catalog.sending_paused(session_id, account, reason)
        await self._notifier.notify(workspace_id, notice)
        return True

    async def resume(self, session_id: str) -> bool:
        """Let the number send again; True when it was paused."""
        resumed = await repo.resume(session_id)
        if resumed:
            log.info("session %s: outbound traffic resumed", session_id)
        return resumed

    async def linked(self, session_id: str) -> None:
        """The number connected: its warm-up ramp starts the first time."""
        await repo.mark_linked(session_id, self._clock.now())
