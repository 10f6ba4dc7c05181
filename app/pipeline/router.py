"""The routing engine in seed §3 order: blocked → human takeover → approval mode → flow →
AI → no reply; an opt-out word ("STOP", issue 15.3) comes right after blocked: consent is
honoured whoever is answering the chat. Pure decision: it reads the contact and asks
responders; it writes nothing.

Human takeover is either the contact's switch or the conversation waiting for a human
(WAITING_HUMAN: the bot escalated, or an agent said so): the bot must not talk over the person
who is about to answer. Under the switch a person is in the chat and the bot says nothing;
while a conversation merely waits, its `waiting` responder tells the customer a person will
reply (the outbox sends that once per wait). A human reply, handing back to the bot, or
resolving moves the conversation out of the wait."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from app.db.repos.outbox import Draft
from app.domain import ConversationStatus
from app.domain.consent import opt_out_word
from app.pipeline.responders import Reply, ReplyContext, Responders


class Route(StrEnum):
    BLOCKED = "blocked"  # drop
    OPT_OUT = "opt_out"  # an opt-out word: no more broadcasts, told so once
    TAKEOVER = "takeover"  # a human handles this contact: the bot stays silent
    WAITING = "waiting"  # the conversation waits for a human: at most a notice, once per wait
    NOT_CONVERSATIONAL = "not_conversational"  # reactions, edits, groups: no bot reply
    APPROVAL = "approval"  # a draft waits for a human to approve it
    FLOW = "flow"
    AI = "ai"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Decision:
    route: Route
    reply: Reply | None = None
    word: str | None = None  # the opt-out word (Route.OPT_OUT)

    @property
    def hold(self) -> bool:
        return self.route is Route.APPROVAL


async def _generate(ctx: ReplyContext, responders: Responders) -> tuple[Route, Reply | None]:
    if responders.flow is not None:
        reply = await responders.flow.respond(ctx)
        if reply is not None:
            return Route.FLOW, reply
    if responders.ai is not None and ctx.contact.autoreply_enabled:
        reply = await responders.ai.respond(ctx)
        if reply is not None:
            return Route.AI, reply
    return Route.NONE, None


async def decide(ctx: ReplyContext, responders: Responders) -> Decision:
    contact = ctx.contact
    if contact.is_blocked:
        return Decision(Route.BLOCKED)
    if not ctx.message.is_group:
        word = opt_out_word(ctx.message.text, ctx.settings.opt_out_words)
        if word is not None:
            # the word also ends a flow run the contact is in (a stop sends nothing); a flow
            # that would start on it does not: they asked for less, not for a flow
            stop = await responders.flow.respond(ctx) if responders.flow is not None else None
            ends_run = stop is not None and stop.empty and stop.effect is not None
            return Decision(Route.OPT_OUT, stop if ends_run else None, word=word)
    if contact.human_takeover:
        return Decision(Route.TAKEOVER)
    if ctx.message.is_group or not ctx.message.is_conversational:
        return Decision(Route.NOT_CONVERSATIONAL)
    if ctx.conversation.status == ConversationStatus.WAITING_HUMAN:
        waiting = responders.waiting
        notice = await waiting.respond(ctx) if waiting and contact.autoreply_enabled else None
        return Decision(Route.WAITING, notice)
    approval = contact.approval_mode or ctx.settings.approval_mode_default
    route, reply = await _generate(ctx, responders)
    if approval and reply is not None and not reply.empty:
        return Decision(Route.APPROVAL, reply)
    return Decision(route, reply)


def drafts_of(reply: Reply, hold: bool) -> list[Draft]:
    """One draft per message: the preface plain, the model's metadata on the answer's first
    part (the answer proper). A reply that brings its own drafts (a flow's) keeps them, held
    when `hold`. An escalating reply's reason rides on its last draft (analytics counts it)."""
    if reply.drafts:
        drafts = [replace(d, hold=hold) for d in reply.drafts]
    else:
        fixed = [Draft(text, flow_id=reply.flow_id, hold=hold) for text in reply.preface]
        drafts = fixed + [
            Draft(
                text,
                flow_id=reply.flow_id,
                confidence=reply.confidence if i == 0 else None,
                kb_chunks_used=reply.kb_chunks_used if i == 0 else (),
                hold=hold,
                usage=reply.usage if i == 0 else None,
            )
            for i, text in enumerate(reply.answer_texts)
        ]
    if reply.escalate and drafts:
        reason = (reply.escalation_reason or "escalated")[:64]
        drafts[-1] = replace(drafts[-1], escalation_reason=reason)
    return drafts
