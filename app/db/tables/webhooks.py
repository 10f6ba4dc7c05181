"""Outbound webhooks (seed §5 `Webhook`) and their deliveries (issue 16, DESIGN §8).

A delivery is written in the transaction of the change that caused it (the webhook outbox,
`app/records/webhooks.py`) and sent by `app/jobs/webhooks.py`. Its `body` is the exact JSON
the receiver gets, stored once: retries and redeliveries sign the same bytes.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.db.tables._columns import (
    ID_LENGTH,
    created_at,
    flag,
    json_list,
    optional_timestamp,
    owned_by,
    primary_key,
    required_timestamp,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.domain.enums import DeliveryStatus


class Webhook(Table, tablename="webhooks"):
    """An outbound webhook subscription; `events` is a JSON list of public event types
    (`message.inbound`, …, or `*`). `secret` holds the signing secret encrypted with the
    install's master key (`enc:` + base64 of AES-GCM), never in clear.

    `failure_count` counts consecutive failed attempts (a success resets it, and
    `failing_since`); enough of them disable the webhook, `disabled_reason` says why."""

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
    updated_at = updated_at()  # m0023
    failing_since = optional_timestamp()  # m0023
    disabled_reason = Text(null=True, default=None)  # m0023


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    """One event for one webhook. PENDING → SENDING (claimed until `lease_until`) →
    DELIVERED, or PENDING again at `next_attempt_at`, or FAILED.

    Order: deliveries of one webhook with the same `ordering_key` (the conversation) are sent
    in `seq` order, each only after the ones before it are settled. `workspace_id` is copied
    from the webhook for scoping (no foreign key: the webhook's cascade removes the row)."""

    id = primary_key()
    webhook_id = owned_by(Webhook, index=True)
    workspace_id = Varchar(length=ID_LENGTH)
    event_id = Varchar(length=ID_LENGTH)
    event_type = Varchar(length=64)
    body = Text()
    ordering_key = Varchar(length=ID_LENGTH, null=True, default=None)
    seq = BigInt()
    status = Varchar(length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = Integer(default=0)
    next_attempt_at = required_timestamp()
    lease_until = optional_timestamp()
    status_code = Integer(null=True, default=None)
    duration_ms = Integer(null=True, default=None)
    error = Text(null=True, default=None)
    redelivery_of = Varchar(length=ID_LENGTH, null=True, default=None)
    created_at = created_at()
    last_attempt_at = optional_timestamp()
    delivered_at = Timestamptz(null=True, default=None)
