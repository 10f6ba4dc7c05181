"""Litestar controllers, one per resource. Thin: parse, authorize (by opt), call a service."""

from litestar.types import ControllerRouterHandler

from app.api.controllers.analytics import AnalyticsController
from app.api.controllers.auth import AuthController
from app.api.controllers.broadcasts import BroadcastController
from app.api.controllers.canned_replies import CannedReplyController
from app.api.controllers.contacts import ContactController, LabelController
from app.api.controllers.conversations import ConversationController
from app.api.controllers.flows import FlowController
from app.api.controllers.health import health
from app.api.controllers.knowledge import KnowledgeBaseController
from app.api.controllers.local_models import LocalModelController
from app.api.controllers.media import MediaController
from app.api.controllers.notifications import NotificationController
from app.api.controllers.realtime import realtime
from app.api.controllers.references import ReferenceQuestionController
from app.api.controllers.settings import (
    ApiKeyController,
    AuditLogController,
    SettingsController,
)
from app.api.controllers.speech_models import SpeechModelController
from app.api.controllers.webhooks import WebhookController
from app.api.controllers.whatsapp import WhatsappController
from app.api.controllers.workspaces import WorkspaceController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    health,
    AuthController,
    WorkspaceController,
    SettingsController,
    ApiKeyController,
    AuditLogController,
    WebhookController,
    CannedReplyController,
    LocalModelController,
    SpeechModelController,
    WhatsappController,
    LabelController,
    ContactController,
    ConversationController,
    BroadcastController,
    FlowController,
    MediaController,
    NotificationController,
    AnalyticsController,
    KnowledgeBaseController,
    ReferenceQuestionController,
    realtime,
]

__all__ = ["ROUTE_HANDLERS"]
