"""A human agent's attachment: checked at the edge, then stored where inbound media lives.

The type comes from the file's magic bytes, never from its name or the browser's claim, so
an `.exe` renamed `.jpg` is refused before it reaches a contact. Only what WhatsApp carries as
image, video, audio or document is accepted; the 16 MB cap is WhatsApp's own media limit.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from app.db.repos.outbox import Media
from app.domain import Invalid, MediaType, media_url
from app.domain.files import MEDIA_PREFIX
from app.net import Egress, FetchError, guarded_get
from app.storage import Storage

MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024
ACCEPTED = (
    "images (JPEG, PNG, GIF, WebP), video (MP4, 3GP), audio (OGG, MP3, M4A, WAV), PDF, Office"
)
_OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}


class Attachment(NamedTuple):
    filename: str
    data: bytes


class Sniffed(NamedTuple):
    type: MediaType
    mime: str
    ext: str


def _office(data: bytes) -> Sniffed | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
    except zipfile.BadZipFile:
        return None
    for prefix, (mime, ext) in _OFFICE.items():
        if any(n.startswith(prefix) for n in names):
            return Sniffed(MediaType.DOCUMENT, mime, ext)
    return None


def _iso_media(data: bytes) -> Sniffed | None:
    """MP4 family (`....ftyp<brand>`): M4A is audio, 3GP/others video."""
    if data[4:8] != b"ftyp":
        return None
    brand = data[8:12]
    if brand.startswith(b"M4A"):
        return Sniffed(MediaType.AUDIO, "audio/mp4", ".m4a")
    if brand.startswith(b"3gp"):
        return Sniffed(MediaType.VIDEO, "video/3gpp", ".3gp")
    return Sniffed(MediaType.VIDEO, "video/mp4", ".mp4")


def sniff(data: bytes) -> Sniffed | None:
    """The WhatsApp kind and MIME type of `data` from its first bytes; None if not sendable."""
    head = data[:16]
    simple = [
        (b"\xff\xd8\xff", MediaType.IMAGE, "image/jpeg", ".jpg"),
        (b"\x89PNG\r\n\x1a\n", MediaType.IMAGE, "image/png", ".png"),
        (b"GIF87a", MediaType.IMAGE, "image/gif", ".gif"),
        (b"GIF89a", MediaType.IMAGE, "image/gif", ".gif"),
        (b"%PDF-", MediaType.DOCUMENT, "application/pdf", ".pdf"),
        (b"OggS", MediaType.AUDIO, "audio/ogg", ".ogg"),
        (b"ID3", MediaType.AUDIO, "audio/mpeg", ".mp3"),
    ]
    for magic, kind, mime, ext in simple:
        if head.startswith(magic):
            return Sniffed(kind, mime, ext)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(MediaType.IMAGE, "image/webp", ".webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed(MediaType.AUDIO, "audio/wav", ".wav")
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio frame sync
        return Sniffed(MediaType.AUDIO, "audio/mpeg", ".mp3")
    if head.startswith(b"PK\x03\x04"):
        return _office(data)
    return _iso_media(data)


def check(attachment: Attachment) -> Sniffed:
    """The attachment's kind, or `Invalid` saying why it cannot be sent."""
    size = len(attachment.data)
    if size > MAX_ATTACHMENT_BYTES:
        raise Invalid(f"file too large: {size} bytes (limit {MAX_ATTACHMENT_BYTES // 2**20} MB)")
    if size == 0:
        raise Invalid("empty file")
    found = sniff(attachment.data)
    if found is None:
        raise Invalid(f"unsupported file type; WhatsApp attachments can be {ACCEPTED}")
    return found


async def store(
    storage: Storage, workspace_id: str, name: str, kind: Sniffed, a: Attachment
) -> Media:
    """Store the file as `<workspace>/<name><ext>` (the inbound layout) before any row refers
    to it, so a committed outbox row always finds its file."""
    key = f"{workspace_id}/{name}{kind.ext}"
    await storage.put_bytes(key, a.data)
    filename = Path(a.filename).name[:200] if a.filename else None
    return Media(kind.type, media_url(key), storage.where(key), kind.mime, filename)


async def discard(storage: Storage, media: Media) -> None:
    """The row was not written after all: no file without a row."""
    key = media.url.removeprefix(MEDIA_PREFIX)
    await storage.delete(key)


def decoded(data: str, filename: str | None) -> Attachment:
    """An attachment sent as base64 in a JSON body."""
    if len(data) > (MAX_ATTACHMENT_BYTES * 4) // 3 + 4:
        raise Invalid(f"file too large (limit {MAX_ATTACHMENT_BYTES // 2**20} MB)")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("media.base64 is not valid base64") from None
    return Attachment(filename or "", raw)


async def fetched(egress: Egress, url: str, *, timeout_s: float = 30.0) -> Attachment:
    """An attachment named by URL: fetched through the SSRF guard (every redirect checked),
    at most `MAX_ATTACHMENT_BYTES`; any failure is `Invalid` saying why."""
    client = egress.httpx_client(timeout=timeout_s, follow_redirects=False)
    try:
        async with client, guarded_get(client, url, egress.allow) as response:
            if response.status_code >= 400:
                raise Invalid(f"media.url: {url} answered HTTP {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > MAX_ATTACHMENT_BYTES:
                raise Invalid(f"media.url: file too large ({declared} bytes)")
            body = bytearray()
            async for part in response.aiter_bytes():
                body += part
                if len(body) > MAX_ATTACHMENT_BYTES:
                    limit = MAX_ATTACHMENT_BYTES // 2**20
                    raise Invalid(f"media.url: file larger than the {limit} MB limit")
    except FetchError as exc:
        raise Invalid(f"media.url: {exc}") from None
    name = PurePosixPath(urlsplit(url).path).name
    return Attachment(name, bytes(body))
