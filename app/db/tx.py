"""One transaction on the bound engine, for code above the repositories that must make two
writes one: a change and the webhook deliveries it causes (the webhook outbox).

It joins the caller's transaction when one is open (piccolo runs a nested `transaction()` as
part of the outer one), so a repository function that opens its own transaction can be called
inside it and commit or roll back with everything else.
"""

from __future__ import annotations

from typing import Any

from app.db.tables import Workspace


def transaction() -> Any:
    """`async with transaction():` — everything inside commits or rolls back together."""
    return Workspace._meta.db.transaction()


def in_transaction() -> bool:
    """True inside `transaction()` (or any piccolo transaction on the bound engine)."""
    return Workspace._meta.db.current_transaction.get() is not None
