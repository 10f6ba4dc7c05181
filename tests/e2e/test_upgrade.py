"""A data dir made by the first release (schema m0001) opens in this version without loss."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path

from app.auth.passwords import hash_password
from app.db import close_engine, create_engine, migrate, open_engine
from app.db.migrations import discover
from app.domain.time import utcnow
from tests.e2e.accounts import PASSWORD, login, view
from tests.e2e.conftest import start

FIRST = discover()[:1]  # what the first release shipped


async def _release_one_data_dir(data_dir: Path) -> dict[str, str]:
    """What release 1 left behind: its schema, written with its own columns (raw SQL)."""
    data_dir.mkdir(parents=True)
    engine = create_engine(f"sqlite:///{data_dir / 'aimywhatsapp.db'}")
    await open_engine(engine)
    try:
        assert [m.name for m in FIRST] == ["m0001_initial"]
        await migrate(engine, FIRST)
        ids = {k: str(uuid.uuid4()) for k in ("ws", "user", "member", "audit", "contact")}
        now = utcnow().isoformat()
        statements = [
            (
                "INSERT INTO workspaces (id, name, slug) VALUES (?, 'Old shop', 'old-shop')",
                [ids["ws"]],
            ),
            (
                "INSERT INTO users (id, email, password_hash, name) VALUES (?, ?, ?, 'Old')",
                [ids["user"], "old@example.com", hash_password(PASSWORD)],
            ),
            (
                "INSERT INTO workspace_users (id, workspace_id, user_id, role) "
                "VALUES (?, ?, ?, 'OWNER')",
                [ids["member"], ids["ws"], ids["user"]],
            ),
            (
                "INSERT INTO audit_logs (id, workspace_id, user_id, action, created_at) "
                "VALUES (?, ?, ?, 'workspace.created', ?)",
                [ids["audit"], ids["ws"], ids["user"], now],
            ),
            (
                "INSERT INTO contacts (id, workspace_id, jid, phone_number, name) "
                "VALUES (?, ?, '5511999990001@s.whatsapp.net', '+5511999990001', 'Ana')",
                [ids["contact"], ids["ws"]],
            ),
        ]
    finally:
        await close_engine(engine)
    with sqlite3.connect(data_dir / "aimywhatsapp.db") as db:
        for sql, args in statements:
            db.execute(sql, args)
    return ids


def test_newer_version_migrates_an_m0001_data_dir_and_keeps_its_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ids = asyncio.run(_release_one_data_dir(data))
    p = start(data)
    try:
        seen = view(p.url, login(p.url, "old@example.com"))
        assert seen["me"]["user"]["id"] == ids["user"]
        assert [(w["id"], w["name"]) for w in seen["workspaces"]] == [(ids["ws"], "Old shop")]
        assert ids["audit"] in {a["id"] for a in seen["audit"]["items"]}
    finally:
        assert p.stop() == 0
    pending = [m.name for m in discover()[1:]]
    if pending:
        assert "applied migrations: " + ", ".join(pending) in p.log()
    with sqlite3.connect(data / "aimywhatsapp.db") as db:
        versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations")]
        contact = db.execute("SELECT name FROM contacts WHERE id = ?", [ids["contact"]]).fetchone()
    assert sorted(versions) == [m.version for m in discover()]
    assert contact == ("Ana",)
