"""What the AI engine stores on a message (issue 5): which model answered, at what cost.

- `messages.ai_provider` / `ai_model`: who wrote a bot reply (anthropic, openai, llamacpp,
  extractive …) — needed to compare providers and to audit an answer later.
- `messages.tokens_in` / `tokens_out` / `latency_ms` / `cost_usd`: usage of the model call
  (cost is an estimate from the pricing table; NULL where unknown).
- `messages.language`: the detected language of an inbound message (ISO 639-1).
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE messages ADD COLUMN ai_provider VARCHAR(32)
ALTER TABLE messages ADD COLUMN ai_model VARCHAR(255)
ALTER TABLE messages ADD COLUMN tokens_in INTEGER
ALTER TABLE messages ADD COLUMN tokens_out INTEGER
ALTER TABLE messages ADD COLUMN latency_ms DOUBLE PRECISION
ALTER TABLE messages ADD COLUMN cost_usd DOUBLE PRECISION
ALTER TABLE messages ADD COLUMN language VARCHAR(16)
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
