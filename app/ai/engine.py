"""The AI engine (seed §8): the pipeline's AI responder.

One inbound message → understand media → detect language and sentiment → sensitive topic?
→ retrieve knowledge → system prompt + last N turns (sized to the model) → model, its reply
checked (loops, echoes, cut off: one retry, then a person) → confidence (the seed's secondary
prompt, unless the adapter already knows it) → escalate or answer → WhatsApp formatting.

It never drops a message silently: a provider that stays down after its retries yields a
holding reply and a hand-over to a human (WAITING_HUMAN + `escalation_needed`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app.ai import (
    confidence,
    hours,
    output_check,
    phrases,
    prompt,
    prompt_fit,
    signals,
    topics,
    whatsapp,
)
from app.ai.knowledge_search import KnowledgeSearch
from app.ai.media import MediaInput, understand
from app.ai.model_pool import ModelPool
from app.ai.speech import SpeechPool
from app.db.repos import ai as repo
from app.domain import Clock, ModelUsage, SenderType
from app.domain.workspace_settings import WorkspaceSettings
from app.events import EventBus, catalog
from app.llm import LLM, ChatMessage, Completion, LLMError
from app.pipeline.responders import Reply, ReplyContext

log = logging.getLogger(__name__)
TOP_K = 5
MIN_SCORE = 0.2  # keyword overlap below this is noise


class AIEngine:
    def __init__(
        self,
        clock: Clock,
        models: ModelPool,
        knowledge: KnowledgeSearch,
        speech: SpeechPool | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.events = events
        self.clock = clock
        self.models = models
        self.knowledge = knowledge
        self.speech = speech

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        ws = ctx.settings
        try:
            llm = self.models.get(ctx.workspace_id, ws)
        except (LLMError, ImportError) as exc:  # unknown provider, missing extra
            log.error("no model for workspace %s: %s", ctx.workspace_id, exc)
            return self._escalate(ws, "provider_unavailable", _fallback(ws), holding=True)
        transcriber = (
            self.speech.get(ws.speech_model, ctx.workspace_id, ws) if self.speech else None
        )
        media = await understand(ctx.message, ctx.media_path, llm, transcriber)
        if media is not None and media.skip:
            return None
        if ctx.media_error and not (ctx.message.body or "").strip():
            # a file we could not keep (the team is told): a person looks at it, the customer
            # hears so — not "thanks, I received your file" for a voice note nobody heard
            return self._escalate(ws, "media_not_saved", _fallback(ws))
        text = (media.text if media is not None else None) or ctx.message.body or ""
        fallback = _fallback(ws)
        # in a thread: the first call loads the fastText model (~1.5 s here)
        language = await asyncio.to_thread(signals.detect_language, text, fallback)
        mood = signals.sentiment(text) if text else None
        annotated = await repo.annotate_inbound(
            ctx.inbound.id,
            ctx.conversation.id,
            sentiment=mood,
            language=language,
            transcript=media.transcript if media else None,
        )
        if annotated is not None and self.events is not None:
            # open inboxes show the voice note's transcript and the mood without a reload
            self.events.publish(catalog.message_updated(ctx.workspace_id, annotated))
        if media is not None and media.ack:
            return Reply(media.ack)
        if not text.strip():
            return None
        if topic := topics.sensitive_topic(text):
            return self._escalate(ws, f"sensitive:{topic}", language)
        return await self._answer(ctx, llm, text, language, media)

    async def _answer(
        self, ctx: ReplyContext, llm: LLM, text: str, language: str | None, media: MediaInput | None
    ) -> Reply:
        ws = ctx.settings
        now = self.clock.now()
        grid, outside = hours.status(ws, now)
        options = ctx.ai_options  # a flow's `ai` node: its own prompt, KB and length
        kb_id = options.knowledge_base_id if options else None
        budget = prompt_fit.reply_budget(ws)
        if options is not None and options.max_tokens:
            budget = min(budget, options.max_tokens)
        fit = prompt_fit.fit_for(llm.profile, budget)  # None: a cloud model reads it all
        hits = await self.knowledge.search(ctx.workspace_id, text, TOP_K, MIN_SCORE, kb_id)
        passages = prompt_fit.passages(hits, fit)
        history = await repo.history(
            ctx.conversation.id, ctx.inbound.id, prompt_fit.history_limit(ws, fit)
        )
        system = prompt.system_prompt(
            prompt.PromptInput(
                bot_name=ws.bot_name,
                persona=(options.system_prompt if options else None) or ws.bot_persona,
                contact_name=ctx.contact.name or ctx.contact.display_name,
                language=language,
                passages=passages,
                now=grid.local_now(now) if grid else None,
                business_hours=grid.describe() if grid else None,
                outside_hours=outside,
                contact_facts=prompt.contact_facts(ctx.contact),
                media_context=media.context if media else None,
            )
        )
        try:
            checked = await output_check.generate(
                llm, text, prompt.turns(history, text),
                system=system, context=passages, max_tokens=budget,
            )  # fmt: skip
        except LLMError as exc:
            log.warning("model call failed for workspace %s: %s", ctx.workspace_id, exc)
            return self._escalate(ws, "provider_unavailable", language, holding=True)
        answer = checked.answer
        if not checked.verdict.ok:  # twice unusable: a person answers, nothing odd is sent
            log.info("unusable model reply (%s) twice: escalating", checked.verdict.problem)
            reason = f"unusable_reply:{checked.verdict.problem}"
            reply = self._escalate(ws, reason, language)
            return Reply(
                reply.text, escalate=True, escalation_reason=reason, usage=_usage(answer, None)
            )
        score, judge = await self._confidence(llm, text, answer)
        usage = _usage(answer, judge)
        used = answer.sources or tuple(p.id for p in passages)
        threshold = ws.confidence_threshold
        if score is not None and score < threshold:
            reply = self._escalate(ws, "low_confidence", language)
            return Reply(
                reply.text,
                confidence=score,
                kb_chunks_used=used,
                escalate=True,
                escalation_reason="low_confidence",
                usage=usage,
            )
        parts = whatsapp.prepare(answer.text)
        away = ws.away_message
        preface = (away,) if outside and away and not _already_said(history, away) else ()
        return Reply(
            parts[0] if parts else "",
            confidence=score,
            kb_chunks_used=used,
            parts=tuple(parts),
            usage=usage,
            preface=preface,
        )

    async def _confidence(
        self, llm: LLM, question: str, answer: Completion
    ) -> tuple[float | None, Completion | None]:
        """The adapter's own confidence, else the seed's secondary prompt (None if unusable)."""
        if answer.confidence is not None:
            return answer.confidence, None
        ask = [ChatMessage("user", confidence.prompt(question, answer.text))]
        try:
            judged = await llm.complete(ask, max_tokens=100, temperature=0.0)
        except LLMError as exc:
            log.info("confidence prompt failed: %s", exc)
            return None, None
        return confidence.parse(judged.text)[0], judged

    @staticmethod
    def _escalate(
        ws: WorkspaceSettings, reason: str, language: str | None, *, holding: bool = False
    ) -> Reply:
        """The workspace's own message, else the built-in one in the customer's language."""
        text = ws.human_escalation_message or phrases.fixed(
            "holding" if holding else "escalation", language
        )
        return Reply(text, escalate=True, escalation_reason=reason)

    def abandon(self) -> None:
        """The app is stopping: local models give up their running replies (the messages stay
        unrouted and are answered after the restart)."""
        self.models.abandon()

    async def aclose(self) -> None:
        await self.models.aclose()
        if self.speech is not None:
            await self.speech.aclose()


def _already_said(history: list[Any], text: str) -> bool:
    """The away message goes out once per stretch of closed hours, not on every message."""
    bot = [m for m in history if m.sender_type == SenderType.BOT]
    return bool(bot) and any(m.content == text for m in bot[-3:])


def _usage(answer: Completion, judge: Completion | None) -> ModelUsage:
    tokens_in = answer.input_tokens + (judge.input_tokens if judge else 0)
    tokens_out = answer.output_tokens + (judge.output_tokens if judge else 0)
    cost = answer.cost_usd
    if judge is not None and cost is not None and judge.cost_usd is not None:
        cost += judge.cost_usd
    return ModelUsage(answer.provider, answer.model, tokens_in, tokens_out, answer.latency_ms, cost)


def _fallback(ws: WorkspaceSettings) -> str | None:
    """The workspace's reply language when it is fixed ("auto" = follow the customer)."""
    lang = ws.default_language
    return None if lang in ("", "auto") else lang
