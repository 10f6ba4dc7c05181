"""Workspace settings, the audit log and notifications (seed §5, §12)."""

from __future__ import annotations

from piccolo.columns import DoublePrecision, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzOffset
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    flag,
    json_list,
    json_object,
    owned_by,
    primary_key,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.domain.workspace_settings import DEFAULTS as D

NOTIFICATION_TTL_DAYS = 7  # seed §12: notifications are kept 7 days


class WorkspaceSettings(Table, tablename="workspace_settings"):
    """One row per workspace; the column defaults are `app.domain.workspace_settings.DEFAULTS`
    (declared once, there). The AI API key is not here: it lives in the secrets store."""

    id = primary_key()
    workspace_id = owned_by(Workspace, unique=True)
    bot_name = Varchar(length=100, default=D.bot_name)
    bot_persona = Text(null=True, default=D.bot_persona)
    ai_provider = Varchar(length=32, default=D.ai_provider)
    ai_model = Varchar(length=255, default=D.ai_model)
    ai_base_url = Text(null=True, default=D.ai_base_url)
    ai_max_tokens = Integer(default=D.ai_max_tokens)
    ai_temperature = DoublePrecision(default=D.ai_temperature)
    confidence_threshold = DoublePrecision(default=D.confidence_threshold)
    default_language = Varchar(length=16, default=D.default_language)
    business_hours_enabled = flag(D.business_hours_enabled)
    business_hours_config = json_object(null=True)
    away_message = Text(null=True, default=D.away_message)
    welcome_message = Text(null=True, default=D.welcome_message)
    human_escalation_message = Text(null=True, default=D.human_escalation_message)
    max_conversation_history = Integer(default=D.max_conversation_history)
    approval_mode_default = flag(D.approval_mode_default)
    human_reply_pauses_bot = flag(D.human_reply_pauses_bot)
    human_reply_timeout_min = Integer(default=D.human_reply_timeout_min)
    speech_model = Varchar(length=64, null=True, default=D.speech_model)  # m0005
    timezone = Varchar(length=64, default=D.timezone)  # m0021
    quiet_hours_enabled = flag(D.quiet_hours_enabled)
    quiet_hours_start = Varchar(length=5, default=D.quiet_hours_start)
    quiet_hours_end = Varchar(length=5, default=D.quiet_hours_end)
    opt_out_words = json_list()  # m0022
    flow_stop_words = json_list()  # m0020: the workspace's own words that end a flow run
    message_retention_days = Integer(null=True, default=D.message_retention_days)  # m0026
    csat_enabled = flag(D.csat_enabled)  # m0025: ask for a 1-5 rating after resolve
    csat_question = Text(null=True, default=D.csat_question)
    csat_thanks = Text(null=True, default=D.csat_thanks)
    updated_at = updated_at()


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
