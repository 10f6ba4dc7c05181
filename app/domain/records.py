"""What services return: plain msgspec Structs, camelCase on the wire (DESIGN §6).

Nothing here knows piccolo; the dashboard and the API both consume these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from app.domain.enums import Plan, Role

T = TypeVar("T")


class Model(msgspec.Struct, rename="camel", kw_only=True):
    """Base for API-facing records."""


# The deepest page any list serves: far past any real list, and small enough that
# (page - 1) * pageSize always fits the databases' 64-bit OFFSET.
MAX_PAGE = 1_000_000


class Page(Model, Generic[T], kw_only=True):
    items: list[T]
    total: int
    page: int
    page_size: int


class User(Model, kw_only=True):
    id: str
    email: str
    name: str
    avatar_url: str | None = None
    created_at: datetime
    last_login_at: datetime | None = None


class Workspace(Model, kw_only=True):
    id: str
    name: str
    slug: str
    logo_url: str | None = None
    plan: Plan = Plan.FREE
    created_at: datetime
    updated_at: datetime
    role: Role | None = None  # the caller's role in it, when listed for a user


class Member(Model, kw_only=True):
    user_id: str
    email: str
    name: str
    role: Role
    joined_at: datetime


class Invite(Model, kw_only=True):
    id: str
    email: str
    role: Role
    expires_at: datetime
    created_at: datetime
    accepted_at: datetime | None = None
    invite_url: str | None = None  # only in the response that creates it


class ApiKey(Model, kw_only=True):
    id: str
    name: str
    key_preview: str
    created_at: datetime
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    key: str | None = None  # the full key, only in the response that creates it


class AuditEntry(Model, kw_only=True):
    id: str
    user_id: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    metadata: dict[str, Any] | None
    ip_address: str | None
    created_at: datetime


class Session(Model, kw_only=True):
    """What register, login and refresh return."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"
    user: User
    workspace: Workspace | None = None


class WorkspaceSettingsView(Model, kw_only=True):
    """Bot and AI settings of a workspace (seed §5) on the wire: `WorkspaceSettings`'s fields
    (defaults live there) plus the key's mask. The model API key is never returned:
    `ai_api_key` is a mask like `sk-…abcd`, or None when no key is stored."""

    bot_name: str
    bot_persona: str | None
    ai_provider: str
    ai_model: str
    ai_base_url: str | None
    ai_api_key: str | None
    ai_max_tokens: int
    ai_temperature: float
    confidence_threshold: float
    default_language: str
    business_hours_enabled: bool
    business_hours_config: dict[str, Any] | None
    away_message: str | None
    welcome_message: str | None
    human_escalation_message: str | None
    max_conversation_history: int
    approval_mode_default: bool
    human_reply_pauses_bot: bool
    # WAITING_HUMAN this many minutes without a human reply → `human_reply_needed` (0 = never)
    human_reply_timeout_min: int
    # whisper model for voice notes (GET /settings/speech-models); None = the default model
    speech_model: str | None
    # the workspace's IANA time zone: quiet hours and the send budget's day are local to it
    timezone: str = "UTC"
    # quiet hours: everything but replies waits from start to end ("HH:MM", local time)
    quiet_hours_enabled: bool = False
    quiet_hours_start: str = "21:00"
    quiet_hours_end: str = "08:00"
    # words that opt a contact out of broadcasts, besides the built-in STOP, UNSUBSCRIBE, BAJA,
    # PARAR, ROKO (a message that is only the word, any case)
    opt_out_words: list[str] = []
    # words that end a contact's flow run, besides the built-in ones (case/accents ignored)
    flow_stop_words: list[str] = []
    # delete messages and their media older than this many days (nightly); None = keep all
    message_retention_days: int | None = None
    # after resolve, ask the customer for a 1-5 rating (issue 17); the question and the thanks
    # in the workspace's words (None: the built-in ones, in the customer's language)
    csat_enabled: bool = False
    csat_question: str | None = None
    csat_thanks: str | None = None
    updated_at: datetime | None = None
    # read only: without a model (`extractive`) an FAQ's answer ("faq") or a quote from a
    # document ("passage") is sent only when its confidence is at least
    # max(confidence_threshold, its floor) — the reader's fitted floors (app/answers)
    no_model_send_floors: dict[str, float] | None = None


class DownloadView(msgspec.Struct, rename="camel", kw_only=True):
    """A model download started from the dashboard or the API, with its progress."""

    name: str
    url: str  # without credentials or query values (`app.net.downloads.shown_url`)
    state: str  # downloading | done | failed
    done_bytes: int = 0
    total_bytes: int | None = None
    error: str | None = None


class ModelTest(Model, kw_only=True):
    """The result of `POST /settings/test-model`: one short call to the configured model."""

    ok: bool
    latency_ms: float
    provider: str
    model: str
    sample: str | None = None
    error: str | None = None
