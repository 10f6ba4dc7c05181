"""Secrets: the OS keyring when a real backend exists, else an AES-256-GCM encrypted file.

Headless Linux has no keyring backend, so the file store is the common case on a VPS. Its key
comes from `AIMY_MASTER_KEY` (base64 of 32 bytes) or a 0600 key file kept in the user's config
dir — deliberately *outside* the data dir, so a copy of the data dir alone reveals nothing.
The same master key encrypts WhatsApp session credentials at rest (`cipher()`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import platformdirs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.settings import APP_NAME, Settings

log = logging.getLogger(__name__)
_SERVICE = APP_NAME


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def setdefault(self, name: str, value: str) -> str: ...
    def delete(self, name: str) -> None: ...


class Cipher:
    """AES-256-GCM with a random nonce per message; output = nonce || ciphertext+tag."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("master key must be 32 bytes (base64 of 32 random bytes)")
        self._aead = AESGCM(key)
        self._key = key

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for another use (HKDF-SHA256 of the master key, bound to `purpose`):
        every node with the same master key derives the same one, and it tells nothing about
        the master key (node-to-node request signatures, `app.cluster.signing`)."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
        return hkdf.derive(self._key)

    def encrypt(self, data: bytes, aad: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, aad)

    def decrypt(self, blob: bytes, aad: bytes = b"") -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], aad)


SEALED = "enc:"


def seal(cipher: Cipher, value: str, context: str) -> str:
    """`value` encrypted for a database column: `enc:` + base64(AES-GCM), bound to `context`
    (e.g. the row's id), so a sealed value copied to another row does not open."""
    blob = cipher.encrypt(value.encode(), context.encode())
    return SEALED + base64.b64encode(blob).decode()


def unseal(cipher: Cipher, sealed: str, context: str) -> str:
    """The value `seal` sealed (ValueError when it was sealed for another context or key)."""
    if not sealed.startswith(SEALED):
        raise ValueError("not a sealed value")
    try:
        return cipher.decrypt(base64.b64decode(sealed[len(SEALED) :]), context.encode()).decode()
    except Exception as exc:  # InvalidTag: another key, another row, or tampered
        raise ValueError("the sealed value cannot be opened with this key") from exc


class FileSecretStore:
    """A JSON map encrypted as one blob; rewritten atomically on every change. Every read
    reads the file, and a change holds an exclusive lock (`<file>.lock`, where the OS has
    `flock`) from read to rename: several processes — app nodes sharing the file on one
    volume — see each other's changes and never lose one."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        self._path = path
        self._cipher = cipher

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # Windows: one process per data dir (the instance lock)
            yield
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the lock

    def _load(self) -> dict[str, str]:
        if not self._path.exists():
            return {}
        return json.loads(self._cipher.decrypt(self._path.read_bytes(), b"secrets"))

    def _save(self, data: dict[str, str]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        tmp.write_bytes(self._cipher.encrypt(json.dumps(data).encode(), b"secrets"))
        tmp.chmod(0o600)
        tmp.replace(self._path)

    def get(self, name: str) -> str | None:
        return self._load().get(name)

    def set(self, name: str, value: str) -> None:
        with self._locked():
            self._save({**self._load(), name: value})

    def setdefault(self, name: str, value: str) -> str:
        """The stored value, or `value` stored now — one answer for every process at once
        (two nodes starting together end up with the same signing key)."""
        with self._locked():
            data = self._load()
            if name not in data:
                self._save({**data, name: value})
            return data.get(name, value)

    def delete(self, name: str) -> None:
        with self._locked():
            data = self._load()
            if data.pop(name, None) is not None:
                self._save(data)


class KeyringSecretStore:
    """The desktop's keyring (macOS Keychain, Windows Credential Locker, Secret Service)."""

    def __init__(self, namespace: str) -> None:
        import keyring

        self._kr = keyring
        self._ns = namespace

    def get(self, name: str) -> str | None:
        return self._kr.get_password(_SERVICE, f"{self._ns}:{name}")

    def set(self, name: str, value: str) -> None:
        self._kr.set_password(_SERVICE, f"{self._ns}:{name}", value)

    def setdefault(self, name: str, value: str) -> str:
        """The stored value, or `value` stored now (one desktop process: no race to lose)."""
        stored = self.get(name)
        if stored is None:
            self.set(name, value)
        return value if stored is None else stored

    def delete(self, name: str) -> None:
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._kr.delete_password(_SERVICE, f"{self._ns}:{name}")


def keyring_usable() -> bool:
    """True when keyring has a real backend (not the fail/null ones headless Linux gets)."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return getattr(backend, "priority", 0) > 0


def decode_master_key(value: str) -> bytes:
    """Base64 of 32 bytes (ours), or the seed's `ENCRYPTION_KEY` form: a 32-character string."""
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32 and len(value.encode()) == 32:
        key = value.encode()
    if len(key) != 32:
        raise ValueError("master key must be base64 of 32 bytes (or 32 characters)")
    return key


def _master_key(settings: Settings) -> bytes:
    if settings.master_key:
        return decode_master_key(settings.master_key)
    path = _key_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(base64.b64encode(secrets.token_bytes(32)))
        log.warning("generated a new master key at %s; back it up with the data dir", path)
    return base64.b64decode(path.read_bytes().strip())


def _key_file(settings: Settings) -> Path:
    path = settings.key_file or platformdirs.user_config_path(APP_NAME) / "master.key"
    return path / f"{_namespace(settings)}.key" if path.is_dir() else path


def _uses_keyring(settings: Settings) -> bool:
    return settings.secrets_backend == "keyring" or (
        settings.secrets_backend == "auto" and not settings.master_key and keyring_usable()
    )


def current_master_key(settings: Settings) -> bytes | None:
    """The key this install's encrypted files need, or None; never creates one (backups)."""
    if settings.master_key:
        return decode_master_key(settings.master_key)
    if _uses_keyring(settings):
        value = KeyringSecretStore(_namespace(settings)).get("master_key")
        return base64.b64decode(value) if value else None
    path = _key_file(settings)
    return base64.b64decode(path.read_bytes().strip()) if path.exists() else None


def install_master_key(settings: Settings, key: bytes) -> str:
    """Put a restored key where this install will look for it; say where.

    Refuses (ValueError) to replace a different key that is already configured: other data
    encrypted with it would become unreadable.
    """
    existing = current_master_key(settings)
    if existing == key:
        return "already configured"
    if existing is not None:
        raise ValueError("a different master key is already configured for this data dir")
    encoded = base64.b64encode(key).decode()
    if _uses_keyring(settings):
        KeyringSecretStore(_namespace(settings)).set("master_key", encoded)
        return "the OS keyring"
    path = _key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(encoded.encode())
    return str(path)


def _namespace(settings: Settings) -> str:
    """One data dir = one keyring namespace, so two installs on a desktop don't collide."""
    return base64.urlsafe_b64encode(str(settings.data_dir).encode()).decode()[-32:]


def build_secret_store(settings: Settings) -> tuple[SecretStore, Cipher]:
    """The store by settings ('auto' prefers the keyring) and the cipher for data at rest."""
    if _uses_keyring(settings):
        store = KeyringSecretStore(_namespace(settings))
        key = store.get("master_key")
        if key is None:
            key = base64.b64encode(secrets.token_bytes(32)).decode()
            store.set("master_key", key)
        return store, Cipher(base64.b64decode(key))
    cipher = Cipher(_master_key(settings))
    path = settings.secrets_file or settings.data_dir / "secrets.enc"
    return FileSecretStore(path, cipher), cipher
