"""Password hashing with argon2id (seed §14); a dummy verify makes unknown emails cost the same.

Strength: at least 10 characters, and zxcvbn (MIT; its frequency lists of common and breached
passwords, names and words ship inside the PyPI package) must judge the password safely
unguessable — score 3, about 10^8 guesses. That refuses `password12`, `Passw0rd`, keyboard
walks, repeats and the user's own email or name, and its warning tells the user why.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain import Invalid

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_DUMMY = _hasher.hash("timing-equaliser")
MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters decide


def check_strength(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Reject passwords a user would regret; the message says what to fix. `user_inputs` are
    the account's own words (email, name): a password built from them is easy to guess."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"password must have at most {MAX_LENGTH} characters")
    from zxcvbn import zxcvbn  # ~20 ms to import its word lists: only when a password is set

    words = [w for text in user_inputs for w in (text, *text.replace("@", " ").split()) if w]
    verdict = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)
    if verdict["score"] >= MIN_SCORE:
        return
    feedback = verdict["feedback"]
    why = (feedback.get("warning") or "").rstrip(".")
    tips = " ".join(feedback.get("suggestions") or []) or "Add another word or two."
    raise Invalid(
        "this password is too easy to guess" + (f" ({why.lower()})" if why else "") + f". {tips}"
    )


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
