"""What the webhook service returns (issue 16): webhooks, their deliveries, a test's result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.enums import DeliveryStatus
from app.domain.records import Model


class Webhook(Model, kw_only=True):
    """A subscription. The signing secret is never returned — except `secret` in the one
    response that creates it or sets a new one."""

    id: str
    name: str
    url: str
    events: list[str]
    is_active: bool
    last_called_at: datetime | None = None
    failure_count: int = 0  # failed attempts in a row (a success resets it)
    failing_since: datetime | None = None
    disabled_reason: str | None = None  # why the sender switched it off
    created_at: datetime
    updated_at: datetime
    secret: str | None = None  # only in the response that creates or changes it


class WebhookDelivery(Model, kw_only=True):
    """One event sent (or to be sent) to one webhook: the delivery log's row."""

    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    status_code: int | None = None  # of the last attempt; None when no answer came
    duration_ms: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None  # while PENDING
    created_at: datetime
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    redelivery_of: str | None = None
    payload: dict[str, Any]  # the envelope, as the receiver gets it


class WebhookTestResult(Model, kw_only=True):
    """`POST /settings/webhooks/{id}/test`: what the receiver answered to `webhook.test`."""

    delivery_id: str
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None = None


class WebhookEventType(Model, kw_only=True):
    type: str
    description: str
