"""Stream a large file (a model) from a URL to disk, SSRF-guarded on every redirect hop.

Model downloads are started by a workspace admin and fetched by the server, so they follow
the same rule as knowledge-base URLs: each hop must resolve to public addresses unless the
operator allow-listed the host (`AIMY_SSRF_ALLOW`). Redirects are followed by hand because model
hosts redirect to CDNs (Hugging Face → its storage host) and httpx would not re-check them.
The hops are `app.net.guarded_get`'s, on a client from `app.net.Egress` (which checks
the address again when it connects); the caller owns the target path (a `.part` file) and
decides what to do with it afterwards.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from app.net.errors import FetchError
from app.net.ssrf import Egress, guarded_get

CHUNK = 1 << 20
SPARE_BYTES = 512 * 2**20
USER_AGENT = "Aimywhatsapp/0.1 (model download on a user's request)"

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes if known)
FirstChunkCheck = Callable[[bytes], None]  # raises when the start of the body is wrong


_QUERY_VALUE = re.compile(r"([?&][^=&#\s]+=)[^&#\s]*")
_URL = re.compile(r"https?://[^\s'\"<>]+?(?=[.,:;)]*(?:[\s'\"<>]|$))")


def shown_url(url: str) -> str:
    """`url` as it may be stored, logged or shown: no `user:password@`, no query values.

    People paste download links with their token in them (`?hf_token=…`, a signed CDN link's
    `X-Amz-Signature=…`); the download itself uses the full URL, everything else this form.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = _QUERY_VALUE.sub(r"\1…", f"?{parts.query}")[1:] if parts.query else ""
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def redact(text: str) -> str:
    """Every URL inside `text` (an error message) in its `shown_url` form."""
    return _URL.sub(lambda m: shown_url(m.group(0)), text)


def client(allow: Iterable[str] = (), timeout: float = 30.0) -> httpx.AsyncClient:
    """A client for downloads: every connection SSRF-checked, redirects ours to follow, reads
    may pause on slow mirrors."""
    return Egress(tuple(allow)).httpx_client(
        timeout=httpx.Timeout(timeout, read=120.0),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


async def download_to(
    http: httpx.AsyncClient,
    url: str,
    target: Path,
    *,
    allow: Iterable[str] = (),
    progress: Progress | None = None,
    first_chunk: FirstChunkCheck | None = None,
    max_redirects: int = 8,
) -> tuple[int, str]:
    """Write the body of `url` to `target`; return (bytes written, sha256 hex).

    Raises `FetchError` (a 422 for the user) for refused addresses, HTTP errors, too many
    redirects, an empty body or a body `first_chunk` rejects.
    """
    async with guarded_get(http, url, allow, max_redirects) as response:
        if response.status_code != 200:
            raise FetchError(f"download failed: {url} answered HTTP {response.status_code}")
        length = response.headers.get("content-length")
        total = int(length) if length and length.isdigit() else None
        if total is not None:
            check_space(target.parent, total)
        return await _save(response, target, total, progress, first_chunk)


def check_space(folder: Path, size: int) -> None:
    """Refuse a file that would leave less than `SPARE_BYTES` free: a full disk stops the
    database, not just the download."""
    free = shutil.disk_usage(folder).free
    if size + SPARE_BYTES > free:
        raise FetchError(
            f"not enough disk space: the file is {size / 2**20:.0f} MB and "
            f"{free / 2**20:.0f} MB are free (keeping {SPARE_BYTES // 2**20} MB spare)"
        )


async def _save(
    response: httpx.Response,
    target: Path,
    total: int | None,
    progress: Progress | None,
    first_chunk: FirstChunkCheck | None,
) -> tuple[int, str]:
    digest = hashlib.sha256()
    done = 0
    fh = await asyncio.to_thread(target.open, "wb")
    try:
        async for chunk in response.aiter_bytes(CHUNK):
            if done == 0 and first_chunk is not None:
                first_chunk(chunk)
            digest.update(chunk)
            await asyncio.to_thread(fh.write, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    finally:
        await asyncio.to_thread(fh.close)
    if done == 0:
        raise FetchError("download failed: the URL served an empty file")
    return done, digest.hexdigest()
