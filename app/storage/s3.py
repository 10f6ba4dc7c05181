"""Files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 …): `<prefix><workspace>/<name><ext>`.

boto3 is synchronous: each call runs in a thread, and bodies move a piece at a time
(`upload_fileobj` for a put, the `get_object` body read in chunks for a read), so a large
file is never held whole in memory.

The endpoint is the operator's (`AIMY_S3_ENDPOINT`, set at start), not a workspace's: it is
not a URL a tenant can choose, so it does not go through the workspace SSRF guard
(`app.net`); it may well be on a private network (MinIO beside the nodes).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from app.domain.files import valid_key
from app.storage.port import CHUNK, Peeked, StorageError

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._s3 = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def name(self, key: str) -> str:
        """The object's name; ValueError for a key that leaves its workspace's folder (the
        rule of `owned_key`: S3 has no `..`, but a key must still name one workspace's file)."""
        if not valid_key(key):
            raise ValueError(f"storage key outside its workspace folder: {key!r}")
        return f"{self.prefix}{key}"

    def where(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.name(key)}"

    async def put_bytes(self, key: str, data: bytes) -> None:
        await self.put_stream(key, io.BytesIO(data))

    async def put_stream(self, key: str, source: BinaryIO) -> None:
        await asyncio.to_thread(self._s3.upload_fileobj, source, self.bucket, self.name(key))

    async def size(self, key: str) -> int | None:
        try:
            found = await asyncio.to_thread(
                self._s3.head_object, Bucket=self.bucket, Key=self.name(key)
            )
        except Exception as exc:
            if _missing(exc):
                return None
            raise
        return int(found["ContentLength"])

    async def peek(self, key: str, n: int) -> Peeked | None:
        """One ranged GET: its Content-Range names the whole size, and it carries the
        object's ETag and LastModified."""
        try:
            got = await asyncio.to_thread(
                self._s3.get_object,
                Bucket=self.bucket,
                Key=self.name(key),
                Range=f"bytes=0-{n - 1}",
            )
        except Exception as exc:
            if _missing(exc):
                return None
            if _code(exc) == "InvalidRange":  # an empty object has no byte 0
                size = await self.size(key)
                return None if size is None else Peeked(b"", size)
            raise
        body = got["Body"]
        try:
            data = bytes(await asyncio.to_thread(body.read))
        finally:
            body.close()
        whole = str(got.get("ContentRange") or "").rpartition("/")[2]
        size = int(whole) if whole.isdigit() else int(got["ContentLength"])
        etag = got.get("ETag")
        etag = etag if isinstance(etag, str) and etag.startswith('"') else None
        modified = got.get("LastModified")
        return Peeked(data, size, etag, modified if isinstance(modified, datetime) else None)

    async def stream(
        self, key: str, chunk: int = CHUNK, span: tuple[int, int] | None = None
    ) -> AsyncIterator[bytes]:
        ranged = {} if span is None else {"Range": f"bytes={span[0]}-{span[1]}"}
        try:
            got = await asyncio.to_thread(
                self._s3.get_object, Bucket=self.bucket, Key=self.name(key), **ranged
            )
        except Exception as exc:
            if _missing(exc):
                raise FileNotFoundError(f"s3://{self.bucket}/{self.name(key)}") from exc
            raise
        body = got["Body"]
        try:
            while piece := await asyncio.to_thread(body.read, chunk):
                yield piece
        finally:
            body.close()

    async def delete(self, key: str) -> bool:
        """S3 deletes answer the same whether the object was there: ask first."""
        if await self.size(key) is None:
            return False
        await asyncio.to_thread(self._s3.delete_object, Bucket=self.bucket, Key=self.name(key))
        return True

    @contextlib.asynccontextmanager
    async def local_file(self, key: str) -> AsyncIterator[Path]:
        fd, name = await asyncio.to_thread(
            tempfile.mkstemp, prefix="aimy-media-", suffix=PurePosixPath(key).suffix
        )
        try:
            with os.fdopen(fd, "wb") as out:
                async for piece in self.stream(key):
                    await asyncio.to_thread(out.write, piece)
            yield Path(name)
        finally:
            await asyncio.to_thread(_remove, name)

    async def check(self) -> str:
        try:
            await asyncio.to_thread(self._s3.head_bucket, Bucket=self.bucket)
        except Exception as exc:
            raise StorageError(
                f"S3 bucket {self.bucket!r} is not reachable ({_code(exc) or exc}): check "
                "AIMY_S3_ENDPOINT, AIMY_S3_BUCKET and the credentials"
            ) from exc
        return f"s3 bucket {self.bucket}" + (f" under {self.prefix}" if self.prefix else "")


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str((response or {}).get("Error", {}).get("Code", "")) if response else ""


def _missing(exc: Exception) -> bool:
    return _code(exc) in _MISSING


def _remove(name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)
