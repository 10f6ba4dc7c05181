"""A message's stored file (inbound media, a human agent's attachment), for the inbox to show.

The file is found from the message row, never from the request: the row must belong to the
actor's workspace and conversation, and its `media_url` must resolve inside that workspace's
own folder in the store (`app.domain.owned_key`), so a bad value in the database cannot read
another file. The bytes come from the store, local folder or S3, through one path that answers
range requests (`app.storage.ranges`): a video seeks wherever its file lives.
What the browser may render in place is decided here too: only raster images, audio and video
whose bytes agree; anything else (an uploaded HTML page or SVG, a PDF) is a download.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from app.auth import Resource, guarded
from app.db.repos.mapping import json_value
from app.db.tables import Message, Outbox
from app.domain import Actor, NotFound, owned_key
from app.services.attachments import sniff
from app.storage import Storage
from app.storage.ranges import Conditions, Ranged, Version, ranged

GONE = "media no longer available"
INLINE = {
    "image/jpeg", "image/png", "image/gif", "image/webp",
    "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "audio/x-wav",
    "audio/webm", "audio/amr", "video/mp4", "video/3gpp", "video/webm",
}  # fmt: skip
# what a served file may do on our origin: nothing (no script, no frames, no fetches)
CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a bubble needs to draw the file, and what a response needs to serve it."""

    message_id: str
    kind: str  # the message's MediaType value
    available: bool
    key: str | None = None  # in the store
    mime: str = "application/octet-stream"
    filename: str = "file"
    size: int = 0
    inline: bool = False
    etag: str | None = None  # the stored version's validators (see `Peeked`)
    modified: datetime | None = None

    def headers(self) -> dict[str, str]:
        disposition = "inline" if self.inline else "attachment"
        ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", self.filename)[:120] or "file"
        return {
            "Content-Disposition": (
                f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''"
                f"{quote(self.filename[:120], safe='')}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CSP,
            "Cross-Origin-Resource-Policy": "same-origin",
            "Cache-Control": "private, max-age=3600",
        }


async def _describe(storage: Storage, row: dict, sent: dict | None) -> MediaInfo:
    """One request to the store: the first bytes and the size."""
    kind = str(row["media_type"])
    key = owned_key(row["workspace_id"], row["media_url"])
    peeked = None if key is None else await storage.peek(key, 64)
    if key is None or peeked is None:
        return MediaInfo(row["id"], kind, False)
    head, size = peeked.head, peeked.size
    name = PurePosixPath(key).name
    suffix = PurePosixPath(key).suffix
    sent = sent or {}  # rows before m0006 have the agent's file details only in the outbox
    mime = row.get("media_mime") or sent.get("mime") or mimetypes.guess_type(name)[0]
    mime = (mime or "application/octet-stream").split(";")[0].strip().lower()
    found = sniff(head)
    if mime == "application/octet-stream" and found is not None:
        mime = found.mime  # stored as .bin (a MIME with parameters): the bytes say what it is
    agrees = found is not None and mime.split("/")[0] == found.mime.split("/")[0]
    # an image must prove it is one; audio/video containers sniff() cannot always name
    inline = mime in INLINE and (agrees or (found is None and not mime.startswith("image/")))
    name = (
        row.get("media_filename")
        or sent.get("filename")
        or f"{kind.lower()}-{row['id'][-8:]}{suffix}"
    )
    return MediaInfo(
        row["id"],
        kind,
        True,
        key,
        mime,
        Path(name).name,
        size,
        inline,
        peeked.etag,
        peeked.modified,
    )


class MediaService:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    @guarded(Resource.CONVERSATIONS, write=False)
    async def describe(
        self, actor: Actor, conversation_id: str, message_ids: list[str]
    ) -> dict[str, MediaInfo]:
        """The files of these messages of one conversation (two queries for a whole thread);
        messages without media, or not in this workspace's conversation, are left out."""
        if not message_ids:
            return {}
        rows = await Message.select(
            Message.id,
            Message.workspace_id,
            Message.media_type,
            Message.media_url,
            Message.media_filename,
            Message.media_mime,
        ).where(
            Message.id.is_in(message_ids)
            & (Message.conversation_id == conversation_id)
            & (Message.workspace_id == actor.workspace_id)
            & Message.media_type.is_not_null()
        )
        if not rows:
            return {}
        outbox = await Outbox.select(Outbox.message_id, Outbox.payload).where(
            Outbox.message_id.is_in([r["id"] for r in rows])
        )
        sent = {o["message_id"]: _media_of(o["payload"]) for o in outbox}
        infos = await asyncio.gather(
            *(_describe(self._storage, r, sent.get(r["id"])) for r in rows)
        )
        return {i.message_id: i for i in infos}

    @guarded(Resource.CONVERSATIONS, write=False)
    async def open(self, actor: Actor, conversation_id: str, message_id: str) -> MediaInfo:
        """The one file to serve; NotFound (a 404) when there is none or it was removed."""
        info = (await self.describe(actor, conversation_id, [message_id])).get(message_id)
        if info is None:
            raise NotFound("message not found or it has no media")
        if not info.available:
            raise NotFound(GONE)
        return info

    def serve(self, info: MediaInfo, request_headers: Mapping[str, str]) -> Ranged:
        """The answer for a file `open` returned (checked there), given the request's
        headers: the whole file, the one byte range asked for (a ranged read from the
        store), a 304 when the browser's copy is current, or a 416; the safe headers of
        `MediaInfo.headers` included."""
        if info.key is None:
            raise NotFound(GONE)
        version = Version(info.size, info.etag, info.modified)
        answer = ranged(self._storage, info.key, version, Conditions.of(request_headers))
        return replace(answer, headers={**info.headers(), **answer.headers})

    async def workspace_of(self, message_id: str) -> str | None:
        """Which workspace a message is in: only to pick the dashboard user's role there."""
        row = await Message.select(Message.workspace_id).where(Message.id == message_id).first()
        return row["workspace_id"] if row else None


def _media_of(payload: object) -> dict | None:
    payload = json_value(payload, None)
    media = payload.get("media") if isinstance(payload, dict) else None
    return media if isinstance(media, dict) else None
