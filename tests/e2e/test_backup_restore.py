"""Backup a running app, restore into a new data dir, and the same user finds the same data."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.e2e.accounts import login, make_data, register, view
from tests.e2e.conftest import ROOT, start


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "AIMY_MASTER_KEY": TEST_MASTER_KEY, "AIMY_SECRETS_BACKEND": "file"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env or base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stable(v: dict[str, Any]) -> dict[str, Any]:
    """The parts a restore must keep (logins and key use legitimately add rows and stamps)."""
    return {
        "user": {k: v["me"]["user"][k] for k in ("id", "email", "name")},
        "workspaces": sorted((w["id"], w["name"]) for w in v["workspaces"]),
        "keys": sorted((k["id"], k["name"], k["keyPreview"]) for k in v["keys"]),
        "audit": {(a["id"], a["action"]) for a in v["audit"]["items"]},
    }


def seed_files(data: Path) -> dict[str, bytes]:
    """Files the (future) pipeline and KB write: sealed creds, media, vectors."""
    files = {
        "sessions/s1/credentials.sealed": b"AIMYWA1\0" + os.urandom(64),
        "media/2026/voice.ogg": os.urandom(256),
        "vectors/chunks.lance/data/0.lance": os.urandom(128),
    }
    for rel, content in files.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content)
    return files


def test_backup_while_running_then_restore_gives_the_same_dashboard(tmp_path: Path) -> None:
    first = start(tmp_path / "d1")
    try:
        token = register(first.url, "owner@example.com")["accessToken"]
        api_key = make_data(first.url, token)
        before = view(first.url, token)
        files = seed_files(first.data_dir)
        archive = tmp_path / "backup.tar.gz"
        made = cli("backup", "--data-dir", str(first.data_dir), "-o", str(archive))
        assert made.returncode == 0, made.stdout + made.stderr
        busy = cli("restore", str(archive), "--data-dir", str(first.data_dir), "--force")
        assert busy.returncode == 1 and "running" in busy.stdout  # never under a live app
    finally:
        assert first.stop() == 0

    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        sealed = tar.extractfile("sessions/s1/credentials.sealed")
        assert sealed is not None and sealed.read() == files["sessions/s1/credentials.sealed"]
    assert {"manifest.json", "database.sqlite", "data/secrets.enc"} <= names
    assert "master.key" not in names and not any("ui-storage" in n for n in names)
    assert not any(n.endswith(("-wal", "-shm", "instance.lock")) for n in names)

    restored = cli("restore", str(archive), "--data-dir", str(tmp_path / "d2"))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    for rel, content in files.items():
        assert (tmp_path / "d2" / rel).read_bytes() == content
    again = cli("restore", str(archive), "--data-dir", str(tmp_path / "d2"))
    assert again.returncode == 1 and "--force" in again.stdout

    second = start(tmp_path / "d2")
    try:
        after = view(second.url, login(second.url, "owner@example.com"))
        assert stable(after)["audit"] >= stable(before)["audit"]
        assert {k: v for k, v in stable(after).items() if k != "audit"} == {
            k: v for k, v in stable(before).items() if k != "audit"
        }
        assert httpx.get(  # the API key works too: its hash came back with the database
            f"{second.url}/api/v1/settings", headers={"X-API-Key": api_key}
        ).is_success
        old_token = httpx.get(  # JWT keys came back in the encrypted secrets file
            f"{second.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert old_token.status_code == 200
    finally:
        assert second.stop() == 0


def test_include_key_lets_a_new_machine_restore_without_the_key(tmp_path: Path) -> None:
    """Without --include-key the key must travel separately; with it, restore installs it."""
    p = start(tmp_path / "d1")
    try:
        register(p.url, "mover@example.com")
    finally:
        assert p.stop() == 0
    archive = tmp_path / "with-key.tar.gz"
    made = cli("backup", "--data-dir", str(p.data_dir), "-o", str(archive), "--include-key")
    assert made.returncode == 0, made.stdout + made.stderr
    with tarfile.open(archive) as tar:
        member = tar.extractfile("master.key")
        assert member is not None
        assert base64.b64decode(member.read()) == base64.b64decode(TEST_MASTER_KEY)

    key_file = tmp_path / "new-machine" / "master.key"  # no AIMY_MASTER_KEY over there
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "new-machine"),
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_KEY_FILE": str(key_file),
    }
    restored = cli("restore", str(archive), "--data-dir", str(tmp_path / "d2"), env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert key_file.read_bytes().strip() == TEST_MASTER_KEY.encode()
    assert key_file.stat().st_mode & 0o077 == 0

    srv = start(tmp_path / "d2", env=env)
    try:
        assert login(srv.url, "mover@example.com")
    finally:
        assert srv.stop() == 0


@pytest.mark.postgres
def test_postgres_backup_goes_through_pg_dump_and_restores(tmp_path: Path) -> None:
    base = os.environ.get("AIMY_TEST_POSTGRES_URL")
    if not base:
        pytest.skip(
            "AIMY_TEST_POSTGRES_URL not set (export it from: bash .ci/postgres.sh | tail -1)"
        )
    schema = f"t_{secrets.token_hex(6)}"

    def psql(sql: str) -> None:
        subprocess.run(["psql", "-qtAX", "-d", base, "-c", sql], check=True, capture_output=True)

    psql(f"CREATE SCHEMA {schema}")
    env = {
        **os.environ,
        "AIMY_MASTER_KEY": TEST_MASTER_KEY,
        "AIMY_SECRETS_BACKEND": "file",
        "AIMY_DATABASE_URL": f"{base}?search_path={schema}",
    }
    try:
        first = start(tmp_path / "d1", env=env)
        try:
            token = register(first.url, "pg@example.com")["accessToken"]
            make_data(first.url, token)
            before = view(first.url, token)
        finally:
            assert first.stop() == 0
        archive = tmp_path / "pg.tar.gz"
        made = cli("backup", "--data-dir", str(tmp_path / "d1"), "-o", str(archive), env=env)
        assert made.returncode == 0, made.stdout + made.stderr
        with tarfile.open(archive) as tar:
            assert "database.pgdump" in tar.getnames()
        over = cli("restore", str(archive), "--data-dir", str(tmp_path / "d2"), env=env)
        assert over.returncode == 1 and "Postgres database" in over.stdout

        psql(f"DROP SCHEMA {schema} CASCADE")  # the database is lost
        restored = cli("restore", str(archive), "--data-dir", str(tmp_path / "d2"), env=env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        second = start(tmp_path / "d2", env=env)
        try:
            after = view(second.url, login(second.url, "pg@example.com"))
        finally:
            assert second.stop() == 0
        assert stable(after)["workspaces"] == stable(before)["workspaces"]
        assert stable(after)["keys"] == stable(before)["keys"]
        assert stable(after)["audit"] >= stable(before)["audit"]
    finally:
        psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
