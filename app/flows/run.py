"""A run in memory: the row of `flow_runs` a step reads, changes, and commits in one go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.flows import RunStatus, Waiting

HISTORY_LIMIT = 200  # entries kept per run (the newest); the counters keep the totals


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
    history: list[dict[str, Any]] = field(default_factory=list)
    step: int = 0  # committed steps; a step commits only if it is unchanged
    end_reason: str | None = None
    ended_at: datetime | None = None
    new: bool = False  # not in the table yet: the step inserts it

    @property
    def active(self) -> bool:
        return self.status is RunStatus.ACTIVE

    def note(self, at: datetime, event: str, node: str | None, detail: str | None = None) -> None:
        entry: dict[str, Any] = {"at": at.isoformat(), "nodeId": node, "event": event}
        if detail:
            entry["detail"] = detail[:500]
        self.history.append(entry)
        if len(self.history) > HISTORY_LIMIT:
            del self.history[: len(self.history) - HISTORY_LIMIT]

    def wait(self, kind: Waiting, until: datetime | None) -> None:
        self.waiting, self.wake_at = kind, until

    def end(self, status: RunStatus, reason: str, at: datetime) -> None:
        self.status, self.end_reason, self.ended_at = status, reason, at
        self.waiting, self.wake_at = None, None
