"""Session credentials encrypted at rest (AES-256-GCM), decrypted only while a worker runs.

whatsmeow keeps the linked device's keys in a SQLite file. At rest it lives in the data dir as a
single sealed blob; to run, it is unpacked into a private runtime directory (0700, outside the
data dir, tmpfs where `$XDG_RUNTIME_DIR` exists) and sealed back when the worker exits —
cleanly or by SIGKILL, since sealing is the parent's job. A copy of the data dir taken while the
app is stopped therefore holds ciphertext only. If the parent itself died, the next `open()`
finds the leftover plaintext, seals it (it is newer than the blob), and carries on.

Blob: b"AIMYWA1\\0" + 12-byte nonce + AES-GCM(zip of the runtime dir), the session id as AAD so
blobs cannot be swapped between sessions.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"AIMYWA1\0"


class VaultError(Exception):
    """The sealed credentials cannot be opened (wrong key, tampering, or another session's)."""


def default_runtime_base() -> Path:
    return Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())


class CredentialVault:
    def __init__(
        self, sealed_path: Path, runtime_dir: Path, key: bytes, *, session_id: str
    ) -> None:
        if len(key) != 32:
            raise ValueError("the credentials key must be 32 bytes (AES-256)")
        self.sealed_path = sealed_path
        self.runtime_dir = runtime_dir
        self._aead = AESGCM(key)
        self._aad = session_id.encode()

    def open(self) -> Path:
        """Unpack the credentials into the runtime dir and return it."""
        if self.runtime_dir.exists() and any(self.runtime_dir.iterdir()):
            self.seal()  # leftover from a crash: newer than the blob
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.runtime_dir, 0o700)
        if self.sealed_path.exists():
            blob = self.sealed_path.read_bytes()
            if not blob.startswith(MAGIC):
                raise VaultError(f"{self.sealed_path} is not a sealed credentials file")
            nonce, ciphertext = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
            try:
                plain = self._aead.decrypt(nonce, ciphertext, self._aad)
            except Exception as exc:
                raise VaultError("cannot decrypt session credentials") from exc
            with zipfile.ZipFile(io.BytesIO(plain)) as archive:
                for name in archive.namelist():
                    target = self.runtime_dir / Path(name).name  # flat: no path tricks
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        out.write(archive.read(name))
        return self.runtime_dir

    def seal(self) -> None:
        """Encrypt the runtime dir into the sealed blob (atomically), then wipe the runtime dir."""
        if not self.runtime_dir.exists():
            return
        files = sorted(p for p in self.runtime_dir.iterdir() if p.is_file())
        if files:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.writestr(path.name, path.read_bytes())
            nonce = os.urandom(12)
            blob = MAGIC + nonce + self._aead.encrypt(nonce, buffer.getvalue(), self._aad)
            self.sealed_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.sealed_path.with_suffix(".tmp")
            tmp.write_bytes(blob)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.sealed_path)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def destroy(self) -> None:
        """Forget the credentials entirely (session deleted / logged out)."""
        shutil.rmtree(self.runtime_dir, ignore_errors=True)
        self.sealed_path.unlink(missing_ok=True)
