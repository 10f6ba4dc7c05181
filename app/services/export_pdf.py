"""A conversation as a PDF (PyMuPDF's Story lays out HTML across pages)."""

from __future__ import annotations

import html
import io
from typing import Any


def conversation_pdf(data: dict[str, Any]) -> bytes:
    """The conversation laid out on A4 pages.

    PyMuPDF is imported here, not at module level: importing it loads MuPDF's bindings and
    pymupdf4llm (which pulls in ONNX Runtime) — tens of MB of RSS the server would otherwise
    hold from start-up for an export that most installs never run (issue 19)."""
    import pymupdf

    contact = data.get("contact") or {}
    who = contact.get("displayName") or contact.get("name") or contact.get("phoneNumber") or ""
    parts = [
        f"<h2>Conversation with {html.escape(who)}</h2>",
        f"<p>{html.escape(contact.get('phoneNumber') or contact.get('jid') or '')} · "
        f"status {html.escape(str(data.get('status')))}</p>",
    ]
    for m in data.get("messages", []):
        sender = {"CONTACT": who or "Contact", "BOT": "Bot", "HUMAN": "Agent"}.get(
            m["senderType"], m["senderType"]
        )
        text = html.escape(m.get("content") or m.get("mediaCaption") or f"[{m.get('mediaType')}]")
        when = html.escape(str(m.get("createdAt", ""))[:19].replace("T", " "))
        note = (
            "" if m["status"] in ("RECEIVED", "SENT", "DELIVERED", "READ") else f" ({m['status']})"
        )
        parts.append(f"<p><b>{html.escape(sender)}</b> <i>{when}{note}</i><br/>{text}</p>")
    story = pymupdf.Story(html="".join(parts))
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page = pymupdf.paper_rect("a4")
    body = pymupdf.Rect(page.x0 + 50, page.y0 + 50, page.x1 - 50, page.y1 - 50)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(body)
        story.draw(device)
        writer.end_page()
    writer.close()
    return buffer.getvalue()
