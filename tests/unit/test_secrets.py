"""Secrets at rest: encrypted file store with a key kept outside the data dir."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from app.secrets import Cipher, FileSecretStore, build_secret_store, keyring_usable
from app.settings import load_settings


def test_file_store_round_trip_and_nothing_in_clear(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "master.key"
    s = load_settings(
        {"data_dir": str(tmp_path / "data"), "secrets_backend": "file", "key_file": str(key_file)},
        env={},
    )
    store, _ = build_secret_store(s)
    store.set("openai_api_key", "sk-very-secret-value")
    assert store.get("openai_api_key") == "sk-very-secret-value"
    blob = (tmp_path / "data" / "secrets.enc").read_bytes()
    assert b"sk-very-secret" not in blob and b"openai" not in blob
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not any(p.name.endswith(".key") for p in (tmp_path / "data").rglob("*"))
    again, _ = build_secret_store(s)  # a restart reads the same key file
    assert again.get("openai_api_key") == "sk-very-secret-value"
    store.delete("openai_api_key")
    assert again.get("openai_api_key") is None


def test_wrong_key_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "secrets.enc"
    FileSecretStore(path, Cipher(b"a" * 32)).set("x", "y")
    with pytest.raises(InvalidTag):
        FileSecretStore(path, Cipher(b"b" * 32)).get("x")


def test_master_key_from_env_wins(tmp_path: Path) -> None:
    key = base64.b64encode(b"z" * 32).decode()
    s = load_settings({"data_dir": str(tmp_path)}, env={"AIMY_MASTER_KEY": key})
    store, cipher = build_secret_store(s)
    assert isinstance(store, FileSecretStore)
    assert cipher.decrypt(Cipher(b"z" * 32).encrypt(b"hello")) == b"hello"


def test_headless_linux_has_no_usable_keyring() -> None:
    # CI and servers: no Secret Service on D-Bus → the file store is chosen under "auto"
    assert keyring_usable() is False


def _node(path: str, index: int) -> str:
    store = FileSecretStore(Path(path), Cipher(b"n" * 32))
    agreed = store.setdefault("jwt_private_key", f"key of node {index}")
    for round_ in range(15):
        store.set(f"api_key:{index}:{round_}", "sk")
    return agreed


def test_nodes_sharing_one_file_agree_on_a_key_and_lose_no_change(tmp_path: Path) -> None:
    """Several app nodes on one shared `secrets_file`: each change is locked from read to
    rename, so concurrent writers keep each other's entries; `setdefault` gives them all the
    same first value (e.g. the token signing key when they start together)."""
    import multiprocessing

    path = tmp_path / "shared" / "secrets.enc"
    with multiprocessing.get_context("fork").Pool(6) as pool:
        agreed = pool.starmap(_node, [(str(path), i) for i in range(6)])
    assert len(set(agreed)) == 1
    store = FileSecretStore(path, Cipher(b"n" * 32))
    assert store.get("jwt_private_key") == agreed[0]
    assert all(store.get(f"api_key:{i}:{r}") == "sk" for i in range(6) for r in range(15))


def test_the_secrets_file_can_live_outside_the_data_dir(tmp_path: Path) -> None:
    key = base64.b64encode(b"z" * 32).decode()
    shared = tmp_path / "shared" / "secrets.enc"
    s = load_settings(
        {"data_dir": str(tmp_path / "data")},
        env={
            "AIMY_MASTER_KEY": key,
            "AIMY_SECRETS_BACKEND": "file",
            "AIMY_SECRETS_FILE": str(shared),
        },
    )
    store, _ = build_secret_store(s)
    store.set("x", "y")
    assert shared.exists() and not (tmp_path / "data" / "secrets.enc").exists()
