"""Credentials at rest: ciphertext only, bound to key and session, recovered after a crash."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.channels import CredentialVault, VaultError

SECRET = b"SQLite format 3\x00 identity-key noise-key adv-secret"


def make(tmp_path: Path, key: bytes, session: str = "s1", run: str = "run") -> CredentialVault:
    return CredentialVault(
        tmp_path / "data" / "creds.sealed", tmp_path / run, key, session_id=session
    )


async def test_roundtrip_and_nothing_readable_at_rest(tmp_path: Path) -> None:
    key = os.urandom(32)
    vault = make(tmp_path, key)
    runtime = await vault.open()
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    (runtime / "whatsmeow.db").write_bytes(SECRET)
    (runtime / "whatsmeow.db-wal").write_bytes(b"wal " + SECRET)
    await vault.seal()
    assert not runtime.exists()
    sealed = tmp_path / "data" / "creds.sealed"
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or b"identity-key" not in path.read_bytes()
    reopened = await make(tmp_path, key).open()
    assert (reopened / "whatsmeow.db").read_bytes() == SECRET
    assert (reopened / "whatsmeow.db-wal").read_bytes() == b"wal " + SECRET


async def test_wrong_key_tampering_and_other_session_fail(tmp_path: Path) -> None:
    key = os.urandom(32)
    vault = make(tmp_path, key)
    ((await vault.open()) / "whatsmeow.db").write_bytes(SECRET)
    await vault.seal()
    with pytest.raises(VaultError):
        await make(tmp_path, os.urandom(32), run="r2").open()
    with pytest.raises(VaultError):
        await make(tmp_path, key, session="s2", run="r3").open()
    sealed = tmp_path / "data" / "creds.sealed"
    blob = bytearray(sealed.read_bytes())
    blob[-1] ^= 1
    sealed.write_bytes(bytes(blob))
    with pytest.raises(VaultError):
        await make(tmp_path, key, run="r4").open()


async def test_leftover_plaintext_after_parent_crash_is_sealed_first(tmp_path: Path) -> None:
    key = os.urandom(32)
    vault = make(tmp_path, key)
    ((await vault.open()) / "whatsmeow.db").write_bytes(b"old")
    await vault.seal()
    runtime = await vault.open()
    (runtime / "whatsmeow.db").write_bytes(b"newer, never sealed")  # then the app died
    runtime = await make(tmp_path, key).open()
    assert (runtime / "whatsmeow.db").read_bytes() == b"newer, never sealed"


async def test_destroy_and_key_size(tmp_path: Path) -> None:
    vault = make(tmp_path, os.urandom(32))
    ((await vault.open()) / "whatsmeow.db").write_bytes(SECRET)
    await vault.seal()
    await vault.destroy()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError):
        make(tmp_path, b"short")
