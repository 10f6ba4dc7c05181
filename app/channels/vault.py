"""Session credentials encrypted at rest (AES-256-GCM), decrypted only while a worker runs.

whatsmeow keeps the linked device's keys in a SQLite file. At rest they are one sealed blob
kept by a `SealedStore`: in the database (`app/pipeline/credentials.DbSealedStore`, what the
app uses — any node that takes the session over unseals the same credentials, none of them
lives on one node's disk) or a file (`FileSealedStore`: a process that runs the channel alone,
and the old installs' layout, whose `credentials.sealed` the first `open()` imports into the
database and then removes). To run,
the blob is unpacked into a private runtime directory (0700, outside the data dir, tmpfs where
`$XDG_RUNTIME_DIR` exists) and sealed back when the worker exits — cleanly or by SIGKILL,
since sealing is the parent's job — and, while it runs, by `checkpoint()` (the supervisor
calls it after each connection, i.e. right after pairing, and every `checkpoint_s`): a node
that is killed loses at most that window of key updates.

If the parent itself died, the next `open()` finds the leftover plaintext. It is sealed first
(it is newer than the blob) unless another node wrote the blob since — the runtime dir
remembers the lease token it was unpacked under (`.aimy-token`), and a blob written under a
newer token is the newer copy; the leftover is then dropped.

Blob: b"AIMYWA1\\0" + 12-byte nonce + AES-GCM(zip of the runtime dir), the session id as AAD so
blobs cannot be swapped between sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

MAGIC = b"AIMYWA1\0"
MARKER = ".aimy-token"  # in the runtime dir: the lease token it was unpacked under
_SQLITE = b"SQLite format 3\0"
_COMPANIONS = ("-wal", "-shm", "-journal")


class VaultError(Exception):
    """The sealed credentials cannot be opened (wrong key, tampering, or another session's)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    blob: bytes
    token: int  # the lease token it was written under (0: no leases)


class SealedStore(Protocol):
    """Where one session's sealed blob is kept."""

    def token(self) -> int:
        """The lease token this process writes under now (0 without leases)."""
        ...

    async def load(self) -> Sealed | None: ...

    async def save(self, blob: bytes) -> bool:
        """Store the blob; False when this process no longer holds the session's lease."""
        ...

    async def delete(self) -> None: ...


class FileSealedStore:
    """The blob as a file (atomic replace, 0600): one process runs the session."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def token(self) -> int:
        return 0

    async def load(self) -> Sealed | None:
        return Sealed(self.path.read_bytes(), 0) if self.path.exists() else None

    async def save(self, blob: bytes) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(blob)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        return True

    async def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def default_runtime_base() -> Path:
    return Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())


def _sqlite_snapshot(path: Path) -> bytes | None:
    """A consistent copy of a SQLite file another process is writing (WAL folded in), via
    the online backup API; None when it is not a database we can read."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=5)) as src:
            with contextlib.closing(sqlite3.connect(":memory:")) as dst:
                src.backup(dst)
                return dst.serialize()
    except sqlite3.Error:
        return None


def _contents(runtime_dir: Path, *, live: bool) -> list[tuple[str, bytes]]:
    """The runtime dir's files as (name, bytes). `live`: a worker is writing them, so SQLite
    files are copied through the backup API (their -wal/-shm are then folded in)."""
    files = sorted(p for p in runtime_dir.iterdir() if p.is_file() and p.name != MARKER)
    out: list[tuple[str, bytes]] = []
    folded: set[str] = set()
    for path in files:
        data = path.read_bytes()
        if live and data.startswith(_SQLITE) and (copy := _sqlite_snapshot(path)) is not None:
            data = copy
            folded.update(path.name + suffix for suffix in _COMPANIONS)
        out.append((path.name, data))
    return [(name, data) for name, data in out if name not in folded]


class CredentialVault:
    def __init__(
        self,
        store: SealedStore | Path,
        runtime_dir: Path,
        key: bytes,
        *,
        session_id: str,
        legacy: Path | None = None,
    ) -> None:
        if len(key) != 32:
            raise ValueError("the credentials key must be 32 bytes (AES-256)")
        self.store: SealedStore = FileSealedStore(store) if isinstance(store, Path) else store
        self.runtime_dir = runtime_dir
        self.legacy = legacy  # an old install's sealed file, imported into `store` on open
        self._aead = AESGCM(key)
        self._aad = session_id.encode()
        self._lock = asyncio.Lock()
        self._digest: bytes | None = None  # of what was sealed last (unchanged: no write)

    async def open(self) -> Path:
        """Unpack the credentials into the runtime dir and return it."""
        async with self._lock:
            if self.runtime_dir.exists() and any(self.runtime_dir.iterdir()):
                await self._leftover()
            await self._import_legacy()
            self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.runtime_dir, 0o700)
            self._digest = None
            sealed = await self.store.load()
            if sealed is not None:
                for name, data in self._decrypt(sealed.blob):
                    self._write(Path(name).name, data)  # flat: no path tricks
            self._write(MARKER, str(self.store.token()).encode())
        return self.runtime_dir

    async def checkpoint(self) -> bool:
        """Seal what the running worker has now, keeping the runtime dir; True when a new
        blob was stored (False: unchanged, nothing to seal, or the lease is not ours)."""
        async with self._lock:
            if not self.runtime_dir.exists():
                return False
            return await self._store(live=True)

    async def seal(self) -> None:
        """Encrypt the runtime dir into the store, then wipe the runtime dir. When the store
        cannot be written (database unreachable) the plaintext stays for the next `open()`;
        when the lease is another node's now, it is dropped (that node has the newer copy)."""
        async with self._lock:
            await self._seal()

    async def destroy(self) -> None:
        """Forget the credentials entirely (session deleted / logged out)."""
        async with self._lock:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            await self.store.delete()
            if self.legacy is not None:
                self.legacy.unlink(missing_ok=True)

    async def _seal(self) -> None:
        if not self.runtime_dir.exists():
            return
        await self._store(live=False)  # raises when the store is unreachable: dir kept
        shutil.rmtree(self.runtime_dir, ignore_errors=True)

    async def _store(self, *, live: bool) -> bool:
        files = await asyncio.to_thread(_contents, self.runtime_dir, live=live)
        if not files:
            return False
        digest = hashlib.sha256()
        for name, data in files:
            digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
        if digest.digest() == self._digest:
            return False
        blob = await asyncio.to_thread(self._encrypt, files)
        if not await self.store.save(blob):
            log.warning("%s: lease lost; credentials not sealed here", self._aad.decode())
            return False
        self._digest = digest.digest()
        return True

    async def _leftover(self) -> None:
        """Plaintext left by a parent that died: seal it unless a newer blob exists."""
        marker = self.runtime_dir / MARKER
        unpacked_under = int(marker.read_text() or 0) if marker.exists() else 0
        sealed = await self.store.load()
        if sealed is None or sealed.token <= unpacked_under:
            await self._seal()
            return
        log.warning(
            "%s: dropping credentials left by a crash; another node sealed newer ones",
            self._aad.decode(),
        )
        shutil.rmtree(self.runtime_dir, ignore_errors=True)

    async def _import_legacy(self) -> None:
        """An old install's sealed file: checked (it must open with this key and session),
        stored unless the store already has a blob, then removed."""
        if self.legacy is None or not self.legacy.exists():
            return
        blob = self.legacy.read_bytes()
        self._decrypt(blob)  # VaultError: left in place, the session reports it
        if await self.store.load() is None and not await self.store.save(blob):
            return  # not ours to write now: the holder imports it
        self.legacy.unlink(missing_ok=True)
        log.info("%s: sealed credentials file moved into the database", self._aad.decode())

    def _encrypt(self, files: list[tuple[str, bytes]]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files:
                archive.writestr(name, data)
        nonce = os.urandom(12)
        return MAGIC + nonce + self._aead.encrypt(nonce, buffer.getvalue(), self._aad)

    def _decrypt(self, blob: bytes) -> list[tuple[str, bytes]]:
        if not blob.startswith(MAGIC):
            raise VaultError("the stored credentials are not a sealed credentials blob")
        nonce, ciphertext = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
        try:
            plain = self._aead.decrypt(nonce, ciphertext, self._aad)
        except Exception as exc:
            raise VaultError("cannot decrypt session credentials") from exc
        with zipfile.ZipFile(io.BytesIO(plain)) as archive:
            return [(name, archive.read(name)) for name in archive.namelist()]

    def _write(self, name: str, data: bytes) -> None:
        fd = os.open(self.runtime_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
