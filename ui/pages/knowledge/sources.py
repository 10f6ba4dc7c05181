"""Names of a KB's sources (documents and FAQs) and the highlighted passage of a search hit."""

from __future__ import annotations

import html
from typing import Any

from app.domain import Actor
from app.domain import knowledge as m
from ui.state import container


async def source_names(actor: Actor, kb_id: str) -> dict[str, str]:
    """id → what a person recognises: the document's name, or "FAQ: <question>"."""
    services = container().services
    names = {d.id: d.name for d in await services.documents.list(actor, kb_id)}
    for faq in await services.faqs.list(actor, kb_id):
        names[faq.id] = f"FAQ: {faq.question}"
    return names


def highlighted(content: str, span: dict[str, Any], context: int | None = None) -> str:
    """The passage as HTML with the matching span in <mark>; everything else escaped.

    With `context`, only that many characters either side of the span are kept (…), so a
    long chunk does not bury the sentence that matched.
    """
    start = max(0, min(len(content), int(span.get("start") or 0)))
    end = max(start, min(len(content), int(span.get("end") or 0)))
    if end == start:
        return html.escape(content if context is None else _cut(content, 0, 2 * context))
    before, after = content[:start], content[end:]
    if context is not None:
        before = ("…" + before[-context:].lstrip()) if len(before) > context else before
        after = (after[:context].rstrip() + "…") if len(after) > context else after
    return (
        html.escape(before)
        + '<mark class="kb-span">'
        + html.escape(content[start:end])
        + "</mark>"
        + html.escape(after)
    )


def _cut(text: str, start: int, end: int) -> str:
    return text[start:end] + ("…" if len(text) > end else "")


def label_of(source: m.Source, names: dict[str, str]) -> str:
    key = source.document_id or source.faq_id or ""
    name = names.get(key, "a deleted source")
    return f"{name} · page {source.page}" if source.page else name
