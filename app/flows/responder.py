"""The router's flow step (seed §3: blocked → takeover → approval → **flow** → AI → none).

A contact in an active run gets the flow: a stop word ends the run (nothing is sent, the AI
stays out of it too); anything else is the run's next step — an answer to its question, the
message its `ai` node answers, or a message while it waits on a delay (kept in its history;
the running flow keeps the contact). A new trigger while a run waits never starts a second
run. A contact in no run: the message may start a flow (KEYWORD, then INBOUND_MEDIA, then
FIRST_MESSAGE; among equals the oldest flow).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from app.db.repos import flow_runs as repo
from app.domain import FlowTrigger
from app.flows import stop_words, triggers
from app.flows.engine import FlowEngine, Start, run_of
from app.flows.executor import Event
from app.pipeline.responders import AIOptions, Reply, ReplyContext, Responder

log = logging.getLogger(__name__)
AIPort = Callable[[AIOptions], Awaitable[Reply | None]]


class FlowResponder:
    def __init__(self, engine: FlowEngine, ai: Responder | None = None) -> None:
        self._engine = engine
        self._ai = ai  # what an `ai` node hands the turn to (the AI slot's responder)

    def _ai_for(self, ctx: ReplyContext) -> AIPort | None:
        """What an `ai` node of this step calls: the AI slot, with the node's options."""
        if self._ai is None:
            return None
        ai = self._ai

        async def answer(options: AIOptions) -> Reply | None:
            if not ctx.contact.autoreply_enabled:
                return None
            return await ai.respond(dataclasses.replace(ctx, ai_options=options))

        return answer

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        if ctx.no_flows:
            return None
        row = await repo.active_for_contact(ctx.contact.id)
        if row is not None:
            return await self._continue(ctx, row)
        flow = await self._triggered(ctx)
        if flow is None:
            return None
        start = Start.of(flow)
        run = self._engine.begin(start, ctx.workspace_id, ctx.contact.id, ctx.conversation.id)
        event = Event("start", ctx.message.body, ctx.message.media_type)
        effect = await self._engine.advance(run, event, ctx.settings, start.name, self._ai_for(ctx))
        return effect.reply() if effect is not None else None

    async def _continue(self, ctx: ReplyContext, row: dict[str, Any]) -> Reply:
        run = run_of(row)
        run.conversation_id = ctx.conversation.id  # a run follows its contact
        name = row.get("flow_name")
        if stop_words.is_stop(ctx.message.body, ctx.settings.flow_stop_words):
            reason = f"the contact wrote {(ctx.message.body or '').strip()[:40]!r}"
            return self._engine.stop_effect(run, reason, name).reply()
        event = Event("message", ctx.message.body, ctx.message.media_type)
        effect = await self._engine.advance(run, event, ctx.settings, name, self._ai_for(ctx))
        if effect is None:  # nothing moved: the flow still keeps the message from the AI
            return Reply("")
        return effect.reply()

    async def _triggered(self, ctx: ReplyContext) -> dict[str, Any] | None:
        flows = await repo.active_flows(ctx.workspace_id)
        if not flows:
            return None
        text, media = ctx.message.body, ctx.message.media_type
        for kind in triggers.INBOUND_PRIORITY:
            for flow in flows:
                if flow["trigger_type"] != kind:
                    continue
                config = flow["trigger_config"]
                if (
                    (kind is FlowTrigger.KEYWORD and triggers.keyword_matches(config, text))
                    or (kind is FlowTrigger.INBOUND_MEDIA and triggers.media_matches(config, media))
                    or (kind is FlowTrigger.FIRST_MESSAGE and ctx.first_message)
                ):
                    return flow
        return None
