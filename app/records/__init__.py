"""Records the app keeps of what happened, written from any layer below the services.

The audit trail (who changed what), notifications (seed §12: stored 7 days, pushed live) and
the webhook outbox (deliveries written with the change that caused them) are infrastructure:
the pipeline, the indexing worker and the scheduled jobs write them as much as the services
do, so they live here, below all of them. Reading them back (the audit log, the notification
centre, the delivery log) is the services' `AuditService`, `NotificationService` and
`WebhookService`.
"""

from app.records.audit import AuditTrail
from app.records.notifications import Notifier
from app.records.webhooks import Subscriptions, WebhookOutbox

__all__ = ["AuditTrail", "Notifier", "Subscriptions", "WebhookOutbox"]
