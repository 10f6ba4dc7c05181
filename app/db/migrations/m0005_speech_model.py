"""`workspace_settings.speech_model`: which whisper model transcribes a workspace's voice notes.

NULL keeps the default (the operator's configured model, else the built-in English tiny.en);
a name refers to a model downloaded into `<data dir>/models/whisper/` (app/speech/whisper_store.py).
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE workspace_settings ADD COLUMN speech_model VARCHAR(64)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
