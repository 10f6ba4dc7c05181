"""`conversations.waiting_told_at`: when the customer was last told that a person will reply.

While a conversation waits for a human the bot does not answer, but the customer's first
message of each wait gets one notice (issue 13 #16). The "once" is durable like
`human_nudged_at`: a guarded UPDATE claims it (`waiting_told_at` before `waiting_since` means
not told in this wait) in the transaction that writes the notice.
"""

from __future__ import annotations

from app.db.migrations._sql import render

_SQL = """
ALTER TABLE conversations ADD COLUMN waiting_told_at {ts}
"""


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [render(dialect, line) for line in _SQL.strip().splitlines()]
