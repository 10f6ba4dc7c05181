"""API-facing records of broadcasts (seed §5 Broadcast / BroadcastRecipient, §6 stats).

Counts are cumulative along the way a message goes: `sent` counts every recipient messaged
(also those whose message was since delivered, read or answered), `delivered` those whose
phone got it (read and replied ones too), `read` those who read it (and replied ones: an
answer means it was read), `replied` those who answered within the reply window. So
`pending + sent + failed + optedOut == total`, and a progress bar is `(total - pending) / total`.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.enums import BroadcastStatus, BroadcastTarget
from app.domain.records import Model

# recipient row status → the seed's upper-case one on the wire
RECIPIENT_STATES = ("PENDING", "QUEUED", "SENT", "DELIVERED", "READ", "REPLIED", "FAILED",
                    "OPTED_OUT")  # fmt: skip


class BroadcastStats(Model, kw_only=True):
    total: int = 0
    pending: int = 0  # not messaged yet (waiting for its turn or for the send budget)
    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    failed: int = 0
    opted_out: int = 0

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


class Broadcast(Model, kw_only=True):
    id: str
    name: str
    message: str
    media_url: str | None = None
    target_type: BroadcastTarget
    label_ids: list[str] = []
    contact_ids: list[str] = []
    session_id: str | None = None
    status: BroadcastStatus
    scheduled_at: datetime | None = None
    sent_at: datetime | None = None  # when sending began
    completed_at: datetime | None = None
    error: str | None = None
    stats: BroadcastStats | None = None  # None for a draft (no recipients yet)
    created_at: datetime
    updated_at: datetime


class BroadcastRecipient(Model, kw_only=True):
    id: str
    contact_id: str
    name: str | None = None
    phone_number: str
    status: str  # one of RECIPIENT_STATES
    error: str | None = None
    conversation_id: str | None = None
    queued_at: datetime | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    replied_at: datetime | None = None


class Audience(Model, kw_only=True):
    """Who a broadcast would reach now: `recipients` get the message; opted-out contacts are
    counted but skipped; blocked contacts are never included. `estimatedMinutes`: how long
    sending takes at the number's send budget (per minute, and per day for big audiences)."""

    recipients: int
    opted_out: int
    blocked: int
    estimated_minutes: int
    per_minute: int
    per_day: int


class Preview(Model, kw_only=True):
    """The message as one contact would read it, and the variables that had no value."""

    text: str
    missing: list[str] = []
    unknown: list[str] = []
