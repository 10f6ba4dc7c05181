"""Linked WhatsApp numbers (seed §5 "WhatsApp")."""

from __future__ import annotations

from piccolo.columns import Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import created_at, flag, owned_by, primary_key, updated_at
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
