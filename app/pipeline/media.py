"""Inbound media into the data dir, before routing (the AI engine reads voice notes and
images from there). Best effort: the message itself is already stored. Once the file is
there, a message:updated carries its `mediaUrl`, so an open inbox draws the image or player
(message:new went out before the download)."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

import msgspec

from app.channels import ChannelManager
from app.db.repos import messages
from app.domain import NormalizedMessage, media_url
from app.domain import conversations as c
from app.events import EventBus, catalog

log = logging.getLogger(__name__)


async def save_media(
    channels: ChannelManager,
    media_dir: Path,
    session_id: str,
    workspace_id: str,
    message: c.Message,
    msg: NormalizedMessage,
    events: EventBus | None = None,
) -> Path | None:
    """Download `msg`'s media to `<media_dir>/<workspace>/<message id><ext>`; None on failure."""
    try:
        data = await channels.get(session_id).download(msg.media_ref or "")
    except Exception as exc:
        log.warning("media of %s not downloaded: %s", msg.wa_message_id, exc)
        return None
    # "audio/ogg; codecs=opus" (a voice note) has no extension until its parameters go
    ext = mimetypes.guess_extension((msg.media_mime or "").split(";")[0].strip()) or ".bin"
    relative = Path(workspace_id) / f"{message.id}{ext}"
    path = media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    url = media_url(relative)
    await messages.set_media_url(message.id, url)
    if events is not None:
        saved = msgspec.structs.replace(message, media_url=url)
        events.publish(catalog.message_updated(workspace_id, saved))
    return path
