"""The one place the seed's events become public webhook types (issue 16 item 2), and the
sender's policy: what is told, under which type, ordered by what; the backoff ladder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from app.domain import ConversationStatus, Direction, MessageStatus, SenderType, SessionStatus
from app.domain import conversations as c
from app.events import catalog, names
from app.events.public import (
    DATA,
    SUBSCRIBABLE,
    TYPES,
    ordering_key,
    public_data,
    public_type,
    wants,
)
from app.jobs.webhook_sender import DeliveryPolicy

NOW = datetime(2025, 1, 31, 9, 30, tzinfo=UTC)


def _message(**values: Any) -> c.Message:
    fields: dict[str, Any] = {
        "id": "m1",
        "conversation_id": "conv1",
        "direction": Direction.INBOUND,
        "sender_type": SenderType.CONTACT,
        "content": "hi",
        "status": MessageStatus.RECEIVED,
        "created_at": NOW,
    }
    return c.Message(**(fields | values))


def _conversation() -> c.Conversation:
    return c.Conversation(
        id="conv1",
        contact_id="k1",
        status=ConversationStatus.OPEN,
        created_at=NOW,
        updated_at=NOW,
    )


def _contact() -> c.Contact:
    return c.Contact(
        id="k1",
        jid="1@s.whatsapp.net",
        phone_number="+1",
        autoreply_enabled=True,
        human_takeover=False,
        approval_mode=False,
        is_blocked=False,
        is_vip=False,
        first_seen_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("message", "event", "expected"),
    [
        ({}, "new", "message.inbound"),
        ({"direction": Direction.OUTBOUND, "status": MessageStatus.QUEUED}, "new", None),
        (
            {"direction": Direction.OUTBOUND, "status": MessageStatus.SENT},
            "new",
            "message.outbound",
        ),
        (
            {"direction": Direction.OUTBOUND, "status": MessageStatus.SENT},
            "upd",
            "message.outbound",
        ),
        ({"status": MessageStatus.DELIVERED}, "upd", "message.status"),
        ({"status": MessageStatus.READ}, "upd", "message.status"),
        ({"status": MessageStatus.FAILED}, "upd", "message.status"),
        ({"status": MessageStatus.QUEUED}, "upd", None),  # an approved draft: not out yet
        ({"status": MessageStatus.REJECTED}, "upd", None),
    ],
)
def test_messages_are_told_by_what_happened_to_them(
    message: dict[str, Any], event: str, expected: str | None
) -> None:
    m = _message(**message)
    made = catalog.message_new("w", m, None) if event == "new" else catalog.message_updated("w", m)
    assert public_type(made) == expected


def test_every_event_of_the_catalogue_has_one_public_name_or_none() -> None:
    conv, contact = _conversation(), _contact()
    label = c.Label(id="l1", name="lead", color="#000000", created_at=NOW)
    told = [
        (catalog.conversation_updated("w", conv), "conversation.updated"),
        (catalog.conversation_created("w", conv), "conversation.created"),
        (catalog.conversation_escalated("w", conv, "low_confidence"), "conversation.escalated"),
        (catalog.contact_updated("w", contact), "contact.updated"),
        (catalog.contact_created("w", contact), "contact.created"),
        (catalog.contact_labeled("w", contact, label, True), "contact.labeled"),
        (catalog.whatsapp_status("w", "s1", SessionStatus.QR_READY, "data:png"), "session.status"),
        (
            catalog.document_indexed("w", "d", "kb", "n", "INDEXED", chunk_count=3),
            "knowledge.document.indexed",
        ),
        (catalog.webhook_test("w", "h", "n"), "webhook.test"),
        (catalog.typing_start("w", "conv1"), None),
        (catalog.kb_progress("w", "d", "kb", 50, "PROCESSING"), None),
    ]
    for event, expected in told:
        assert public_type(event) == expected, event.name
        if expected is not None:  # what webhooks get is what the documentation says
            msgspec.convert(public_data(event), DATA[expected], strict=False)
    qr = catalog.whatsapp_status("w", "s1", SessionStatus.QR_READY, "data:png")
    assert "qrCode" in qr.data and "qrCode" not in public_data(qr)  # a login credential


def test_order_keys_and_subscriptions() -> None:
    contact = _contact()
    assert ordering_key(catalog.message_new("w", _message(), None)) == "conv1"
    assert ordering_key(catalog.contact_updated("w", contact)) == "k1"
    assert ordering_key(catalog.contact_created("w", contact, "conv1")) == "conv1"
    assert ordering_key(catalog.whatsapp_status("w", "s1", SessionStatus.CONNECTED)) == "s1"
    assert ordering_key(catalog.webhook_test("w", "h", "n")) is None
    assert wants(frozenset({"*"}), "flow.completed")
    assert wants(frozenset({"message.inbound"}), "message.inbound")
    assert not wants(frozenset({"message.inbound"}), "message.status")
    assert set(TYPES) <= set(DATA) and "webhook.test" not in SUBSCRIBABLE
    assert names.FLOW_COMPLETED in TYPES and names.BROADCAST_COMPLETED in TYPES


def test_the_backoff_ladder_with_jitter() -> None:
    policy = DeliveryPolicy()
    assert policy.max_attempts == 6
    for attempts, minutes in enumerate((1, 5, 30, 120, 360), start=1):
        for _ in range(20):
            wait = policy.delay(attempts)
            assert timedelta(minutes=minutes * 0.9) <= wait <= timedelta(minutes=minutes * 1.1)
