"""A contact's way through a flow (issue 14): durable, so waits survive restarts and crashes."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    json_object,
    optional_timestamp,
    owned_by,
    primary_key,
    refers_to,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.db.tables.contacts import Contact
from app.db.tables.conversations import Conversation
from app.db.tables.flows import Flow, FlowVersion
from app.domain.flows import RunStatus, Waiting


class FlowRun(Table, tablename="flow_runs"):
    """One run: where it is (`current_node`), what it waits for (a reply until `wake_at`, or a
    wake-up at `wake_at`), its variables, and the flow version it pinned; what it did is in
    `flow_run_events` (appended, never rewritten: a step stays small however long the run).

    `active_contact_id` is the contact's id while the run is ACTIVE and NULL once it ended: a
    UNIQUE column (NULLs never collide, on SQLite and Postgres alike), so the database itself
    keeps a contact — and so each of their conversations — in at most one active run.
    `step` counts committed steps: a step commits only if `step` is still what it read, so two
    wake-ups (or a wake-up and a reply) can never both move a run.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    flow_id = owned_by(Flow, index=True)
    version_id = refers_to(FlowVersion)
    version = Integer()
    contact_id = owned_by(Contact, index=True)
    conversation_id = owned_by(Conversation, index=True)
    active_contact_id = Varchar(length=36, null=True, default=None, unique=True)
    status = Varchar(length=12, choices=RunStatus, default=RunStatus.ACTIVE)
    current_node = Varchar(length=64, null=True, default=None)
    waiting_for = Varchar(length=12, choices=Waiting, null=True, default=None)
    wake_at = Timestamptz(null=True, default=None, index=True)
    vars = json_object()
    state = json_object()
    step = Integer(default=0)
    end_reason = Text(null=True, default=None)
    started_at = created_at()
    updated_at = updated_at()
    ended_at = optional_timestamp()


class FlowRunEvent(Table, tablename="flow_run_events"):
    """One line of a run's history: a node entered, a message sent, an answer, a missing
    variable, a webhook's outcome, the end."""

    id = primary_key()
    run_id = owned_by(FlowRun, index=True)
    at = Timestamptz()
    node_id = Varchar(length=64, null=True, default=None)
    event = Varchar(length=20)
    detail = Text(null=True, default=None)
