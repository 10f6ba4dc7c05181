"""Local GGUF models in `<data_dir>/models/`: list, import from a path, download on request.

Nothing here runs on its own: a download happens only when a user asks for one (it can be
hundreds of MB), is streamed to a `.part` file, checked (GGUF magic, size and sha256 when
known) and only then renamed into place, so a half-finished or corrupted file is never offered
as a model and nothing of it is left behind.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from app.domain import Conflict, Invalid, NotFound
from app.net import downloads

GGUF_MAGIC = b"GGUF"
_NAME = re.compile(r"^[\w][\w.\-]*\.gguf$")

Progress = downloads.Progress


@dataclass(frozen=True, slots=True)
class LocalModel:
    name: str
    path: Path
    size_bytes: int


def is_gguf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == GGUF_MAGIC


def checked_name(name: str) -> str:
    """A plain `something.gguf` file name: no directories, no hidden files."""
    if not _NAME.fullmatch(name):
        raise Invalid(f"model name must be a plain file name ending in .gguf, got {name!r}")
    return name


class GgufStore:
    def __init__(self, models_dir: Path, allow: Iterable[str] = ()) -> None:
        self.models_dir = models_dir
        self.allow = tuple(allow)  # SSRF allow-list (settings.egress_allow) for downloads

    def list(self) -> list[LocalModel]:
        if not self.models_dir.is_dir():
            return []
        return [
            LocalModel(p.name, p, p.stat().st_size)
            for p in sorted(self.models_dir.glob("*.gguf"))
            if p.is_file()
        ]

    def path_of(self, name: str) -> Path:
        path = self.models_dir / checked_name(name)
        if not path.is_file():
            raise NotFound(f"model {name} is not installed")
        return path

    def delete(self, name: str) -> None:
        self.path_of(name).unlink()

    def _target(self, name: str, overwrite: bool) -> Path:
        target = self.models_dir / checked_name(name)
        if target.exists() and not overwrite:
            raise Conflict(f"model {name} already exists")
        self.models_dir.mkdir(parents=True, exist_ok=True)
        return target

    async def import_file(
        self, source: Path, *, name: str | None = None, overwrite: bool = False
    ) -> LocalModel:
        """Copy a GGUF file the user points at into the models folder (off the event loop)."""
        return await asyncio.to_thread(self._import, source, name, overwrite)

    def _import(self, source: Path, name: str | None, overwrite: bool) -> LocalModel:
        if not source.is_file():
            raise NotFound(f"no such file: {source}")
        if not is_gguf(source):
            raise Invalid(f"{source.name} is not a GGUF model file")
        target = self._target(name or source.name, overwrite)
        part = target.with_name(target.name + ".part")
        try:
            shutil.copyfile(source, part)
            part.replace(target)
        finally:
            part.unlink(missing_ok=True)
        return LocalModel(target.name, target, target.stat().st_size)

    async def download(
        self,
        url: str,
        *,
        name: str | None = None,
        sha256: str | None = None,
        size: int | None = None,
        progress: Progress | None = None,
        overwrite: bool = False,
        client: httpx.AsyncClient | None = None,
    ) -> LocalModel:
        """Stream `url` into the models folder; explicit user action only."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid("model URL must be http:// or https://")
        file_name = name or unquote(parts.path.rsplit("/", 1)[-1])
        target = await asyncio.to_thread(self._target, file_name, overwrite)
        if size is not None:  # known before the first byte: refuse early, not at 95 %
            await asyncio.to_thread(downloads.check_space, self.models_dir, size)
        part = target.with_name(target.name + ".part")
        http = client or downloads.client(self.allow)
        try:
            done, digest = await downloads.download_to(
                http, url, part, allow=self.allow, progress=progress, first_chunk=_gguf_start
            )
            if size is not None and done != size:
                raise Invalid(f"incomplete download: got {done} of {size} bytes")
            if sha256 is not None and digest != sha256.strip().lower():
                raise Invalid(f"checksum mismatch: expected {sha256}, got {digest}")
            await asyncio.to_thread(part.replace, target)
        finally:
            await asyncio.to_thread(part.unlink, missing_ok=True)
            if client is None:
                await http.aclose()
        return LocalModel(target.name, target, done)


def _gguf_start(chunk: bytes) -> None:
    if not chunk.startswith(GGUF_MAGIC):
        raise Invalid("the URL does not serve a GGUF model file")
