"""Linked WhatsApp numbers (seed §5 "WhatsApp")."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Integer, Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_list,
    optional_timestamp,
    owned_by,
    primary_key,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.domain.enums import SessionStatus


class WhatsappSession(Table, tablename="whatsapp_sessions"):
    """One linked number (or simulator) per (workspace, account_id).

    `channel` is beyond the seed: which adapter drives it ("neonize" or "simulator").
    `creds_path` points at the encrypted credentials store in the data dir ("" until linked).
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    account_id = Varchar(length=64)
    channel = Varchar(length=20, default="neonize")
    phone_number = Varchar(length=32, null=True, default=None)
    display_name = Varchar(length=255, null=True, default=None)
    status = Varchar(length=20, choices=SessionStatus, default=SessionStatus.DISCONNECTED)
    creds_path = Text(default="")
    enabled = flag(True)  # false after an explicit disconnect: not reconnected on start
    last_error = Text(null=True, default=None)  # m0009: why it is not connected (raw)
    created_at = created_at()
    updated_at = updated_at()

    unique_workspace_account = Unique([workspace_id, account_id])


class SendBudget(Table, tablename="send_budgets"):
    """A session's send budget (issue 15; `app/domain/sending.py` has the rules).

    Limits are NULL while the session uses the server default. `slots` (epoch seconds,
    ascending) and the `day` counts are what a claim checks and updates — in the statement
    that claims the outbox rows, and only if nobody wrote the row since the claim read it.
    `failures` are recent failed sends (`[epoch, outbox id]`) for the failure-spike pause.
    `linked_at` starts the warm-up ramp.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace)
    session_id = owned_by(WhatsappSession, unique=True)
    per_minute = Integer(null=True, default=None)
    per_day = Integer(null=True, default=None)
    cold_per_day = Integer(null=True, default=None)
    warmup_enabled = Boolean(null=True, default=None)
    warmup_start_per_day = Integer(null=True, default=None)
    warmup_days = Integer(null=True, default=None)
    linked_at = optional_timestamp()
    slots: JSON = json_list()
    day = Varchar(length=10, default="")
    day_sent = Integer(default=0)
    day_cold = Integer(default=0)
    failures: JSON = json_list()
    paused_at = optional_timestamp()
    pause_reason = Text(null=True, default=None)
    updated_at = updated_at()
