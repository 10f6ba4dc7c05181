"""Files in a directory: `<root>/<workspace>/<name><ext>`, the layout the app always had.
Several nodes share it by mounting one volume (the compose volume, NFS)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.domain.files import inside, valid_key
from app.storage.port import CHUNK, Peeked, StorageError


class LocalStorage:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of `key`; ValueError for a key that leaves its workspace's folder."""
        path = inside(self.root, key) if valid_key(key) else None
        if path is None:
            raise ValueError(f"storage key outside its workspace folder: {key!r}")
        return path

    def where(self, key: str) -> str:
        return str(self.path(key))

    async def put_bytes(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(_write_whole, self.path(key), lambda f: f.write(data))

    async def put_stream(self, key: str, source: BinaryIO) -> None:
        await asyncio.to_thread(
            _write_whole, self.path(key), lambda f: shutil.copyfileobj(source, f, CHUNK)
        )

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(_size, self.path(key))

    async def peek(self, key: str, n: int) -> Peeked | None:
        return await asyncio.to_thread(_peek, self.path(key), n)

    async def stream(
        self, key: str, chunk: int = CHUNK, span: tuple[int, int] | None = None
    ) -> AsyncIterator[bytes]:
        source = await asyncio.to_thread(self.path(key).open, "rb")
        try:
            if span is not None:
                await asyncio.to_thread(source.seek, span[0])
            left = -1 if span is None else span[1] - span[0] + 1  # -1: to the end
            while left:
                piece = await asyncio.to_thread(
                    source.read, chunk if left < 0 else min(chunk, left)
                )
                if not piece:
                    break
                left = left if left < 0 else left - len(piece)
                yield piece
        finally:
            source.close()

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(_unlink, self.path(key))

    @contextlib.asynccontextmanager
    async def local_file(self, key: str) -> AsyncIterator[Path]:
        path = self.path(key)
        if not await asyncio.to_thread(path.is_file):
            raise FileNotFoundError(path)
        yield path

    async def check(self) -> str:
        try:
            await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"media folder {self.root} cannot be created: {exc}") from exc
        return f"local folder {self.root}"


def _write_whole(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write under a temporary name, then rename: a full disk never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        with part.open("wb") as f:
            write(f)
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def _peek(path: Path, n: int) -> Peeked | None:
    """Writes replace the file whole (`_write_whole` renames a temporary file over it), so a
    new version is a new inode with a new modification time: inode, mtime and size are the
    entity tag, as Apache makes its own."""
    try:
        with path.open("rb") as f:
            head, stat = f.read(n), os.fstat(f.fileno())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    return Peeked(
        head, stat.st_size, f'"{stat.st_ino:x}-{stat.st_mtime_ns:x}-{stat.st_size:x}"', modified
    )


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False
    return True
