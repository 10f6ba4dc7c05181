"""Broadcasts and their per-contact delivery rows (seed §5 "Broadcasts")."""

from __future__ import annotations

from piccolo.columns import Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from app.db.tables._columns import (
    created_at,
    json_list,
    json_object,
    optional_timestamp,
    owned_by,
    primary_key,
    refers_to,
    updated_at,
)
from app.db.tables.auth import Workspace
from app.db.tables.contacts import Contact
from app.db.tables.conversations import Message
from app.db.tables.whatsapp import WhatsappSession
from app.domain.enums import BroadcastStatus, BroadcastTarget

# the seed's, plus "pending" (not messaged yet), "queued" (its message is in the outbox) and
# "opted_out" (skipped: the contact opted out of broadcasts)
RECIPIENT_STATUSES = (
    "pending", "queued", "sent", "delivered", "read", "replied", "failed", "opted_out",
)  # fmt: skip


class Broadcast(Table, tablename="broadcasts"):
    """A one-to-many message. `label_ids`/`contact_ids` are JSON lists of ids.

    `session_id` (beyond the seed) is the number that sends it; NULL means "the workspace's
    default session", and it is SET NULL if that number is unlinked.
    """

    id = primary_key()
    workspace_id = owned_by(Workspace, index=True)
    session_id = refers_to(WhatsappSession)
    name = Varchar(length=255)
    message = Text()
    media_url = Text(null=True, default=None)
    target_type = Varchar(length=10, choices=BroadcastTarget)
    label_ids = json_list()
    contact_ids = json_list()
    scheduled_at = optional_timestamp()
    sent_at = optional_timestamp()
    status = Varchar(length=12, choices=BroadcastStatus, default=BroadcastStatus.DRAFT)
    stats = json_object(null=True)
    media = json_object(null=True)  # m0022: the fetched `mediaUrl`, stored once for every send
    error = Text(null=True, default=None)  # m0022: why it FAILED (media not fetched, no number)
    completed_at = optional_timestamp()  # m0022
    created_at = created_at()
    updated_at = updated_at()


class BroadcastRecipient(Table, tablename="broadcast_recipients"):
    """One contact of a broadcast: the durable fan-out queue (one row per contact).

    `status` is one of RECIPIENT_STATUSES (lower-case, as in the seed); "pending" is ours.
    `wa_message_id` maps delivery/read receipts back to the row.
    """

    id = primary_key()
    broadcast_id = owned_by(Broadcast)
    contact_id = owned_by(Contact, index=True)
    status = Varchar(length=12, default="pending")
    wa_message_id = Varchar(length=128, null=True, default=None)
    error = Text(null=True, default=None)
    sent_at = optional_timestamp()
    delivered_at = optional_timestamp()
    read_at = optional_timestamp()
    # m0022: the message queued for this recipient, in the transaction that claimed the row
    message_id = refers_to(Message)
    queued_at = optional_timestamp()
    replied_at = optional_timestamp()

    unique_broadcast_contact = Unique([broadcast_id, contact_id])
