"""A `message` node's `mediaUrl`: fetched through the SSRF guard into the media folder, then
sent like any stored file (the outbox sends files from the media folder, so a restart still
sends it).

Files are kept under `<media folder>/<workspace>/flows/` named by the URL's hash and reused for
an hour, so a scheduled flow to many contacts fetches its picture once, not once per contact.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from app.db.repos.outbox import Media
from app.domain import MediaType, media_url

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
    def __init__(self, client: Callable[..., httpx.AsyncClient], media_dir: Path) -> None:
        self._make = client
        self._media_dir = media_dir  # the media folder (settings.media_path)

    async def fetch(self, workspace_id: str, url: str) -> Media | None:
        """The file behind `url` as outbox media, or None (refused, too big, unreachable)."""
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        folder = self._media_dir / workspace_id / "flows"
        for known in folder.glob(f"{key}.*") if folder.exists() else ():
            if time.time() - known.stat().st_mtime < REUSE_S:
                mime = mimetypes.guess_type(known.name)[0] or "application/octet-stream"
                return self._media(known, mime, url)
        try:
            async with asyncio.timeout(TIMEOUT_S):
                data, mime = await self._download(url)
        except Exception as exc:  # refused by the guard, timed out, HTTP error, too big
            log.info("flow media %s not fetched: %s", url[:200], exc)
            return None
        ext = mimetypes.guess_extension(mime) or Path(url.split("?")[0]).suffix[:8] or ".bin"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key}{ext}"
        await asyncio.to_thread(path.write_bytes, data)
        return self._media(path, mime, url)

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

    def _media(self, path: Path, mime: str, url: str) -> Media:
        name = Path(url.split("?")[0]).name or path.name
        return Media(
            type=media_type(mime),
            url=media_url(path.relative_to(self._media_dir)),
            path=str(path),
            mime=mime,
            filename=name[:200],
        )
