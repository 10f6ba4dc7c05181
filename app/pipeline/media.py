"""Inbound media into the store (the media folder, or S3), before routing (the AI engine
reads voice notes and images from the store's file: the stored file itself on a local store,
a temporary copy from S3 for the length of the routing). Once the file is there, a
message:updated carries its `mediaUrl`, so an open inbox draws the image or player
(message:new went out before the download).

A fetch that fails — the download, or the write (media folder unwritable, disk full) — is
tried a few times at once; after that `MediaNotSaved` says why, and the caller routes the
message without its file (the bot answers the text, or hands a file-only message to a
person) and tells the team. The row keeps `media_ref`, so `MediaRefetch` (run by the
recovery sweep) stores the file once the cause is fixed. A file is stored whole or not at
all (the local store writes a temporary name, then renames; an S3 put is whole by nature):
a full disk never leaves half a voice note behind.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import time
from datetime import timedelta

import msgspec

from app.channels import ChannelManager
from app.db.repos import messages
from app.domain import Clock, media_url
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.storage import Storage

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (0.2, 1.0)  # between the attempts of one fetch (three in all)
REFETCH_FOR = timedelta(days=2)  # how long a missing file is tried again


class MediaNotSaved(Exception):
    """The media could not be fetched and stored; the message says why."""


async def save_media(
    channels: ChannelManager,
    storage: Storage,
    session_id: str,
    workspace_id: str,
    message: c.Message,
    media_ref: str,
    mime: str | None,
    events: EventBus | None = None,
    *,
    delays: tuple[float, ...] = RETRY_DELAYS_S,
) -> str:
    """Download `media_ref`, store it as `<workspace>/<message id><ext>`, record its URL;
    the key."""
    # "audio/ogg; codecs=opus" (a voice note) has no extension until its parameters go
    ext = mimetypes.guess_extension((mime or "").split(";")[0].strip()) or ".bin"
    key = f"{workspace_id}/{message.id}{ext}"
    why = "not tried"
    for attempt in range(len(delays) + 1):
        if attempt:
            await asyncio.sleep(delays[attempt - 1])
        try:
            data = await channels.get(session_id).download(media_ref)
        except Exception as exc:
            why = f"download failed: {exc}"
            continue
        try:
            await storage.put_bytes(key, data)
        except Exception as exc:  # a full disk, an unwritable folder, S3 unreachable
            why = f"cannot write {key}: {getattr(exc, 'strerror', None) or exc}"
            continue
        break
    else:
        log.warning("media of message %s not saved: %s", message.id, why)
        raise MediaNotSaved(why)
    url = media_url(key)
    await messages.set_media_url(message.id, url)
    if events is not None:
        saved = msgspec.structs.replace(message, media_url=url)
        events.publish(catalog.message_updated(workspace_id, saved))
    return key


class MediaRefetch:
    """Stores, on a later try, the files of recent inbound messages that have none yet (the
    recovery sweep calls `run`). Each message backs off — 1, 2, 4 … 60 sweeps (minutes, at
    the default sweep) — for `REFETCH_FOR`: a file that stays unreachable is not asked for
    every minute."""

    def __init__(
        self,
        channels: ChannelManager,
        storage: Storage,
        events: EventBus,
        clock: Clock,
        *,
        unit_s: float = 60.0,
    ) -> None:
        self.channels = channels
        self.storage = storage
        self.events = events
        self.clock = clock
        self.unit_s = unit_s
        self._next: dict[str, tuple[int, float]] = {}  # message id → (tries, not before)

    async def run(self, limit: int = 50) -> int:
        """One pass; returns how many files were stored."""
        now = time.monotonic()  # backoff in real time, whatever the clock says
        stored = 0
        for row in await messages.missing_media(self.clock.now() - REFETCH_FOR, limit):
            message: c.Message = row["message"]
            tries, not_before = self._next.get(message.id, (0, now))
            if not_before > now or row["session_id"] not in self.channels:
                continue
            try:
                await save_media(
                    self.channels,
                    self.storage,
                    row["session_id"],
                    row["workspace_id"],
                    message,
                    row["media_ref"],
                    message.media_mime,
                    self.events,
                    delays=(),
                )
            except MediaNotSaved:
                self._next[message.id] = (tries + 1, now + self.unit_s * min(2**tries, 60))
                continue
            self._next.pop(message.id, None)
            stored += 1
        if stored:
            log.info("media stored on a later try: %d files", stored)
        return stored
