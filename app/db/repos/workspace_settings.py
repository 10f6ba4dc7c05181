"""The one place workspace settings are read: a row becomes a typed `WorkspaceSettings`.

`load` runs for every routed message, so it is plain SQL (`fast`); JSON columns then come back
as text and are parsed here. A workspace without a row (never, after its creation) reads as
the defaults.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import msgspec

from app.db import fast
from app.db.tables import WorkspaceSettings as Row
from app.domain.workspace_settings import DEFAULTS, WorkspaceSettings

log = logging.getLogger(__name__)


def _words(row: dict[str, Any], column: str) -> list[str]:
    """A JSON list of words (text on SQLite, or already a list); anything else: none."""
    words = row.get(column)
    if isinstance(words, str):
        try:
            words = json.loads(words)
        except ValueError:
            words = None
    return [w for w in words if isinstance(w, str)] if isinstance(words, list) else []


def from_row(row: dict[str, Any]) -> WorkspaceSettings:
    """The settings of a `workspace_settings` row (SQLite's 0/1 flags, JSON as text or not)."""
    config = row.get("business_hours_config")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError:
            log.warning("workspace %s: business hours config is not JSON", row.get("workspace_id"))
            config = None
    values = {
        **row,
        "business_hours_config": config if isinstance(config, dict) else None,
        "flow_stop_words": _words(row, "flow_stop_words"),
        "opt_out_words": _words(row, "opt_out_words"),
    }
    return msgspec.convert(values, WorkspaceSettings, strict=False)  # other columns ignored


async def load(workspace_id: str) -> WorkspaceSettings:
    rows = await fast.execute(
        Row, "SELECT * FROM workspace_settings WHERE workspace_id = {}", workspace_id
    )
    return from_row(rows[0]) if rows else DEFAULTS


async def load_many(workspace_ids: list[str]) -> dict[str, WorkspaceSettings]:
    """Settings by workspace id (those with a row)."""
    rows = await Row.select().where(Row.workspace_id.is_in(workspace_ids or [""]))
    return {r["workspace_id"]: from_row(r) for r in rows}
