"""A `message` node's `mediaUrl`: fetched through the SSRF guard into the store, then sent like
any stored file (the outbox sends files from the store, so a restart still sends it).

Files are kept in the store under `<workspace>/flows/`, named by the URL's hash, and reused for
an hour by this process, so a scheduled flow to many contacts fetches its picture once, not
once per contact.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import httpx

from app.db.repos.outbox import Media
from app.domain import MediaType, media_url
from app.domain.files import MEDIA_PREFIX
from app.storage import Storage

log = logging.getLogger(__name__)
MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's limit for images and videos
REUSE_S = 3600.0
TIMEOUT_S = 30.0


def media_type(mime: str) -> MediaType:
    kind = mime.split("/", 1)[0]
    return {"image": MediaType.IMAGE, "video": MediaType.VIDEO, "audio": MediaType.AUDIO}.get(
        kind, MediaType.DOCUMENT
    )


class MediaFetcher:
    def __init__(self, client: Callable[..., httpx.AsyncClient], storage: Storage) -> None:
        self._make = client
        self._storage = storage
        # (workspace, url) → the stored file and when it was fetched: reused for an hour
        self._known: dict[tuple[str, str], tuple[Media, float]] = {}

    async def fetch(self, workspace_id: str, url: str) -> Media | None:
        """The file behind `url` as outbox media, or None (refused, too big, unreachable)."""
        known = self._known.get((workspace_id, url))
        if known is not None and time.monotonic() - known[1] < REUSE_S:
            media = known[0]
            if await self._storage.size(media.url.removeprefix(MEDIA_PREFIX)) is not None:
                return media
        try:
            async with asyncio.timeout(TIMEOUT_S):
                data, mime = await self._download(url)
        except Exception as exc:  # refused by the guard, timed out, HTTP error, too big
            log.info("flow media %s not fetched: %s", url[:200], exc)
            return None
        ext = mimetypes.guess_extension(mime) or Path(url.split("?")[0]).suffix[:8] or ".bin"
        name = hashlib.sha256(url.encode()).hexdigest()[:32]
        key = f"{workspace_id}/flows/{name}{ext}"
        await self._storage.put_bytes(key, data)
        media = self._media(key, mime, url)
        now = time.monotonic()
        if len(self._known) > 256:  # forget what is past reuse: the dict stays small
            self._known = {k: v for k, v in self._known.items() if now - v[1] < REUSE_S}
        self._known[(workspace_id, url)] = (media, now)
        return media

    async def _download(self, url: str) -> tuple[bytes, str]:
        async with self._make(follow_redirects=True, timeout=TIMEOUT_S) as http:
            async with http.stream("GET", url) as response:
                response.raise_for_status()
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data.extend(chunk)
                    if len(data) > MAX_BYTES:
                        raise ValueError(f"larger than {MAX_BYTES // 1_000_000} MB")
                mime = response.headers.get("content-type", "").split(";")[0].strip()
        return bytes(data), mime or "application/octet-stream"

    def _media(self, key: str, mime: str, url: str) -> Media:
        name = Path(url.split("?")[0]).name or PurePosixPath(key).name
        return Media(
            type=media_type(mime),
            url=media_url(key),
            path=self._storage.where(key),
            mime=mime,
            filename=name[:200],
        )
