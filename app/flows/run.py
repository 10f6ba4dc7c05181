"""A run in memory: the row of `flow_runs` a step reads, changes, and commits in one go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.flows import RunStatus, Waiting


@dataclass(slots=True)
class Run:
    id: str
    workspace_id: str
    flow_id: str
    version_id: str | None
    version: int
    contact_id: str
    conversation_id: str
    started_at: datetime
    status: RunStatus = RunStatus.ACTIVE
    node: str | None = None
    waiting: Waiting | None = None
    wake_at: datetime | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # retries, the last message
    notes: list[dict[str, Any]] = field(default_factory=list)  # this step's history lines
    step: int = 0  # committed steps; a step commits only if it is unchanged
    end_reason: str | None = None
    ended_at: datetime | None = None
    new: bool = False  # not in the table yet: the step inserts it

    @property
    def active(self) -> bool:
        return self.status is RunStatus.ACTIVE

    def note(self, at: datetime, event: str, node: str | None, detail: str | None = None) -> None:
        """A line of the run's history, written with the step (`flow_run_events`)."""
        self.notes.append(
            {"at": at, "node_id": node, "event": event, "detail": detail[:500] if detail else None}
        )

    def wait(self, kind: Waiting, until: datetime | None) -> None:
        self.waiting, self.wake_at = kind, until

    def end(self, status: RunStatus, reason: str, at: datetime) -> None:
        self.status, self.end_reason, self.ended_at = status, reason, at
        self.waiting, self.wake_at = None, None
