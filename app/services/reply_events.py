"""What the bus hears when a human agent replies (seed §12): `message:new` carrying the message
and its conversation, then `conversation:updated` with the whole conversation.

The pipeline's `publish_written` sends the message alone (the bot's hot path), which left
clients that keep a conversation list from the events (the API's websocket, the inbox) with
a stale `lastMessageAt` and status after an agent's reply. One extra row read per human
reply is nothing; the dispatcher is woken as before so the reply goes out at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from app.db.repos import mapping
from app.db.tables import Conversation
from app.domain import conversations as c
from app.events import names

if TYPE_CHECKING:
    from app.pipeline import Pipeline


async def announce_reply(
    pipeline: Pipeline, workspace_id: str, conversation_id: str, message: c.Message
) -> None:
    row = await Conversation.select().where(Conversation.id == conversation_id).first()
    conv = msgspec.to_builtins(mapping.conversation(row)) if row is not None else None
    pipeline.events.publish(
        names.MESSAGE_NEW,
        workspace_id,
        {"message": msgspec.to_builtins(message), "conversation": conv},
        conversation_id=conversation_id,
    )
    if conv is not None:
        pipeline.events.publish(
            names.CONVERSATION_UPDATED,
            workspace_id,
            {"conversation": conv},
            conversation_id=conversation_id,
        )
    pipeline.dispatcher.wake()
