"""Use cases, one module per resource. The API and the dashboard both call these in-process."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.services.analytics import AnalyticsService
from app.services.api_keys import ApiKeyService
from app.services.approvals import ApprovalService
from app.services.audit import AuditService
from app.services.auth import AuthService
from app.services.broadcasts import BroadcastService
from app.services.canned_replies import CannedReplyService
from app.services.contact_export import ContactExportService
from app.services.contact_import import ContactImportService
from app.services.contact_queries import ContactQueries
from app.services.contacts import ContactService
from app.services.conversation_queries import ConversationQueries
from app.services.conversations import ConversationService
from app.services.flow_runs import FlowRunService
from app.services.flows import FlowService
from app.services.invites import InviteService
from app.services.knowledge import (
    DocumentService,
    FaqService,
    KnowledgeBaseService,
    ReferenceQuestions,
    RetrievalChecks,
)
from app.services.labels import LabelService
from app.services.live_access import LiveAccess
from app.services.live_sessions import LiveSessionService
from app.services.local_models import LocalModelService
from app.services.mailer import Mailer
from app.services.media import MediaService
from app.services.notes import NoteService
from app.services.notifications import NotificationService
from app.services.overview import OverviewService
from app.services.password_reset import PasswordResetService
from app.services.send_budget import SendBudgetService
from app.services.send_first import SendFirstService
from app.services.sessions import SessionService
from app.services.settings import SettingsService
from app.services.sign_ins import SignInService
from app.services.sources import SourceService
from app.services.speech_models import SpeechModelService
from app.services.webhooks import WebhookService
from app.services.workspaces import WorkspaceService


@dataclass(frozen=True, slots=True)
class Services:
    auth: AuthService
    sign_ins: SignInService
    password_resets: PasswordResetService
    workspaces: WorkspaceService
    invites: InviteService
    api_keys: ApiKeyService
    audit: AuditService
    mailer: Mailer
    notifications: NotificationService
    sessions: SessionService
    live_sessions: LiveSessionService  # the dashboard's pairing and simulator, on any node
    send_budgets: SendBudgetService
    send_first: SendFirstService
    broadcasts: BroadcastService
    contacts: ContactService
    contact_queries: ContactQueries
    contact_import: ContactImportService
    contact_export: ContactExportService
    labels: LabelService
    conversations: ConversationService
    conversation_queries: ConversationQueries
    approvals: ApprovalService
    settings: SettingsService
    local_models: LocalModelService
    speech_models: SpeechModelService
    overview: OverviewService
    analytics: AnalyticsService
    knowledge: KnowledgeBaseService
    faqs: FaqService
    documents: DocumentService
    reference_questions: ReferenceQuestions
    retrieval_checks: RetrievalChecks
    media: MediaService
    live_access: LiveAccess
    flows: FlowService
    flow_runs: FlowRunService
    webhooks: WebhookService
    canned_replies: CannedReplyService
    notes: NoteService
    sources: SourceService = field(default_factory=SourceService)


__all__ = [
    "AnalyticsService",
    "ApiKeyService",
    "ApprovalService",
    "AuditService",
    "AuthService",
    "BroadcastService",
    "CannedReplyService",
    "ContactExportService",
    "ContactImportService",
    "ContactQueries",
    "ContactService",
    "ConversationQueries",
    "ConversationService",
    "DocumentService",
    "FaqService",
    "FlowRunService",
    "FlowService",
    "InviteService",
    "KnowledgeBaseService",
    "LabelService",
    "LiveAccess",
    "LiveSessionService",
    "LocalModelService",
    "Mailer",
    "MediaService",
    "NoteService",
    "NotificationService",
    "OverviewService",
    "PasswordResetService",
    "ReferenceQuestions",
    "RetrievalChecks",
    "SendBudgetService",
    "SendFirstService",
    "Services",
    "SessionService",
    "SettingsService",
    "SignInService",
    "SourceService",
    "SpeechModelService",
    "WebhookService",
    "WorkspaceService",
]
