"""Password hashing with argon2id (seed §14); a dummy verify makes unknown emails cost the same."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain import Invalid

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_DUMMY = _hasher.hash("timing-equaliser")
MIN_LENGTH = 8


def check_strength(password: str) -> None:
    """Reject passwords a user would regret; the message says what to fix."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > 256:
        raise Invalid("password must have at most 256 characters")
    if password.isdigit() or (password.lower() == password and password.isalpha()):
        raise Invalid("password must mix letters with digits, capitals or symbols")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: verifies against a dummy hash when there is no user."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
