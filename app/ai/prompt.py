"""The seed's system prompt template (§8) and the history turns sent with it.

Sections appear only when they have content (the template's `{{#if}}` blocks), so a workspace
without a knowledge base or business hours gets a short prompt — small local models follow
short prompts better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.domain import Direction
from app.domain import conversations as c
from app.llm import ChatMessage, Passage
from app.llm.base import Role

DEFAULT_PERSONA = "a friendly and helpful customer support assistant"
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "hi": "Hindi", "ar": "Arabic", "ru": "Russian",
    "tr": "Turkish", "id": "Indonesian", "zh": "Chinese", "ja": "Japanese",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PromptInput:
    bot_name: str
    persona: str | None
    contact_name: str | None
    language: str | None
    passages: Sequence[Passage] = ()
    now: datetime | None = None
    business_hours: str | None = None  # a description; None when hours are off
    outside_hours: bool = False
    contact_facts: Sequence[str] = field(default_factory=tuple)
    media_context: str | None = None


def format_passage(p: Passage) -> str:
    if p.kind == "faq" and p.question:
        return f"[{p.id}] Q: {p.question}\nA: {p.answer or p.text}"
    return f"[{p.id}] {p.text}"


def system_prompt(i: PromptInput) -> str:
    """The filled template."""
    out = [f"You are {i.bot_name or 'Assistant'}, {(i.persona or DEFAULT_PERSONA).strip()}."]
    if i.passages:
        context = "\n\n".join(format_passage(p) for p in i.passages)
        out.append(
            "Use the following knowledge base context to answer questions.\n"
            "Only answer based on what's in the knowledge base.\n"
            "If unsure, say you don't have that information and offer to connect them "
            f"with a human.\n\nKnowledge Base Context:\n{context}"
        )
    if i.business_hours and i.now is not None:
        block = f"Current time: {i.now:%A %Y-%m-%d %H:%M}.\nBusiness hours: {i.business_hours}."
        if i.outside_hours:
            block += (
                "\nYou are outside business hours. Acknowledge queries but inform the user a "
                "human will respond during business hours."
            )
        out.append(block)
    if i.contact_facts:
        out.append("What you know about this contact:\n" + "\n".join(i.contact_facts))
    if i.media_context:
        out.append(f"The user's message came with media:\n{i.media_context}")
    language = LANGUAGE_NAMES.get(i.language or "", i.language or "unknown")
    # small models copy the context's language unless told plainly not to
    translate = (
        f", also when the knowledge base context is in another language: write in {language} "
        "and translate what you use from it"
        if i.language and i.passages
        else ""
    )
    out.append(
        "Rules:\n"
        f"- Always reply in the same language as the user's message (detected: {language})"
        f"{translate}\n"
        "- Be concise and helpful\n"
        "- Never make up facts not in the knowledge base\n"
        "- If confidence is low, offer human escalation\n"
        "- For sensitive topics (refunds, complaints, legal), always escalate"
    )
    out.append(f"Contact name: {i.contact_name or 'unknown'}")
    return "\n\n".join(out)


def contact_facts(contact: c.Contact) -> list[str]:
    """What the dashboard knows about the contact, one line each."""
    facts = []
    if contact.name:
        facts.append(f"- Name: {contact.name}")
    if contact.labels:
        facts.append(f"- Labels: {', '.join(label.name for label in contact.labels)}")
    for key, value in sorted((contact.custom_fields or {}).items()):
        facts.append(f"- {key}: {value}")
    if contact.notes:
        facts.append(f"- Notes: {contact.notes.strip()[:500]}")
    return facts


def turns(history: Sequence[c.Message], current: str) -> list[ChatMessage]:
    """History as alternating chat turns (same-role neighbours merged), then the new message."""
    merged: list[ChatMessage] = []
    for m in [*history, None]:
        role: Role = "user" if m is None or m.direction == Direction.INBOUND else "assistant"
        text = current if m is None else (m.content or m.media_transcript or m.media_caption or "")
        if not text:
            continue
        if merged and merged[-1].role == role:
            merged[-1] = ChatMessage(role, f"{merged[-1].content}\n{text}")
        else:
            merged.append(ChatMessage(role, text))
    while merged and merged[0].role == "assistant":  # providers want the user to speak first
        merged.pop(0)
    return merged
