"""What moves runs besides inbound messages: wake-ups, starts (API, a label added, a
schedule) and stops (an agent, the API).

Wake-ups are rows (`flow_runs.wake_at`); the scheduler only calls `wake_due` every few seconds,
and on start it finds everything that came due while the app was down — the same "durable
table, scheduler only wakes" rule as every other job. A wake-up that loses the race to a reply
(or to another node's wake-up) finds the run moved and does nothing.

A contact who is blocked, or whom a human took over, is not woken into a flow: the run stops.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from app.db.repos import flow_runs as repo
from app.db.repos import workspace_settings
from app.domain import Clock, Conflict, ConversationStatus, FlowTrigger, Invalid
from app.domain import flows as f
from app.flows import triggers
from app.flows.engine import ContactBusy, FlowEngine, Start, StepEffect, record_of, run_of
from app.flows.executor import Event
from app.flows.run import Run
from app.pipeline.responders import Stale

log = logging.getLogger(__name__)
WAKE_BATCH = 200
AUDIENCE_LIMIT = 100_000


class FlowRunner:
    def __init__(self, engine: FlowEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def wake_due(self) -> int:
        """Step every run whose wake-up came; returns how many moved."""
        moved = 0
        for row in await repo.due(self._clock.now(), WAKE_BATCH):
            if await self._wake(row):
                moved += 1
        return moved

    async def _wake(self, row: dict[str, Any]) -> bool:
        run, name = run_of(row), row.get("flow_name")
        try:
            where = await repo.target(run.conversation_id)
            if where is None:
                return False  # the conversation was deleted: the run went with it
            if why := _silenced(where):
                await self._engine.deliver(self._engine.stop_effect(run, why, name))
                return True
            settings = await workspace_settings.load(run.workspace_id)
            effect = await self._engine.advance(run, Event("wake"), settings, name)
            if effect is None:
                return False
            await self._engine.deliver(effect)
            return True
        except Stale:
            return False  # a reply (or another node) moved the run first
        except Exception:
            log.exception("flow run %s failed to wake", run.id)
            fresh = await repo.get(run.id)
            if fresh is not None and fresh["status"] == f.RunStatus.ACTIVE:
                stop = self._engine.stop_effect(
                    run_of(fresh), "an internal error (logged)", name, f.RunStatus.FAILED
                )
                with contextlib.suppress(Stale):
                    await self._engine.deliver(stop)
            return False

    async def start(
        self,
        workspace_id: str,
        start: Start,
        contact_id: str,
        variables: dict[str, Any] | None = None,
    ) -> f.FlowRun:
        """Run `start` for the contact now (API, label, schedule). Raises Conflict when the
        contact is in another run, blocked or handled by a human; Invalid without a number."""
        now = self._clock.now()
        conversation_id = await repo.conversation_for(workspace_id, contact_id, now)
        if conversation_id is None:
            raise Invalid("no WhatsApp number to write to this contact from")
        where = await repo.target(conversation_id)
        if where is not None and (why := _silenced(where)):
            raise Conflict(f"the flow cannot start: {why}")
        run = self._engine.begin(start, workspace_id, contact_id, conversation_id)
        run.vars.update(variables or {})
        settings = await workspace_settings.load(workspace_id)
        effect = await self._engine.advance(run, Event("start"), settings, start.name)
        if effect is None:
            raise Invalid("the contact is gone")
        try:
            await self._engine.deliver(effect)
        except ContactBusy:
            raise Conflict("the contact is in another flow run (it keeps them)") from None
        return _record(effect)

    async def stop(self, row: dict[str, Any], reason: str) -> f.FlowRun:
        """End an active run now (an agent in the inbox, the API)."""
        run = run_of(row)
        if not run.active:
            raise Conflict(f"the run already ended ({run.status.value.lower()})")
        effect = self._engine.stop_effect(run, reason, row.get("flow_name"))
        try:
            await self._engine.deliver(effect)
        except Stale:
            raise Conflict("the run moved meanwhile; try again") from None
        return _record(effect)

    async def label_added(self, workspace_id: str, contact_id: str, label_id: str) -> None:
        """A label was added to a contact: start the oldest active LABEL_ADDED flow for it.
        Never fails the caller (adding the label succeeded either way)."""
        for flow in await repo.active_flows(workspace_id):
            if flow["trigger_type"] != FlowTrigger.LABEL_ADDED:
                continue
            if flow["trigger_config"].get("labelId") != label_id:
                continue
            try:
                await self.start(workspace_id, Start.of(flow), contact_id)
            except (Conflict, Invalid, Stale) as exc:
                log.info("label flow %s not started for %s: %s", flow["id"], contact_id, exc)
            except Exception:
                log.exception("label flow %s failed for %s", flow["id"], contact_id)
            return

    async def fire_schedules(self) -> int:
        """Start every SCHEDULED flow whose cron time came (once per slot, across restarts and
        nodes); returns how many runs started."""
        now, started = self._clock.now(), 0
        for flow in await repo.scheduled_flows():
            try:
                started += await self._fire(flow, now)
            except Exception:
                log.exception("scheduled flow %s failed to fire", flow["id"])
        return started

    async def _fire(self, flow: dict[str, Any], now: Any) -> int:
        settings = await workspace_settings.load(flow["workspace_id"])
        zone = (settings.business_hours_config or {}).get("timezone")
        schedule = triggers.cron(flow["trigger_config"], zone if isinstance(zone, str) else None)
        last = flow["last_fired_at"] or flow["updated_at"]
        slot, mark = triggers.due_slot(schedule, last, now)
        if mark is None or not await repo.claim_slot(flow["id"], mark):
            return 0
        if slot is None:
            return 0  # missed by too long: the mark moved on, nothing is sent
        label = flow["trigger_config"].get("labelId")
        contacts = await repo.audience(flow["workspace_id"], label, AUDIENCE_LIMIT)
        started = 0
        for contact_id in contacts:
            try:
                await self.start(flow["workspace_id"], Start.of(flow), contact_id)
                started += 1
            except (Conflict, Invalid, Stale):
                continue
        log.info("scheduled flow %s fired for %d contacts", flow["id"], started)
        return started


def _silenced(where: dict[str, Any]) -> str | None:
    """Why the bot may not write into this conversation now (None: it may)."""
    if where["is_blocked"]:
        return "the contact is blocked"
    if where["human_takeover"] or where["status"] == ConversationStatus.WAITING_HUMAN:
        return "a human took over the conversation"
    return None


def _record(effect: StepEffect) -> f.FlowRun:
    run: Run = effect.run
    return record_of(run, effect.flow_name, effect.graph, effect.now)
