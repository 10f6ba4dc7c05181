"""What a raw storage error means to a caller above the services, who never sees the database.

A service checks before it writes (a duplicate email, a taken account id), but two requests
can race past the check; the database's unique constraint then decides, and this turns its
error into the same `Conflict` the check would have raised.
"""

from __future__ import annotations

from app.db.errors import is_unique_violation
from app.domain import Conflict, DomainError


def as_domain_error(exc: BaseException) -> DomainError | None:
    """The domain error `exc` stands for, or None when it is a bug."""
    if is_unique_violation(exc):
        return Conflict("this already exists (it was just created)")
    return None
