"""What the Hugging Face Hub says about one file before we download it: the commit to pin, the
file's sha256 and its size, from the hub's own LFS metadata.

Two documented API calls (the ones `huggingface_hub` makes): `GET /api/models/{repo}/revision/
{rev}` gives the commit a branch points at; `GET /api/models/{repo}/tree/{commit}` lists the
files with `lfs: {oid: <sha256>, size}`. Pinning the commit first means the metadata, the
download URL (`/{repo}/resolve/{commit}/{file}`) and the checksum all describe the same bytes,
even if the repository is updated while we download. Every request goes through the SSRF
guard (`app.net`) like any other URL the server fetches for a workspace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from app.net import FetchError, guarded_get

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_METADATA = 4 * 2**20  # a repository listing is a few KB; refuse anything absurd


@dataclass(frozen=True, slots=True)
class HubFile:
    url: str  # pinned: /{repo}/resolve/{commit}/{file}
    commit: str
    sha256: str
    size: int


async def _json(http: httpx.AsyncClient, url: str, allow: Iterable[str]) -> Any:
    async with guarded_get(http, url, allow) as response:
        if response.status_code != 200:
            raise FetchError(f"the model hub answered HTTP {response.status_code} for {url}")
        body = b""
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_METADATA:
                raise FetchError("the model hub's answer is too large")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FetchError(f"the model hub's answer for {url} is not JSON") from exc


async def resolve(
    http: httpx.AsyncClient,
    base_url: str,
    repo: str,
    file: str,
    *,
    revision: str | None = None,
    allow: Iterable[str] = (),
) -> HubFile:
    """Pin `revision` (default: `main`) to a commit and read `file`'s LFS sha256 and size."""
    base = base_url.rstrip("/")
    allow = tuple(allow)
    commit = revision
    if commit is None or not _COMMIT.fullmatch(commit):
        info = await _json(
            http, f"{base}/api/models/{repo}/revision/{quote(revision or 'main', safe='')}", allow
        )
        commit = str(info.get("sha") or "") if isinstance(info, dict) else ""
        if not _COMMIT.fullmatch(commit):
            raise FetchError(f"the model hub gave no commit for {repo}")
    listing = await _json(http, f"{base}/api/models/{repo}/tree/{commit}", allow)
    entry = next(
        (e for e in listing if isinstance(e, dict) and e.get("path") == file),
        None,
    ) if isinstance(listing, list) else None  # fmt: skip
    lfs = (entry or {}).get("lfs") or {}
    sha, size = str(lfs.get("oid") or "").lower(), lfs.get("size")
    if entry is None:
        raise FetchError(f"{file} is not in {repo} at commit {commit[:10]}")
    if not _SHA256.fullmatch(sha) or not isinstance(size, int) or size <= 0:
        raise FetchError(f"the model hub has no checksum for {file} in {repo}")
    return HubFile(f"{base}/{repo}/resolve/{commit}/{quote(file)}", commit, sha, size)
