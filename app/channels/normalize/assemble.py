"""Put content and envelope together into a NormalizedMessage, the same way for every source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.channels.normalize.content import Content, media_type_of
from app.channels.normalize.jids import canonical_jid, is_group, split_identities
from app.domain import NormalizedMessage, utcnow


def assemble(
    content: Content,
    *,
    wa_message_id: str,
    chat_jid: str | None,
    senders: tuple[str | None, ...],
    timestamp: datetime | None,
    is_from_me: bool = False,
    push_name: str | None = None,
    raw: dict[str, Any] | None = None,
    **overrides: Any,
) -> NormalizedMessage:
    """`senders` lists every sender spelling the source gave (participant, its alt, …)."""
    chat = canonical_jid(chat_jid)
    phone, lid = split_identities(*senders)
    sender = phone or lid or next((canonical_jid(s) for s in senders if s), None) or chat
    if sender is None or chat is None:
        raise ValueError(f"message {wa_message_id} has neither sender nor chat")
    group = is_group(chat)
    fields = {**content.fields, **overrides}
    fields["media_type"] = media_type_of(content)
    return NormalizedMessage(
        wa_message_id=wa_message_id,
        jid=sender,
        chat_jid=chat,
        timestamp=timestamp or utcnow(),
        kind=content.kind,
        is_from_me=is_from_me,
        is_group=group,
        group_jid=chat if group else None,
        sender_phone_jid=phone,
        sender_lid=lid,
        push_name=push_name or None,
        raw=raw or {},
        **fields,
    )
