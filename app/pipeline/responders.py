"""Pluggable responders: the router asks the flow slot, then the AI slot, for a reply; while
a conversation waits for a human, the waiting slot for the notice that a person will reply.

The flow engine and the AI engine plug their responders in (`Responders(flow=…, ai=…)` in the
composition root). The AI slot follows `settings.auto_reply`: "ai" (the AI engine, default),
"none" (no reply) or "echo" (repeat the message — demos, tests and the pipeline benchmark).

A reply may carry an `Effect`: state of the responder's own (a flow run's step) written in the
transaction that records the decision, so the reply and that state commit together or not at
all. An effect that finds its state changed since it decided raises `Stale`; the pipeline
then decides again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.db.repos.outbox import Draft
from app.domain import ModelUsage, NormalizedMessage
from app.domain import conversations as c
from app.domain.workspace_settings import DEFAULTS, WorkspaceSettings
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a responder may read: the message, who sent it, where, and the workspace settings."""

    workspace_id: str
    session_id: str
    contact: c.Contact
    conversation: c.Conversation
    inbound: c.Message
    message: NormalizedMessage
    settings: WorkspaceSettings = DEFAULTS
    media_path: Path | None = None  # the inbound media as a file: the stored one, or a copy from S3
    media_error: str | None = None  # why the media is not there (could not be fetched/stored)
    first_message: bool = False  # the contact's first message ever (a new contact)
    ai_options: AIOptions | None = None  # a flow's `ai` node: its prompt and knowledge base


@dataclass(frozen=True, slots=True)
class AIOptions:
    """What a flow's `ai` node changes for one answer."""

    system_prompt: str | None = None  # replaces the workspace persona in the system prompt
    knowledge_base_id: str | None = None  # search this KB instead of the default one
    max_tokens: int | None = None


class Stale(Exception):
    """An effect found the state its responder decided on changed meanwhile: decide again."""


class Effect(Protocol):
    async def apply(self) -> None:
        """Write the responder's state, inside the decision's transaction (may raise Stale)."""
        ...

    def applied(self) -> None:
        """After the transaction committed: tell whoever listens (events)."""
        ...


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send. `parts` (when set) are sent as separate messages in order instead of
    `text`; `preface` goes before them (a fixed text such as the away message, which carries
    none of the answer's confidence, sources or usage); `escalate` hands the conversation to a
    human (WAITING_HUMAN + notification). `drafts` (when set) are the messages themselves, each
    with its own metadata (a flow's messages, media included); `effect` is written in the
    decision's transaction."""

    text: str
    flow_id: str | None = None
    confidence: float | None = None
    kb_chunks_used: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    escalate: bool = False
    escalation_reason: str | None = None
    usage: ModelUsage | None = None
    preface: tuple[str, ...] = ()
    drafts: tuple[Draft, ...] = ()
    effect: Effect | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        """Every message to send, in order: the preface, then the answer."""
        return self.preface + self.answer_texts

    @property
    def answer_texts(self) -> tuple[str, ...]:
        return self.parts or ((self.text,) if self.text else ())

    @property
    def empty(self) -> bool:
        """Nothing to send (a flow that took the message and waits on)."""
        return not self.drafts and not self.texts


class Responder(Protocol):
    async def respond(self, ctx: ReplyContext) -> Reply | None:
        """A reply, or None to pass (the router then tries the next slot)."""
        ...


class EchoResponder:
    """Repeats the message: an instant responder for demos, tests and benchmarks."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        body = ctx.message.body
        return Reply(f"{self.prefix}{body}") if body else None


class SilentResponder:
    """Never answers (the AI slot before the AI engine is configured)."""

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        return None


@dataclass(slots=True)
class Responders:
    flow: Responder | None = None
    ai: Responder | None = None
    waiting: Responder | None = None  # what a customer waiting for a human is told (once)


class StalledResponder:
    """Fault injection (`settings.route_stall_s`): waits before answering, so messages pile up
    stored but unrouted — what a crash under a slow model leaves (crash benchmarks)."""

    def __init__(self, inner: Responder, stall_s: float) -> None:
        self.inner = inner
        self.stall_s = stall_s

    async def respond(self, ctx: ReplyContext) -> Reply | None:
        await asyncio.sleep(self.stall_s)
        return await self.inner.respond(ctx)


def build_responders(
    settings: Settings, ai: Responder | None = None, waiting: Responder | None = None
) -> Responders:
    """The AI slot: `ai` (the AI engine) unless settings ask for echo or silence; the waiting
    notice goes with any replying bot (a silent one says nothing at all)."""
    match settings.auto_reply:
        case "echo":
            slot: Responder = EchoResponder()
        case "ai" if ai is not None:
            slot = ai
        case _:
            return Responders(ai=SilentResponder())
    if settings.route_stall_s > 0:
        slot = StalledResponder(slot, settings.route_stall_s)
    return Responders(ai=slot, waiting=waiting)
