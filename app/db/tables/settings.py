"""Workspace settings, webhooks, the audit log and notifications (seed §5, §12)."""

from __future__ import annotations

from piccolo.columns import DoublePrecision, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzOffset
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_list,
    json_object,
    optional_timestamp,
    owned_by,
    primary_key,
    updated_at,
)
from app.db.tables.auth import Workspace

NOTIFICATION_TTL_DAYS = 7  # seed §12: notifications are kept 7 days


class WorkspaceSettings(Table, tablename="workspace_settings"):
    """One row per workspace. Defaults are the seed's, except `ai_provider`: "extractive"
    answers from the knowledge base without a model, so a fresh offline install works.
    The AI API key is not here: it lives in the secrets store (`app/secrets.py`)."""

    id = primary_key()
    workspace_id = owned_by(Workspace, unique=True)
    bot_name = Varchar(length=100, default="Assistant")
    bot_persona = Text(null=True, default=None)
    ai_provider = Varchar(length=32, default="extractive")
    ai_model = Varchar(length=255, default="")
    ai_base_url = Text(null=True, default=None)
    ai_max_tokens = Integer(default=1024)
    ai_temperature = DoublePrecision(default=0.7)
    confidence_threshold = DoublePrecision(default=0.6)
    default_language = Varchar(length=16, default="auto")
    business_hours_enabled = flag(False)
    business_hours_config = json_object(null=True)
    away_message = Text(null=True, default=None)
    welcome_message = Text(null=True, default=None)
    human_escalation_message = Text(null=True, default=None)
    max_conversation_history = Integer(default=20)
    approval_mode_default = flag(False)
    human_reply_pauses_bot = flag(True)  # a manual agent reply turns on human takeover
    human_reply_timeout_min = Integer(default=15)  # WAITING_HUMAN this long → notify (0 = off)
    speech_model = Varchar(length=64, null=True, default=None)  # m0005: whisper model name
    updated_at = updated_at()


class Webhook(Table, tablename="webhooks"):
    """An outbound webhook subscription; `events` is a JSON list of event names."""

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    name = Varchar(length=255)
    url = Text()
    secret = Varchar(length=255, null=True, default=None)
    events = json_list()
    is_active = flag(True)
    last_called_at = optional_timestamp()
    failure_count = Integer(default=0)
    created_at = created_at()


class AuditLog(Table, tablename="audit_logs"):
    """Who did what. `user_id` is deliberately not a foreign key: the log outlives users."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    user_id = Varchar(length=36, null=True, default=None)
    action = Varchar(length=100)
    entity_type = Varchar(length=64, null=True, default=None)
    entity_id = Varchar(length=64, null=True, default=None)
    metadata = json_object(null=True)
    ip_address = Varchar(length=64, null=True, default=None)
    created_at = created_at()


class Notification(Table, tablename="notifications"):
    """A dashboard notification (seed §12 types, e.g. "approval_needed"). `expires_at`
    defaults to 7 days ahead; the cleanup job deletes rows past it."""

    id = primary_key()
    workspace_id = owned_by(Workspace)
    type = Varchar(length=64)
    payload = json_object()
    is_read = flag(False)
    created_at = created_at()
    expires_at = Timestamptz(default=TimestamptzOffset(days=NOTIFICATION_TTL_DAYS))
