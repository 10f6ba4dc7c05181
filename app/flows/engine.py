"""Steps of runs, committed exactly once (issue 14 item 2).

`FlowEngine.advance` runs one step of a run (`executor.advance`) and wraps what it decided in
a `StepEffect`: the run's new row — inserted for a new run (the UNIQUE `active_contact_id`
refuses a second active run of the contact), else updated only if its `step` count is what
the step read — the counters, label changes and a hand-over. The effect is written in the
same transaction as the step's outbound messages (the outbox's rows), so a crash either loses
the whole step (it runs again: a wake-up is still due, an inbound is still unrouted) or keeps
all of it (the outbox sends once); two steps racing for one run cannot both commit.

The inbound path hands the effect to the pipeline with the reply (`FlowResponder`); wake-ups,
API / label / scheduled starts and stops commit here (`deliver`): their messages answer nobody,
so they are queued as `SendKind.FLOW` (`Outbox.enqueue`) — the number's send budget, quiet
hours and the cap on cold messages hold them like any message we start ourselves.
A step that completes a run records `flow.completed` for webhooks in its transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from app.ai import hours
from app.db.repos import flow_runs as repo
from app.db.repos.outbox import Media, Target, Written
from app.db.tables import FlowRun as RunTable
from app.domain import Clock, ConversationStatus, new_id
from app.domain import flows as f
from app.domain.sending import SendKind
from app.domain.workspace_settings import WorkspaceSettings
from app.events import EventBus, catalog
from app.flows.executor import Event, Ports, Step, WebhookCall, WebhookResult, advance
from app.flows.graph import Graph
from app.flows.run import Run
from app.flows.template import Scope
from app.pipeline.outbox import Outbox
from app.pipeline.responders import AIOptions, Reply, Stale
from app.records import Notifier, WebhookOutbox

log = logging.getLogger(__name__)
GRAPH_CACHE = 256


class ContactBusy(Stale):
    """The contact is in another active run: the running flow keeps them."""


class RunMovedOn(Stale):
    """Another step of this run committed first."""


def run_of(row: dict[str, Any]) -> Run:
    waiting = row.get("waiting_for")
    return Run(
        id=row["id"],
        workspace_id=row["workspace_id"],
        flow_id=row["flow_id"],
        version_id=row.get("version_id"),
        version=row["version"],
        contact_id=row["contact_id"],
        conversation_id=row["conversation_id"],
        started_at=row["started_at"],
        status=f.RunStatus(row["status"]),
        node=row.get("current_node"),
        waiting=f.Waiting(waiting) if waiting else None,
        wake_at=row.get("wake_at"),
        vars=dict(row.get("vars") or {}),
        state=dict(row.get("state") or {}),
        step=row.get("step") or 0,
        end_reason=row.get("end_reason"),
        ended_at=row.get("ended_at"),
    )


def record_of(
    run: Run,
    flow_name: str | None,
    graph: Graph | None,
    now: datetime,
    history: list[dict[str, Any]] | None = None,
) -> f.FlowRun:
    """The API's view of a run (its history when given: `flow_run_events` rows)."""
    node = graph.nodes.get(run.node or "") if graph else None
    return f.FlowRun(
        id=run.id,
        flow_id=run.flow_id,
        flow_name=flow_name,
        version=run.version,
        contact_id=run.contact_id,
        conversation_id=run.conversation_id,
        status=run.status,
        current_node_id=run.node,
        current_node_type=node.type if node else None,
        waiting_for=run.waiting,
        wake_at=run.wake_at,
        vars=run.vars,
        history=[
            f.HistoryEntry(at=h["at"], node_id=h["node_id"], event=h["event"], detail=h["detail"])
            for h in history or ()
        ],
        end_reason=run.end_reason,
        started_at=run.started_at,
        updated_at=now,
        ended_at=run.ended_at,
    )


class StepEffect:
    """One step's state, written inside the decision's transaction (see the module doc)."""

    def __init__(
        self,
        engine: FlowEngine,
        run: Run,
        step: Step,
        now: datetime,
        flow_name: str | None,
        graph: Graph | None,
    ) -> None:
        self.engine, self.run, self.step, self.now = engine, run, step, now
        self.flow_name, self.graph = flow_name, graph
        self.read_step = run.step
        self.contact_changed = False

    def _values(self) -> dict[str, Any]:
        run = self.run
        return {
            "conversation_id": run.conversation_id,
            "status": run.status,
            "current_node": run.node,
            "waiting_for": run.waiting,
            "wake_at": run.wake_at,
            "vars": run.vars,
            "state": run.state,
            "end_reason": run.end_reason,
            "updated_at": self.now,
            "ended_at": run.ended_at,
            "active_contact_id": run.contact_id if run.active else None,
        }

    async def apply(self) -> None:
        run, step = self.run, self.step
        values = self._values()
        if run.new:
            row = {
                "id": run.id,
                "workspace_id": run.workspace_id,
                "flow_id": run.flow_id,
                "version_id": run.version_id,
                "version": run.version,
                "contact_id": run.contact_id,
                "started_at": run.started_at,
                "step": 1,
                **values,
            }
            try:
                await repo.insert(row)
            except repo.RunTaken:
                raise ContactBusy(run.contact_id) from None
            except repo.RunMoved:
                raise RunMovedOn(run.id) from None
        else:
            try:
                await repo.update(run.id, values, self.read_step)
            except repo.RunMoved:
                raise RunMovedOn(run.id) from None
        ended = run.status
        await repo.count(
            run.flow_id,
            entered=1 if run.new else 0,
            completed=1 if ended is f.RunStatus.COMPLETED else 0,
            dropped=1 if ended in (f.RunStatus.STOPPED, f.RunStatus.FAILED) else 0,
            at=self.now,
            visits=step.visits,
        )
        await repo.add_events(run.id, run.notes)
        labeled: list[tuple[str, str]] = []
        if step.labels:
            labeled = await repo.change_labels(run.workspace_id, run.contact_id, step.labels)
            self.contact_changed = bool(labeled)
        if step.assign:
            await repo.hand_over(run.contact_id, run.conversation_id, step.assign_to, self.now)
            self.contact_changed = True
        if self.engine.webhooks is not None:
            await self._tell_webhooks(self.engine.webhooks, labeled)

    async def _tell_webhooks(self, webhooks: WebhookOutbox, labeled: list[tuple[str, str]]) -> None:
        """What the step changed, for webhooks, in its transaction: each label put on or
        taken off (`contact.labeled`), a takeover (`contact.updated`), the run's end
        (`flow.completed`)."""
        run, ws = self.run, self.run.workspace_id
        told = []
        contact = await repo.contact_record(run.contact_id) if self.contact_changed else None
        if contact is not None:
            for action, label_id in labeled:
                label = await repo.label_record(label_id)
                if label is not None:
                    told.append(catalog.contact_labeled(ws, contact, label, action != "remove"))
            if self.step.assign:
                told.append(catalog.contact_updated(ws, contact))
        if run.status is f.RunStatus.COMPLETED:
            record = record_of(run, self.flow_name, self.graph, self.now)
            told.append(catalog.flow_completed(ws, record))
        await webhooks.record(*told)

    def applied(self) -> None:
        run = self.run
        run.new, run.step, run.notes = False, self.read_step + 1, []
        record = record_of(run, self.flow_name, self.graph, self.now)
        events = self.engine.events
        events.publish(catalog.flow_run(run.workspace_id, record))
        if run.status is f.RunStatus.COMPLETED:
            events.publish(catalog.flow_completed(run.workspace_id, record))
        if self.contact_changed:
            self.engine.later(self.engine.contact_changed(run.workspace_id, run.contact_id))

    @property
    def hands_over(self) -> bool:
        return self.step.assign or self.step.escalation is not None

    def reply(self) -> Reply:
        """The step as the router's flow reply: its drafts, and a hand-over if any."""
        reason = "flow_assign" if self.step.assign else self.step.escalation
        return Reply(
            "",
            flow_id=self.run.flow_id,
            drafts=tuple(self.step.drafts),
            effect=self,
            escalate=self.hands_over,
            escalation_reason=reason,
        )


@dataclass(frozen=True, slots=True)
class Start:
    """A flow about to run: its id, name and the current version."""

    flow_id: str
    name: str | None
    version: int
    version_id: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> Start:
        return cls(row["id"], row.get("name"), row["version"], row["version_id"])


class FlowEngine:
    def __init__(
        self,
        clock: Clock,
        events: EventBus,
        outbox: Outbox,
        notifier: Notifier,
        webhook: Callable[[WebhookCall], Awaitable[WebhookResult]],
        media: Callable[[str, str], Awaitable[Media | None]] | None = None,
        webhooks: WebhookOutbox | None = None,
    ) -> None:
        self.clock = clock
        self.events = events
        self.outbox = outbox
        self.webhooks = webhooks  # flow.completed, written with the step that completes a run
        self._notifier = notifier
        self._webhook = webhook
        self._media = media
        self._graphs: OrderedDict[str, Graph] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    async def graph(self, version_id: str | None) -> Graph | None:
        """A version's graph (versions never change: cached)."""
        if version_id is None:
            return None
        graph = self._graphs.get(version_id)
        if graph is None:
            row = await repo.version(version_id)
            if row is None:
                return None
            graph = Graph.parse(row["nodes"], row["edges"])
            self._graphs[version_id] = graph
            if len(self._graphs) > GRAPH_CACHE:
                self._graphs.popitem(last=False)
        return graph

    def begin(self, start: Start, workspace_id: str, contact_id: str, conversation_id: str) -> Run:
        """A new run of `start` for the contact (inserted by its first step)."""
        return Run(
            id=new_id(),
            workspace_id=workspace_id,
            flow_id=start.flow_id,
            version_id=start.version_id,
            version=start.version,
            contact_id=contact_id,
            conversation_id=conversation_id,
            started_at=self.clock.now(),
            new=True,
        )

    async def advance(
        self,
        run: Run,
        event: Event,
        settings: WorkspaceSettings,
        flow_name: str | None,
        ai: Callable[[AIOptions], Awaitable[Reply | None]] | None = None,
    ) -> StepEffect | None:
        """One step of `run` from `event`; None when it had nothing to do (a stale wake-up)."""
        now = self.clock.now()
        graph = await self.graph(run.version_id)
        rows = await repo.scope(run.workspace_id, run.contact_id)
        if rows is None:
            return None  # the contact was deleted meanwhile: its runs went with it
        ports = Ports(
            webhook=self._webhook,
            is_open=partial(_is_open, settings, now),
            ai=ai,
            media=partial(self._media, run.workspace_id) if self._media else None,
        )
        if graph is None:
            run.end(f.RunStatus.FAILED, f"version {run.version} of the flow is gone", now)
            run.note(now, "ended", run.node, "failed: the flow version is gone")
            step = Step(moved=True)
        else:
            step = await advance(run, graph, event, _scope(rows), ports, now)
        if not step.moved:
            return None
        return StepEffect(self, run, step, now, flow_name, graph)

    def stop_effect(
        self,
        run: Run,
        reason: str,
        flow_name: str | None,
        status: f.RunStatus = f.RunStatus.STOPPED,
    ) -> StepEffect:
        """End `run` now, sending nothing."""
        now = self.clock.now()
        run.end(status, reason, now)
        run.note(now, "ended", run.node, f"{status.value.lower()}: {reason}")
        return StepEffect(self, run, Step(moved=True), now, flow_name, None)

    async def deliver(self, effect: StepEffect) -> Written | None:
        """Commit a step that is no reply to an inbound message (a wake-up, a start, a stop):
        its messages through the outbox with the run's state, in one transaction. Raises Stale
        when another step got there first. None when nothing was sent (a stop)."""
        run = effect.run
        if not effect.step.drafts and not effect.hands_over:
            async with RunTable._meta.db.transaction():
                await effect.apply()
            effect.applied()
            return None
        where = await repo.target(run.conversation_id)
        if where is None or where["session_id"] is None:
            stop = self.stop_effect(run, "no WhatsApp number to write from", effect.flow_name)
            stop.read_step = effect.read_step
            await self.deliver(stop)
            return None
        target = Target(run.workspace_id, where["session_id"], run.conversation_id, where["jid"])
        async with RunTable._meta.db.transaction():
            await effect.apply()
            written = Written([], None)
            if effect.step.drafts:
                written = await self.outbox.enqueue(target, effect.step.drafts, kind=SendKind.FLOW)
            if effect.hands_over:  # an `assign` step: the conversation waits for a human
                handed = await self.outbox.record(
                    target, [], status=ConversationStatus.WAITING_HUMAN
                )
                written = Written(written.messages, handed.conversation)
                if handed.conversation is not None and self.webhooks is not None:
                    told = catalog.conversation_updated(run.workspace_id, handed.conversation)
                    await self.webhooks.record(told)  # the hand-over, with the step
        effect.applied()
        self.outbox.announce(run.workspace_id, written)
        if effect.hands_over:
            reason = "flow_assign" if effect.step.assign else effect.step.escalation
            notice = catalog.escalation_needed(run.conversation_id, run.contact_id, reason)
            await self._notifier.notify(run.workspace_id, notice)
        return written

    def later(self, work: Awaitable[None]) -> None:
        """Run `work` in the background (after a commit), keeping a reference to it."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def contact_changed(self, workspace_id: str, contact_id: str) -> None:
        """`contact:updated` after a step changed labels or took the contact over."""
        contact = await repo.contact_record(contact_id)
        if contact is not None:
            self.events.publish(catalog.contact_updated(workspace_id, contact))


def _is_open(settings: WorkspaceSettings, now: datetime) -> bool:
    """Business hours now (always open when they are off or broken)."""
    return not hours.status(settings, now)[1]


def _scope(rows: dict[str, Any]) -> Scope:
    contact = rows["contact"]
    return Scope(
        contact={
            "name": contact.get("display_name") or contact.get("name"),
            "phone": contact.get("phone_number"),
            "jid": contact.get("jid"),
            "language": contact.get("language"),
        },
        fields=rows["fields"],
        labels=tuple(rows["labels"]),
        workspace={"name": rows["workspace_name"]},
    )
