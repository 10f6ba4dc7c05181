"""What a thread's bubbles need beyond the message rows: each media message's file (name, size,
whether it can show inline, or that it is gone) and each bot answer's sources in words.

Loaded for a whole page of messages at once (a few queries, not one per bubble), and again for
one message when a live event brings it; a message without media or sources costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain import Actor
from app.domain import conversations as c
from app.services.media import MediaInfo
from app.services.sources import sources_line
from ui.state import container


@dataclass
class Extras:
    media: dict[str, MediaInfo] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # message id → tooltip line

    def update(self, other: Extras) -> None:
        self.media.update(other.media)
        self.sources.update(other.sources)


async def load(
    actor: Actor, conversation_id: str, messages: list[c.Message], *, live: bool = False
) -> Extras:
    services = container().services
    # live, a media message whose file is still downloading has no URL yet: its bubble shows
    # the kind until the message:updated that carries the URL; in a page read from the
    # database, no URL means the download failed: the file is not available
    files = [m.id for m in messages if m.media_type and (m.media_url or not live)]
    media = await services.media.describe(actor, conversation_id, files) if files else {}
    return Extras(media, await sources(actor, messages))


async def sources(actor: Actor, messages: list[c.Message]) -> dict[str, str]:
    """Each bot answer's sources in words (message id → tooltip line), one lookup for all;
    the simulator's phone names them the same way."""
    used = [m for m in messages if m.kb_chunks_used]
    if not used:
        return {}
    services = container().services
    labels = await services.sources.labels(actor, [i for m in used for i in m.kb_chunks_used])
    return {m.id: sources_line(m.kb_chunks_used, labels) for m in used}
