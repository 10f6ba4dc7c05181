"""Records the app keeps of what happened, written from any layer below the services.

The audit trail (who changed what) and notifications (seed §12: stored 7 days, pushed live)
are infrastructure: the pipeline, the indexing worker and the scheduled jobs write them as much
as the services do, so they live here, below all of them. Reading them back (the audit log, the
notification centre) is the services' `AuditService` and `NotificationService`.
"""

from app.records.audit import AuditTrail
from app.records.notifications import Notifier

__all__ = ["AuditTrail", "Notifier"]
