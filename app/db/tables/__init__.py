"""piccolo tables of seed §5 plus what the product needs beyond it.

Tables are active records and stay inside `app/db/`: services map rows to domain types.
`ALL_TABLES` is in dependency order (parents first) — create in this order, drop in reverse.
The schema itself is created by `app/db/migrations/`, not by piccolo; a test keeps both equal.
"""

from __future__ import annotations

from piccolo.table import Table

from app.db.tables.agent_tools import CannedReply, ConversationNote, CsatRating
from app.db.tables.analytics import AnalyticsHourly, AnalyticsWatermark
from app.db.tables.auth import (
    ApiKey,
    PasswordReset,
    User,
    UserSession,
    Workspace,
    WorkspaceInvite,
    WorkspaceUser,
)
from app.db.tables.broadcasts import RECIPIENT_STATUSES, Broadcast, BroadcastRecipient
from app.db.tables.cluster import EventSpill, JobRun, Node, SessionCredentials, SessionLease
from app.db.tables.contacts import Contact, ContactCustomField, ContactLabel, Label
from app.db.tables.conversations import Conversation, Message, Outbox
from app.db.tables.flow_runs import FlowRun, FlowRunEvent
from app.db.tables.flows import Flow, FlowNodeStats, FlowStats, FlowVersion
from app.db.tables.knowledge import KBChunk, KBDocument, KBFaq, KnowledgeBase
from app.db.tables.limits import RateLimitCounter
from app.db.tables.settings import AuditLog, Notification, WorkspaceSettings
from app.db.tables.webhooks import Webhook, WebhookDelivery
from app.db.tables.whatsapp import SendBudget, WhatsappSession

ALL_TABLES: tuple[type[Table], ...] = (
    Workspace,
    User,
    WorkspaceUser,
    UserSession,
    PasswordReset,
    WorkspaceInvite,
    ApiKey,
    WhatsappSession,
    SendBudget,
    Contact,
    Label,
    ContactLabel,
    ContactCustomField,
    Flow,
    FlowStats,
    FlowVersion,
    FlowNodeStats,
    Conversation,
    Message,
    Outbox,
    FlowRun,
    FlowRunEvent,
    KnowledgeBase,
    KBDocument,
    KBChunk,
    KBFaq,
    Broadcast,
    BroadcastRecipient,
    WorkspaceSettings,
    Webhook,
    WebhookDelivery,
    AuditLog,
    Notification,
    AnalyticsHourly,
    AnalyticsWatermark,
    Node,
    SessionLease,
    SessionCredentials,
    EventSpill,
    JobRun,
    CannedReply,
    ConversationNote,
    CsatRating,
    RateLimitCounter,
)

__all__ = [
    "ALL_TABLES",
    "RECIPIENT_STATUSES",
    "AnalyticsHourly",
    "AnalyticsWatermark",
    "ApiKey",
    "AuditLog",
    "Broadcast",
    "BroadcastRecipient",
    "CannedReply",
    "Contact",
    "ContactCustomField",
    "ContactLabel",
    "Conversation",
    "ConversationNote",
    "CsatRating",
    "EventSpill",
    "Flow",
    "FlowNodeStats",
    "FlowRun",
    "FlowRunEvent",
    "FlowStats",
    "FlowVersion",
    "JobRun",
    "KBChunk",
    "KBDocument",
    "KBFaq",
    "KnowledgeBase",
    "Label",
    "Message",
    "Node",
    "Notification",
    "Outbox",
    "PasswordReset",
    "RateLimitCounter",
    "SendBudget",
    "SessionCredentials",
    "SessionLease",
    "User",
    "UserSession",
    "Webhook",
    "WebhookDelivery",
    "WhatsappSession",
    "Workspace",
    "WorkspaceInvite",
    "WorkspaceSettings",
    "WorkspaceUser",
]
