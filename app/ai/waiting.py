"""What a customer hears when they write while their conversation waits for a person.

The bot stays out of a conversation handed to a human, but silence reads as being ignored:
the customer's first message of each wait gets one short notice that a person has it and will
reply (the outbox keeps it to once per wait). It is a fixed sentence in the customer's
language — this message's, else the one last detected in the conversation, else the
workspace's reply language — because the model is exactly what is not answering now.
"""

from __future__ import annotations

import asyncio

from app.ai import phrases, signals
from app.db.repos import ai as repo
from app.pipeline.responders import Reply, ReplyContext


class WaitingNotice:
    async def respond(self, ctx: ReplyContext) -> Reply | None:
        known = await repo.last_language(ctx.conversation.id)
        workspace = ctx.settings.default_language
        fallback = known or (None if workspace in ("", "auto") else workspace)
        text = ctx.message.body or ""
        language = await asyncio.to_thread(signals.detect_language, text, fallback)
        return Reply(phrases.fixed("waiting", language))
